"""
A record under construction that knows the rules, and what the kinds' breakers share.

The hypothesis strategies draw consistent :class:`Draft` records; each kind's ``breaks(make, choose)``
turns drafts into the few candidate datasets that break one of its rules by exactly one fault
(``gradecheck.mutants`` picks among them). Nothing here imports hypothesis, or the rule loader: a
rule set is whatever has ``rules`` and ``frameworks``, and random choices come through a
:class:`Chooser` the caller supplies.
"""

from __future__ import annotations

import copy
import datetime as dt
import fnmatch
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from ..frameworks import Framework, Version

__all__ = [
    "Candidates",
    "Chooser",
    "Draft",
    "Make",
    "concrete",
    "first_label",
    "graded_names",
    "group_rows",
    "has_glob",
    "needs_overall",
    "nudge",
]


class RuleLike(Protocol):
    """What a draft reads of a rule (``gradecheck.ruleset.Rule`` has it): its kind, where it applies, its check."""

    @property
    def kind(self) -> str: ...

    @property
    def check(self) -> Any: ...

    @property
    def dated(self) -> bool: ...

    def covers(self, framework: str) -> bool: ...

    def in_dates(self, day: dt.date) -> bool: ...


class RuleSetLike(Protocol):
    """What a draft reads of a rule set (``gradecheck.ruleset.RuleSet`` has it)."""

    @property
    def rules(self) -> Sequence[RuleLike]: ...

    @property
    def frameworks(self) -> Mapping[str, Framework]: ...


class Chooser(Protocol):
    """
    Where a breaker's free choices come from: ``gradecheck.strategies`` answers from hypothesis' ``draw``,
    so that choices shrink (towards *lo*) and replay.
    """

    def integer(self, lo: int, hi: int) -> int:
        """A whole number from *lo* to *hi*, both included."""
        ...


def has_glob(pattern: str) -> bool:
    """Whether a field pattern names several fields (``grade_counts.*``) rather than one."""
    return any(c in pattern for c in "*?[")


