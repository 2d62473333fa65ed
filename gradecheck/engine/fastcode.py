"""
The fast path's rules as generated code: each rule's pass form becomes a few lines of Python.

Each kind says once, as a form (gradecheck/kinds/forms.py), when a record surely passes one of its
rules; :class:`Compiler` turns forms into straight-line Python over the values the fast reader read.
A version's rules are joined into one function (as attrs generates its methods) so that a record
costs one call, not one call per rule and per reading step. The same lines serve twice: in a
version's ``run(top, groups, day)``, for records read by the general reader, and inside the function
that reads one shape of record and judges it in the same frame (gradecheck/engine/fastpath.py). Every
constant (names, numbers, sets, the selectors of glob patterns) is passed in the function's namespace
under a generated name, so nothing from a rule file ever becomes code.

Each verdict is PASS (applies and passes), SKIP (does not apply) or UNSURE (ask the ordinary path).
The code only ever decides "passes": anything it cannot be sure of, it leaves to the ordinary path,
which alone reports. tests/test_fastpath.py checks both paths agree on generated records and mutants.
"""

from __future__ import annotations

import fnmatch
import math
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C loop
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from operator import itemgetter
from typing import Any

from ..frameworks import Framework, Version
from ..kinds import forms as f
from ..ruleset import Rule

PASS, SKIP, UNSURE = f.PASS, f.SKIP, f.UNSURE
Groups = dict[str, dict[str, Any]]
Check = Callable[[dict[str, Any], Groups], int]


class Unsure(Exception):
    """Raised inside the fast path's reading: this record needs the ordinary path."""


