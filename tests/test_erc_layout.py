"""The evaluation resource centre layout: numbered recommendations, stamps, action rows."""

from datetime import date
from pathlib import Path

import pytest

from reminder.errors import SourceError
from reminder.importers import read_file
from reminder.responsible import Resolver

ERC = """Title: Outcome evaluation of the local governance programme
Office: Osh (CO)
Evaluation ID: 5521
1. Recommendation: Strengthen district planning.
Management Response: [Added: 2012/10/07] [Last Updated: 2012/10/08]
Agreed; planning support will continue.
Key Actions:
Key Action Responsible DueDate Status Comments Documents
1.1 Train district planners
[Added: 2012/10/07] [Last Updated: 2012/11/15]
UNDP CO 2010/12 Completed Trained 40 planners.
1.2 Publish planning guidelines in
Kyrgyz and Russian
[Added: 2012/10/07]
Governance Unit No due date Initiated
Draft with the ministry.
2. Recommendation: Involve women's groups.
Management Response: [Added: 2012/10/07] [Last Updated: 2013/01/02]
Key Actions:
2.1 Set up consultations
[Added: 2012/10/07] [Last Updated: 2013/01/02]
UNDP CO and UN Women 2013/06 Not Initiated
"""


def test_resource_centre_layout(tmp_path: Path) -> None:
    path = tmp_path / "erc.txt"
    path.write_text(ERC, encoding="utf-8")
    batch = read_file(path, Resolver({}))
    assert batch.file_format == "resource-centre text"
    [evaluation] = batch.evaluations
    assert (evaluation.title, evaluation.office, evaluation.source_id) == (
        "Outcome evaluation of the local governance programme",
        "Osh (CO)",
        "5521",
    )
    first, second = evaluation.recommendations
    assert first.number == "1" and first.updated_on == date(2012, 10, 8)
    assert first.management_response == "Agreed; planning support will continue."
    train, publish = first.actions
    assert (train.number, train.text, train.responsible_text) == (
        "1.1",
        "Train district planners",
        "UNDP CO",
    )
    assert (train.deadline.due, train.status, train.comments) == (
        date(2010, 12, 31),
        "completed",
        "Trained 40 planners.",
    )
    assert train.updated_on == date(2012, 11, 15)
    assert publish.text == "Publish planning guidelines in Kyrgyz and Russian"
    assert (publish.deadline.precision, publish.comments) == ("none", "Draft with the ministry.")
    assert publish.updated_on is None and publish.added_on == date(2012, 10, 7)
    assert second.management_response == ""
    assert second.actions[0].responsible_text == "UNDP CO and UN Women"


def test_stamp_without_an_action_row_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "erc.txt"
    path.write_text(ERC.replace("UNDP CO 2010/12 Completed Trained 40 planners.\n", ""), "utf-8")
    with pytest.raises(SourceError, match=r"erc.txt:11: key action: expected `responsible"):
        read_file(path, Resolver({}))


def test_bad_stamp_date(tmp_path: Path) -> None:
    path = tmp_path / "erc.txt"
    path.write_text(
        ERC.replace("[Last Updated: 2012/11/15]", "[Last Updated: 2012/13/15]"), "utf-8"
    )
    with pytest.raises(SourceError, match=r"erc.txt:10: last updated: month 13"):
        read_file(path, Resolver({}))
