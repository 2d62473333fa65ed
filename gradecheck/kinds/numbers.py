"""Kinds over counts: parts add up to a total, parts never exceed their whole, numbers lie in bounds."""

from __future__ import annotations

import math
from typing import Any, ClassVar

from attrs import frozen

from ..values import MISSING, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, fmt_sum, num, param, read, total_bounds, undecidable

__all__ = ["Range", "Total", "Within"]


def _gather(view: View, names: list[str]) -> tuple[list[tuple[str, Any]], list[str]]:
    """Present parts (deduplicated, in order) and the explicitly named parts that are missing."""
    seen: dict[str, Any] = {}
    missing: list[str] = []
    for name in view.expand(names):
        found = view.matching(name)
        if not found and not any(ch in name for ch in "*?["):
            missing.append(name)
        for n, v in found:
            seen.setdefault(n, v)
    # Grades read best first ("outstanding 5 + good 17"), as reports state them; other parts keep rule order.
    parts = sorted(seen.items(), key=lambda p: _grade_order(view, p[0]))
    return parts, missing


def _grade_order(view: View, name: str) -> int:
    if name.startswith("grade_counts."):
        rank = view.grade_rank(name.split(".", 1)[1])
        return -1 if rank is None else rank
    return -1


def _decide(lo: float, hi: float, elo: float, ehi: float) -> bool | None:
    """True: certainly equal; False: certainly not; None: some admissible values agree and some do not."""
    if hi < elo or lo > ehi:
        return False
    if lo == hi == elo == ehi:
        return True
    return None


def _describe(ref: Any, view: View, value: Any) -> str:
    if ref == "@graded_items":
        return f"{show(value)}, the number of graded items in {view.framework.id}"
    if isinstance(ref, int):
        return show(value)
    return f"{ref.split('.', 1)[-1]} {show(value)}"


@frozen(kw_only=True)
class Total:
    """The parts add up exactly to a constant, to the framework's number of graded items, or to a field."""

    kind: ClassVar[str] = "total"
    parts: tuple[str, ...] = param(c.field_list, "fields (globs allowed, e.g. 'grade_counts.*') that add up", converter=tuple)
    equals: Any = param(c.count_ref, "a whole number, '@graded_items', or the field they add up to")
    missing_parts: str = param(
        c.one_of("unknown", "zero"),
        "a named part that is absent makes the check 'unknown' (default) or counts as zero",
        default="unknown",
    )

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        parts, missing = _gather(view, list(self.parts))
        expected = view.number(self.equals)
        if not parts or expected is MISSING:
            return None
        fields = read(parts)
        if not isinstance(self.equals, int) and self.equals != "@graded_items":
            fields[self.equals] = expected
        if missing and self.missing_parts == "unknown":
            return (Unknown(f"cannot add up: {', '.join(missing)} missing", fields),)
        bad = [n for n, v in parts if bounds(v) is None] + ([str(self.equals)] if bounds(expected) is None else [])
        if bad:
            return (Unknown(f"cannot add up: {', '.join(bad)} not a number", fields),)
        lo, hi = total_bounds(parts)
        elo, ehi = bounds(expected)
        verdict = _decide(lo, hi, elo, ehi)
        if verdict is True:
            return ()
        arithmetic = fmt_sum(parts, lo, hi)
        if verdict is None:
            return (Unknown(f"{arithmetic}; expected {_describe(self.equals, view, expected)}: "
                            "rounded or suppressed values could go either way", fields),)
        actual = lo if lo == hi else {"min": lo, "max": None if math.isinf(hi) else hi}
        return (Failure(f"{arithmetic}, expected {_describe(self.equals, view, expected)}", fields,
                        expected=expected if elo == ehi else {"min": elo, "max": ehi}, actual=actual),)


