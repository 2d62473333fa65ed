"""
Rule kinds as polars expressions, for the columnar engine (gradecheck/engine/columnar.py); imported only from there.

Each rule's pass form (gradecheck/kinds/forms.py), the same form the row engine's fast path is generated
from (gradecheck/engine/fastcode.py), is compiled here over whole columns: it gives, for every row, PASS
(the rule applies and surely passes), SKIP (it does not apply) or UNSURE (the row engine must decide),
so a row passes here exactly when the fast path would let it pass, with the same rules counted. A form
this compiler cannot express gives None ("no columnar form"), and every row the rule covers is then
UNSURE. The values are canonical, as the fast path's reader builds them, except that a grade is its
rank on the scale (0 = best): counts as whole numbers, dates as dates, null where the record has no value.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from ..frameworks import Framework, Version
from ..kinds import forms as f
from ..records import DATE_FIELDS, GROUPS, TEXT_FIELDS
from ..ruleset import Rule

__all__ = ["PASS", "SKIP", "UNSURE", "Values", "verdict"]

PASS, SKIP, UNSURE = f.PASS, f.SKIP, f.UNSURE
NUMERIC_GROUPS = f.NUMERIC_GROUPS
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

    With *calls* (a dict, empty at first), each distinct Call node is computed once into a column of its own,
    which the caller adds before the verdicts (see :meth:`call_columns`): the authority rules' lookup is one
    Call, which each rule under each version of a framework would otherwise run again, a Python function
    over every row (eight times a block for ILACS).
    """

    def __init__(self, framework: Framework, text: Mapping[str, pl.Expr], dates: Mapping[str, pl.Expr],
                 groups: Mapping[str, Mapping[str, pl.Expr]], nonempty: Mapping[str, pl.Expr] | None = None,
                 raw: Mapping[str, pl.Expr] | None = None, calls: dict[Any, tuple[str, pl.Expr]] | None = None,
                 asked: dict[Any, dict[str, Any]] | None = None) -> None:
        self.framework = framework
        self.text = text
        #: A top-level text field's value (stripped, null when blank), for Call nodes only.
        self.raw = raw or {}
        self.dates = dates
        self.groups = groups
        self._nonempty = nonempty or {}
        scale = framework.scale
        self.rank = {g: i for i, g in enumerate(scale.names)} if scale is not None else {}
        self.calls = calls
        #: Per Call node, what its *per* answered for each key: shared by a file's frameworks (a block's rows of
        #: each name the same authorities) and kept across blocks.
        self.asked = {} if asked is None else asked

    def call_columns(self) -> list[pl.Expr]:
        """The columns of the Call nodes the verdicts read (none without *calls*)."""
        return [expr.alias(name) for name, expr in (self.calls or {}).values()]

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
        member = self.member(group, key)
        return _FALSE if member is _NULL else member.is_not_null()


# Constants are folded as expressions are built (a field the file lacks is a literal false, a member it lacks a
# null): polars plans every expression of a block again, so what it need not plan is time saved on every block.
# The literals are recognised by identity: only these objects are ever folded.


def _constant(expr: pl.Expr) -> bool | None:
    """True or False for the literals _TRUE and _FALSE, None for any other expression."""
    return True if expr is _TRUE else False if expr is _FALSE else None


def _any(exprs: Sequence[pl.Expr]) -> pl.Expr:
    if any(e is _TRUE for e in exprs):
        return _TRUE
    exprs = [e for e in exprs if e is not _FALSE]
    return pl.any_horizontal([e.fill_null(_FALSE) for e in exprs]) if exprs else _FALSE


def _all(exprs: Sequence[pl.Expr]) -> pl.Expr:
    if any(e is _FALSE for e in exprs):
        return _FALSE
    exprs = [e for e in exprs if e is not _TRUE]
    return pl.all_horizontal([e.fill_null(_FALSE) for e in exprs]) if exprs else _TRUE


def _not(expr: pl.Expr) -> pl.Expr:
    """Not *expr*, a null counting as false (so its negation as true)."""
    known = _constant(expr)
    if known is not None:
        return _FALSE if known else _TRUE
    return ~expr.fill_null(_FALSE)