def fetcher(keys: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """itemgetter for *keys*, always giving a tuple (itemgetter of one key gives the bare value)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda row: (row[key],)
    return itemgetter(*keys) if keys else (lambda row: ())


Aggregate = tuple[dict[str, int], int | None, int | None]


def _aggregator(keys: tuple[str, ...], rank: Mapping[str, int]) -> Callable[[dict[str, str]], Aggregate]:
    """
    How many of some judgements got each grade, and the best and worst rank given.

    The overall and agree rules often read the same 22 judgements; the generated code asks once a
    record and keeps the answer in a local. The tally is Counter's own C loop without Counter's
    Python-level set-up, a third of the cost here.
    """
    fetch = fetcher(keys)
    # The answer for each tuple of grades given: a file's records give a few hundred of them. The generated
    # code only reads a tally, so records that gave the same grades share one.
    known: dict[tuple[str, ...], Aggregate] = {}

    def aggregate(judgements: dict[str, str]) -> Aggregate:
        try:
            given = fetch(judgements)
        except KeyError:
            given = tuple([judgements[k] for k in keys if k in judgements])
        found = known.get(given)
        if found is not None:
            return found
        tally: dict[str, int] = {}
        _count_elements(tally, given)
        if not tally:
            found = (tally, None, None)
        else:
            seen = list(map(rank.__getitem__, tally))
            found = (tally, min(seen), max(seen))
        if len(known) < 4096:
            known[given] = found
        return found

    return aggregate


class Source:
    """Generated lines and the namespace their constants live in, under generated names only."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"PASS": PASS, "SKIP": SKIP, "UNSURE": UNSURE}
        self._names: dict[int, str] = {}
        self._fresh = 0
        self.groups: dict[str, str] = {}  # group name → the local holding its members (or None)
        self.tops: dict[str, str] = {}  # top-level field → the local holding its value (or None)

    def const(self, value: Any) -> str:
        """A generated name bound to *value* (one name per object, kept alive by the namespace)."""
        name = self._names.get(id(value))
        if name is None:
            name = self._names[id(value)] = self.fresh("k")
            self.namespace[name] = value
        return name

    def fresh(self, stem: str) -> str:
        self._fresh += 1
        return f"{stem}{self._fresh}"

    def group(self, name: str) -> str:
        """The local holding a group's members: a non-empty dict, or None."""
        local = self.groups.get(name)
        if local is None:
            local = self.groups[name] = f"g{len(self.groups)}"
        return local

    def top(self, key: str) -> str:
        """The local holding a top-level field's value (a date, a non-blank text), or None."""
        local = self.tops.get(key)
        if local is None:
            local = self.tops[key] = f"T{len(self.tops)}"
        return local

    def compile(self, lines: list[str], what: str) -> Callable[..., Any]:
        source = "\n".join(lines) + "\n"
        exec(compile(source, f"<gradecheck fast path: {what}>", "exec"), self.namespace)
        return self.namespace[what]


def indent(lines: list[str], by: int = 1) -> list[str]:
    pad = "    " * by
    return [pad + line for line in lines]


class Compiler:
    """
    Compiles the pass forms of one framework version's rules (gradecheck/kinds/forms.py) to Python lines.

    Every value a form reads, and every subform, is computed once a record, straight-line, into a
    local of its own (rules share them: the same field read by five rules is read once); each rule
    then sets ``out`` from its Decide. The lines read a group's members from the local
    :meth:`Source.group` names (None, or a dict of present members) and a top-level field from the
    local :meth:`Source.top` names (None when absent); whoever runs the lines binds those.
    """

    def __init__(self, framework: Framework, version: Version, src: Source) -> None:
        self.framework = framework
        self.version = version
        self.src = src
        scale = framework.scale
        self.rank = {g: i for i, g in enumerate(scale.names)} if scale else {}
        self.pre: list[str] = []  # the version's first lines: its tallies start empty (see _aggregate)
        self.aggregators: dict[Any, str] = {}  # judgement keys → the local tallying them; a Call → its local
        self.lines: list[str] = []  # the computations the branch being compiled needs
        self.memo: dict[Any, tuple[str, bool]] = {}  # subform → (its code, whether it may be None), within a rule
        # The groups the rule being compiled reads; None once it reads anything else (a top-level field, a
        # Call, its dates). Its verdict is then a function of those groups' members alone (see verdict_lines).
        self.reads: set[str] | None = set()

    def rule(self, rule: Rule) -> list[str] | None:
        """The lines for *rule*, guarded by its dates; None when it has no fast form."""
        self.reads = set()
        passes = getattr(rule.check, "passes", None)
        if passes is None:
            return None
        try:
            form = passes(self.framework, self.version)
            if form is None:
                return None
            self.memo = {}
            lines = self.decide(form.branches, form.otherwise)
        except (AttributeError, TypeError, ValueError, KeyError):
            return None  # a rule object shaped unlike its kind: the ordinary path will judge (and report) it
        if rule.start is not None or rule.end is not None:
            self.reads = None
        outside = []
        if rule.start is not None:
            outside.append(f"day < {self.src.const(rule.start)}")
        if rule.end is not None:
            outside.append(f"day > {self.src.const(rule.end)}")
        if outside:
            return [f"if {' or '.join(outside)}:", "    out = SKIP", "else:", *indent(lines)]
        return lines

    def decide(self, branches: tuple[tuple[Any, int], ...], otherwise: int) -> list[str]:
        """
        A Decide as nested ifs, each condition computed only when the branches before it did not hold
        (what a branch computed stays in scope for the later ones, so it is computed once).
        """
        if not branches:
            return [f"out = {_VERDICTS[otherwise]}"]
        (condition, verdict), rest = branches[0], branches[1:]
        self.lines = []
        code, _ = self.expr(condition)
        lines = self.lines
        if code == "True":
            return [*lines, f"out = {_VERDICTS[verdict]}"]
        if code == "False":
            return [*lines, *self.decide(rest, otherwise)]
        return [*lines, f"if {code}:", f"    out = {_VERDICTS[verdict]}",
                "else:", *indent(self.decide(rest, otherwise))]

    # --- expressions: each gives (code, may be None) --------------------------------------------
    def expr(self, node: Any) -> tuple[str, bool]:
        key = (node, type(getattr(node, "value", None)))
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = getattr(self, "_" + type(node).__name__)(node)
        return found

    def local(self, code: str, nullable: bool) -> tuple[str, bool]:
        """*code* computed once into a fresh local."""
        name = self.src.fresh("e")
        self.lines.append(f"{name} = {code}")
        return name, nullable

    def _Const(self, node: f.Const) -> tuple[str, bool]:
        value = node.value
        if value is None or type(value) in (bool, int) or (type(value) is float and math.isfinite(value)):
            return repr(value), value is None
        return self.src.const(value), False

    def _read(self, group: str) -> str:
        """The local holding *group*'s members, noting that the rule reads it."""
        if self.reads is not None:
            self.reads.add(group)
        return self.src.group(group)

    def _Field(self, node: f.Field) -> tuple[str, bool]:
        if not node.group:
            self.reads = None
            return self.src.top(node.key), True
        group = self._read(node.group)
        return self.local(f"{group}.get({self.src.const(node.key)}) if {group} else None", True)

    def _Rank(self, node: f.Rank) -> tuple[str, bool]:
        grade, _ = self.expr(f.Field("judgements", node.key))
        return self.local(f"{self.src.const(self.rank)}.get({grade})", True)

    def _aggregate(self, keys: tuple[str, ...]) -> str:
        """
        The local holding the tally of *keys*' grades and their best and worst rank (see _aggregator).

        Several rules read the same judgements (SLAC's overall and agree rules, its 22): the tally is
        made by the first rule that needs it on a record, and kept in a local the version starts empty.
        """
        local = self.aggregators.get(keys)
        if local is None:
            local = self.aggregators[keys] = self.src.fresh("a")
            self.pre.append(f"{local} = None")
        if ("aggregate", keys) not in self.memo:
            group = self._read("judgements")
            count = self.src.const(_aggregator(keys, self.rank))
            self.lines += [f"if {local} is None:", f"    {local} = {count}({group}) if {group} else {_NOTHING}"]
            self.memo[("aggregate", keys)] = (local, False)
        return local

    # One or two judgements are compared one by one; more (SLAC's 22) are tallied once, in C (see _aggregator).
    _FEW = 1

    def _Best(self, node: f.Best) -> tuple[str, bool]:
        if len(node.keys) <= self._FEW:
            return self._extreme(tuple(f.Rank(k) for k in node.keys), "min")
        return f"{self._aggregate(node.keys)}[1]", True

    def _Worst(self, node: f.Worst) -> tuple[str, bool]:
        if len(node.keys) <= self._FEW:
            return self._extreme(tuple(f.Rank(k) for k in node.keys), "max")
        return f"{self._aggregate(node.keys)}[2]", True

    def _Graded(self, node: f.Graded) -> tuple[str, bool]:
        if len(node.keys) <= self._FEW:
            grade = self.src.const(node.grade)
            terms = [f"({self.expr(f.Field('judgements', k))[0]} == {grade})" for k in node.keys]
            return self.local(" + ".join(terms) or "0", False)
        return self.local(f"{self._aggregate(node.keys)}[0].get({self.src.const(node.grade)}, 0)", False)

    def _members(self, node: f.Members, how: str) -> str:
        """Code for the present members of a group: their values (*how* = "values") or their number ("len")."""
        group = self._read(node.group)
        if node.exclude is not None:
            known = self.src.const(node.exclude)
            if how == "len":  # the members outside a known set: usually none, which issuperset says in C
                return f"(len({group}.keys() - {known}) if {group} and not {known}.issuperset({group}) else 0)"
            return f"([v for k, v in {group}.items() if k not in {known}] if {group} else ())"
        if node.pattern is not None:
            found = self.memo.get(("select", node))
            if found is None:  # selected once a record, however many subforms read the selection
                select = self.src.const(_selector(node.pattern))
                found = self.memo[("select", node)] = self.local(f"{select}({group}) if {group} else ()", False)
            return f"len({found[0]})" if how == "len" else found[0]
        return f"(len({group}) if {group} else 0)" if how == "len" else f"({group}.values() if {group} else ())"

    def _terms(self, items: tuple[Any, ...]) -> tuple[list[tuple[str, bool]], list[f.Members]]:
        scalars = [self.expr(i) for i in items if not isinstance(i, f.Members)]
        return scalars, [i for i in items if isinstance(i, f.Members)]

    def _Sum(self, node: f.Sum) -> tuple[str, bool]:
        scalars, groups = self._terms(node.items)
        terms = [f"sum({self._members(g, 'values')})" for g in groups]
        terms += [f"({c} or 0)" if nullable else c for c, nullable in scalars]
        return self.local(" + ".join(terms) or "0", False)

    def _Count(self, node: f.Count) -> tuple[str, bool]:
        scalars, groups = self._terms(node.items)
        terms = [self._members(g, "len") for g in groups]
        terms += [f"({c} is not None)" if nullable else "1" for c, nullable in scalars]
        return self.local(" + ".join(terms) or "0", False)

    def _extreme(self, items: tuple[Any, ...], which: str) -> tuple[str, bool]:
        scalars, groups = self._terms(items)
        if not groups and not scalars:
            return "None", True  # the extreme of nothing, as min((), default=None)
        if not groups and len(scalars) == 1:
            return scalars[0]
        if not groups and len(scalars) == 2:
            (a, an), (b, bn) = scalars
            better = "<" if which == "min" else ">"
            return self.local(f"{b} if {a} is None or ({b} is not None and {b} {better} {a}) else {a}", an and bn)
        values = [c for c, _ in scalars]
        parts = [f"[x for x in ({', '.join(values)},) if x is not None]"] if values else []
        parts += [self._members(g, "values") for g in groups]  # chained, not copied into one list
        joined = parts[0] if len(parts) == 1 else f"{self.src.const(chain)}({', '.join(parts)})"
        code = f"{which}({joined}, default=None)"
        # Groups alone, none of them with members (a visit has no counts at all): None without building anything.
        if not scalars and all(g.exclude is None for g in groups):
            present = [self._read(g.group) if g.pattern is None else self._members(g, "values") for g in groups]
            code = f"({code} if {' or '.join(present)} else None)"
        return self.local(code, True)

    def _Max(self, node: f.Max) -> tuple[str, bool]:
        return self._extreme(node.items, "max")

    def _Min(self, node: f.Min) -> tuple[str, bool]:
        return self._extreme(node.items, "min")

    def _Cmp(self, node: f.Cmp) -> tuple[str, bool]:
        (a, an), (b, bn) = self.expr(node.left), self.expr(node.right)
        checks = [f"{x} is not None" for x, nullable in ((a, an), (b, bn)) if nullable]
        return self.local(" and ".join([*checks, f"{a} {node.op} {b}"]), False)

    def _Arith(self, node: f.Arith) -> tuple[str, bool]:
        (a, an), (b, bn) = self.expr(node.left), self.expr(node.right)
        nulls = [f"{x} is None" for x, nullable in ((a, an), (b, bn)) if nullable]
        if node.op == "/":
            nulls.append(f"{b} == 0")
        if node.op not in ("+", "-", "*", "/"):
            raise ValueError(f"unknown operation {node.op!r}")
        code = f"{a} {node.op} {b}"
        return self.local(f"None if {' or '.join(nulls)} else {code}" if nulls else code, bool(nulls))

    def _Abs(self, node: f.Abs) -> tuple[str, bool]:
        x, nullable = self.expr(node.of)
        return self.local(f"None if {x} is None else abs({x})" if nullable else f"abs({x})", nullable)

    def _Call(self, node: f.Call) -> tuple[str, bool]:
        """
        As _aggregate: a local the version starts as None, computed by the first rule that needs it on a
        record (rules A101 and A102 ask the register the same question).
        """
        self.reads = None  # fn may read more than its args (the register)
        local = self.aggregators.get(node)
        if local is None:
            local = self.aggregators[node] = self.src.fresh("c")
            self.pre.append(f"{local} = None")
        args = ", ".join(self.expr(a)[0] for a in node.args)
        self.lines += [f"if {local} is None:", f"    {local} = {self.src.const(node.fn)}({args})"]
        return local, False

    def _IsNull(self, node: f.IsNull) -> tuple[str, bool]:
        x, nullable = self.expr(node.of)
        return (f"{x} is None", False) if nullable else ("False", False)

    def _NonEmpty(self, node: f.NonEmpty) -> tuple[str, bool]:
        return f"bool({self._read(node.group)})", False

    def _And(self, node: f.And) -> tuple[str, bool]:
        return self._junction(node.items, "and", "True", "False")

    def _Or(self, node: f.Or) -> tuple[str, bool]:
        return self._junction(node.items, "or", "False", "True")

    def _junction(self, items: tuple[Any, ...], word: str, neutral: str, absorbing: str) -> tuple[str, bool]:
        codes = [c for c in (self.expr(i)[0] for i in items) if c != neutral]
        if absorbing in codes or not codes:
            return (absorbing if codes else neutral), False
        if len(codes) == 1:
            return codes[0], False
        return self.local(f" {word} ".join(f"({c})" for c in codes), False)

    def _Not(self, node: f.Not) -> tuple[str, bool]:
        code, _ = self.expr(node.of)
        return {"True": ("False", False), "False": ("True", False)}.get(code) or self.local(f"not ({code})", False)

    def _Ordered(self, node: f.Ordered) -> tuple[str, bool]:
        values = [self.expr(i) for i in node.items]
        wrong = []
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                # i and j are neighbours among the values present when every value between them is absent.
                between = [f"{values[k][0]} is None" for k in range(i + 1, j)]
                a, b = values[i][0], values[j][0]
                out = f"{a} >= {b}" if node.strict else f"{a} > {b}"
                wrong.append(" and ".join([f"{a} is not None", f"{b} is not None", *between, out]))
        return self.local(" or ".join(f"({w})" for w in wrong) or "False", False) if False else \
            self.local(f"not ({' or '.join(f'({w})' for w in wrong)})" if wrong else "True", False)


_VERDICTS = {PASS: "PASS", SKIP: "SKIP", UNSURE: "UNSURE"}
_NOTHING = "({}, None, None)"


def _selector(pattern: str) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    """
    The values of a group's members whose keys match a glob. A file's records share a few key sets: which
    keys of a set match is decided once, and most sets have none.
    """
    chosen: dict[tuple[str, ...], Callable[[dict[str, Any]], tuple[Any, ...]]] = {}

    def none(members: dict[str, Any]) -> tuple[Any, ...]:
        return ()

    def select(members: dict[str, Any]) -> tuple[Any, ...]:
        keys = tuple(members)
        fetch = chosen.get(keys)
        if fetch is None:
            matched = tuple(k for k in keys if fnmatch.fnmatchcase(k, pattern))
            fetch = fetcher(matched) if matched else none
            if len(chosen) < 4096:
                chosen[keys] = fetch
        return fetch(members)

    return select


#: Groups whose members take few values across a file (grades, and how many got each): a verdict that reads
#: only these is remembered by their members (see verdict_lines). Populations and facts vary record by record.
_KEYED = frozenset({"judgements", "grade_counts"})
#: A version's remembered verdicts, at most: odd data cannot grow them, and past it a record is judged as usual.
_REMEMBERED = 4096


def verdict_lines(bodies: list[list[str]], pre: Iterable[str], reads: list[set[str] | None],
                  src: Source) -> tuple[list[str], str]:
    """
    One version's shared computations, then its rule bodies setting v0, v1, ...; and the verdict tuple's expression.

    The rules whose verdict is a function of the judgements and grade counts alone (*reads*, each rule's groups
    as the Compiler noted them) are judged once for each set of members, and the verdicts are remembered: a
    file's records give a few hundred such sets, and these rules (the overall grade's, the counts') took a
    fifth of a graded inspection's fast check. The key is the members in the order given: the same members in
    another order only make a second entry, never a different verdict. A tally or a Call that a remembered rule
    would have made is made by the next rule that needs it: each starts the record as None (see _aggregate).
    """
    lines = list(pre)
    shared = [i for i, r in enumerate(reads) if r and r <= _KEYED]  # None, or no group at all: not remembered
    if len(shared) < 2:  # a key and a lookup cost about what one small rule does
        shared = []
    if shared:
        groups = [src.group(g) for g in sorted(set().union(*(reads[i] for i in shared)))]  # type: ignore[misc]
        memo, key, found = src.const({}), src.fresh("mk"), src.fresh("mv")
        names = "".join(f"v{i}, " for i in shared)
        # Each group as its keys and its values, two flat tuples: the 1,500 sets of members of a million records
        # took 324 KiB so, and 909 KiB as (name, grade) pairs (tracemalloc).
        members = "".join(f"tuple({g}) if {g} else None, tuple({g}.values()) if {g} else None, " for g in groups)
        lines += [f"{key} = ({members})",
                  f"{found} = {memo}.get({key})", f"if {found} is None:"]
        for i in shared:
            lines += indent([*bodies[i], f"v{i} = out"])
        lines += [f"    {found} = ({names})", f"    if len({memo}) < {_REMEMBERED}:",
                  f"        {memo}[{key}] = {found}", "else:", f"    {names} = {found}"]
    for i, body in enumerate(bodies):
        if i not in shared:
            lines += [*body, f"v{i} = out"]
    return lines, "(" + "".join(f"v{i}, " for i in range(len(bodies))) + ")"
