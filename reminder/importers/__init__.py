"""Importers: one parser class per source layout, each producing the same validated records
from a SourceFile that carries the path and collects every error of the file."""

from __future__ import annotations

from pathlib import Path

from reminder.importers import erc_cells, erc_layout, text_layout, tracker
from reminder.importers.common import SourceFile
from reminder.importers.records import ImportBatch
from reminder.progress import SILENT, Progress
from reminder.responsible import Resolver


def read_file(
    path: Path, resolver: Resolver, date_order: str = "dmy", shown: Progress = SILENT
) -> ImportBatch:
    """Read one file of any supported layout; raises SourceError (SourceErrors when there are
    several problems), each naming file, line and field."""
    source = SourceFile.open(path, date_order)
    source.shown = shown
    batch = ImportBatch(source.name, "", source.checksum, resolver)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        batch.file_format, batch.evaluations = "xlsx", tracker.parse(source, "xlsx")
    elif suffix in (".csv", ".tsv"):
        batch.evaluations = tracker.parse(source, "csv")
        batch.file_format = "csv" if suffix == ".csv" else "tsv"
    elif source.data[:4] == b"PK\x03\x04":
        raise source.error(None, "file", "this is a ZIP/XLSX file; name it *.xlsx")
    else:
        _read_text(source, batch)
    batch.encoding = source.encoding
    batch.warnings = [(w.line, w.field, w.message) for w in source.warnings]
    return batch


def _read_text(source: SourceFile, batch: ImportBatch) -> None:
    text = source.text()
    if erc_cells.detect(text):
        parser = erc_cells.ResourceCentreCells(source, batch.resolver)
        batch.file_format, batch.evaluations = "resource-centre page", parser.parse(text)
        batch.guesses = parser.guesses
    elif erc_layout.detect(text):
        batch.file_format = "resource-centre text"
        batch.evaluations = erc_layout.ResourceCentreText(source).parse(text)
    elif text_layout.detect(text):
        reader = text_layout.ManagementResponseText(source, batch.resolver)
        batch.file_format, batch.evaluations = "management-response text", reader.parse(text)
        batch.guesses = reader.guesses
    else:
        raise source.error(
            None,
            "file",
            "not a management response: no `Recommendation:` or `Evaluation recommendation N.` "
            "line (text) and not a .csv, .tsv or .xlsx tracker",
        )
