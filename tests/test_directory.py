"""The directory: CSV and TOML, validation with file, line and field."""

import re
from datetime import date
from pathlib import Path

import pytest

from reminder.errors import SourceError
from reminder.importers.directory import read_directory
from tests.conftest import EXAMPLES

HEADER = "party,party_name,aliases,catch_all,name,email,role,locale,away_until,alternate\n"


def test_example_directory() -> None:
    directory = read_directory(EXAMPLES / "directory.csv")
    parties = {party.code: party for party in directory.parties}
    assert set(parties) == {"UNW", "IOM", "ILO", "MEU"}
    assert parties["MEU"].catch_all and not parties["UNW"].catch_all
    assert "UN-Women" in parties["UNW"].aliases
    iom = parties["IOM"].focal_points
    assert (iom[0].role, iom[0].away_until, iom[0].alternate) == (
        "primary",
        date(2027, 1, 31),
        "timur.ismailov@iom.example.org",
    )
    assert iom[0].locale == "ru"


def test_toml_directory(tmp_path: Path) -> None:
    path = tmp_path / "directory.toml"
    path.write_text(
        """
[[party]]
code = "UNW"
name = "UN Women"
aliases = ["UN-Women"]
locale = "ru"

[[party.focal_point]]
name = "Aida"
email = "aida@example.org"
role = "primary"

[[party.focal_point]]
name = "Boss"
email = "boss@example.org"
role = "escalation"
locale = "en"
""",
        encoding="utf-8",
    )
    [party] = read_directory(path).parties
    assert [fp.locale for fp in party.focal_points] == ["ru", "en"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("UNW,UN Women,,,Aida,not-an-email,primary,,,", "directory.csv:2: email: 'not-an-email'"),
        (
            "UNW,UN Women,,,Aida,a@example.org,boss,,,",
            "directory.csv:2: role: 'boss' is not one of",
        ),
        (
            "UNW,UN Women,,,Aida,a@example.org,primary,xx-yy-zz,,",
            "directory.csv:2: locale: unknown",
        ),
        ("UNW,UN Women,,,Aida,a@example.org,primary,,2026/13/01,", "directory.csv:2: away_until:"),
        (
            "UNW,UN Women,,,Aida,a@example.org,primary,,,b@example.org",
            "directory.csv:2: alternate: b@example.org is not a focal point",
        ),
        (
            "UNW,UN Women,,maybe,Aida,a@example.org,primary,,,",
            "directory.csv:2: catch_all: 'maybe'",
        ),
        ("UN W,UN Women,,,Aida,a@example.org,primary,,,", "directory.csv:2: party: 'UN W' is not"),
        (",UN Women,,,Aida,a@example.org,primary,,,", "directory.csv:2: party: is empty"),
    ],
)
def test_bad_directory_rows(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "directory.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_directory(path)
    assert message in str(caught.value)


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "directory.csv"
    path.write_text("party,name,role\nUNW,Aida,primary\n", encoding="utf-8")
    with pytest.raises(
        SourceError, match=re.escape("directory.csv:1: email: missing required column")
    ):
        read_directory(path)
