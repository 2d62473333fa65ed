"""
Draft records that know the rules, and how to break each kind of rule on purpose.

Used by the hypothesis strategies and by ``python -m gradecheck selftest``. It does not import
hypothesis: numbers are drawn through the callables it is given.
"""

from __future__ import annotations

import copy
import datetime as dt
import fnmatch
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .frameworks import Framework, Version
from .ruleset import Rule, RuleSet

__all__ = ["MUTATORS", "Draft", "break_rule"]

_GLOB = ("*", "?", "[")


class Draft:
    """A record under construction: canonical values by dotted name, plus how each grade is spelled."""

    def __init__(self, ruleset: RuleSet, framework: Framework, version: Version) -> None:
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
        if not any(c in pattern for c in _GLOB):
            return [pattern] if pattern in self.values else []
        return sorted(n for n in self.values if fnmatch.fnmatchcase(n, pattern))

    def judgement_names(self) -> list[str]:
        return self.matching("judgements.*")

    def spellings(self, grade: str) -> list[str]:
        scale = self.framework.scale
        found = next(g for g in scale.grades if g.name == grade)
        return [grade, found.label, *found.aliases]

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
        from .writers import nest

        flat = {}
        for name in sorted(self.values):
            value = self.spelled.get(name, self.values[name])
            flat[name] = value.isoformat() if isinstance(value, dt.date) else value
        return nest(flat)

    # --- what the rules say ---------------------------------------------------------------------
    def applicable(self, kind: str) -> list[Rule]:
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
        import math

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
            feeds = [self.rank(self.values[n]) for n in self.expand(rule.check.feeds) if n in self.values and n != overall]
            feeds = [f for f in feeds if f is not None]
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
        for grade, more in zip(scale.names, extra):
            if tally[grade] + more:
                self.set(f"grade_counts.{grade}", tally[grade] + more)

    def fill_populations(self, number: Callable[[str], int], maybe: Callable[[], bool]) -> None:
        """Draw the smallest parts, then every whole from its parts, so no part exceeds its whole."""
        rules = [r for r in self.applicable("within") + self.applicable("total")
                 if r.kind == "within" or (not isinstance(r.check.equals, int) and r.check.equals != "@graded_items")]
        wholes: dict[str, list[Rule]] = {}
        parts: set[str] = set()
        for rule in rules:
            whole = rule.check.whole if rule.kind == "within" else rule.check.equals
            explicit = [p for p in self.expand(rule.check.parts) if not any(c in p for c in _GLOB)]
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

    def _fill_whole(self, whole: str, rules: list[Rule], number: Callable[[str], int], maybe: Callable[[], bool]) -> None:
        exact_parts = {p for r in rules if r.kind == "total" or r.check.exact for p in self.expand(r.check.parts)}
        if exact_parts:
            # The whole is pinned to the sum of some parts; parts outside that sum must then be zero.
            for rule in rules:
                for part in self.expand(rule.check.parts):
                    if part not in exact_parts and isinstance(self.values.get(part), int):
                        self.set(part, 0)
        lowest = 0
        exact: list[Rule] = []
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

    def _settle_partitions(self, whole: str, exact: list[Rule], lowest: int) -> None:
        """
        Several partitions of one whole (DfE: by gender, by age, by placement...): the whole is the largest
        of their sums, and each other partition makes up the difference in one of its parts. Where one
        partition's parts are among another's, the other's extra parts are zero.
        """
        sets = [(rule, [p for p in self.expand(rule.check.parts) if not any(ch in p for ch in _GLOB)]) for rule in exact]
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


# --- breaking rules --------------------------------------------------------------------------

Make = Callable[..., Draft]
Candidates = list[list[Draft]]


def _k(draw: Any) -> int:
    from hypothesis import strategies as st  # only reached through gradecheck.strategies

    return draw(st.integers(1, 5))


