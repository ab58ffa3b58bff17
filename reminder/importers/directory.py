"""The directory of parties and focal points, from CSV (one row per focal point) or TOML."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email

from reminder.addresses import address_warning
from reminder.errors import SourceError
from reminder.importers.common import checksum, clean, date_of, decode_text, read_bytes
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


@dataclass
class FocalPointRecord:
    line: int
    name: str
    email: str
    role: str
    locale: str | None = None
    away_until: date | None = None
    alternate: str | None = None
    active: bool = True


@dataclass
class PartyRecord:
    line: int
    code: str
    name: str
    aliases: list[str] = field(default_factory=list)
    catch_all: bool = False
    parent_office: str | None = None
    locale: str | None = None
    focal_points: list[FocalPointRecord] = field(default_factory=list)


@dataclass
class Directory:
    file: str
    checksum: str
    parties: list[PartyRecord]
    warnings: list[str] = field(default_factory=list)  # file:line: email: look-alikes etc.


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path

    def error(self, line: int, name: str, message: str) -> SourceError:
        return SourceError(str(self.path), line, name, message)

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


def _from_rows(path: Path, rows: list[tuple[int, dict[str, str]]]) -> list[PartyRecord]:
    check = _Checker(path)
    parties: dict[str, PartyRecord] = {}
    for line, row in rows:
        value = {key: clean(path, line, key, row.get(key)) for key in CSV_COLUMNS}
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
        party.catch_all = party.catch_all or check.flag(
            line, "catch_all", value["catch_all"], False
        )
        role = value["role"].lower()
        if role not in ROLES:
            raise check.error(line, "role", f"{value['role']!r} is not one of {', '.join(ROLES)}")
        party.focal_points.append(
            FocalPointRecord(
                line=line,
                name=value["name"],
                email=check.email(line, "email", value["email"]),
                role=role,
                locale=check.locale(line, value["locale"]),
                away_until=date_of(path, line, "away_until", value["away_until"])
                if value["away_until"]
                else None,
                alternate=check.email(line, "alternate", value["alternate"])
                if value["alternate"]
                else None,
                active=check.flag(line, "active", value["active"], True),
            )
        )
    return list(parties.values())


def _csv(path: Path, data: bytes) -> list[PartyRecord]:
    text = decode_text(path, data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise SourceError(str(path), 1, missing[0], f"missing required column {missing[0]!r}")
    reader.fieldnames = header
    rows = []
    start = 2
    try:
        for row in reader:
            rows.append((start, {k: v or "" for k, v in row.items() if isinstance(k, str)}))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(str(path), reader.line_num, "csv", str(exc)) from None
    return _from_rows(path, rows)


def _toml_lines(text: str, header: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n"), 1) if line.strip() == header]


def _toml(path: Path, data: bytes) -> list[PartyRecord]:
    text = decode_text(path, data)
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(str(path), getattr(exc, "lineno", None), "toml", str(exc)) from None
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
            raise SourceError(str(path), line, "focal_point", "a party needs at least one")
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
        raise SourceError(str(path), None, "party", "no [[party]] tables in the file")
    return _from_rows(path, rows)


def read_directory(path: Path) -> Directory:
    data = read_bytes(path)
    if path.suffix.lower() == ".toml":
        parties = _toml(path, data)
    elif path.suffix.lower() == ".csv":
        parties = _csv(path, data)
    else:
        raise SourceError(str(path), None, "file", "a directory is a .csv or .toml file")
    emails = {fp.email for party in parties for fp in party.focal_points}
    for party in parties:
        for person in party.focal_points:
            if person.alternate and person.alternate not in emails:
                raise SourceError(
                    str(path),
                    person.line,
                    "alternate",
                    f"{person.alternate} is not a focal point in this directory",
                )
    warnings = [
        f"{path}:{person.line}: email: {warning}"
        for party in parties
        for person in party.focal_points
        if (warning := address_warning(person.email)) is not None
    ]
    return Directory(str(path), checksum(data), parties, warnings)
