"""
The fast path's rules as generated code: each rule of a framework version becomes a few lines of Python.

A version's rules are joined into one function (as attrs generates its methods) so that a record
costs one call, not one call per rule and per reading step. The same lines serve twice: in a
version's ``run(top, groups, day)``, for records read by the general reader, and inside the function
that reads one shape of record and judges it in the same frame (see :func:`shaped`). Every constant
(names, numbers, sets, the few closures kept for rare forms) is passed in the function's namespace
under a generated name, so nothing from a rule file ever becomes code.

Each verdict is PASS (applies and passes), SKIP (does not apply) or UNSURE (ask the ordinary path).
The code only ever decides "passes": anything it cannot be sure of, it leaves to the ordinary path,
which alone reports. tests/test_fastpath.py checks both paths agree on generated records and mutants.
"""

from __future__ import annotations

import fnmatch
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C loop
from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from typing import Any

from ..frameworks import Framework, Version
from ..records import DATE_FIELDS
from ..ruleset import Rule
from ..values import MISSING

PASS, SKIP, UNSURE = 1, 0, -1
Groups = dict[str, dict[str, Any]]
Check = Callable[[dict[str, Any], Groups], int]
_DATES = frozenset(DATE_FIELDS)
_INTS = frozenset({int})


class Unsure(Exception):
    """Raised inside the fast path's reading: this record needs the ordinary path."""


def field_ref(name: str) -> tuple[str, str | None]:
    """``populations.looked_after`` → (populations, looked_after); ``grade_counts.*`` → (grade_counts, None)."""
    group, dot, key = name.partition(".")
    if not dot:
        return ("", group)
    return (group, None if key == "*" else key)


def is_glob(name: str) -> bool:
    return any(c in name for c in "*?[")


def judgement_keys(names: list[str]) -> list[str] | None:
    """``judgements.x`` names as bare judgement keys; None when one is a glob or not a judgement."""
    if any(is_glob(n) or not n.startswith("judgements.") for n in names):
        return None
    return [n.split(".", 1)[1] for n in names]


def total_parts(version: Version, parts: tuple[str, ...]) -> tuple[list[tuple[str, str | None]], list[str]] | None:
    """A total's parts as (named values, whole groups ``g.*``); None when some part is another glob."""
    names = version.expand(parts)
    if any(is_glob(n) and not n.endswith(".*") for n in names):
        return None
    refs = [field_ref(n) for n in names]
    return [r for r in refs if r[1] is not None], [r[0] for r in refs if r[1] is None]


def _get(top: dict[str, Any], groups: Groups, ref: tuple[str, str | None]) -> Any:
    group, key = ref
    if not group:
        return top.get(key, MISSING)
    return groups.get(group, {}).get(key, MISSING)


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

    def aggregate(judgements: dict[str, str]) -> Aggregate:
        try:
            given = fetch(judgements)
        except KeyError:
            given = [judgements[k] for k in keys if k in judgements]
        tally: dict[str, int] = {}
        _count_elements(tally, given)
        if not tally:
            return (tally, None, None)
        seen = list(map(rank.__getitem__, tally))
        return (tally, min(seen), max(seen))

    return aggregate


