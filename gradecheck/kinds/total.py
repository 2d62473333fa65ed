"""The total kind: parts add up to a constant, to the framework's number of graded items, or to a field."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..records import GROUPS
from ..values import MISSING, bounds
from . import params as c
from ._base import Failure, Unknown, View, fmt_sum, param, read, total_bounds
from ._sums import decide, describe_target, gather
from .draft import Candidates, Chooser, Make, concrete, nudge
from .forms import (
    NUMERIC_GROUPS,
    PASS,
    SKIP,
    UNSURE,
    Cmp,
    Const,
    Count,
    Decide,
    Form,
    IsNull,
    Members,
    Or,
    Sum,
    always,
    is_glob,
    number,
)

__all__ = ["Total"]


@frozen(kw_only=True)
class Total:
    """The parts add up exactly to a constant, to the framework's number of graded items, or to a field."""

    kind: ClassVar[str] = "total"
    parts: tuple[str, ...] = param(
        c.field_list, "fields (globs allowed, e.g. 'grade_counts.*') that add up", converter=tuple
    )
    equals: Any = param(c.count_ref, "a whole number, '@graded_items', or the field they add up to")  # noqa: RUF009 - param() returns an attrs field specifier
    missing_parts: str = param(
        c.one_of("unknown", "zero"),
        "a named part that is absent makes the check 'unknown' (default) or counts as zero",
        default="unknown",
    )

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: the present parts (a group's members count once) add up exactly to the target."""
        names = version.expand(self.parts)
        wholes = [n[:-2] for n in names if n.endswith(".*") and not is_glob(n[:-2])]
        named = [number(n) for n in names if not (n.endswith(".*") and not is_glob(n[:-2]))]
        if None in named or any((g not in NUMERIC_GROUPS and g in GROUPS) or not g for g in wholes):
            return None  # a pattern other than a whole group, or a part that is not a number
        if isinstance(self.equals, int) or self.equals == "@graded_items":
            items = self.equals if isinstance(self.equals, int) else version.graded_items
            if items is None:
                return always(SKIP)  # nothing to add up to: the ordinary path does not apply it either
            target: Any = Const(items)
        else:
            target = number(self.equals)
            if target is None:
                return None
        groups = set(wholes)
        items_ = [*(Members(g) for g in wholes), *dict.fromkeys(f for f in named if f.group not in groups)]
        missing = [IsNull(f) for f in dict.fromkeys(named)] if self.missing_parts == "unknown" else []
        return Decide([(Or([IsNull(target), Cmp("==", Count(items_), Const(0))]), SKIP),
                       *([(Or(missing), UNSURE)] if missing else []),
                       (Cmp("==", Sum(items_), target), PASS)], UNSURE)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        parts, missing = gather(view, list(self.parts))
        expected = view.number(self.equals)
        if not parts or expected is MISSING:
            return None
        fields = read(parts)
        if not isinstance(self.equals, int) and self.equals != "@graded_items":
            fields[self.equals] = expected
        if missing and self.missing_parts == "unknown":
            return (Unknown(f"cannot add up: {', '.join(missing)} missing", fields, "not_given"),)
        bad = [n for n, v in parts if bounds(v) is None] + ([str(self.equals)] if bounds(expected) is None else [])
        if bad:
            return (Unknown(f"cannot add up: {', '.join(bad)} not a number", fields),)
        lo, hi = total_bounds(parts)
        elo, ehi = bounds(expected)
        verdict = decide(lo, hi, elo, ehi)
        if verdict is True:
            return ()
        arithmetic = fmt_sum(parts, lo, hi)
        if verdict is None:
            return (Unknown(f"{arithmetic}; expected {describe_target(self.equals, view, expected)}: "
                            "rounded or suppressed values could go either way", fields),)
        actual = lo if lo == hi else {"min": lo, "max": None if math.isinf(hi) else hi}
        return (Failure(f"{arithmetic}, expected {describe_target(self.equals, view, expected)}", fields,
                        expected=expected if elo == ehi else {"min": elo, "max": ehi}, actual=actual),)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One number off by a few: a part moved up or down, a missing part added, or the field they add up to moved.

        Each candidate changes one value of a consistent record, so the sum misses its target and nothing else moves.
        """
        base = make()
        k = nudge(choose)
        out: Candidates = []
        names = [n for p in base.expand(self.parts) for n in base.matching(p)]
        for name in names:
            for delta in (k, -k):
                if isinstance(base.get(name), int) and base.get(name) + delta >= 0:
                    d = base.copy()
                    d.set(name, base.get(name) + delta)
                    out.append([d])
        for pattern in base.expand(self.parts):
            new = concrete(base, pattern)
            if new and new not in base.values:
                d = base.copy()
                d.set(new, k)
                out.append([d])
        equals = self.equals
        if isinstance(equals, str) and not equals.startswith("@") and isinstance(base.get(equals), int):
            d = base.copy()
            d.set(equals, base.get(equals) + k)
            out.append([d])
        return out
