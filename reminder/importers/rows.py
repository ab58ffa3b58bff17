"""Key-action rows: flat lines where action, responsible, deadline, status and comments run
together, and `|`-separated cells. Splitting flat rows is the one place the importer guesses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reminder.deadlines import DEADLINE_PATTERN
from reminder.importers.common import COLUMNS
from reminder.responsible import Resolver, tokenize
from reminder.statuses import STATUS_PATTERN

_ROW_TAIL = re.compile(
    rf"(?<!\w)(?:(?P<deadline>{DEADLINE_PATTERN})\s+)?(?P<status>{STATUS_PATTERN})(?!\w)",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^(?:(?P<dotted>\d{1,2}(?:\.\d{1,3})+)\.?|(?P<plain>\d{1,2})[.)])\s+")
# "... con las contrapartes 1.1." : the next cell's numbering, left at the end of a cell.
_TRAILING_NUMBER = re.compile(r"(?:^|\s)\d{1,2}(?:\.\d{1,3})+\.?$")
_SENTENCE_END = re.compile(r"[.!?;:](?:[\"”’)\]]*)\s+(?=\S)")
MAX_RESPONSIBLE_WORDS = 12


@dataclass
class FlatRow:
    before: str  # action text and responsible (or responsible only, in the ERC layout)
    deadline: str
    status: str
    comments: str
    guessed: str | None = None


def split_number(text: str) -> tuple[str | None, str]:
    """'1.1. Do this' -> ('1.1', 'Do this')."""
    match = _NUMBER.match(text)
    if not match:
        return None, text
    return match.group("dotted") or match.group("plain"), text[match.end() :]


def strip_numbering(text: str) -> str:
    """Drop a stray trailing number ("... contrapartes 1.1.") and a leading one ("1.2 UNDP")."""
    text = _TRAILING_NUMBER.sub("", text.strip()).strip()
    return split_number(text)[1].strip() if _NUMBER.match(text) else text


def strip_trailing_number(text: str) -> str:
    return _TRAILING_NUMBER.sub("", text.strip()).strip() or text.strip()


def find_flat_row(line: str, need_deadline: bool = False) -> FlatRow | None:
    """Find the deadline and status in a flat row; None if the line has no status at all (or,
    with `need_deadline`, no deadline right before a status: a comment sentence that merely
    says "completed" is not a row)."""
    candidates = [m for m in _ROW_TAIL.finditer(line) if m.start() > 0 or m.group("deadline")]
    with_deadline = [m for m in candidates if m.group("deadline")]
    if not candidates or (need_deadline and not with_deadline):
        return None
    match = with_deadline[0] if with_deadline else candidates[0]
    guessed = None
    if not with_deadline and len(candidates) > 1:
        guessed = "no deadline and several status words; took the first"
    return FlatRow(
        before=line[: match.start()].strip(),
        deadline=(match.group("deadline") or "").strip(),
        status=match.group("status"),
        comments=line[match.end() :].strip(),
        guessed=guessed,
    )


def _sentence_split(text: str, limit: int) -> int | None:
    """Offset just after the last sentence end, if at most `limit` words follow it."""
    ends = list(_SENTENCE_END.finditer(text))
    if ends and len(text[ends[-1].end() :].split()) <= limit:
        return ends[-1].end()
    return None


def _capitalised_tail(text: str) -> int | None:
    """Offset of the trailing run of Capitalised words and separators ("Country Representative,
    Programme Specialist"), leaving at least one word of action text."""
    tokens = tokenize(text)
    start = None
    for index in range(len(tokens) - 1, 0, -1):
        token = tokens[index]
        if token.is_separator and start is not None:
            continue
        if token.text[:1].isupper():
            start = index
            continue
        break
    if start is None:
        return None
    while tokens[start].is_separator:
        start += 1
    if len(tokens) - start > MAX_RESPONSIBLE_WORDS:
        return None
    return tokens[start].start


def _name_before_separator(text: str) -> int | None:
    """Offset of the name that ends `text` before its trailing separator ("... partners UN PBF
    secretariat and"): a run that starts with a capitalised word, where a lower-case word
    only continues a capitalised one ("PBF secretariat"). At least one word of action text
    stays in front."""
    tokens = tokenize(text)
    if len(tokens) < 3 or not tokens[-1].is_separator:
        return None
    start = None
    index = len(tokens) - 2
    while index > 0 and len(tokens) - 1 - index <= MAX_RESPONSIBLE_WORDS:
        token = tokens[index]
        if token.is_separator:
            break
        if token.text[:1].isupper():
            start = index
        elif not tokens[index - 1].text[:1].isupper():
            break
        index -= 1
    return tokens[start].start if start is not None else None


def split_action_and_responsible(text: str, resolver: Resolver) -> tuple[str, str, str | None]:
    """(action text, responsible text, why it was a guess or None) for a flat row's text;
    stray numbering is left in neither."""
    action, responsible, guess = _split(text, resolver)
    return strip_trailing_number(action), strip_numbering(responsible), guess


def _split(text: str, resolver: Resolver) -> tuple[str, str, str | None]:
    found = resolver.responsible_suffix_start(text)
    if found and not found[1]:
        return text[: found[0]].strip(), text[found[0] :].strip(), None
    if found:
        cut = _name_before_separator(text[: found[0]])
        if cut is not None:
            # "...with the partners UN PBF secretariat and UN Women": the unknown name is kept
            # (and reported), never dropped into the action text.
            return (
                text[:cut].strip(),
                text[cut:].strip(),
                "names before the known parties are unknown; took the capitalised name before "
                "the separator",
            )
        # "...the project. UN PBF secretariat and UN Women": unknown names precede known ones.
        cut = _sentence_split(text[: found[0]], MAX_RESPONSIBLE_WORDS)
        if cut is not None:
            return (
                text[:cut].strip(),
                text[cut:].strip(),
                "names before the known parties are unknown; split at the sentence end",
            )
        return (
            text[: found[0]].strip(),
            text[found[0] :].strip(),
            "a separator precedes the known parties; kept only the known ones",
        )
    cut = _sentence_split(text, MAX_RESPONSIBLE_WORDS)
    if cut is not None:
        return text[:cut].strip(), text[cut:].strip(), "no known party; split at the sentence end"
    cut = _capitalised_tail(text)
    if cut is not None:
        return (
            text[:cut].strip(),
            text[cut:].strip(),
            "no known party; took the trailing capitalised words",
        )
    return text.strip(), "", "no responsible party found in the row"


def split_cells(line: str) -> list[str] | None:
    """`a | b | c` (outer pipes optional) -> cells; None if the line is not a cell row."""
    if line.count("|") < 2:
        return None
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [cell.strip() for cell in stripped.split("|")]


DEFAULT_CELL_ORDER = ["action", "responsible", "deadline", "status", "comments"]


def cell_header(cells: list[str]) -> list[str] | None:
    """Column names if `cells` is a header row (every cell a known heading)."""
    names = [COLUMNS.get(" ".join(cell.lower().split())) for cell in cells]
    if all(names) and "status" in names:
        return [name for name in names if name]
    return None
