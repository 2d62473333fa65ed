"""The overall kind: the overall grade against the judgements that feed it."""

from __future__ import annotations

from typing import Any, ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from . import params as c
from ._base import Failure, Unknown, View, param, short
from ._grades import graded, listing, missing, present, unreadable
from .draft import Candidates, Chooser, Make, graded_names, needs_overall
from .forms import (
    PASS,
    SKIP,
    UNSURE,
    And,
    Arith,
    Best,
    Cmp,
    Const,
    Count,
    Decide,
    Field,
    Form,
    IsNull,
    NonEmpty,
    Not,
    Rank,
    Worst,
    always,
    judgement_keys,
)

__all__ = ["Overall"]


@frozen(kw_only=True)
class Overall:
    """
    The overall grade lies between the best and the worst of the judgements that feed it.

    With ``better_than_worst = N`` it instead checks that the overall grade is at most N grades
    better than the worst feeding judgement (a habit of inspectors, so usually a warning).
    """

    kind: ClassVar[str] = "overall"
    overall: str = param(c.field_name, "the overall judgement (default: the framework's)", default="@overall")
    feeds: tuple[str, ...] = param(
        c.field_list, "the judgements that feed it (default: the framework's)", default=("@feeds_overall",),
        converter=tuple,
    )
    better_than_worst: int | None = param(
        c.integer, "check only: at most this many grades better than the worst", default=None
    )

    def passes(self, framework: Framework, version: Version) -> Form:
        """
        Surely passes: the overall grade lies between the best and worst feeding grades (or within N of the worst).
        """
        overall = judgement_keys(version.expand((self.overall,)))
        feeds = judgement_keys(version.expand(self.feeds))
        if overall is None or feeds is None:
            return None
        if not overall:
            return always(SKIP)  # this version has no overall judgement
        feeding = [f for f in feeds if f != overall[0]]
        if not feeding:
            return always(SKIP)  # nothing feeds it (as evaluate: no feed can be given)
        o, best, worst = Rank(overall[0]), Best(feeding), Worst(feeding)
        if self.better_than_worst is not None:
            # A feed the record lacks could be worse than those given: sure only with every feed given.
            made = [Field("judgements", f) for f in feeding if f in version.judgements]
            ok: Any = And([Cmp("==", Count(made), Const(len(made))),
                           Cmp("<=", Arith("-", worst, o), Const(self.better_than_worst))])
        else:
            # Another feed can only widen the span: an overall grade inside the given feeds' span stays inside.
            ok = And([Cmp("<=", best, o), Cmp("<=", o, worst)])
        # As evaluate: no judgement at all, or a side the version does not make and the record does not give,
        # and the rule does not apply; a side the version makes but the record lacks is the ordinary path's unknown.
        scope = [(Not(NonEmpty("judgements")), SKIP)]
        if overall[0] not in version.judgements:
            scope.append((IsNull(o), SKIP))
        if not any(f in version.judgements for f in feeding):
            scope.append((IsNull(best), SKIP))
        return Decide([*scope, (ok, PASS)], UNSURE)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        names = view.expand([self.overall])
        if not names or not graded(view):
            return None  # this version makes no overall judgement, or the record gives no judgement at all
        feed_names = [n for n in view.expand(list(self.feeds)) if n not in names]
        overall = present(view, names)
        feeds = [(n, v) for n, v in present(view, feed_names) if all(n != o for o, _ in overall)]
        if not overall or not feeds:
            lacking = ([] if overall else missing(view, names)) + ([] if feeds else missing(view, feed_names))
            if (not overall and not missing(view, names)) or (not feeds and not missing(view, feed_names)):
                return None  # a side the record's framework version does not make
            what = ", ".join(short(n) for n in lacking)
            return (Unknown(f"{what} not given, so the overall grade cannot be set against the judgements feeding it",
                            dict([*overall, *feeds]), "not_given"),)
        oname, ovalue = overall[0]
        fields = dict([(oname, ovalue), *feeds])
        ranks = [(view.grade_rank(v), n, v) for n, v in feeds]
        orank = view.grade_rank(ovalue)
        if orank is None or any(r is None for r, _, _ in ranks):
            return (Unknown(unreadable([(oname, ovalue), *feeds], _scale(view)), fields),)
        best = min(r for r, _, _ in ranks)
        worst = max(r for r, _, _ in ranks)
        worst_names = [short(n) for r, n, _ in ranks if r == worst]
        worst_grade = next(v for r, _, v in ranks if r == worst)
        label = f"{short(oname)} {ovalue}"
        # A feed the version makes but the record lacks could have any grade: a finding must hold whatever it is.
        lacking = missing(view, feed_names)
        if lacking:
            unsure = self._unsure(view, orank, best, worst)
            if unsure:
                what = ", ".join(short(n) for n in lacking)
                return (Unknown(f"{what} not given, and with it {label} {unsure}", fields, "not_given"),)
        if self.better_than_worst is not None:
            if worst - orank > self.better_than_worst:
                steps = worst - orank
                return (Failure(
                    f"{label} is {steps} grades better than the worst judgement feeding it "
                    f"({', '.join(worst_names)} {worst_grade}); expected at most {self.better_than_worst}",
                    fields, expected=f"at most {self.better_than_worst} grade(s) better than {worst_grade}",
                    actual=ovalue),)
            return ()
        if orank < best:
            best_grade = next(v for r, _, v in ranks if r == best)
            return (Failure(f"{label} is better than the best judgement feeding it ({listing(feeds)})", fields,
                            expected=f"between {best_grade} and {worst_grade}", actual=ovalue),)
        if orank > worst:
            best_grade = next(v for r, _, v in ranks if r == best)
            return (Failure(f"{label} is worse than the worst judgement feeding it ({listing(feeds)})", fields,
                            expected=f"between {best_grade} and {worst_grade}", actual=ovalue),)
        return ()

    def _unsure(self, view: View, orank: int, best: int, worst: int) -> str | None:
        """What a missing feed could change about the verdict on the given ones, or None when it could not."""
        if self.better_than_worst is not None:
            if worst - orank > self.better_than_worst:
                return None  # another feed can only make the worst worse: the finding stands
            steps = len(view.framework.scale.names) if view.framework.scale is not None else 0
            if steps - 1 - orank <= self.better_than_worst:
                return None  # not even the worst grade would be too far below it
            return f"could be more than {self.better_than_worst} grade(s) better than the worst feeding judgement"
        if best <= orank <= worst:
            return None  # another feed can only widen the span
        return "could lie between the best and the worst feeding judgement"

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One grade out of place: the overall grade outside the span of the judgements feeding it (with
        ``better_than_worst``, more grades above the worst than it allows).

        The feeding judgements and the overall grade are set together (grade counts dropped, so no counting
        rule sees them); they are one fault, the overall grade's relation to its feeds.
        """
        base = make(need=needs_overall)
        overall = base.expand([self.overall])
        feeds = [f for f in base.expand(self.feeds) if f not in overall]
        grades = graded_names(base)
        if not overall or not feeds or not grades:
            return []
        out: Candidates = []
        n = self.better_than_worst
        for best in range(len(grades)):
            for worst in range(best, len(grades)):
                for lead in range(len(feeds)):
                    for o in range(len(grades)):
                        if n is None and best < worst:
                            continue
                        if n is not None and not (best <= o and worst - o > n):
                            continue
                        d = base.copy()
                        d.delete("grade_counts.*")
                        for i, feed in enumerate(feeds):
                            d.set(feed, grades[best] if i == lead else grades[worst])
                        d.set(overall[0], grades[o])
                        out.append([d])
        return out


def _scale(view: View) -> str | None:
    return view.framework.scale.id if view.framework.scale is not None else None
