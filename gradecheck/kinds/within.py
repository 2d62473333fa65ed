"""The within kind: parts never exceed their whole, and with ``exact`` add up to it."""

from __future__ import annotations

from typing import Any, ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..values import MISSING, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, fmt_sum, param, read, total_bounds, undecidable
from ._sums import decide, gather
from .draft import Candidates, Chooser, Make, has_glob, nudge
from .forms import PASS, SKIP, UNSURE, Cmp, Const, Count, Decide, Form, IsNull, Max, Or, Sum, number

__all__ = ["Within"]


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

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: the whole is stated and the present parts add up to no more (or, exact, to it)."""
        names = version.expand(self.parts)
        whole = number(self.whole)
        parts = list(dict.fromkeys(number(n) for n in names))
        if whole is None or None in parts:
            return None
        applies = (Or([IsNull(whole), Cmp("==", Count(parts), Const(0))]), SKIP)
        if not self.disjoint:
            return Decide([applies, (Cmp("<=", Max(parts), whole), PASS)], UNSURE)
        over = [Cmp(">", Sum(parts), whole)]
        if self.exact:
            over += [Cmp("!=", Sum(parts), whole), Cmp("!=", Count(parts), Const(len(parts)))]
        return Decide([applies, (Or(over), UNSURE)], PASS)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        whole = view.get(self.whole)
        parts, missing = gather(view, list(self.parts))
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
            outcomes.append(Unknown(f"{arithmetic} may exceed {name} {show(whole)}: rounded or suppressed values",
                                    fields))
        if self.exact and not outcomes:
            if missing:
                return (Unknown(f"cannot check the partition: {', '.join(missing)} missing", fields, "not_given"),)
            verdict = decide(lo, hi, *wb)
            if verdict is False:
                return (Failure(f"{arithmetic}, expected {name} {show(whole)}", fields,
                                expected=whole if wb[0] == wb[1] else show(whole), actual=lo),)
            if verdict is None:
                outcomes.append(Unknown(f"{arithmetic}; expected {name} {show(whole)}: rounding could go either way",
                                        fields))
        return tuple(outcomes)

    def _each(self, parts: list[tuple[str, Any]], wb: tuple[float, float], name: str,
              whole: Any) -> tuple[Failure | Unknown, ...]:
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

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One number off by a few: a part raised past the whole, the whole lowered below its parts, or (``exact``)
        a part lowered so the partition falls short.

        Each candidate changes one value of a consistent record (whose whole is first set to its parts' sum
        where it has none), so only this relation between the parts and the whole breaks.
        """
        base = make()
        k = nudge(choose)
        parts = [p for p in base.expand(self.parts) if not has_glob(p)]
        present = [p for p in parts if isinstance(base.get(p), int)]
        whole = base.get(self.whole)
        total = sum(base.get(p) for p in present)
        if not isinstance(whole, int):
            whole = total
            base.set(self.whole, whole)
        out: Candidates = []
        for part in parts:
            d = base.copy()
            current = base.get(part) if isinstance(base.get(part), int) else 0
            d.set(part, current + (whole - total) + k if self.disjoint else whole + k)
            out.append([d])
        if total >= k:
            d = base.copy()
            d.set(self.whole, total - k if self.disjoint else max(base.get(p) for p in present) - k)
            out.append([d])
        if self.exact:
            for part in present:
                if base.get(part) >= k:
                    d = base.copy()
                    d.set(part, base.get(part) - k)
                    out.append([d])
        return out