class Source:
    """Generated lines and the namespace their constants live in, under generated names only."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"MISSING": MISSING, "PASS": PASS, "SKIP": SKIP, "UNSURE": UNSURE}
        self._names: dict[int, str] = {}
        self._fresh = 0
        self.groups: dict[str, str] = {}  # group name → the local holding its members (or None)

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

    def compile(self, lines: list[str], what: str) -> Callable[..., Any]:
        source = "\n".join(lines) + "\n"
        exec(compile(source, f"<gradecheck fast path: {what}>", "exec"), self.namespace)
        return self.namespace[what]


def indent(lines: list[str], by: int = 1) -> list[str]:
    pad = "    " * by
    return [pad + line for line in lines]


class Compiler:
    """
    Turns one rule, for one framework version, into lines that set ``out``; None when the kind has no fast form.

    The lines read the record's top-level values from ``top``, its groups from the locals
    :meth:`Source.group` names, and the date from ``day``. The common forms are written out inline;
    rare forms (several groups summed, a glob of fields) call a closure kept in the namespace.
    """

    def __init__(self, framework: Framework, version: Version, src: Source) -> None:
        self.framework = framework
        self.version = version
        self.src = src
        scale = framework.scale
        self.rank = {g: i for i, g in enumerate(scale.names)} if scale else {}
        self.aggregators: dict[tuple[str, ...], tuple[str, str]] = {}  # key set → (its local, its function's name)
        self.dicts = False  # whether some line reads the record's values from the dicts ``top`` and ``groups``

    def expand(self, names: tuple[str, ...]) -> list[str]:
        return self.version.expand(names)

    def aggregate(self, keys: tuple[str, ...]) -> tuple[str, list[str]]:
        """The local holding the aggregate of *keys*, and the lines that fill it if nothing has yet."""
        found = self.aggregators.get(keys)
        if found is None:
            found = self.aggregators[keys] = (self.src.fresh("a"), self.src.const(_aggregator(keys, self.rank)))
        local, count = found
        return local, [f"if {local} is None:", f"    {local} = {count}({self.src.group('judgements')})"]

    def rule(self, rule: Rule) -> list[str] | None:
        """The lines for *rule*, guarded by its dates; None when it has no fast form."""
        method = getattr(self, "_" + rule.kind, None)
        if method is None:
            return None
        try:
            lines = method(rule.check)
        except (AttributeError, TypeError, ValueError):
            return None  # a rule object shaped unlike its kind: the ordinary path will judge (and report) it
        if lines is None:
            return None
        outside = []
        if rule.start is not None:
            outside.append(f"day < {self.src.const(rule.start)}")
        if rule.end is not None:
            outside.append(f"day > {self.src.const(rule.end)}")
        if outside:
            return [f"if {' or '.join(outside)}:", "    out = SKIP", "else:", *indent(lines)]
        return lines

    def closure(self, check: Check) -> list[str]:
        self.dicts = True
        return [f"out = {self.src.const(check)}(top, groups)"]

    def value(self, ref: tuple[str, str | None]) -> str:
        """An expression for one named value, MISSING when absent."""
        group, key = ref
        if not group:
            self.dicts = True
            return f"top.get({self.src.const(key)}, MISSING)"
        local = self.src.group(group)
        return f"({local}.get({self.src.const(key)}, MISSING) if {local} else MISSING)"

    # --- kinds --------------------------------------------------------------------------------
    def _total(self, c: Any) -> list[str] | None:
        split = total_parts(self.version, c.parts)
        if split is None:
            return None
        named, wholes = split
        if isinstance(c.equals, int) or c.equals == "@graded_items":
            items = c.equals if isinstance(c.equals, int) else self.version.graded_items
            expected = MISSING if items is None else items
            target = self.src.const(expected)
            target_of: Callable[[dict, Groups], Any] = lambda top, groups: expected  # noqa: E731
        else:
            expected = None
            ref = field_ref(c.equals)
            target = self.value(ref)
            target_of = lambda top, groups: _get(top, groups, ref)  # noqa: E731
        if len(wholes) == 1 and not named:
            members = self.src.group(wholes[0])
            if type(expected) is int:  # a whole number to add up to: nothing in it to check
                return [f"out = (PASS if sum({members}.values()) == {target} else UNSURE) if {members} else SKIP"]
            return [f"if not {members}:", "    out = SKIP", "else:",
                    f"    x = {target}",
                    "    if x is MISSING:", "        out = SKIP",
                    "    elif type(x) is not int and type(x) is not float:", "        out = UNSURE",
                    "    else:", f"        out = PASS if sum({members}.values()) == x else UNSURE"]
        return self.closure(self._total_any(wholes, named, c.missing_parts == "unknown", target_of))

    @staticmethod
    def _total_any(wholes: list[str], named: list[tuple[str, str | None]], unknown_if_missing: bool,
                   target: Callable[[dict, Groups], Any]) -> Check:
        def check(top: dict[str, Any], groups: Groups) -> int:
            seen: dict[tuple[str, str], Any] = {}
            for group in wholes:
                for key, value in groups.get(group, {}).items():
                    seen[(group, key)] = value
            missing = False
            for group, key in named:
                value = groups.get(group, {}).get(key, MISSING) if group else top.get(key, MISSING)
                if value is MISSING:
                    missing = True
                else:
                    seen[(group, key)] = value
            expected = target(top, groups)
            if not seen or expected is MISSING:
                return SKIP
            if missing and unknown_if_missing:
                return UNSURE
            if type(expected) not in (int, float):
                return UNSURE
            return PASS if sum(seen.values()) == expected else UNSURE

        return check

    def _within(self, c: Any) -> list[str] | None:
        names = self.expand(c.parts)
        if any(is_glob(n) for n in names) or is_glob(c.whole):
            return None
        whole_ref = field_ref(c.whole)
        refs = [field_ref(n) for n in dict.fromkeys(names)]
        disjoint, exact = c.disjoint, c.exact
        if whole_ref[0] and all(r[0] == whole_ref[0] for r in refs):
            return self._within_group(whole_ref, [r[1] for r in refs], disjoint, exact)

        def check(top: dict[str, Any], groups: Groups) -> int:
            whole = _get(top, groups, whole_ref)
            present = [v for v in (_get(top, groups, r) for r in refs) if v is not MISSING]
            if whole is MISSING or not present:
                return SKIP
            if type(whole) not in (int, float):
                return UNSURE
            if not disjoint:
                return PASS if max(present) <= whole else UNSURE
            total = sum(present)
            if total > whole or (exact and (total != whole or len(present) != len(refs))):
                return UNSURE
            return PASS

        return self.closure(check)

    def _within_group(self, whole_ref: tuple[str, str | None], keys: list[str], disjoint: bool,
                      exact: bool) -> list[str]:
        """Parts and whole in one group: the parts are summed (or their largest taken) inline, one key at a time."""
        members = self.src.group(whole_ref[0])
        lines = [f"w = {members}.get({self.src.const(whole_ref[1])})", "if w is None:", "    out = SKIP", "else:",
                 "    t = n = 0" if disjoint else "    n = 0", *([] if disjoint else ["    big = None"])]
        for key in keys:
            lines += [f"    x = {members}.get({self.src.const(key)})", "    if x is not None:", "        n += 1"]
            lines += ["        t += x"] if disjoint else ["        if big is None or x > big:", "            big = x"]
        lines += ["    if not n:", "        out = SKIP"]
        if not disjoint:
            lines += ["    else:", "        out = PASS if big <= w else UNSURE"]
        elif exact:
            lines += [f"    elif t != w or n != {self.src.const(len(keys))}:", "        out = UNSURE",
                      "    else:", "        out = PASS"]
        else:
            lines += ["    else:", "        out = PASS if t <= w else UNSURE"]
        return [f"if not {members}:", "    out = SKIP", "else:", *indent(lines)]

    def _range(self, c: Any) -> list[str] | None:
        specs = []
        for name in c.fields:
            group, _, key = name.partition(".")
            if not key or is_glob(group):
                return None
            specs.append((group, key))
        lo = -float("inf") if c.min is None else c.min
        hi = float("inf") if c.max is None else c.max
        matches: dict[tuple[str, str], bool] = {}

        def check(top: dict[str, Any], groups: Groups) -> int:
            found = False
            for group, pattern in specs:
                members = groups.get(group)
                if not members:
                    continue
                for key, value in members.items():
                    hit = matches.get((pattern, key))
                    if hit is None:
                        hit = matches[(pattern, key)] = fnmatch.fnmatchcase(key, pattern)
                    if hit:
                        found = True
                        if not lo <= value <= hi:
                            return UNSURE
            return PASS if found else SKIP

        return self.closure(check)

    def _overall(self, c: Any) -> list[str] | None:
        overall = judgement_keys(self.expand((c.overall,)))
        feeds = judgement_keys(self.expand(c.feeds))
        if overall is None or feeds is None:
            return None
        if not overall:
            return ["out = SKIP"]
        okey = overall[0]
        aggregate, fill = self.aggregate(tuple(f for f in feeds if f != okey))
        judgements, rank = self.src.group("judgements"), self.src.const(self.rank)
        if c.better_than_worst is not None:
            verdict = f"PASS if {aggregate}[2] - {rank}[o] <= {self.src.const(c.better_than_worst)} else UNSURE"
        else:
            verdict = f"PASS if {aggregate}[1] <= {rank}[o] <= {aggregate}[2] else UNSURE"
        return [f"o = {judgements}.get({self.src.const(okey)}) if {judgements} else None",
                "if o is None:", "    out = SKIP", "else:", *indent(fill),
                f"    out = SKIP if {aggregate}[1] is None else {verdict}"]

    def _implies(self, c: Any) -> list[str] | None:
        when = judgement_keys(self.expand(c.when))
        then = judgement_keys(self.expand(c.then))
        if when is None or then is None:
            return None
        grade, target, needs_any = c.grade, c.then_grade or c.grade, c.then_needs == "any"

        def check(top: dict[str, Any], groups: Groups) -> int:
            judgements = groups.get("judgements")
            if not judgements:
                return SKIP
            w = [judgements[k] for k in when if k in judgements]
            t = [judgements[k] for k in then if k in judgements]
            if not w or not t:
                return SKIP
            if grade not in w:
                return PASS
            hits = [v == target for v in t]
            return PASS if (any(hits) if needs_any else all(hits)) else UNSURE

        return self.closure(check)

    def _agree(self, c: Any) -> list[str] | None:
        listed = judgement_keys(self.expand(c.grades))
        if c.counts != "grade_counts.*" or listed is None:
            return None
        aggregate, fill = self.aggregate(tuple(listed))
        counts, judgements = self.src.group("grade_counts"), self.src.group("judgements")
        return [f"if not {counts} or not {judgements}:", "    out = SKIP", "else:", *indent(fill),
                f"    if {aggregate}[1] is None:", "        out = SKIP", "    else:", "        out = PASS",
                f"        for x, n in {aggregate}[0].items():",
                f"            if n > {counts}.get(x, 0):", "                out = UNSURE", "                break"]

    def _scale(self, c: Any) -> list[str] | None:
        members = self.src.group("grade_counts" if c.check == "count_keys" else "judgements")
        if c.check == "judgement_names":
            known = self.src.const(frozenset(self.framework.judgements))
            verdict = f"PASS if {known}.issuperset({members}) else UNSURE"
        else:
            verdict = "PASS" if self.framework.scale is not None else "SKIP"
        return [f"out = {verdict} if {members} else SKIP"]

    def _order(self, c: Any) -> list[str] | None:
        if not all(f in _DATES for f in c.fields):
            return None
        fields, strict = c.fields, c.strict

        def check(top: dict[str, Any], groups: Groups) -> int:
            present = [top[f] for f in fields if f in top]
            if len(present) < 2:
                return SKIP
            for a, b in zip(present, present[1:]):
                if a > b or (strict and a == b):
                    return UNSURE
            return PASS

        return self.closure(check)

    def _present(self, c: Any) -> list[str] | None:
        names = self.expand(c.fields)
        if any(is_glob(n) for n in names):
            return None
        refs = [field_ref(n) for n in names]
        return self.closure(lambda top, groups: PASS if all(_get(top, groups, r) is not MISSING for r in refs)
                            else UNSURE)

    def _absent(self, c: Any) -> list[str] | None:
        specs = []
        for name in self.expand(c.fields):
            group, key = field_ref(name)
            if key is not None and is_glob(key):
                return None
            specs.append((group, key))

        def check(top: dict[str, Any], groups: Groups) -> int:
            for group, key in specs:
                if not group:
                    if key in top:
                        return UNSURE
                elif key is None:
                    if groups.get(group):
                        return UNSURE
                elif key in groups.get(group, ()):
                    return UNSURE
            return PASS

        return self.closure(check)

    def _valid(self, c: Any) -> list[str]:
        return ["out = PASS"]  # the fast reader only accepts values that parsed

    def _known(self, c: Any) -> list[str]:
        return ["out = PASS"]  # the fast reader only accepts fields gradecheck knows


def verdict_lines(bodies: list[list[str]], aggregates: Iterable[str]) -> tuple[list[str], str]:
    """One version's rule bodies as straight-line code setting v0, v1, …; and the verdict tuple's expression."""
    lines = [f"{a} = None" for a in aggregates]
    for i, body in enumerate(bodies):
        lines += [*body, f"v{i} = out"]
    return lines, "(" + "".join(f"v{i}, " for i in range(len(bodies))) + ")"
