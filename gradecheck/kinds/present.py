"""The present kind: fields that must be there (a judgement the framework makes at that date)."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from . import params as c
from ._base import Failure, Unknown, View, param
from .draft import Candidates, Chooser, Make
from .forms import PASS, UNSURE, And, Decide, Form, IsNull, Not, field_of, is_glob

__all__ = ["Present"]


@frozen(kw_only=True)
class Present:
    """Fields that must be there (a judgement the framework makes at that date)."""

    kind: ClassVar[str] = "present"
    fields: tuple[str, ...] = param(c.field_list, "fields that must be present", converter=tuple)

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: every named field is there."""
        names = version.expand(self.fields)
        if any(is_glob(n) for n in names):
            return None
        return Decide([(And([Not(IsNull(field_of(n))) for n in names]), PASS)], UNSURE)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        wanted = view.expand(list(self.fields))
        return tuple(Failure(f"{name} is missing", {}, expected="present", actual="missing")
                     for name in wanted if not view.matching(name))

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One required field removed. Grade counts go with it (they may have counted a removed judgement); where
        the judgement fed the overall grade, a second candidate chooses the overall grade again from the rest.
        """
        base = make()
        out: Candidates = []
        for name in base.expand(self.fields):
            d = base.copy()
            d.delete(name)
            d.delete("grade_counts.*")
            out.append([d])
            overall = d.expand(["@overall"])
            allowed = d.overall_candidates()
            if overall and overall[0] in d.values and allowed:
                again = d.copy()
                again.set(overall[0], allowed[-1])
                out.append([again])
        return out
