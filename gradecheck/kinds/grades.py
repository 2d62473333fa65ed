"""Kinds over grades: the overall grade against its judgements, limiting judgements, stated counts, the scale."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from attrs import frozen

from ..values import UnknownGrade, bounds, show
from . import params as c
from ._base import Failure, Unknown, View, param, short, undecidable

__all__ = ["Agree", "Implies", "Overall", "Scale"]


def _present(view: View, names: list[str]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name in view.expand(names):
        out.extend(view.matching(name))
    return out


def _listing(pairs: list[tuple[str, Any]]) -> str:
    return ", ".join(f"{short(n)} {show(v)}" for n, v in pairs)


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
        c.field_list, "the judgements that feed it (default: the framework's)", default=("@feeds_overall",), converter=tuple
    )
    better_than_worst: int | None = param(c.integer, "check only: at most this many grades better than the worst", default=None)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        overall = _present(view, [self.overall])
        feeds = [(n, v) for n, v in _present(view, list(self.feeds)) if all(n != o for o, _ in overall)]
        if not overall or not feeds:
            return None
        oname, ovalue = overall[0]
        fields = dict([(oname, ovalue), *feeds])
        ranks = [(view.grade_rank(v), n, v) for n, v in feeds]
        orank = view.grade_rank(ovalue)
        if orank is None or any(r is None for r, _, _ in ranks):
            return (Unknown("a grade is not on the framework's scale", fields),)
        best = min(r for r, _, _ in ranks)
        worst = max(r for r, _, _ in ranks)
        worst_names = [short(n) for r, n, _ in ranks if r == worst]
        worst_grade = next(v for r, _, v in ranks if r == worst)
        label = f"{short(oname)} {ovalue}"
        if self.better_than_worst is not None:
            if worst - orank > self.better_than_worst:
                steps = worst - orank
                return (Failure(
                    f"{label} is {steps} grades better than the worst judgement feeding it "
                    f"({', '.join(worst_names)} {worst_grade}); expected at most {self.better_than_worst}",
                    fields, expected=f"at most {self.better_than_worst} grade(s) better than {worst_grade}", actual=ovalue),)
            return ()
        if orank < best:
            best_grade = next(v for r, _, v in ranks if r == best)
            return (Failure(f"{label} is better than the best judgement feeding it ({_listing(feeds)})", fields,
                            expected=f"between {best_grade} and {worst_grade}", actual=ovalue),)
        if orank > worst:
            best_grade = next(v for r, _, v in ranks if r == best)
            return (Failure(f"{label} is worse than the worst judgement feeding it ({_listing(feeds)})", fields,
                            expected=f"between {best_grade} and {worst_grade}", actual=ovalue),)
        return ()


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
        when = _present(view, list(self.when))
        then = _present(view, list(self.then))
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
            f"found {_listing(then)}", fields, expected=target,
            actual={short(n): v for n, v in then} if len(then) > 1 else then[0][1]),)


@frozen(kw_only=True)
class Agree:
    """Stated grade counts agree with the grades listed: no grade is listed more often than its count says."""

    kind: ClassVar[str] = "agree"
    counts: str = param(c.field_name, "the stated counts (glob)", default="grade_counts.*")
    grades: tuple[str, ...] = param(
        c.field_list, "the listed grades (default: the judgements the framework counts)", default=("@counted",), converter=tuple
    )

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        counts = view.matching(self.counts)
        listed = [(n, v) for n, v in _present(view, list(self.grades)) if isinstance(v, str)]
        if not counts or not listed:
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
        return tuple(outcomes)


@frozen(kw_only=True)
class Scale:
    """Grades belong to the framework: judgement values and count keys on its scale, judgement names its own."""

    kind: ClassVar[str] = "scale"
    check: str = param(
        c.one_of("judgement_values", "count_keys", "judgement_names"),
        "what to check: the judgements' grades, the grade_counts keys, or the judgements' names",
    )

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        framework = view.framework
        if self.check == "judgement_names":
            found = view.matching("judgements.*")
            known = framework.judgements
            return tuple(
                Failure(f"{short(n)} is not a judgement of {framework.id} (it makes: {', '.join(sorted(known)) or 'none'})",
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