@frozen(kw_only=True)
class Within:
    """Parts never exceed their whole; with ``exact``, they add up to it."""

    kind: ClassVar[str] = "within"
    whole: str = param(c.field_name, "the field that contains the parts")
    parts: tuple[str, ...] = param(c.field_list, "the fields that are part of the whole", converter=tuple)
    disjoint: bool = param(
        c.boolean,
        "parts do not overlap, so their sum must not exceed the whole (default); if false, each part alone",
        default=True,
    )
    exact: bool = param(c.boolean, "the parts must add up exactly to the whole (a partition)", default=False)

    def __attrs_post_init__(self) -> None:
        if self.exact and not self.disjoint:
            msg = "'exact' needs 'disjoint': overlapping parts cannot add up to their whole"
            raise ValueError(msg, "exact")

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        whole = view.get(self.whole)
        parts, missing = _gather(view, list(self.parts))
        if whole is MISSING or not parts:
            return None
        fields = {self.whole: whole, **read(parts)}
        wb = bounds(whole)
        if wb is None or undecidable(whole):
            return (Unknown(f"{self.whole} is not a number", fields),)
        name = self.whole.split(".", 1)[-1]
        if not self.disjoint:
            return self._each(parts, wb, name, whole)
        numeric = [(n, v) for n, v in parts if bounds(v) is not None]
        lo, hi = total_bounds(numeric)
        arithmetic = fmt_sum(numeric, lo, hi)
        if lo > wb[1]:
            return (Failure(f"{arithmetic}, more than {name} {show(whole)}", fields,
                            expected=f"at most {show(whole)}", actual=lo),)
        outcomes: list[Failure | Unknown] = []
        if len(numeric) < len(parts):
            outcomes.append(Unknown(f"{', '.join(n for n, v in parts if bounds(v) is None)} not a number", fields))
        elif hi > wb[0] and not self.exact:
            outcomes.append(Unknown(f"{arithmetic} may exceed {name} {show(whole)}: rounded or suppressed values", fields))
        if self.exact and not outcomes:
            if missing:
                return (Unknown(f"cannot check the partition: {', '.join(missing)} missing", fields),)
            verdict = _decide(lo, hi, *wb)
            if verdict is False:
                return (Failure(f"{arithmetic}, expected {name} {show(whole)}", fields,
                                expected=whole if wb[0] == wb[1] else show(whole), actual=lo),)
            if verdict is None:
                outcomes.append(Unknown(f"{arithmetic}; expected {name} {show(whole)}: rounding could go either way", fields))
        return tuple(outcomes)

    def _each(self, parts: list[tuple[str, Any]], wb: tuple[float, float], name: str, whole: Any) -> tuple[Failure | Unknown, ...]:
        outcomes: list[Failure | Unknown] = []
        for part, value in parts:
            pb = bounds(value)
            fields = {self.whole: whole, part: value}
            if pb is None:
                outcomes.append(Unknown(f"{part} is not a number", fields))
            elif pb[0] > wb[1]:
                outcomes.append(Failure(f"{part.split('.', 1)[-1]} {show(value)} is more than {name} {show(whole)}",
                                        fields, expected=f"at most {show(whole)}", actual=value))
            elif pb[1] > wb[0]:
                outcomes.append(Unknown(f"{part} {show(value)} may exceed {name} {show(whole)}", fields))
        return tuple(outcomes)


@frozen(kw_only=True)
class Range:
    """Each number lies within bounds (counts are never negative; percentages lie in 0–100)."""

    kind: ClassVar[str] = "range"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) to check", converter=tuple)
    min: float | None = param(c.number, "the smallest admissible value", default=None)
    max: float | None = param(c.number, "the largest admissible value", default=None)

    def __attrs_post_init__(self) -> None:
        if self.min is None and self.max is None:
            msg = "give 'min', 'max' or both"
            raise ValueError(msg, "min")
        if self.min is not None and self.max is not None and self.min > self.max:
            msg = f"'min' {self.min} is more than 'max' {self.max}: no value could pass"
            raise ValueError(msg, "max")

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found: list[tuple[str, Any]] = []
        for pattern in self.fields:
            found.extend(view.matching(pattern))
        if not found:
            return None
        lo_ok = -math.inf if self.min is None else self.min
        hi_ok = math.inf if self.max is None else self.max
        wanted = _bounds_text(self.min, self.max)
        outcomes: list[Failure | Unknown] = []
        for name, value in found:
            b = bounds(value)
            if b is None:
                if undecidable(value):
                    outcomes.append(Unknown(f"{name} is not a number", {name: value}))
                continue
            if b[1] < lo_ok or b[0] > hi_ok:
                outcomes.append(Failure(f"{name} is {show(value)}, expected {wanted}", {name: value},
                                        expected=wanted, actual=value))
            elif b[0] < lo_ok or b[1] > hi_ok:
                outcomes.append(Unknown(f"{name} {show(value)} may lie outside {wanted}", {name: value}))
        return tuple(outcomes)


def _bounds_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {num(lo)} and {num(hi)}"
    if lo is not None:
        return f"at least {num(lo)}"
    return f"at most {num(hi)}"
