"""Issue 11, 8a: "please confirm the status" fires on day 90, counting the source's
`[Last Updated]` stamp, in the SQL pre-filter as in the pure rule (it fired on day 91, and
ignored the stamp)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Engine

from reminder.config import load_settings
from reminder.db import make_session_factory
from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.planning import DigestFinder
from tests.conftest import EXAMPLES

AS_OF = date(2027, 6, 15)
STALE_AFTER = 90


def stale_actions(
    engine: Engine, tmp_path: Path, imported_at: datetime, stamps: dict[str, str]
) -> set[str]:
    tracker = tmp_path / "tracker.csv"
    tracker.write_text("Key action,Responsible,Deadline,Status,Last Updated\n" + "".join(
        f"{text},UN Women,2028-12-31,Initiated,{stamp}\n" for text, stamp in stamps.items()))  # fmt: skip
    with make_session_factory(engine)() as session:
        load_directory(session, read_directory(EXAMPLES / "directory.csv"), imported_at)
        load_batch(session, read_file(tracker, load_resolver(session)), imported_at)
        session.commit()
        settings = load_settings(database_url=str(engine.url), timezone="UTC")
        finder = DigestFinder(session, settings, AS_OF)
        found = set()
        for batch in finder.recipient_batches(set()):
            for digest in finder.digests(batch):
                found |= {
                    i.finding.action.text for i in digest.items if i.finding.reason == "stale"
                }
    return found


def test_stale_on_day_90_counting_the_last_updated_stamp(engine: Engine, tmp_path: Path) -> None:
    long_ago = datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    day_90 = (AS_OF - timedelta(days=STALE_AFTER)).isoformat()
    day_89 = (AS_OF - timedelta(days=STALE_AFTER - 1)).isoformat()
    found = stale_actions(engine, tmp_path, long_ago, {"Ninety": day_90, "Eighty-nine": day_89,
                                                       "No stamp": ""})  # fmt: skip
    assert found == {"Ninety", "No stamp"}


def test_stale_on_day_90_after_a_status_change_late_in_the_day(
    engine: Engine, tmp_path: Path
) -> None:
    # Changed at 10:00 UTC on day 90 before as_of: the pure rule counts whole days, so it is due.
    changed = datetime.combine(AS_OF - timedelta(days=STALE_AFTER), time(10), UTC)
    assert stale_actions(engine, tmp_path, changed, {"Changed on day 90": ""}) == {
        "Changed on day 90"
    }
