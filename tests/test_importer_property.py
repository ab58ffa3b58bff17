"""Property: on arbitrary text the importers return records or raise SourceError, never else."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reminder.errors import SourceError
from reminder.importers import read_file
from reminder.responsible import Resolver

RESOLVER = Resolver.from_parties([("UNW", "UN Women", []), ("IOM", "IOM", [])])
# Fragments of real layouts, so generated text reaches deep into the parsers.
FRAGMENTS = st.sampled_from(
    [
        "Recommendation: ",
        "1. Recommendation: ",
        "Management Response: ",
        "Description: ",
        "Key Actions",
        "Key Actions:",
        "Responsible Deadline Status Comments",
        "Key Action | Responsible | Deadline | Status | Comments",
        "| a | UN Women | 2022/03 | Initiated |",
        "Do it UN Women 2022/03 Completed",
        "[Added: 2012/10/07] [Last Updated: 2012/10/08]",
        "UNDP CO No due date Not Initiated",
        ": Title",
        ": 2018 - 2022 , Office",
        "1.1. ",
        "|",
        ":",
        "Q3 2022",
        "2022/13",
        "Over due",
        "\n",
        " ",
        "IOM and ",
        "\x07",
        "\t",
        # The page layouts of issue 13: cells split over lines, the newer resource centre.
        "Evaluation recommendation 1.\n",
        "Evaluation title: | T |\n",
        "Management response: | Ok |\n",
        "|\n",
        "| Key Action |\n",
        "Responsible |\n",
        "| Act now |\n",
        "UN Women &amp; IOM + RCO |\n",
        "Key Action not added.\n",
        "KAZ:\n",
        "No Longer Applicable [Justification:\n",
        "reason.]\n",
        "History |\n",
        "mars 2027\n",
        "En cours\n",
        "03/04/2027",
        "Minist?re ; Responsable",
    ]
)
TEXT = st.lists(st.one_of(FRAGMENTS, st.text(max_size=20)), max_size=40).map("".join)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT, suffix=st.sampled_from([".txt", ".csv", ".tsv"]))
def test_text_importers_never_crash(tmp_path: Path, text: str, suffix: str) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_text(text, encoding="utf-8")
    try:
        batch = read_file(path, RESOLVER)
    except SourceError as exc:
        assert str(exc).startswith(str(path))
        return
    for evaluation in batch.evaluations:
        assert evaluation.title
        for rec in evaluation.recommendations:
            for action in rec.actions:
                assert action.text and action.status


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    prefix=st.sampled_from([b"", b"Key action,Responsible,Deadline,Status\n"]),
    data=st.binary(max_size=200),
    suffix=st.sampled_from([".txt", ".csv"]),
)
def test_any_bytes_in_any_encoding_give_records_or_our_error(
    tmp_path: Path, prefix: bytes, data: bytes, suffix: str
) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(prefix + data)
    try:
        read_file(path, RESOLVER)
    except SourceError as exc:
        assert str(exc).startswith(str(path))
