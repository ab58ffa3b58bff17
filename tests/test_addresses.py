"""Internationalised addresses: an IDN domain goes out in A-labels; a non-ASCII local part
needs SMTPUTF8, and without it only that digest fails; look-alikes are reported at import."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from reminder import pipeline
from reminder.addresses import address_warning, mailbox, mixed_scripts
from reminder.db import make_session_factory
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.models import Delivery
from tests.smtp_server import smtp_server
from tests.test_delivery_e2e import Clock, smtp_settings

AS_OF = date(2027, 1, 15)
NOW = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)
IDN = "jeff@臺網中心.tw"
UTF8_LOCAL = "jörg@example.org"
PLAIN = "ann@example.org"


@pytest.mark.parametrize(
    ("email", "address", "smtputf8"),
    [
        (IDN, "jeff@xn--fiqq24b10vi0d.tw", False),  # the domain in A-labels: nothing needed
        (UTF8_LOCAL, UTF8_LOCAL, True),  # only SMTPUTF8 can carry this local part
        (PLAIN, PLAIN, False),
    ],
)
def test_mailbox(email: str, address: str, smtputf8: bool) -> None:
    box = mailbox(email)
    assert (box.address, box.needs_smtputf8) == (address, smtputf8)


def test_mixed_scripts_are_found_and_plain_ones_are_not() -> None:
    assert mixed_scripts("p\u0430ypal@example.org") == ["CYRILLIC", "LATIN"]  # Cyrillic а
    assert mixed_scripts("иван@пример.рф") == []  # one script throughout is fine
    assert mixed_scripts(IDN) == []
    assert address_warning(PLAIN) is None


def directory_file(tmp_path: Path) -> Path:
    path = tmp_path / "directory.csv"
    path.write_text(
        "party,party_name,aliases,catch_all,name,email,role,locale,away_until,alternate\n"
        f"TW,Taiwan office,,,Jeff,{IDN},primary,en,,\n"
        f"DE,Berlin office,,,Jörg,{UTF8_LOCAL},primary,en,,\n"
        f"EX,Example office,,,Ann,{PLAIN},primary,en,,\n"
        "LA,Look-alike office,,,Pat,p\u0430t@example.org,primary,en,,\n",
        encoding="utf-8",
    )
    return path


def test_directory_import_reports_look_alike_addresses(tmp_path: Path) -> None:
    directory = read_directory(directory_file(tmp_path))
    assert any(
        w.endswith(
            ":5: email: p\u0430t@example.org mixes Cyrillic and Latin letters (a look-alike?)"
        )
        for w in directory.warnings
    ), directory.warnings
    assert any(":3: email: jörg@example.org needs a relay that offers SMTPUTF8" in w
               for w in directory.warnings)  # fmt: skip


def load(engine: Engine, tmp_path: Path) -> None:
    tracker = tmp_path / "tracker.csv"
    tracker.write_text(
        "Key action,Responsible,Deadline,Status\n"
        "Publish the report,Taiwan office,2027-01-05,Initiated\n"
        "Train the staff,Berlin office,2027-01-05,Initiated\n"
        "Fund the plan,Example office,2027-01-05,Initiated\n",
        encoding="utf-8",
    )
    with make_session_factory(engine)() as session:
        load_directory(session, read_directory(directory_file(tmp_path)), NOW)
        load_batch(session, read_file(tracker, load_resolver(session)), NOW)
        session.commit()


@pytest.mark.parametrize("relay_smtputf8", [False, True])
def test_international_addresses_fail_only_their_own_digest(
    engine: Engine, database_url: str, tmp_path: Path, relay_smtputf8: bool
) -> None:
    load(engine, tmp_path)
    sessions = make_session_factory(engine)
    with smtp_server(smtputf8=relay_smtputf8) as (recorder, port):
        settings = smtp_settings(database_url, port)
        report = pipeline.run_once(settings, sessions, AS_OF, Clock(NOW))
    with sessions() as session:
        rows = {d.recipient: d for d in session.scalars(select(Delivery))}
    assert [str(m["To"]) for m in recorder.to("xn--fiqq24b10vi0d.tw")] == [
        "Jeff <jeff@xn--fiqq24b10vi0d.tw>"
    ]
    assert len(recorder.to(PLAIN)) == 1 and rows[PLAIN].status == "sent"
    assert rows[IDN].status == "sent"
    if relay_smtputf8:
        assert report.ok and rows[UTF8_LOCAL].status == "sent"
        [message] = recorder.to(UTF8_LOCAL)
        assert "Train the staff" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    else:
        assert report.failed == 1 and not report.ok
        assert recorder.to(UTF8_LOCAL) == []
        assert rows[UTF8_LOCAL].status == "failed"
        assert "needs SMTPUTF8" in (rows[UTF8_LOCAL].last_error or "")
        assert report.failures == [{"recipient": UTF8_LOCAL, "error": rows[UTF8_LOCAL].last_error}]
