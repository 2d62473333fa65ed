"""Field values as read: exact numbers, intervals for rounded or suppressed figures, and values that did not parse."""

from __future__ import annotations

import math
from typing import Any

from attrs import frozen

__all__ = [
    "MISSING",
    "Interval",
    "Invalid",
    "UnknownGrade",
    "bounds",
    "is_number",
    "jsonable",
    "show",
]


class _Missing:
    """The field is absent from the record: a rule over it is not applicable or unknown, never a failure."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


@frozen
class Interval:
    """
    A number known only to lie in ``[lo, hi]``.

    Published figures are often rounded ("to the nearest 10") or suppressed (``c``, ``x``): they are
    not numbers, and treating them as numbers is how false alarms happen. ``text`` keeps what the
    publisher wrote so messages can show it.
    """

    lo: float
    hi: float
    text: str

    @classmethod
    def rounded(cls, value: float, step: float) -> Interval:
        """A figure rounded to the nearest *step*: the truth lies within half a step either side."""
        half = step / 2
        return cls(value - half, value + half, f"{_num(value)} (nearest {_num(step)})")

    @classmethod
    def suppressed(cls, marker: str, lo: float = 0, hi: float = math.inf) -> Interval:
        """A publisher's suppression marker: any admissible value, counts being non-negative."""
        return cls(lo, hi, f"{marker} (suppressed)")


@frozen
class Invalid:
    """A value that could not be read as what its field holds; kept so a rule can report it, never dropped."""

    raw: Any
    expected: str


@frozen
class UnknownGrade:
    """A grade spelling that the framework's scale does not know."""

    raw: str


def is_number(value: Any) -> bool:
    """Exact numbers are plain ints or floats (bool is not a number here, though Python says it is)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def bounds(value: Any) -> tuple[float, float] | None:
    """Return the admissible range of a numeric value, or None when the value is not a number."""
    if is_number(value):
        return (value, value)
    if isinstance(value, Interval):
        return (value.lo, value.hi)
    return None


def _num(x: float) -> str:
    if isinstance(x, float) and x.is_integer() and not math.isinf(x):
        return str(int(x))
    return str(x)


def show(value: Any) -> str:
    """Render a value the way a message should show it."""
    if isinstance(value, Interval):
        return value.text
    if isinstance(value, Invalid):
        return repr(value.raw)
    if isinstance(value, UnknownGrade):
        return repr(value.raw)
    if value is MISSING:
        return "missing"
    if is_number(value):
        return _num(value)
    return str(value)


_AS_IS = frozenset({str, int})


def jsonable(value: Any) -> Any:
    """Turn a value into something ``json.dumps`` writes without loss of meaning."""
    if type(value) in _AS_IS:
        return value  # most values: a grade, a count
    if isinstance(value, Interval):
        lo = None if math.isinf(value.lo) else value.lo
        hi = None if math.isinf(value.hi) else value.hi
        return {"min": lo, "max": hi, "as_written": value.text}
    if isinstance(value, Invalid):
        return value.raw if _plain(value.raw) else repr(value.raw)
    if isinstance(value, UnknownGrade):
        return value.raw
    if value is MISSING:
        return None
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        # A value kept as written (an unreadable {"value": Infinity}) may hold floats JSON cannot carry.
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _plain(raw: Any) -> bool:
    if isinstance(raw, float):
        return not (math.isnan(raw) or math.isinf(raw))
    return isinstance(raw, (str, int, bool, type(None)))
