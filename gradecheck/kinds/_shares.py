"""What the kinds over stated shares share: the range a stated share stands for, and the share its counts give."""

from __future__ import annotations

import math
from typing import Any

from ..values import Interval, bounds
from ._base import num

__all__ = ["EPS", "computed_text", "fmt_share", "judge_share", "share_range", "stated"]

# Shares are computed in floating point; a relative slack this small only absorbs representation error.
EPS = 1e-9


def stated(value: Any, rounded_to: float) -> tuple[float, float] | None:
    """The range a stated share stands for: an exact figure written to the nearest *rounded_to*."""
    b = bounds(value)
    if b is None:
        return None
    if isinstance(value, Interval) or not rounded_to:
        return b
    return (b[0] - rounded_to / 2, b[1] + rounded_to / 2)


def share_range(per: float, part: tuple[float, float], whole: tuple[float, float]) -> tuple[float, float] | None:
    """The range of per * part / whole over every admissible part and whole; None when the whole may be 0 only."""
    plo, phi = max(part[0], 0), part[1]
    wlo, whi = max(whole[0], 0), whole[1]
    if whi <= 0:
        return None
    lo = per * plo / whi if math.isfinite(whi) else 0.0
    hi = per * phi / wlo if wlo > 0 else math.inf
    return (lo, hi)


def judge_share(share: tuple[float, float], computed: tuple[float, float]) -> bool | None:
    """False: no admissible values agree; True: all do; None: some do and some do not."""
    slack = EPS * max(1.0, abs(share[0]), abs(share[1]))
    if computed[1] < share[0] - slack or computed[0] > share[1] + slack:
        return False
    if share[0] - slack <= computed[0] and computed[1] <= share[1] + slack:
        return True
    return None


def fmt_share(x: float) -> str:
    if not math.isfinite(x):
        return "any"
    return num(round(x, 2)) if not float(x).is_integer() else num(x)


def computed_text(lo: float, hi: float) -> str:
    return fmt_share(lo) if abs(hi - lo) < 0.005 else f"{fmt_share(lo)} to {fmt_share(hi)}"
