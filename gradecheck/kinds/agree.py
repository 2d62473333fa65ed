"""The agree kind: stated grade counts agree with the grades listed."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..values import bounds, show
from . import params as c
from ._base import Failure, Unknown, View, param, short, undecidable
from ._grades import present, unreadable
from .draft import Candidates, Chooser, Make, graded_names
from .forms import (
    PASS,
    SKIP,
    UNSURE,
    Best,
    Cmp,
    Decide,
    Field,
    Form,
    Graded,
    IsNull,
    NonEmpty,
    Not,
    Or,
    Sum,
    judgement_keys,
)

__all__ = ["Agree"]


@frozen(kw_only=True)
class Agree:
    """Stated grade counts agree with the grades listed: no grade is listed more often than its count says."""

    kind: ClassVar[str] = "agree"
    counts: str = param(c.field_name, "the stated counts (glob)", default="grade_counts.*")
    grades: tuple[str, ...] = param(
        c.field_list, "the listed grades (default: the judgements the framework counts)", default=("@counted",),
        converter=tuple,
    )

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: no grade is listed more often than its stated count says."""
        listed = judgement_keys(version.expand(self.grades))
        if self.counts != "grade_counts.*" or listed is None or framework.scale is None:
            return None
        more = [Cmp(">", Graded(listed, g), Sum([Field("grade_counts", g)])) for g in framework.scale.names]
        return Decide([(Or([Not(NonEmpty("grade_counts")), Not(NonEmpty("judgements"))]), SKIP),
                       (IsNull(Best(listed)), SKIP), (Or(more), UNSURE)], PASS)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        counts = view.matching(self.counts)
        given = present(view, list(self.grades))
        listed = [(n, v) for n, v in given if isinstance(v, str)]
        odd = [(n, v) for n, v in given if undecidable(v)]
        if not counts or not (listed or odd):
            return None
        stated = {short(n): v for n, v in counts}
        tally = Counter(v for _, v in listed)
        outcomes: list[Failure | Unknown] = []
        for grade_name in sorted(tally, key=lambda g: (view.grade_rank(g) or 0, g)):
            n = tally[grade_name]
            count = stated.get(grade_name, 0)
            b = bounds(count)
            which = [short(name) for name, v in listed if v == grade_name]
            fields = {f"grade_counts.{grade_name}": count if count != 0 or grade_name in stated else 0,
                      **{name: v for name, v in listed if v == grade_name}}
            if b is None:
                outcomes.append(Unknown(f"grade_counts.{grade_name} is not a number", fields))
            elif n > b[1]:
                said = f"states {show(count)}" if grade_name in stated else "states none"
                outcomes.append(Failure(
                    f"{n} judgement{'s' if n > 1 else ''} listed as {grade_name} ({', '.join(which)}), "
                    f"but grade_counts {said}", fields, expected=f"at most {show(count)}", actual=n))
            elif n > b[0]:
                # A suppressed or rounded count may be below n: some admissible values agree, some do not.
                outcomes.append(Unknown(
                    f"{n} judgement{'s' if n > 1 else ''} listed as {grade_name}, grade_counts states {show(count)}: "
                    "rounded or suppressed values could go either way", fields))
        if odd and not any(isinstance(o, Failure) for o in outcomes):
            # A grade the scale does not know could be any grade, and be one too many for its count.
            scale = view.framework.scale
            outcomes.append(Unknown(unreadable(odd, scale.id if scale is not None else None), dict(odd)))
        return tuple(outcomes)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One grade listed once more often than its count says: its count set to one below the listed judgements,
        the difference moved to another grade's count, so the counts still add up to the graded items.
        """
        base = make(need=lambda v: v.graded_items is not None and bool(v.counted))
        out: Candidates = []
        grades = graded_names(base)
        listed = Counter(base.get(n) for p in base.expand(self.grades) for n in base.matching(p))
        for grade in grades:
            if not listed[grade]:
                continue
            for other in grades:
                if other == grade:
                    continue
                d = base.copy()
                have = base.get(f"grade_counts.{grade}") or 0
                moved = have - listed[grade] + 1
                d.set(f"grade_counts.{grade}", listed[grade] - 1)
                d.set(f"grade_counts.{other}", (base.get(f"grade_counts.{other}") or 0) + moved)
                out.append([d])
        return out