class Draft:
    """A record under construction: canonical values by dotted name, plus how each grade is spelled."""

    def __init__(self, ruleset: RuleSetLike, framework: Framework, version: Version) -> None:
        self.ruleset = ruleset
        self.framework = framework
        self.version = version
        self.values: dict[str, Any] = {}
        self.spelled: dict[str, str] = {}

    # --- plain access ---------------------------------------------------------------------------
    def set(self, name: str, value: Any) -> None:
        self.values[name] = value
        self.spelled.pop(name, None)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    def delete(self, pattern: str) -> None:
        for name in self.matching(pattern):
            del self.values[name]
            self.spelled.pop(name, None)

    def matching(self, pattern: str) -> list[str]:
        if not has_glob(pattern):
            return [pattern] if pattern in self.values else []
        return sorted(n for n in self.values if fnmatch.fnmatchcase(n, pattern))

    def judgement_names(self) -> list[str]:
        return self.matching("judgements.*")

    def spellings(self, grade: str) -> list[str]:
        scale = self.framework.scale
        return next(g for g in scale.grades if g.name == grade).spellings(numbers=False)

    def spell(self, name: str, spelling: str) -> None:
        self.spelled[name] = spelling

    @property
    def day(self) -> dt.date | None:
        for name in ("start", "end", "published"):
            value = self.values.get(name)
            if isinstance(value, dt.date):
                return value
        return None

    def copy(self) -> Draft:
        twin = copy.copy(self)
        twin.values = dict(self.values)
        twin.spelled = dict(self.spelled)
        return twin

    def to_json(self) -> dict[str, Any]:
        """The native JSON shape: nested groups, ISO dates, grades as spelled."""
        from ..writers import nest  # a layer below: the writers know the native JSON shape

        flat = {}
        for name in sorted(self.values):
            value = self.spelled.get(name, self.values[name])
            flat[name] = value.isoformat() if isinstance(value, dt.date) else value
        return nest(flat)

    # --- what the rules say ---------------------------------------------------------------------
    def applicable(self, kind: str) -> list[RuleLike]:
        day = self.day
        return [
            r for r in self.ruleset.rules
            if r.kind == kind and r.covers(self.framework.id) and (not r.dated or day is None or r.in_dates(day))
        ]

    def expand(self, names: Iterable[str]) -> list[str]:
        return self.version.expand(names)

    def rank(self, grade: Any) -> int | None:
        scale = self.framework.scale
        return scale.rank(grade) if scale is not None and isinstance(grade, str) and scale.knows(grade) else None

    def bounds_for(self, name: str, lo: int, hi: int) -> tuple[int, int]:
        """Narrow [lo, hi] to what every range rule over *name* allows."""
        for rule in self.applicable("range"):
            if any(fnmatch.fnmatchcase(name, p) for p in rule.check.fields):
                if rule.check.min is not None:
                    lo = max(lo, math.ceil(rule.check.min))
                if rule.check.max is not None:
                    hi = min(hi, math.floor(rule.check.max))
        return lo, max(lo, hi)

    def required_judgements(self) -> set[str]:
        names = {n for r in self.applicable("present") for n in self.expand(r.check.fields)}
        return {n.split(".", 1)[1] for n in names if n.startswith("judgements.")}

    def forbidden_judgements(self) -> set[str]:
        """Judgements some applicable absent rule forbids: never drawn, so nothing is chosen around them."""
        names = self.version.judgements
        out = set()
        for rule in self.applicable("absent"):
            for pattern in self.expand(rule.check.fields):
                out.update(n for n in names if fnmatch.fnmatchcase(f"judgements.{n}", pattern))
        return out

    def apply_implications(self) -> None:
        """Rules like "help and protection inadequate ⇒ X inadequate" that do not involve the overall grade."""
        overall = self.expand(["@overall"])
        for _ in range(3):
            for rule in self.applicable("implies"):
                when, then = self.expand(rule.check.when), self.expand(rule.check.then)
                if set(overall) & (set(when) | set(then)):
                    continue
                if any(self.values.get(n) == rule.check.grade for n in when):
                    present = [n for n in then if n in self.values]
                    target = rule.check.then_grade or rule.check.grade
                    for name in present if rule.check.then_needs == "all" else present[:1]:
                        self.set(name, target)

    def overall_candidates(self) -> list[str]:
        """The overall grades every overall and implies rule allows, given the judgements drawn so far."""
        scale = self.framework.scale
        overall = self.expand(["@overall"])
        if not overall:
            return []
        allowed = []
        for grade in scale.names:
            if self._overall_ok(overall[0], grade):
                allowed.append(grade)
        return allowed

    def _overall_ok(self, overall: str, grade: str) -> bool:
        rank = self.rank(grade)
        for rule in self.applicable("overall"):
            ranks = [self.rank(self.values[n]) for n in self.expand(rule.check.feeds)
                     if n in self.values and n != overall]
            feeds = [f for f in ranks if f is not None]
            if not feeds:
                continue
            if rule.check.better_than_worst is None:
                if not min(feeds) <= rank <= max(feeds):
                    return False
            elif max(feeds) - rank > rule.check.better_than_worst:
                return False
        for rule in self.applicable("implies"):
            when, then = self.expand(rule.check.when), self.expand(rule.check.then)
            target = rule.check.then_grade or rule.check.grade
            if overall in then and overall not in when:
                if any(self.values.get(n) == rule.check.grade for n in when) and grade != target:
                    return False
            elif overall in when and grade == rule.check.grade:
                others = [self.values[n] for n in then if n in self.values and n != overall]
                if others:
                    hits = [v == target for v in others]
                    if not (any(hits) if rule.check.then_needs == "any" else all(hits)):
                        return False
        return True

    def fill_counts(self, composition: Callable[[int, int], list[int]]) -> None:
        """Grade counts: the listed grades first, then the rest of the graded items split among the grades."""
        items = self.version.graded_items
        scale = self.framework.scale
        if items is None or scale is None:
            return
        listed = [self.values[f"judgements.{j}"] for j in self.version.counted if f"judgements.{j}" in self.values]
        remaining = items - len(listed)
        if remaining < 0:
            return
        tally = Counter(listed)
        extra = composition(remaining, len(scale.names))
        for grade, more in zip(scale.names, extra, strict=True):  # one part per grade, by construction
            if tally[grade] + more:
                self.set(f"grade_counts.{grade}", tally[grade] + more)

    def fill_populations(self, number: Callable[[str], int], maybe: Callable[[], bool]) -> None:
        """Draw the smallest parts, then every whole from its parts, so no part exceeds its whole."""
        rules = [r for r in self.applicable("within") + self.applicable("total")
                 if r.kind == "within" or (not isinstance(r.check.equals, int) and r.check.equals != "@graded_items")]
        wholes: dict[str, list[RuleLike]] = {}
        parts: set[str] = set()
        for rule in rules:
            whole = rule.check.whole if rule.kind == "within" else rule.check.equals
            explicit = [p for p in self.expand(rule.check.parts) if not has_glob(p)]
            if not whole.startswith("populations.") or not all(p.startswith("populations.") for p in explicit):
                continue
            wholes.setdefault(whole, []).append(rule)
            parts.update(explicit)
        for leaf in sorted(parts - set(wholes)):
            if maybe():
                self.set(leaf, number(leaf))
        pending = dict(wholes)
        for _ in range(len(pending) + 1):
            for whole, its_rules in list(pending.items()):
                needed = [p for r in its_rules for p in self.expand(r.check.parts) if p in pending and p != whole]
                if needed:
                    continue
                del pending[whole]
                self._fill_whole(whole, its_rules, number, maybe)

    def _fill_whole(
        self, whole: str, rules: list[RuleLike], number: Callable[[str], int], maybe: Callable[[], bool],
    ) -> None:
        exact_parts = {p for r in rules if r.kind == "total" or r.check.exact for p in self.expand(r.check.parts)}
        if exact_parts:
            # The whole is pinned to the sum of some parts; parts outside that sum must then be zero.
            for rule in rules:
                for part in self.expand(rule.check.parts):
                    if part not in exact_parts and isinstance(self.values.get(part), int):
                        self.set(part, 0)
        lowest = 0
        exact: list[RuleLike] = []
        for rule in rules:
            present = [self.values[p] for p in self.expand(rule.check.parts) if isinstance(self.values.get(p), int)]
            if rule.kind == "total" or rule.check.exact:
                exact.append(rule)
            elif rule.check.disjoint:
                lowest = max(lowest, sum(present))
            else:
                lowest = max(lowest, max(present, default=0))
        if exact:
            self._settle_partitions(whole, exact, lowest)
        elif lowest or maybe():
            self.set(whole, lowest + number(whole) // 10)

    def _settle_partitions(self, whole: str, exact: list[RuleLike], lowest: int) -> None:
        """
        Several partitions of one whole (DfE: by gender, by age, by placement...): the whole is the largest
        of their sums, and each other partition makes up the difference in one of its parts. Where one
        partition's parts are among another's, the other's extra parts are zero.
        """
        sets = [(rule, [p for p in self.expand(rule.check.parts) if not has_glob(p)]) for rule in exact]
        for _, small in sets:
            for _, big in sets:
                if set(small) < set(big):
                    for part in set(big) - set(small):
                        if isinstance(self.values.get(part), int):
                            self.set(part, 0)

        def total(parts: list[str]) -> int:
            return sum(self.values[p] for p in parts if isinstance(self.values.get(p), int))

        target = max(lowest, *(total(parts) for _, parts in sets))
        settled: set[str] = set()
        for index, (_, parts) in sorted(enumerate(sets), key=lambda item: len(item[1][1])):
            gap = target - total(parts)
            if gap > 0 and parts:
                unsettled = {p for j, (_, other) in enumerate(sets) if j != index for p in other} - settled
                free = [p for p in parts if p not in settled] or parts
                present = [p for p in free if isinstance(self.values.get(p), int)] or free
                part = next((p for p in present if p in unsettled), present[0])
                self.set(part, (self.values.get(part) if isinstance(self.values.get(part), int) else 0) + gap)
            settled.update(parts)
        self.set(whole, target)

    def remove_absent(self) -> None:
        for rule in self.applicable("absent"):
            for pattern in self.expand(rule.check.fields):
                self.delete(pattern)

    def standing(self) -> str | None:
        """The overall grade, else the worst judgement: what decides whether monitoring visits may follow."""
        overall = self.expand(["@overall"])
        if overall and overall[0] in self.values:
            return self.values[overall[0]]
        ranked = [(self.rank(self.values[n]), self.values[n]) for n in self.judgement_names()]
        ranked = [r for r in ranked if r[0] is not None]
        return max(ranked)[1] if ranked else None

    def uniform(self, grade: str) -> None:
        """Every judgement the same grade: consistent with any overall or limiting rule."""
        for name in self.version.judgements:
            self.set(f"judgements.{name}", grade)
        self.delete("grade_counts.*")
        self.remove_absent()


#: Builds a consistent draft for a breaker to change. Keywords, all optional: ``framework`` (an id; default the
#: one drawn for the rule), ``need`` (a test a framework version must pass), ``lo``/``hi`` (dates the record must
#: fall between), ``dated`` (whether it has dates), ``authority`` (name and code) and ``ident`` (its id).
Make = Callable[..., Draft]
#: The datasets a breaker offers, each a list of drafts (one for a record rule, a few for a dataset rule).
Candidates = list[list[Draft]]


def nudge(choose: Chooser) -> int:
    """How far past a bound a breaker pushes a value: 1 to 5, shrinking towards 1."""
    return choose.integer(1, 5)


def concrete(draft: Draft, pattern: str) -> str | None:
    """A field name that matches *pattern*, for adding a part or an out-of-range value."""
    if not has_glob(pattern):
        return pattern
    head = pattern.split(".", 1)[0]
    if head == "grade_counts" and draft.framework.scale is not None:
        missing = [g for g in draft.framework.scale.names if f"grade_counts.{g}" not in draft.values]
        return f"grade_counts.{(missing or draft.framework.scale.names)[0]}"
    if head == "populations":
        return "populations.foster_care"
    candidate = pattern.replace("*", "x").replace("?", "x")
    return candidate if "[" not in candidate else None


def needs_overall(version: Version) -> bool:
    """A framework version with an overall grade and judgements that feed it."""
    return bool(version.overall and version.feeds_overall)


def graded_names(draft: Draft) -> list[str]:
    """The grades of the draft's scale, best first (none for an ungraded framework)."""
    return list(draft.framework.scale.names) if draft.framework.scale else []


def group_rows(check: Any, make: Make, total: str) -> list[Draft]:
    """
    One group of a table for the group kinds: rows labelled "first" and "second", then the total row.

    *check* is the group kind (its ``group_by`` and ``label`` fields); the rows share every group field.
    """
    rows = []
    for i, label in enumerate(("first", "second", total)):
        d = make(ident=f"row-{i}")
        for name in check.group_by:
            d.set(name, "group-1" if not name.startswith(("populations.", "facts.", "grade_counts.")) else 1)
        d.set(check.label, label)
        rows.append(d)
    return rows


def first_label(labels: Any) -> str:
    """The first of a group kind's ``total_label`` (a label or a list of them)."""
    return labels if isinstance(labels, str) else labels[0]