def _break_total(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make()
    k = _k(draw)
    out: Candidates = []
    names = [n for p in base.expand(rule.check.parts) for n in base.matching(p)]
    for name in names:
        for delta in (k, -k):
            if isinstance(base.get(name), int) and base.get(name) + delta >= 0:
                d = base.copy()
                d.set(name, base.get(name) + delta)
                out.append([d])
    for pattern in base.expand(rule.check.parts):
        new = _concrete(base, pattern)
        if new and new not in base.values:
            d = base.copy()
            d.set(new, k)
            out.append([d])
    equals = rule.check.equals
    if isinstance(equals, str) and not equals.startswith("@") and isinstance(base.get(equals), int):
        d = base.copy()
        d.set(equals, base.get(equals) + k)
        out.append([d])
    return out


def _break_within(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make()
    k = _k(draw)
    c = rule.check
    parts = [p for p in base.expand(c.parts) if not any(ch in p for ch in _GLOB)]
    present = [p for p in parts if isinstance(base.get(p), int)]
    whole = base.get(c.whole)
    total = sum(base.get(p) for p in present)
    if not isinstance(whole, int):
        whole = total
        base.set(c.whole, whole)
    out: Candidates = []
    for part in parts:
        d = base.copy()
        current = base.get(part) if isinstance(base.get(part), int) else 0
        d.set(part, current + (whole - total) + k if c.disjoint else whole + k)
        out.append([d])
    if total >= k:
        d = base.copy()
        d.set(c.whole, total - k if c.disjoint else max(base.get(p) for p in present) - k)
        out.append([d])
    if c.exact:
        for part in present:
            if base.get(part) >= k:
                d = base.copy()
                d.set(part, base.get(part) - k)
                out.append([d])
    return out


def _concrete(draft: Draft, pattern: str) -> str | None:
    """A field name that matches *pattern*, for adding a part or an out-of-range value."""
    if not any(c in pattern for c in _GLOB):
        return pattern
    head = pattern.split(".", 1)[0]
    if head == "grade_counts" and draft.framework.scale is not None:
        missing = [g for g in draft.framework.scale.names if f"grade_counts.{g}" not in draft.values]
        return f"grade_counts.{(missing or draft.framework.scale.names)[0]}"
    if head == "populations":
        return "populations.foster_care"
    candidate = pattern.replace("*", "x").replace("?", "x")
    return candidate if "[" not in candidate else None


def _break_range(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make()
    k = _k(draw)
    out: Candidates = []
    names = [n for p in rule.check.fields for n in base.matching(p)] + [n for p in rule.check.fields if (n := _concrete(base, p))]
    for name in dict.fromkeys(names):
        for value in ([rule.check.max + k] if rule.check.max is not None else []) + ([rule.check.min - k] if rule.check.min is not None else []):
            d = base.copy()
            d.set(name, int(value) if float(value).is_integer() else value)
            out.append([d])
    return out


def _needs_overall(version: Version) -> bool:
    return bool(version.overall and version.feeds_overall)


def _graded_names(draft: Draft) -> list[str]:
    return list(draft.framework.scale.names) if draft.framework.scale else []


def _break_overall(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make(need=_needs_overall)
    overall = base.expand([rule.check.overall])
    feeds = [f for f in base.expand(rule.check.feeds) if f not in overall]
    grades = _graded_names(base)
    if not overall or not feeds or not grades:
        return []
    out: Candidates = []
    n = rule.check.better_than_worst
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


def _break_implies(rule: Rule, make: Make, draw: Any) -> Candidates:
    c = rule.check
    mentions_overall = "@overall" in (*c.when, *c.then)
    base = make(need=lambda v: v.overall is not None or not mentions_overall)
    grades = _graded_names(base)
    target = c.then_grade or c.grade
    when = [w for w in base.expand(c.when) if w.split(".", 1)[-1] in base.version.judgements]
    then = [t for t in base.expand(c.then) if t.split(".", 1)[-1] in base.version.judgements]
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
                d.set(trigger, c.grade)
                for name in then:
                    if name != trigger:
                        d.set(name, alt)
                d.remove_absent()
                out.append([d])
    return out


def _break_agree(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make(need=lambda v: v.graded_items is not None and bool(v.counted))
    out: Candidates = []
    grades = _graded_names(base)
    listed = Counter(base.get(n) for p in base.expand(rule.check.grades) for n in base.matching(p))
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


def _break_scale(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make(need=lambda v: bool(v.judgements))
    out: Candidates = []
    check = rule.check.check
    grades = _graded_names(base) or ["good"]
    if check == "judgement_values":
        names = base.judgement_names() or [f"judgements.{(base.version.judgements or ('overall_effectiveness',))[0]}"]
        for name in names:
            d = base.copy()
            d.set(name, "Excellent-ish")
            out.append([d])
    elif check == "count_keys":
        d = base.copy()
        d.set("grade_counts.not_a_grade", 0)
        out.append([d])
    else:
        d = base.copy()
        d.set("judgements.not_a_judgement", grades[0])
        out.append([d])
    return out


def _break_order(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make(dated=True)
    k = _k(draw)
    fields = list(rule.check.fields)
    out: Candidates = []
    for i, later in enumerate(fields[1:], start=1):
        for earlier in fields[:i]:
            if isinstance(base.get(earlier), dt.date):
                d = base.copy()
                d.set(later, base.get(earlier) - dt.timedelta(days=k if not rule.check.strict else k - 1))
                out.append([d])
    return out


def _break_present(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make()
    out: Candidates = []
    for name in base.expand(rule.check.fields):
        d = base.copy()
        d.delete(name)
        d.delete("grade_counts.*")
        out.append([d])
        overall = d.expand(["@overall"])
        allowed = d.overall_candidates()
        if overall and overall[0] in d.values and allowed:
            # The judgement removed may have fed the overall grade: choose it again from what is left.
            again = d.copy()
            again.set(overall[0], allowed[-1])
            out.append([again])
    return out


def _break_absent(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make()
    grades = _graded_names(base) or ["good"]
    out: Candidates = []
    for pattern in base.expand(rule.check.fields):
        name = pattern
        if any(c in pattern for c in _GLOB):
            head = pattern.split(".", 1)[0]
            name = {"judgements": "judgements.overall_effectiveness", "grade_counts": f"grade_counts.{grades[0]}"}.get(head) or _concrete(base, pattern)
        if not name:
            continue
        for value in ([grades[-1], grades[0]] if name.startswith("judgements.") else [1]):
            d = base.copy()
            d.delete("grade_counts.*")
            d.set(name, value)
            out.append([d])
    return out


def _break_valid(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make()
    out: Candidates = []
    for name, bad in (("populations.looked_after", "939"), ("facts.case_files_reviewed", [1, 2]), ("end", "2023-02-30")):
        if any(fnmatch.fnmatchcase(name, p) for p in rule.check.fields):
            d = base.copy()
            d.set(name, bad)
            out.append([d])
    return out


def _break_known(rule: Rule, make: Make, draw: Any) -> Candidates:
    base = make()
    out: Candidates = []
    for name, value in (("populations.foster_cre", 3), ("inspector_mood", "sunny")):
        d = base.copy()
        d.set(name, value)
        out.append([d])
    return out


def _break_unique(rule: Rule, make: Make, draw: Any) -> Candidates:
    first = make()
    second = make()
    second.set(rule.check.field, first.get(rule.check.field) or "same")
    first.set(rule.check.field, second.get(rule.check.field))
    return [[first, second]]


def _break_visits(rule: Rule, make: Make, draw: Any) -> Candidates:
    out: Candidates = []
    ruleset = None
    for visit_kind in rule.check.visits:
        inspection = make(framework="ilacs", need=_needs_overall, authority=("Liverpool", "E08000012"), ident="inspection")
        ruleset = inspection.ruleset
        if visit_kind not in ruleset.frameworks:
            continue
        for grade in _graded_names(inspection):
            if grade == rule.check.grade:
                continue
            d = inspection.copy()
            d.uniform(grade)
            day = d.day or dt.date(2020, 1, 1)
            visit = make(framework=visit_kind, lo=day + dt.timedelta(days=60), hi=day + dt.timedelta(days=60),
                         dated=True, authority=("Liverpool", "E08000012"), ident="visit")
            out.append([d, visit])
    return out


def _group_rows(rule: Rule, make: Make, total: str) -> list[Draft]:
    c = rule.check
    rows = []
    for i, label in enumerate(("first", "second", total)):
        d = make(ident=f"row-{i}")
        for name in c.group_by:
            d.set(name, "group-1" if not name.startswith(("populations.", "facts.", "grade_counts.")) else 1)
        d.set(c.label, label)
        rows.append(d)
    return rows


def _first_label(labels: Any) -> str:
    return labels if isinstance(labels, str) else labels[0]


def _break_group_total(rule: Rule, make: Make, draw: Any) -> Candidates:
    c = rule.check
    k = _k(draw)
    rows = _group_rows(rule, make, _first_label(c.total_label))
    rows[0].set(c.value, 3)
    rows[1].set(c.value, 4)
    # Sub-groups (subsets) must not exceed the total; partitions must add up to it.
    rows[2].set(c.value, 7 + k if not getattr(c, "subsets", False) else 3 - min(k, 3))
    return [rows]


def _break_group_share(rule: Rule, make: Make, draw: Any) -> Candidates:
    c = rule.check
    k = _k(draw)
    rows = _group_rows(rule, make, _first_label(c.total_label))
    per = c.per
    for row, count in zip(rows, (3, 4, 7)):
        row.set(c.value, count)
        row.set(c.share, round(per * count / 7))
    rows[0].set(c.share, round(per * 3 / 7) + max(c.rounded_to, 1) + k)
    return [rows]


def _break_ratio(rule: Rule, make: Make, draw: Any) -> Candidates:
    c = rule.check
    k = _k(draw)
    base = make()
    base.set(c.numerator, 20)
    base.set(c.denominator, 1000)
    right = c.per * 20 / 1000
    out: Candidates = []
    for wrong in (right + max(c.rounded_to, 1) + k, right - max(c.rounded_to, 1) - k):
        d = base.copy()
        d.set(c.value, int(wrong) if float(wrong).is_integer() else wrong)
        out.append([d])
    return out


#: How to break each kind of rule; a kind without an entry here fails a test.
MUTATORS: dict[str, Callable[[Rule, Make, Any], Candidates]] = {
    "total": _break_total,
    "within": _break_within,
    "range": _break_range,
    "overall": _break_overall,
    "implies": _break_implies,
    "agree": _break_agree,
    "scale": _break_scale,
    "order": _break_order,
    "present": _break_present,
    "absent": _break_absent,
    "valid": _break_valid,
    "known": _break_known,
    "unique": _break_unique,
    "visits_follow": _break_visits,
    "group_total": _break_group_total,
    "group_share": _break_group_share,
    "ratio": _break_ratio,
}


def break_rule(rule: Rule, make: Make, draw: Any) -> list[Draft]:
    """
    Build candidate datasets that break *rule*, and keep the first that fires it and nothing else.

    The candidates are constructed, not filtered: the engine only chooses among them. When every
    candidate also fires another rule (the rule set makes a clean break impossible), the first that
    fires *rule* is kept; when none fires it, the first candidate is returned, so a test sees it.
    """
    from .engine import check

    candidates = MUTATORS[rule.kind](rule, make, draw)
    if not candidates:
        msg = f"cannot build a record that breaks {rule.code}"
        raise ValueError(msg)
    fallback: list[Draft] | None = None
    for candidate in candidates:
        report = check([d.to_json() for d in candidate], candidate[0].ruleset)
        fired = {f.rule for f in report.findings}
        if fired == {rule.code} and not report.unreadable:
            return candidate
        if fallback is None and rule.code in fired:
            fallback = candidate
    return fallback or candidates[0]
