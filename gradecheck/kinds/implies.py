"""The implies kind: a grade in some judgements implies a grade in others (a limiting judgement)."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from . import params as c
from ._base import Failure, Unknown, View, param, short, undecidable
from ._grades import graded, listing, missing, present, unreadable
from .draft import Candidates, Chooser, Make, graded_names
from .forms import (
    PASS,
    SKIP,
    UNSURE,
    And,
    Cmp,
    Const,
    Count,
    Decide,
    Field,
    Form,
    Graded,
    NonEmpty,
    Not,
    always,
    judgement_keys,
)

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
        if not when or not then:
            return always(SKIP)  # the version makes none of them (an @overall after April 2026)
        given = [Field("judgements", k) for k in then]
        triggers = [Field("judgements", k) for k in when]
        hits = Graded(then, self.then_grade or self.grade)
        ok = (Cmp(">", hits, Const(0)) if self.then_needs == "any" else
              And([Cmp(">", Count(given), Const(0)), Cmp("==", hits, Count(given))]))
        # As evaluate: a record with no judgement, or without a side the version does not make, is not checked;
        # a side the version makes but the record lacks leaves the rule to the ordinary path (unknown) unless
        # the given judgements decide it.
        scope = [(Not(NonEmpty("judgements")), SKIP)]
        if not any(k in version.judgements for k in when):
            scope.append((Cmp("==", Count(triggers), Const(0)), SKIP))
        if not any(k in version.judgements for k in then):
            scope.append((Cmp("==", Count(given), Const(0)), SKIP))
        # Sure only when the judgements the version makes are all given: a missing trigger could have the grade,
        # a missing judgement that must follow could lack it.
        made_when = [Field("judgements", k) for k in when if k in version.judgements]
        made_then = [Field("judgements", k) for k in then if k in version.judgements]
        quiet = And([Cmp(">", Count(triggers), Const(0)), Cmp("==", Count(made_when), Const(len(made_when))),
                     Cmp("==", Graded(when, self.grade), Const(0))])
        if self.then_needs != "any":
            ok = And([ok, Cmp("==", Count(made_then), Const(len(made_then)))])
        return Decide([*scope, (quiet, PASS), (ok, PASS)], UNSURE)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        if not graded(view):
            return None  # no judgement at all: nothing this rule could read
        when = present(view, list(self.when))
        then = present(view, list(self.then))
        lacking_when, lacking_then = missing(view, list(self.when)), missing(view, list(self.then))
        if (not when and not lacking_when) or (not then and not lacking_then):
            return None  # the record's framework version makes none of one side's judgements
        fields = dict([*when, *then])
        target = self.then_grade or self.grade
        hits = [v == target for _, v in then]
        ok = bool(then) and (any(hits) if self.then_needs == "any" else all(hits))
        triggers = [(n, v) for n, v in when if v == self.grade]
        complete = ok and (self.then_needs == "any" or not lacking_then)  # holds whatever the missing ones say
        if not triggers:
            if any(undecidable(v) for _, v in when):
                return (Unknown(unreadable(when, _scale(view)), fields),)
            if lacking_when and not complete:
                # A trigger the record lacks could have the grade.
                return (Unknown(f"{_names(lacking_when)} not given, so whether the rule is triggered is unknown",
                                fields, "not_given"),)
            return ()
        if complete:
            return ()
        if ok:
            return (Unknown(f"{', '.join(short(n) for n, _ in triggers)} {self.grade}, and {_names(lacking_then)} "
                            "not given", fields, "not_given"),)
        if not then:
            return (Unknown(f"{', '.join(short(n) for n, _ in triggers)} {self.grade}, but {_names(lacking_then)} "
                            "not given", fields, "not_given"),)
        if any(undecidable(v) for _, v in then):
            return (Unknown(unreadable(then, _scale(view)), fields),)
        if self.then_needs == "any" and lacking_then:  # a judgement the record lacks could be the one
            return (Unknown(f"{', '.join(short(n) for n, _ in triggers)} {self.grade}, and {_names(lacking_then)} "
                            "not given", fields, "not_given"),)
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


def _names(names: list[str]) -> str:
    return " and ".join(short(n) for n in names)


def _scale(view: View) -> str | None:
    return view.framework.scale.id if view.framework.scale is not None else None
