"""
Why a check is unknown, in a word: the causes the summary and ``--statistics`` count unknown checks by.

A reason is written for one record ("unaccompanied_asylum_seeking x (suppressed) = 0 to inf may exceed
looked_after 576"), so thousands of them never group; a cause does. A kind may name the cause of an
unknown outcome itself (a judgement not given, a total of 0, no history); otherwise it is read from the
values the rule read: a grade or value that could not be read, then a suppressed figure, then a rounded
one. Checks unknown only because of suppressed values are the publisher's doing and expected by the
thousand in DfE tables, so reports count them apart and list them only when asked (``--show-unknown=all``).
"""

from __future__ import annotations

from ..values import Interval, Invalid, UnknownGrade
from ._base import Unknown

__all__ = ["CAUSES", "SUPPRESSED", "cause_of", "check_cause"]

SUPPRESSED = "suppressed"

#: Every cause, in the order reports list them, with the words they use for it.
CAUSES = {
    "not_given": "a value not given",
    "unreadable_grade": "a grade not on the scale",
    "unreadable_value": "a value that could not be read",
    "no_date": "no date",
    "no_history": "no earlier graded inspection in the file",
    "no_authority": "no authority to find its history",
    "zero": "a total of 0",
    "rounded": "a rounded value or a range",
    SUPPRESSED: "a suppressed value",
    "other": "another reason",
}


def cause_of(outcome: Unknown) -> str:
    """The cause of one unknown outcome: the one its kind names, else what the values it read say."""
    if outcome.cause:
        return outcome.cause
    rounded = suppressed = False
    for value in outcome.fields.values():
        kind = type(value)
        if kind is UnknownGrade:
            return "unreadable_grade"
        if kind is Invalid:
            return "unreadable_value"
        if kind is Interval:
            if value.text.endswith("(suppressed)"):
                suppressed = True
            else:
                rounded = True
    return SUPPRESSED if suppressed else "rounded" if rounded else "other"


def check_cause(causes: list[str]) -> str:
    """
    The cause of a check with these unknown outcomes: the first that is not a suppressed value, so that a
    check counts as "on suppressed values" (reported quietly) only when nothing else stood in its way.
    """
    return next((c for c in causes if c != SUPPRESSED), SUPPRESSED)
