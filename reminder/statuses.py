"""Key-action statuses: many written labels (English, French, Spanish, Russian), five codes
(docs/architecture.md, "Domain rules")."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Written label (normalised) -> status code. "Overdue" and friends only say "not closed":
# whether an action is overdue is computed from its deadline, never trusted from the file.
LABELS = {
    "not initiated": "not_initiated",
    "not yet initiated": "not_initiated",
    "not started": "not_initiated",
    "non initié": "not_initiated",
    "non initiée": "not_initiated",
    "non commencé": "not_initiated",
    "pas commencé": "not_initiated",
    "no iniciado": "not_initiated",
    "no iniciada": "not_initiated",
    "не начато": "not_initiated",
    "initiated": "initiated",
    "in progress": "initiated",
    "started": "initiated",
    "partially completed": "initiated",
    "initié": "initiated",
    "initiée": "initiated",
    "en cours": "initiated",
    "iniciado": "initiated",
    "iniciada": "initiated",
    "en curso": "initiated",
    "en proceso": "initiated",
    "начато": "initiated",
    "в процессе": "initiated",
    "completed": "completed",
    "complete": "completed",
    "terminé": "completed",
    "achevé": "completed",
    "complété": "completed",
    "réalisé": "completed",
    "completado": "completed",
    "completada": "completed",
    "finalizado": "completed",
    "выполнено": "completed",
    "завершено": "completed",
    "no longer applicable": "no_longer_applicable",
    "not applicable": "no_longer_applicable",
    "plus applicable": "no_longer_applicable",
    "non applicable": "no_longer_applicable",
    "ya no aplica": "no_longer_applicable",
    "ya no es aplicable": "no_longer_applicable",
    "no aplicable": "no_longer_applicable",
    "более не применимо": "no_longer_applicable",
    "не применимо": "no_longer_applicable",
    "overdue": "open",
    "over due": "open",
    "no deadline established": "open",
    "ongoing": "open",
    "on going": "open",
    "pending": "open",
    "en retard": "open",
    "atrasado": "open",
    "vencido": "open",
    "просрочено": "open",
}
_JUSTIFICATION = re.compile(r"\[\s*(Justification|Justificaci[oó]n|Обоснование)\s*:", re.I)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_label(label: str) -> str:
    return _fold(" ".join(re.sub(r"[-_]", " ", label).split())).rstrip(".")


_BY_KEY = {normalise_label(label): code for label, code in LABELS.items()}


def _label_pattern(label: str) -> str:
    words = []
    for word in label.split():
        # Each accented letter may come folded ("termine") or mangled to "?" by old exports.
        chars = [
            f"(?:{re.escape(c)}|{re.escape(_fold(c))}|\\?)" if _fold(c) != c else re.escape(c)
            for c in word
        ]
        words.append("".join(chars))
    return r"\s*[-\s]\s*".join(words)


# Matches any label inside a longer line, longest first so "Not Initiated" beats "Initiated".
STATUS_PATTERN = "|".join(_label_pattern(label) for label in sorted(LABELS, key=len, reverse=True))


def split_justification(value: str) -> tuple[str, str]:
    """'No Longer Applicable [Justification: the unit closed]' -> (status label, justification)."""
    match = _JUSTIFICATION.search(value)
    if not match:
        return value, ""
    reason = value[match.end() :].strip().rstrip("]").strip()
    return value[: match.start()].strip(), f"{match.group(1)}: {reason}".strip()


@lru_cache(maxsize=4096)
def parse_status(label: str | None) -> str:
    """The status code for a written label; raises ValueError naming the accepted labels."""
    key = normalise_label(label or "")
    if not key.strip("?"):
        raise ValueError("status is empty (use Not initiated, Initiated, Completed, ...)")
    found = _BY_KEY.get(key)
    if found is None and "?" in key:  # "Termin?": one mangled letter each
        mangled = re.compile(".".join(re.escape(part) for part in key.split("?")))
        found = next((code for known, code in _BY_KEY.items() if mangled.fullmatch(known)), None)
    if found is None:
        raise ValueError(
            f"unknown status {label!r} (use Not initiated, Initiated, Completed, "
            "No longer applicable, Overdue, Ongoing or Pending)"
        )
    return found
