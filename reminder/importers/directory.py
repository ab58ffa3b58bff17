"""The directory of parties and focal points, from CSV (one row per focal point) or TOML."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from functools import partial
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email

from reminder.addresses import address_warning
from reminder.importers.common import SourceFile, sniff_delimiter
from reminder.importers.records import DirectoryFile, FocalPointRecord, PartyRecord
from reminder.models import ROLES

CSV_COLUMNS = (
    "party",
    "party_name",
    "aliases",
    "name",
    "email",
    "role",
    "locale",
    "away_until",
    "alternate",
    "catch_all",
    "parent_office",
    "active",
)
REQUIRED_COLUMNS = ("party", "name", "email", "role")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
YES = {"yes", "y", "true", "1", "x"}
NO = {"", "no", "n", "false", "0"}


class _Checker:
    """Field checks that are the directory's own (addresses, locales, flags, codes)."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.error = source.error

    def email(self, line: int, name: str, value: str) -> str:
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise self.error(line, name, f"{value!r} is not a valid address: {exc}") from None

    def locale(self, line: int, value: str) -> str | None:
        if not value:
            return None
        try:
            return str(Locale.parse(value.replace("-", "_")))
        except (UnknownLocaleError, ValueError):
            raise self.error(
                line, "locale", f"unknown locale {value!r} (use en, ru, fr, ...)"
            ) from None

    def flag(self, line: int, name: str, value: str, default: bool) -> bool:
        word = value.strip().lower()
        if not word:
            return default
        if word in YES or word in NO:
            return word in YES
        raise self.error(line, name, f"{value!r} is not yes or no")

    def code(self, line: int, value: str) -> str:
        if not _CODE.match(value):
            raise self.error(line, "party", f"{value!r} is not a short code (letters, digits, -_.)")
        return value


def _from_rows(source: SourceFile, rows: list[tuple[int, dict[str, str]]]) -> list[PartyRecord]:
    parties: dict[str, PartyRecord] = {}
    for line, row in rows:
        source.attempt(partial(_add_row, source, parties, line, row))
    source.raise_errors()
    return list(parties.values())


def _add_row(
    source: SourceFile, parties: dict[str, PartyRecord], line: int, row: dict[str, str]
) -> None:
    check = _Checker(source)
    value = {key: source.clean(line, key, row.get(key)) for key in CSV_COLUMNS}
    for required in REQUIRED_COLUMNS:
        if not value[required]:
            raise check.error(line, required, "is empty")
    code = check.code(line, value["party"])
    party = parties.get(code)
    if party is None:
        party = PartyRecord(
            line,
            code,
            value["party_name"] or code,
            parent_office=value["parent_office"] or None,
        )
        parties[code] = party
    for alias in value["aliases"].split(";"):
        if alias.strip() and alias.strip() not in party.aliases:
            party.aliases.append(alias.strip())
    if value["party_name"] and party.name == code:
        party.name = value["party_name"]
    party.catch_all = party.catch_all or check.flag(line, "catch_all", value["catch_all"], False)
    party.focal_points.append(_focal_point(source, check, line, value))


def _focal_point(
    source: SourceFile, check: _Checker, line: int, value: dict[str, str]
) -> FocalPointRecord:
    role = value["role"].lower()
    if role not in ROLES:
        raise check.error(line, "role", f"{value['role']!r} is not one of {', '.join(ROLES)}")
    away, alternate = value["away_until"], value["alternate"]
    return FocalPointRecord(
        line=line,
        name=value["name"],
        email=check.email(line, "email", value["email"]),
        role=role,
        locale=check.locale(line, value["locale"]),
        away_until=source.day(line, "away_until", away) if away else None,
        alternate=check.email(line, "alternate", alternate) if alternate else None,
        active=check.flag(line, "active", value["active"], True),
    )


def _csv(source: SourceFile) -> list[PartyRecord]:
    text = source.text()
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise source.error(1, missing[0], f"missing required column {missing[0]!r}")
    reader.fieldnames = header
    rows = []
    start = 2
    try:
        for row in reader:
            rows.append((start, {k: v or "" for k, v in row.items() if isinstance(k, str)}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise source.error(reader.line_num, "csv", str(exc)) from None
    return _from_rows(source, rows)


def _toml_lines(text: str, header: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n"), 1) if line.strip() == header]


def _toml(source: SourceFile) -> list[PartyRecord]:
    text = source.text()
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise source.error(getattr(exc, "lineno", None), "toml", str(exc)) from None
    party_lines = _toml_lines(text, "[[party]]")
    person_lines = iter(_toml_lines(text, "[[party.focal_point]]"))
    rows: list[tuple[int, dict[str, str]]] = []
    for index, party in enumerate(document.get("party", [])):
        line = party_lines[index] if index < len(party_lines) else 1
        base = {
            "party": str(party.get("code", "")),
            "party_name": str(party.get("name", "")),
            "aliases": ";".join(party.get("aliases", [])),
            "catch_all": "yes" if party.get("catch_all") else "",
            "parent_office": str(party.get("parent_office", "")),
        }
        people = party.get("focal_point", [])
        if not people:
            raise source.error(line, "focal_point", "a party needs at least one")
        for person in people:
            row = dict(base)
            row.update(
                {
                    key: str(person.get(key, ""))
                    for key in ("name", "email", "role", "locale", "away_until", "alternate")
                }
            )
            row["locale"] = row["locale"] or str(party.get("locale", ""))
            row["active"] = "" if person.get("active", True) else "no"
            rows.append((next(person_lines, line), row))
    if not rows:
        raise source.error(None, "party", "no [[party]] tables in the file")
    return _from_rows(source, rows)


def read_directory(path: Path) -> DirectoryFile:
    source = SourceFile.open(path)
    if path.suffix.lower() == ".toml":
        parties = _toml(source)
    elif path.suffix.lower() in (".csv", ".tsv"):
        parties = _csv(source)
    else:
        raise source.error(None, "file", "a directory is a .csv, .tsv or .toml file")
    emails = {fp.email for party in parties for fp in party.focal_points}
    for party in parties:
        for person in party.focal_points:
            if person.alternate and person.alternate not in emails:
                raise source.error(
                    person.line,
                    "alternate",
                    f"{person.alternate} is not a focal point in this directory",
                )
    warnings = [
        f"{source.name}:{person.line}: email: {warning}"
        for party in parties
        for person in party.focal_points
        if (warning := address_warning(person.email)) is not None
    ]
    return DirectoryFile(source.name, source.checksum, parties, warnings)
