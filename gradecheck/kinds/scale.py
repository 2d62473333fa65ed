"""The scale kind: every grade and judgement name is one of the framework's."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..values import UnknownGrade, show
from . import params as c
from ._base import Failure, Unknown, View, param, short
from .draft import Candidates, Chooser, Make, graded_names
from .forms import PASS, SKIP, UNSURE, Cmp, Const, Count, Decide, Form, Members, NonEmpty, Not

__all__ = ["Scale"]


@frozen(kw_only=True)
class Scale:
    """Grades belong to the framework: judgement values and count keys on its scale, judgement names its own."""

    kind: ClassVar[str] = "scale"
    check: str = param(
        c.one_of("judgement_values", "count_keys", "judgement_names"),
        "what to check: the judgements' grades, the grade_counts keys, or the judgements' names",
    )

    def passes(self, framework: Framework, version: Version) -> Form:
        """
        Surely passes: the fast reader accepts only grades and grade_counts keys of the scale, so only
        judgement names need a test.
        """
        group = "grade_counts" if self.check == "count_keys" else "judgements"
        applies = (Not(NonEmpty(group)), SKIP)
        if self.check == "judgement_names":
            stray = Count([Members(group, exclude=framework.judgements)])
            return Decide([applies, (Cmp(">", stray, Const(0)), UNSURE)], PASS)
        return Decide([applies], PASS if framework.scale is not None else SKIP)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        framework = view.framework
        if self.check == "judgement_names":
            found = view.matching("judgements.*")
            known = framework.judgements
            return tuple(
                Failure(f"{short(n)} is not a judgement of {framework.id} "
                        f"(it makes: {', '.join(sorted(known)) or 'none'})",
                        {n: v}, expected=sorted(known), actual=short(n))
                for n, v in found if short(n) not in known
            ) if found else None
        scale = framework.scale
        if self.check == "count_keys":
            found = view.matching("grade_counts.*")
            if not found or scale is None:
                return None
            return tuple(
                Failure(f"grade_counts has {short(n)!r}, which is not a grade of the {scale.id} scale "
                        f"({', '.join(scale.names)})", {n: v}, expected=list(scale.names), actual=short(n))
                for n, v in found if not scale.knows(short(n))
            )
        found = view.matching("judgements.*")
        if not found or scale is None:
            return None
        return tuple(
            Failure(f"{n} is {show(v)}, which is not a grade of the {scale.id} scale ({', '.join(scale.names)})",
                    {n: v}, expected=list(scale.names), actual=v.raw)
            for n, v in found if isinstance(v, UnknownGrade)
        )

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One name off the framework's, as ``check`` says: a judgement graded "Excellent-ish", a count of a grade
        the scale lacks, or a judgement the framework does not make (at a grade it knows).
        """
        base = make(need=lambda v: bool(v.judgements))
        out: Candidates = []
        grades = graded_names(base) or ["good"]
        if self.check == "judgement_values":
            first = (base.version.judgements or ("overall_effectiveness",))[0]
            for name in base.judgement_names() or [f"judgements.{first}"]:
                d = base.copy()
                d.set(name, "Excellent-ish")
                out.append([d])
        elif self.check == "count_keys":
            d = base.copy()
            d.set("grade_counts.not_a_grade", 0)
            out.append([d])
        else:
            d = base.copy()
            d.set("judgements.not_a_judgement", grades[0])
            out.append([d])
        return out
