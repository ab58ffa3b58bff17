"""Importers: one module per source format, each producing the same validated records."""

from __future__ import annotations

from pathlib import Path

from reminder.errors import SourceError
from reminder.importers import erc_layout, text_layout, tracker
from reminder.importers.common import checksum, decode_text, read_bytes
from reminder.importers.records import ImportBatch
from reminder.responsible import Resolver

FORMATS = ("management-response text", "resource-centre text", "csv", "xlsx")


def read_file(path: Path, resolver: Resolver) -> ImportBatch:
    """Read one file of any supported format; raises SourceError naming file, line and field."""
    data = read_bytes(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        batch = ImportBatch(str(path), "xlsx", checksum(data))
        batch.evaluations = tracker.parse(path, data, "xlsx")
        return batch
    if suffix == ".csv":
        batch = ImportBatch(str(path), "csv", checksum(data))
        batch.evaluations = tracker.parse(path, data, "csv")
        return batch
    if data[:4] == b"PK\x03\x04":
        raise SourceError(str(path), None, "file", "this is a ZIP/XLSX file; name it *.xlsx")
    text = decode_text(path, data)
    if erc_layout.detect(text):
        batch = ImportBatch(str(path), "resource-centre text", checksum(data))
        batch.evaluations = erc_layout.parse(path, text)
        return batch
    if text_layout.detect(text):
        batch = ImportBatch(str(path), "management-response text", checksum(data))
        batch.evaluations, batch.guesses = text_layout.parse(path, text, resolver)
        return batch
    raise SourceError(
        str(path),
        None,
        "file",
        "not a management response: no `Recommendation:` "
        "line (text) and not a .csv or .xlsx tracker",
    )
