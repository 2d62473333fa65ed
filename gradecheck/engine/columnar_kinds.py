"""
Rule kinds as polars expressions, for the columnar engine (gradecheck/engine/columnar.py); imported only from there.

Each function mirrors one kind of the fast path's generated code (gradecheck/engine/fastcode.py, ``Compiler``)
over whole columns: it gives, for every row, PASS (the rule applies and surely passes), SKIP (it does
not apply) or UNSURE (the row engine must decide), in the same order of tests, so a row passes here
exactly when the fast path would let it pass, with the same rules counted. Anything these functions
do not model returns None ("no columnar form"), and every row the rule covers is then UNSURE. The
values they read are canonical, as the fast path's reader builds them: grades as their rank on the
scale (0 = best), counts as whole numbers, dates as dates, null where the record has no value.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import polars as pl

from ..frameworks import Framework, Version
from ..records import DATE_FIELDS, GROUPS
from ..ruleset import Rule
from .fastcode import field_ref, is_glob, judgement_keys, total_parts

__all__ = ["PASS", "SKIP", "UNSURE", "Values", "verdict"]

PASS, SKIP, UNSURE = 1, 0, -1
NUMERIC_GROUPS = ("grade_counts", "populations", "facts")
#: Every character Python's str.strip() removes (str.isspace), so that "blank" means here what it means there.
PY_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                 "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_DATES = frozenset(DATE_FIELDS)
# Literals made once: a rule set's expressions use thousands of them.
_FALSE, _TRUE, _ZERO = pl.lit(False), pl.lit(True), pl.lit(0, dtype=pl.Int64)
_NULL = pl.lit(None, dtype=pl.Int64)
_VERDICT = {v: pl.lit(v, dtype=pl.Int8) for v in (PASS, SKIP, UNSURE)}


class Values:
    """
    One framework's canonical record values, as expressions over a batch's cells.

    *groups* maps a group to {canonical member: expression}: a judgement's grade rank, or a count;
    null when the record has no value. *text* maps a top-level text field to "present" (non-blank),
    *dates* a date field to its date (null when absent). A member missing from the file is null.
    *nonempty* may give, per group, a column already saying whether the record has any member.
    """

    def __init__(self, framework: Framework, text: Mapping[str, pl.Expr], dates: Mapping[str, pl.Expr],
                 groups: Mapping[str, Mapping[str, pl.Expr]], nonempty: Mapping[str, pl.Expr] | None = None) -> None:
        self.framework = framework
        self.text = text
        self.dates = dates
        self.groups = groups
        self._nonempty = nonempty or {}
        scale = framework.scale
        self.rank = {g: i for i, g in enumerate(scale.names)} if scale is not None else {}

    def member(self, group: str, key: str | None) -> pl.Expr:
        found = self.groups.get(group, {}).get(key) if key is not None else None
        return found if found is not None else _NULL

    def nonempty(self, group: str) -> pl.Expr:
        """Whether the record has any member of *group* (the fast path's ``groups.get(group)`` is truthy)."""
        found = self._nonempty.get(group)
        return found if found is not None else _any([v.is_not_null() for v in self.groups.get(group, {}).values()])

    def top(self, key: str) -> pl.Expr:
        """Whether the record has top-level field *key* (the fast path's ``key in top``)."""
        if key in self.text:
            return self.text[key]
        if key in self.dates:
            return self.dates[key].is_not_null()
        return _FALSE

    def present(self, ref: tuple[str, str | None]) -> pl.Expr:
        group, key = ref
        if not group:
            return self.top(key or "")
        return self.member(group, key).is_not_null()


def _any(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return pl.any_horizontal([e.fill_null(_FALSE) for e in exprs]) if exprs else _FALSE


def _all(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return pl.all_horizontal([e.fill_null(_FALSE) for e in exprs]) if exprs else _TRUE


def _sum(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return pl.sum_horizontal([e.fill_null(_ZERO) for e in exprs]) if exprs else _ZERO


def _count(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return pl.sum_horizontal([e.is_not_null().cast(pl.Int32) for e in exprs]) if exprs else pl.lit(0, dtype=pl.Int32)


def _decide(*branches: tuple[pl.Expr, int], otherwise: int) -> pl.Expr:
    """when(c1) -> v1, when(c2) -> v2, ..., else otherwise; a null condition counts as false."""
    expr: Any = pl
    for cond, value in branches:
        expr = expr.when(cond.fill_null(_FALSE)).then(_VERDICT[value])
    return expr.otherwise(_VERDICT[otherwise]) if branches else _VERDICT[otherwise]


class _NoForm(Exception):
    """This rule, or this shape of it, has no columnar form: every row it covers is UNSURE."""


def _number_ref(ref: tuple[str, str | None], v: Values) -> pl.Expr:
    """A named numeric member; a group the fast path never builds reads as always missing."""
    group, key = ref
    if group in NUMERIC_GROUPS or (group and group not in GROUPS):
        return v.member(group, key)
    raise _NoForm  # a top-level field or a judgement would be text, not a number


def verdict(rule: Rule, v: Values, version: Version) -> pl.Expr | None:
    """PASS / SKIP / UNSURE of *rule* under *version*, per row; None when it has no columnar form."""
    build = _KINDS.get(rule.kind)
    if build is None:
        return None
    try:
        return build(rule.check, v, version)
    except (_NoForm, AttributeError, TypeError, ValueError, KeyError):
        return None


def _total(c: Any, v: Values, version: Version) -> pl.Expr:
    split = total_parts(version, c.parts)
    if split is None:
        raise _NoForm
    named, wholes = split
    if any(g not in NUMERIC_GROUPS and (not g or g in GROUPS) for g in wholes):
        raise _NoForm
    equals = c.equals
    if isinstance(equals, bool):
        raise _NoForm
    if isinstance(equals, int):
        expected = pl.lit(equals, dtype=pl.Int64)
    elif equals == "@graded_items":
        items = version.graded_items
        expected = pl.lit(items, dtype=pl.Int64) if items is not None else pl.lit(None, dtype=pl.Int64)
    elif isinstance(equals, str):
        expected = _number_ref(field_ref(equals), v)
    else:
        raise _NoForm
    if len(wholes) == 1 and not named:
        members = list(v.groups.get(wholes[0], {}).values())
        return _decide((~_any([m.is_not_null() for m in members]), SKIP), (expected.is_null(), SKIP),
                       (_sum(members) == expected, PASS), otherwise=UNSURE)
    seen: dict[tuple[str, str], pl.Expr] = {}
    for group in wholes:
        for key, value in v.groups.get(group, {}).items():
            seen[(group, key)] = value
    missing = []
    for ref in named:
        value = _number_ref(ref, v)
        missing.append(value.is_null())
        seen[(ref[0], ref[1] or "")] = value
    values = list(seen.values())
    return _decide((~_any([x.is_not_null() for x in values]) | expected.is_null(), SKIP),
                   (_any(missing) & pl.lit(c.missing_parts == "unknown"), UNSURE),
                   (_sum(values) == expected, PASS), otherwise=UNSURE)


def _within(c: Any, v: Values, version: Version) -> pl.Expr:
    names = version.expand(c.parts)
    if any(is_glob(n) for n in names) or is_glob(c.whole):
        raise _NoForm
    whole = _number_ref(field_ref(c.whole), v)
    parts = [_number_ref(field_ref(n), v) for n in dict.fromkeys(names)]
    if not parts:
        return pl.lit(SKIP, dtype=pl.Int8)  # no part can be present
    found = _count(parts)
    skip = whole.is_null() | (found == 0)
    if not c.disjoint:
        return _decide((skip, SKIP), (pl.max_horizontal(parts) <= whole, PASS), otherwise=UNSURE)
    total = _sum(parts)
    bad = total > whole
    if c.exact:
        bad = bad | (total != whole) | (found != len(parts))
    return _decide((skip, SKIP), (bad, UNSURE), otherwise=PASS)


def _range(c: Any, v: Values, version: Version) -> pl.Expr:
    lo = -math.inf if c.min is None else c.min
    hi = math.inf if c.max is None else c.max
    if isinstance(lo, bool) or isinstance(hi, bool) or math.isnan(lo) or math.isnan(hi):
        raise _NoForm
    matched = []
    for name in c.fields:
        group, _, pattern = name.partition(".")
        if not pattern or is_glob(group):
            raise _NoForm
        if group in NUMERIC_GROUPS:
            matched += [value for key, value in v.groups.get(group, {}).items() if fnmatch.fnmatchcase(key, pattern)]
        elif not group or group in GROUPS:
            raise _NoForm  # judgements hold grades, and "" is the fast path's private cache: no number to compare
    bad = []
    for value in matched:
        out = pl.lit(False)
        if lo != -math.inf:
            out = out | (value < lo)
        if hi != math.inf:
            out = out | (value > hi)
        bad.append(value.is_not_null() & out)
    return _decide((_any(bad), UNSURE), (_any([m.is_not_null() for m in matched]), PASS), otherwise=SKIP)


def _judgement_keys(names: list[str]) -> list[str]:
    keys = judgement_keys(names)
    if keys is None:
        raise _NoForm
    return keys


def _overall(c: Any, v: Values, version: Version) -> pl.Expr:
    overall = _judgement_keys(version.expand((c.overall,)))
    feeds = _judgement_keys(version.expand(c.feeds))
    if not overall:
        return pl.lit(SKIP, dtype=pl.Int8)
    okey = overall[0]
    ranks = [v.member("judgements", f) for f in feeds if f != okey]
    o = v.member("judgements", okey)
    steps = c.better_than_worst
    if ranks:
        best, worst = pl.min_horizontal(ranks), pl.max_horizontal(ranks)
    else:
        best = worst = pl.lit(None, dtype=pl.Int64)
    if steps is not None:
        if isinstance(steps, bool) or not isinstance(steps, int):
            raise _NoForm
        ok = (worst - o) <= steps
    else:
        ok = (best <= o) & (o <= worst)
    return _decide((~v.nonempty("judgements"), SKIP), (o.is_null(), SKIP), (best.is_null(), SKIP), (ok, PASS),
                   otherwise=UNSURE)


def _implies(c: Any, v: Values, version: Version) -> pl.Expr:
    when = [v.member("judgements", k) for k in _judgement_keys(version.expand(c.when))]
    then = [v.member("judgements", k) for k in _judgement_keys(version.expand(c.then))]
    grade = v.rank.get(c.grade)
    target = v.rank.get(c.then_grade or c.grade)
    triggered = _any([w == grade for w in when]) if grade is not None else pl.lit(False)
    hits = [t == target for t in then] if target is not None else [pl.lit(False) for _ in then]
    if c.then_needs == "any":
        ok = _any([t.is_not_null() & h for t, h in zip(then, hits, strict=True)])
    else:
        ok = _all([t.is_null() | h for t, h in zip(then, hits, strict=True)])
    return _decide((~v.nonempty("judgements"), SKIP),
                   (~_any([w.is_not_null() for w in when]) | ~_any([t.is_not_null() for t in then]), SKIP),
                   (~triggered, PASS), (ok, PASS), otherwise=UNSURE)


def _agree(c: Any, v: Values, version: Version) -> pl.Expr:
    listed = _judgement_keys(version.expand(c.grades))
    if c.counts != "grade_counts.*":
        raise _NoForm
    grades = [v.member("judgements", k) for k in listed]  # with repeats, as Counter counts them
    over = []
    for grade, rank in v.rank.items():
        n = _sum([(g == rank).cast(pl.Int64) for g in grades])
        stated = v.member("grade_counts", grade).fill_null(0)
        over.append((n > 0) & (n > stated))
    return _decide((~v.nonempty("grade_counts") | ~v.nonempty("judgements"), SKIP),
                   (~_any([g.is_not_null() for g in grades]), SKIP), (_any(over), UNSURE), otherwise=PASS)


def _scale(c: Any, v: Values, version: Version) -> pl.Expr:
    group = "grade_counts" if c.check == "count_keys" else "judgements"
    nonempty = v.nonempty(group)
    if c.check == "judgement_names":
        known = v.framework.judgements
        stray = [value for key, value in v.groups.get(group, {}).items() if key not in known]
        return _decide((~nonempty, SKIP), (_any([s.is_not_null() for s in stray]), UNSURE), otherwise=PASS)
    return _decide((~nonempty, SKIP), otherwise=PASS if v.framework.scale is not None else SKIP)


def _order(c: Any, v: Values, version: Version) -> pl.Expr:
    fields = list(c.fields)
    if not all(f in _DATES for f in fields):
        raise _NoForm
    days = [v.dates.get(f, pl.lit(None, dtype=pl.Date)) for f in fields]
    present = [d.is_not_null() for d in days]
    wrong = []
    for i in range(len(days)):
        for j in range(i + 1, len(days)):
            # i and j are neighbours among the dates present when every date between them is absent.
            neighbours = _all([present[i], present[j], *[~present[k] for k in range(i + 1, j)]])
            out = days[i] > days[j]
            if c.strict:
                out = out | (days[i] == days[j])
            wrong.append(neighbours & out)
    count = pl.sum_horizontal([p.cast(pl.Int32) for p in present]) if present else pl.lit(0)
    return _decide((count < 2, SKIP), (_any(wrong), UNSURE), otherwise=PASS)


def _present(c: Any, v: Values, version: Version) -> pl.Expr:
    names = version.expand(c.fields)
    if any(is_glob(n) for n in names):
        raise _NoForm
    return _decide((_all([v.present(field_ref(n)) for n in names]), PASS), otherwise=UNSURE)


def _absent(c: Any, v: Values, version: Version) -> pl.Expr:
    found = []
    for name in version.expand(c.fields):
        group, key = field_ref(name)
        if key is not None and is_glob(key):
            raise _NoForm
        if not group:
            found.append(v.top(key or ""))
        elif key is None:
            found.append(v.nonempty(group))
        else:
            found.append(v.member(group, key).is_not_null())
    return _decide((_any(found), UNSURE), otherwise=PASS)


def _always_pass(c: Any, v: Values, version: Version) -> pl.Expr:
    # valid: only values that read cleanly reach here; known: only fields gradecheck knows.
    return pl.lit(PASS, dtype=pl.Int8)


_KINDS: dict[str, Callable[[Any, Values, Version], pl.Expr]] = {
    "total": _total, "within": _within, "range": _range, "overall": _overall, "implies": _implies,
    "agree": _agree, "scale": _scale, "order": _order, "present": _present, "absent": _absent,
    "valid": _always_pass, "known": _always_pass,
}
