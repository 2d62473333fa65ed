"""The implies kind: a grade in some judgements implies a grade in others (a limiting judgement)."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from . import params as c
from ._base import Failure, Unknown, View, param, short, undecidable
from ._grades import listing, present

__all__ = ["Implies"]


@frozen(kw_only=True)
class Implies:
    """If any of ``when`` has ``grade``, then ``then`` (all of them, or any with ``then_needs = "any"``) has ``then_grade``."""

    kind: ClassVar[str] = "implies"
    when: tuple[str, ...] = param(c.field_list, "the judgements that trigger the rule", converter=tuple)
    grade: str = param(c.grade, "the grade that triggers it")
    then: tuple[str, ...] = param(c.field_list, "the judgements that must follow", converter=tuple)
    then_grade: str | None = param(c.grade, "the grade they must have (default: the same grade)", default=None)
    then_needs: str = param(c.one_of("all", "any"), "'all' of them (default) or 'any' one of them", default="all")

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        when = present(view, list(self.when))
        then = present(view, list(self.then))
        if not when or not then:
            return None
        fields = dict([*when, *then])
        triggers = [(n, v) for n, v in when if v == self.grade]
        if not triggers:
            if any(undecidable(v) for _, v in when):
                return (Unknown("a triggering judgement is not on the framework's scale", fields),)
            return ()
        target = self.then_grade or self.grade
        hits = [v == target for _, v in then]
        ok = any(hits) if self.then_needs == "any" else all(hits)
        if ok:
            return ()
        if any(undecidable(v) for _, v in then):
            return (Unknown("a judgement is not on the framework's scale", fields),)
        cause = ", ".join(short(n) for n, _ in triggers)
        quantifier = "one of " if self.then_needs == "any" and len(then) > 1 else ""
        return (Failure(
            f"{cause} {self.grade}, so {quantifier}{', '.join(short(n) for n, _ in then)} should be {target}, "
            f"found {listing(then)}", fields, expected=target,
            actual={short(n): v for n, v in then} if len(then) > 1 else then[0][1]),)
