"""What a refused form field says, in the reader's language.

reminder.updates explains a refusal in English (the CLI and logs show that); the desk shows
the same reason from the catalogs. A reason this table does not know still gets a translated
sentence for its field, so no English reaches a page.
"""

from __future__ import annotations

from babel.support import Translations

from reminder import updates
from reminder.web.rendering import N_

REASONS = {
    "say why the action is no longer applicable": N_("Say why the action is no longer applicable."),
    "give a web address starting with https://": N_("Give a web address starting with https://."),
    "give a date, month, quarter or year": N_(
        "Give a date, month, quarter or year, e.g. 2027-06-30, June 2027, Q3 2027."
    ),
    "the proposed deadline has already passed": N_("The proposed deadline has already passed."),
    "say why the deadline should change": N_("Say why the deadline should change."),
    "a reason was given but no new deadline": N_(
        "A reason was given but no new deadline: give the deadline too, or clear the reason."
    ),
    "nothing to record: choose a status or write a comment": N_(
        "Nothing to record: choose a status or write a comment."
    ),
    "this proposal is not pending (already decided?)": N_(
        "This proposal is no longer pending: it may already have been decided."
    ),
    "give a day from today on": N_("Give a day from today on."),
    "give a date like 2027-03-31": N_("Give a date like 2027-03-31."),
}
# For a reason not listed above (such as the deadline reader's own explanation).
BY_FIELD = {
    "status": N_("Choose one of the statuses listed."),
    "comment": N_("Check the comment."),
    "evidence_url": N_("Give a web address starting with https://."),
    "proposed_deadline": N_(
        "Give a date, month, quarter or year, e.g. 2027-06-30, June 2027, Q3 2027."
    ),
    "proposal_reason": N_("Say why the deadline should change."),
    "away_until": N_("Give a date like 2027-03-31."),
}
ANYTHING = N_("This value cannot be recorded.")


def explain(error: updates.UpdateError, translations: Translations) -> str:
    """The refusal in the language of `translations`."""
    if error.message == f"at most {updates.LONGEST_COMMENT} characters":
        n = updates.LONGEST_COMMENT
        text = translations.ngettext(
            "A comment may have at most %(num)d character.",
            "A comment may have at most %(num)d characters.",
            n,
        )
        return text % {"num": n}
    if error.message == f"at most {updates.LONGEST_ABSENCE_DAYS} days ahead":
        n = updates.LONGEST_ABSENCE_DAYS
        text = translations.ngettext(
            "Give a day at most %(num)d day ahead.", "Give a day at most %(num)d days ahead.", n
        )
        return text % {"num": n}
    message = REASONS.get(error.message) or BY_FIELD.get(error.field) or ANYTHING
    return translations.gettext(message)
