"""The implies kind: a grade in some judgements implies a grade in others (a limiting judgement)."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from . import params as c
from ._base import Failure, Unknown, View, param, short, undecidable
from ._grades import listing, present
from .draft import Candidates, Chooser, Make, graded_names
from .forms import PASS, SKIP, UNSURE, Cmp, Const, Count, Decide, Field, Form, Graded, Or, judgement_keys

__all__ = ["Implies"]


@frozen(kw_only=True)
class Implies:
    (
        "If any of ``when`` has ``grade``, then ``then`` (all of them, or any with "
        '``then_needs = "any"``) has ``then_grade``.'
    )

    kind: ClassVar[str] = "implies"
    when: tuple[str, ...] = param(c.field_list, "the judgements that trigger the rule", converter=tuple)
    grade: str = param(c.grade, "the grade that triggers it")
    then: tuple[str, ...] = param(c.field_list, "the judgements that must follow", converter=tuple)
    then_grade: str | None = param(c.grade, "the grade they must have (default: the same grade)", default=None)
    then_needs: str = param(c.one_of("all", "any"), "'all' of them (default) or 'any' one of them", default="all")

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: no judgement in ``when`` has the grade, or ``then`` has the grade it implies."""
        when = judgement_keys(version.expand(self.when))
        then = judgement_keys(version.expand(self.then))
        if when is None or then is None:
            return None
        given = [Field("judgements", k) for k in then]
        hits = Graded(then, self.then_grade or self.grade)
        ok = Cmp(">", hits, Const(0)) if self.then_needs == "any" else Cmp("==", hits, Count(given))
        return Decide([(Or([Cmp("==", Count([Field("judgements", k) for k in when]), Const(0)),
                            Cmp("==", Count(given), Const(0))]), SKIP),
                       (Cmp("==", Graded(when, self.grade), Const(0)), PASS), (ok, PASS)], UNSURE)

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

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        The implication denied: one ``when`` judgement at ``grade`` and the ``then`` judgements at another grade
        than the one they must have.

        Every other judgement gets one grade alike and grade counts are dropped, so that the overall grade and
        the counts agree with the judgements whatever they are: only this implication is broken.
        """
        mentions_overall = "@overall" in (*self.when, *self.then)
        base = make(need=lambda v: v.overall is not None or not mentions_overall)
        grades = graded_names(base)
        target = self.then_grade or self.grade
        when = [w for w in base.expand(self.when) if w.split(".", 1)[-1] in base.version.judgements]
        then = [t for t in base.expand(self.then) if t.split(".", 1)[-1] in base.version.judgements]
        if not when or not then or not grades:
            return []
        out: Candidates = []
        for trigger in when:
            for alt in (g for g in grades if g != target):
                for other in grades:
                    d = base.copy()
                    d.delete("grade_counts.*")
                    for name in base.version.judgements:
                        d.set(f"judgements.{name}", other)
                    d.set(trigger, self.grade)
                    for name in then:
                        if name != trigger:
                            d.set(name, alt)
                    d.remove_absent()
                    out.append([d])
        return out
