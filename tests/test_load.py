"""Writing imports: in place, never duplicated, nothing stored lost (SQLite and PostgreSQL)."""

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reminder.importers import read_file
from reminder.importers.directory import read_directory
from reminder.importers.load import load_batch, load_directory, load_resolver
from reminder.models import Evaluation, FocalPoint, ImportRecord, KeyAction, Recommendation
from reminder.store import actions
from tests.conftest import EXAMPLES, SAMPLE

T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 2, 10, 9, 0, tzinfo=UTC)
AGENCIES = Path(__file__).parent / "fixtures" / "agencies.csv"


def import_file(session: Session, path: Path, now: datetime = T0):  # type: ignore[no-untyped-def]
    summary = load_batch(session, read_file(path, load_resolver(session)), now)
    session.commit()
    return summary


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_sample_with_a_directory_that_knows_the_three_agencies(session: Session) -> None:
    load_directory(session, read_directory(AGENCIES), T0)
    summary = import_file(session, SAMPLE)
    assert summary.key_actions["created"] == 6 and summary.unresolved == []
    assert (count(session, Recommendation), count(session, KeyAction)) == (6, 6)
    first = next(actions(session))
    assert first.responsible == ("ILO", "IOM", "UNW")
    assert (first.due, first.deadline_label, first.deadline_precision) == (
        date(2022, 3, 31),
        "2022/03",
        "month",
    )
    assert {a.status for a in actions(session)} == {"completed"}

    again = import_file(session, SAMPLE, T1)
    assert dict(again.key_actions) == {"unchanged": 6}
    assert dict(again.evaluations) == {"unchanged": 1}
    assert (count(session, Evaluation), count(session, KeyAction)) == (1, 6)
    assert count(session, ImportRecord) == 3  # the directory and two imports, for provenance


def test_reimport_updates_in_place_and_records_status_change(
    session: Session, tmp_path: Path
) -> None:
    original = (EXAMPLES / "fergana-valley-management-response.txt").read_text("utf-8")
    path = tmp_path / "mr.txt"
    path.write_text(original, "utf-8")
    import_file(session, path)
    changed = original.replace(
        "| UN Women, IOM | December 2026 | Not initiated |",
        "| UN Women, IOM | December 2026 | Completed | Signed in all districts.",
    )
    path.write_text(changed, "utf-8")
    summary = import_file(session, path, T1)
    assert dict(summary.key_actions) == {"updated": 1, "unchanged": 10}
    action = session.scalars(select(KeyAction).where(KeyAction.number == "1.2")).one()
    assert (action.status, action.comments) == ("completed", "Signed in all districts.")
    assert action.status_changed_at == T1
    assert count(session, KeyAction) == 11


def test_actions_missing_from_a_new_version_are_kept(session: Session, tmp_path: Path) -> None:
    original = (EXAMPLES / "fergana-valley-management-response.txt").read_text("utf-8")
    path = tmp_path / "mr.txt"
    path.write_text(original, "utf-8")
    import_file(session, path)
    shorter = original.split("3.5. Confirm")[0]
    path.write_text(shorter, "utf-8")
    summary = import_file(session, path, T1)
    assert summary.key_actions["not in file (kept)"] == 1
    assert count(session, KeyAction) == 11


def test_directory_import_resolves_stored_actions_and_deactivates(
    session: Session, tmp_path: Path
) -> None:
    import_file(session, SAMPLE)
    first = next(actions(session))
    assert first.responsible == () and first.unresolved == ("UN Women", "IOM", "ILO")
    summary = load_directory(session, read_directory(AGENCIES), T0)
    session.commit()
    assert summary.actions_reresolved == 6
    assert next(actions(session)).responsible == ("ILO", "IOM", "UNW")

    fewer = tmp_path / "directory.csv"
    fewer.write_text("\n".join(AGENCIES.read_text("utf-8").splitlines()[:-1]) + "\n", "utf-8")
    summary = load_directory(session, read_directory(fewer), T1)
    session.commit()
    assert summary.focal_points["deactivated"] == 1
    assert count(session, FocalPoint) == 4  # deactivated, not deleted


def test_unresolved_name_beside_a_known_party_also_reaches_the_catch_all(
    session: Session, tmp_path: Path
) -> None:
    """Issue 11 rule bug (c): the unknown name is kept and the catch-all party is linked, so
    someone who knows "UN PBF secretariat" is reminded too."""
    load_directory(session, read_directory(EXAMPLES / "directory.csv"), T0)
    path = tmp_path / "mr.txt"
    path.write_text(
        SAMPLE.read_text("utf-8").replace(
            "UN Women, IOM and ILO 2022/03 Completed",
            "with the partners UN PBF secretariat and UN Women 2027 Over due",
        ),
        "utf-8",
    )
    summary = import_file(session, path)
    first = next(a for a in actions(session) if a.responsible_text.startswith("UN PBF"))
    assert first.responsible_text == "UN PBF secretariat and UN Women"
    assert first.unresolved == ("UN PBF secretariat",)
    assert first.responsible == ("MEU", "UNW")  # MEU: the directory's catch-all party
    assert {"line": 21, "name": "UN PBF secretariat"} in summary.unresolved