def _sum(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return pl.sum_horizontal([e.fill_null(_ZERO) for e in exprs]) if exprs else _ZERO


def _count(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return pl.sum_horizontal([e.is_not_null().cast(pl.Int32) for e in exprs]) if exprs else pl.lit(0, dtype=pl.Int32)


def _decide(*branches: tuple[pl.Expr, int], otherwise: int) -> pl.Expr:
    """when(c1) -> v1, when(c2) -> v2, ..., else otherwise; a null condition counts as false."""
    kept = []
    for cond, value in branches:
        known = _constant(cond)
        if known is None:
            kept.append((cond, value))
        elif known:  # every row that gets here takes this branch
            otherwise = value
            break
    expr: Any = pl
    for cond, value in kept:
        expr = expr.when(cond.fill_null(_FALSE)).then(_VERDICT[value])
    return expr.otherwise(_VERDICT[otherwise]) if kept else _VERDICT[otherwise]


class _NoForm(Exception):
    """This form, or this shape of it, has no columnar expression: every row the rule covers is UNSURE."""


def verdict(rule: Rule, v: Values, version: Version) -> pl.Expr | None:
    """PASS / SKIP / UNSURE of *rule* under *version*, per row; None when it has no columnar form."""
    passes = getattr(rule.check, "passes", None)
    if passes is None:
        return None
    try:
        form = passes(v.framework, version)
        if form is None:
            return None
        return _Polars(v).decide(form)
    except (_NoForm, AttributeError, TypeError, ValueError, KeyError):
        return None


class _Polars:
    """Compiles a pass form (gradecheck/kinds/forms.py) to a polars expression over one framework's values."""

    def __init__(self, v: Values) -> None:
        self.v = v

    def decide(self, form: f.Decide) -> pl.Expr:
        return _decide(*[(self.expr(c), verdict) for c, verdict in form.branches], otherwise=form.otherwise)

    def expr(self, node: Any) -> pl.Expr:
        return getattr(self, "_" + type(node).__name__)(node)

    def _flat(self, items: tuple[Any, ...], numbers: bool = True) -> list[pl.Expr]:
        out = []
        for item in items:
            if isinstance(item, f.Members):
                if numbers and item.group not in NUMERIC_GROUPS and item.group in GROUPS:
                    raise _NoForm  # judgements hold grade ranks here, not numbers to add up or compare
                out += self._members(item)
            else:
                out.append(self.expr(item))
        return out

    def _members(self, node: f.Members) -> list[pl.Expr]:
        members = self.v.groups.get(node.group, {})
        return [value for key, value in members.items()
                if (node.pattern is None or fnmatch.fnmatchcase(key, node.pattern))
                and (node.exclude is None or key not in node.exclude)]

    def _Const(self, node: f.Const) -> pl.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _NoForm
        if isinstance(value, float) and math.isnan(value):
            raise _NoForm
        return pl.lit(value, dtype=pl.Int64) if isinstance(value, int) else pl.lit(value, dtype=pl.Float64)

    def _Field(self, node: f.Field) -> pl.Expr:
        if not node.group:
            if node.key in _DATES:
                return self.v.dates.get(node.key, pl.lit(None, dtype=pl.Date))
            if node.key in self.v.raw:
                return self.v.raw[node.key]
            if node.key not in self.v.text and node.key in TEXT_FIELDS:
                return pl.lit(None, dtype=pl.String)  # not a column of this file
            raise _NoForm  # a text: only its presence is known here (see _IsNull)
        return self.v.member(node.group, node.key)

    def _Call(self, node: f.Call) -> pl.Expr:
        fn, per, lead = node.fn, node.per, node.lead
        asked = self.v.asked.setdefault(node, {})

        def run(rows: pl.Series) -> pl.Series:
            frame = rows.struct.unnest()
            if per is None or not lead:
                return pl.Series([fn(*row) for row in frame.iter_rows()], dtype=pl.Int64)
            # Once per distinct leading values (a file names a few hundred authorities, on every row), and fn
            # only on the rows where that cannot say. Two different combinations never meet in one key: texts
            # that hold no NUL or newline (cells of a line: the scan's) are joined by NULs, a newline standing for
            # null; any other values are written each with its length.
            names = frame.columns[:lead]
            if all(frame.schema[n] == pl.String for n in names) and not frame.select(
                    pl.any_horizontal([pl.col(n).str.contains(r"[\x00\n]").any() for n in names])).item():
                key = pl.concat_str([pl.col(n).fill_null("\n") for n in names], separator="\x00")
            else:
                key = pl.concat_str([pl.when(pl.col(n).is_null()).then(pl.lit("-"))
                                     .otherwise(pl.col(n).cast(pl.String).str.len_bytes().cast(pl.String) + ":"
                                                + pl.col(n).cast(pl.String)) for n in names])
            keyed = frame.select(*names, key.alias("key"))
            distinct = keyed.unique(subset="key")
            keys = distinct["key"].to_list()
            if len(asked) >= 1 << 16:
                asked.clear()  # bounded: a file lists an authority's records together, so recent keys recur
            # Only the keys not asked before are read as rows: the block's other frameworks ask of the same
            # authorities, and a file's authorities recur.
            fresh = [k not in asked for k in keys]
            if any(fresh):
                for *values, k in (distinct if all(fresh) else distinct.filter(pl.Series(fresh))).iter_rows():
                    asked[k] = per(*values)
            out = keyed["key"].replace_strict(pl.Series(keys, dtype=pl.String),
                                              pl.Series([asked[k] for k in keys], dtype=pl.Int64),
                                              default=None, return_dtype=pl.Int64)
            todo = out.is_null().arg_true().to_list()
            if not todo:
                return out
            done = out.to_list()
            for i in todo:
                done[i] = fn(*frame.row(i))
            return pl.Series(done, dtype=pl.Int64)

        absent = [isinstance(a, f.Field) and not a.group and a.key not in self.v.raw and a.key not in self.v.dates
                  for a in node.args]
        if all(absent):  # no column to read: one answer for every row (a struct of literals is one row long)
            return pl.lit(fn(*[None] * len(node.args)), dtype=pl.Int64)
        calls = self.v.calls
        if calls is not None and node in calls:
            return pl.col(calls[node][0])
        args = [self.expr(a).alias(f"a{i}") for i, a in enumerate(node.args)]
        out = pl.struct(args).map_batches(run, return_dtype=pl.Int64)
        if calls is None:
            return out
        name = f"call{len(calls)}"
        calls[node] = (name, out)
        return pl.col(name)

    def _Rank(self, node: f.Rank) -> pl.Expr:
        return self.v.member("judgements", node.key)

    def _ranks(self, keys: tuple[str, ...]) -> list[pl.Expr]:
        return [self.v.member("judgements", k) for k in keys]

    def _Best(self, node: f.Best) -> pl.Expr:
        return pl.min_horizontal(self._ranks(node.keys)) if node.keys else _NULL

    def _Worst(self, node: f.Worst) -> pl.Expr:
        return pl.max_horizontal(self._ranks(node.keys)) if node.keys else _NULL

    def _Graded(self, node: f.Graded) -> pl.Expr:
        rank = self.v.rank.get(node.grade)
        if rank is None:
            return _ZERO
        return _sum([(g == rank).cast(pl.Int64) for g in self._ranks(node.keys)])

    def _Sum(self, node: f.Sum) -> pl.Expr:
        return _sum(self._flat(node.items))

    def _Count(self, node: f.Count) -> pl.Expr:
        return _count(self._flat(node.items, numbers=False))

    def _Max(self, node: f.Max) -> pl.Expr:
        items = self._flat(node.items)
        return pl.max_horizontal(items) if items else _NULL

    def _Min(self, node: f.Min) -> pl.Expr:
        items = self._flat(node.items)
        return pl.min_horizontal(items) if items else _NULL

    def _Cmp(self, node: f.Cmp) -> pl.Expr:
        a, b = self.expr(node.left), self.expr(node.right)
        if a is _NULL or b is _NULL:  # a comparison with a null is false
            return _FALSE
        out = {"<": a < b, "<=": a <= b, "==": a == b, "!=": a != b, ">": a > b, ">=": a >= b}[node.op]
        return out.fill_null(_FALSE)

    def _Arith(self, node: f.Arith) -> pl.Expr:
        a, b = self.expr(node.left), self.expr(node.right)
        if a is _NULL or b is _NULL:  # arithmetic with a null is null
            return _NULL
        if node.op == "/":
            return pl.when(b != 0).then(a / b)
        return {"+": a + b, "-": a - b, "*": a * b}[node.op]

    def _Abs(self, node: f.Abs) -> pl.Expr:
        return self.expr(node.of).abs()

    def _IsNull(self, node: f.IsNull) -> pl.Expr:
        of = node.of
        if isinstance(of, f.Field) and not of.group:
            top = self.v.top(of.key)
            return _TRUE if top is _FALSE else _FALSE if top is _TRUE else ~top
        inner = self.expr(of)
        return _TRUE if inner is _NULL else inner.is_null()

    def _NonEmpty(self, node: f.NonEmpty) -> pl.Expr:
        return self.v.nonempty(node.group)

    def _And(self, node: f.And) -> pl.Expr:
        return _all([self.expr(i) for i in node.items])

    def _Or(self, node: f.Or) -> pl.Expr:
        return _any([self.expr(i) for i in node.items])

    def _Not(self, node: f.Not) -> pl.Expr:
        return _not(self.expr(node.of))

    def _Ordered(self, node: f.Ordered) -> pl.Expr:
        days = [self.expr(i) for i in node.items]
        present = [d.is_not_null() for d in days]
        wrong = []
        for i in range(len(days)):
            for j in range(i + 1, len(days)):
                # i and j are neighbours among the values present when every value between them is absent.
                neighbours = _all([present[i], present[j], *[~present[k] for k in range(i + 1, j)]])
                out = days[i] >= days[j] if node.strict else days[i] > days[j]
                wrong.append(neighbours & out.fill_null(_FALSE))
        return ~_any(wrong)
