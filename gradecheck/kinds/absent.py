"""The absent kind: fields that must not be there (a grade on an ungraded visit)."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..values import show
from . import params as c
from ._base import Failure, Unknown, View, param
from ._grades import present
from .draft import Candidates, Chooser, Make, concrete, graded_names, has_glob
from .forms import PASS, UNSURE, Decide, Form, IsNull, NonEmpty, Not, Or, field_of, is_glob

__all__ = ["Absent"]


@frozen(kw_only=True)
class Absent:
    """Fields that must not be there (a grade on an ungraded visit, a judgement the framework no longer makes)."""

    kind: ClassVar[str] = "absent"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) that must be absent", converter=tuple)

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: none of the fields (or of a whole group's members) is there."""
        found = []
        for name in version.expand(self.fields):
            if name.endswith(".*") and not is_glob(name[:-2]):
                found.append(NonEmpty(name[:-2]))
            elif is_glob(name):
                return None
            else:
                found.append(Not(IsNull(field_of(name))))
        return Decide([(Or(found), UNSURE)], PASS)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found = present(view, self.fields)
        return tuple(Failure(f"{name} is present ({show(value)}) but must be absent", {name: value},
                             expected="absent", actual=value) for name, value in found)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One forbidden field added: a judgement at the worst or the best grade, or a count of 1. Grade counts
        are dropped, so that an added judgement is not also a miscount.
        """
        base = make()
        grades = graded_names(base) or ["good"]
        out: Candidates = []
        for pattern in base.expand(self.fields):
            name: str | None = pattern
            if has_glob(pattern):
                head = pattern.split(".", 1)[0]
                usual = {"judgements": "judgements.overall_effectiveness", "grade_counts": f"grade_counts.{grades[0]}"}
                name = usual.get(head) or concrete(base, pattern)
            if not name:
                continue
            for value in ([grades[-1], grades[0]] if name.startswith("judgements.") else [1]):
                d = base.copy()
                d.delete("grade_counts.*")
                d.set(name, value)
                out.append([d])
        return out
