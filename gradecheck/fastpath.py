"""
The fast path: a rule set compiled once into plain per-record checks that decide "every rule passes".

Almost every record in a real or generated dataset passes every rule, so the engine first asks the
fast path. It reads a decoded JSON object or CSV row directly, resolves spellings through exact-match
dictionaries, and runs one small closure per rule over plain ints and strings, allocating nothing
that only a finding would need. It never produces a finding: whenever a value is unusual (a marker,
an interval, an unknown spelling, an alias collision, a failing or undecidable rule), it answers
"not sure" and the engine takes the ordinary path, which alone reports. So the fast path can only
change speed, never findings; tests/test_fastpath.py checks both paths agree on generated data.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections import _count_elements  # type: ignore[attr-defined]  # Counter's C loop
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any, NamedTuple

from .frameworks import Framework, Version
from .records import DATE_FIELDS, GROUPS, TEXT_FIELDS
from .rulesets import Rule, RuleSet
from .values import MISSING

__all__ = ["PASS", "SKIP", "UNSURE", "FastPath", "Hit", "Plan"]

# A check answers PASS (applies and passes), SKIP (does not apply) or UNSURE (ask the ordinary path).
PASS, SKIP, UNSURE = 1, 0, -1
Groups = dict[str, dict[str, Any]]
Check = Callable[[dict[str, Any], Groups], int]
_TEXT = frozenset(TEXT_FIELDS)
_date = dt.date.fromisoformat
_INTS = frozenset({int})
_DATES = frozenset(DATE_FIELDS)
_NUMERIC_GROUPS = frozenset(g for g, what in GROUPS.items() if what in ("count", "number"))


class _Unsure(Exception):
    """Raised inside the fast reader: this record needs the ordinary path."""


def _ref(name: str) -> tuple[str, str | None]:
    """``populations.looked_after`` → (populations, looked_after); ``grade_counts.*`` → (grade_counts, None)."""
    group, dot, key = name.partition(".")
    if not dot:
        return ("", group)
    return (group, None if key == "*" else key)


def _is_glob(name: str) -> bool:
    return any(c in name for c in "*?[")


def judgement_keys(names: list[str]) -> list[str] | None:
    """``judgements.x`` names as bare judgement keys; None when one is a glob or not a judgement."""
    if any(_is_glob(n) or not n.startswith("judgements.") for n in names):
        return None
    return [n.split(".", 1)[1] for n in names]


def _get(top: dict[str, Any], groups: Groups, ref: tuple[str, str | None]) -> Any:
    group, key = ref
    if not group:
        return top.get(key, MISSING)
    return groups.get(group, {}).get(key, MISSING)


Aggregate = tuple[dict[str, int], int | None, int | None]


def _aggregator(keys: tuple[str, ...], rank: Mapping[str, int]) -> Callable[[Groups], Aggregate]:
    """
    A function giving how many of some judgements got each grade, and the best and worst rank given.

    The overall and agree rules often read the same 22 judgements; one pass serves both: the result
    is kept in the record's groups under the aggregator itself (a compiler makes one per key set, see
    _Compiler.aggregator), so the cache key is hashed by identity, not as a tuple of 22 names. The
    tally is Counter's own C loop without Counter's Python-level set-up, a third of the cost here.
    """
    fetch = _fetch(keys)

    def aggregate(groups: Groups) -> Aggregate:
        cache = groups.get("")
        if cache is None:
            cache = groups[""] = {}
        done = cache.get(aggregate)
        if done is not None:
            return done
        judgements = groups["judgements"]
        try:
            given = fetch(judgements)
        except KeyError:
            given = [judgements[k] for k in keys if k in judgements]
        tally: dict[str, int] = {}
        _count_elements(tally, given)
        seen = sorted([rank[g] for g in tally])
        done = cache[aggregate] = (tally, seen[0], seen[-1]) if seen else (tally, None, None)
        return done

    return aggregate


def _fetch(keys: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """itemgetter for *keys*, always giving a tuple (itemgetter of one key gives the bare value)."""
    if len(keys) == 1:
        key = keys[0]
        return lambda row: (row[key],)
    return itemgetter(*keys) if keys else (lambda row: ())


class _Compiler:
    """Turns one rule, for one framework version, into a closure; None when the kind has no fast form."""

    def __init__(self, framework: Framework, version: Version) -> None:
        self.framework = framework
        self.version = version
        scale = framework.scale
        self.rank = {g: i for i, g in enumerate(scale.names)} if scale else {}
        self.aggregators: dict[tuple[str, ...], Callable] = {}

    def expand(self, names: tuple[str, ...]) -> list[str]:
        return self.version.expand(names)

    def aggregator(self, keys: tuple[str, ...]) -> Callable[[Groups], Aggregate]:
        """One aggregator per key set, shared by the rules of this framework version that read it."""
        found = self.aggregators.get(keys)
        if found is None:
            found = self.aggregators[keys] = _aggregator(keys, self.rank)
        return found

    def compile(self, rule: Rule) -> Check | None:
        method = getattr(self, "_" + rule.kind, None)
        if method is None:
            return None
        try:
            return method(rule.check)
        except (AttributeError, TypeError, ValueError):
            return None  # a rule object shaped unlike its kind: the ordinary path will judge (and report) it

    # --- kinds --------------------------------------------------------------------------------
    def _total(self, c: Any) -> Check | None:
        names = self.expand(c.parts)
        if any(_is_glob(n) and not n.endswith(".*") for n in names):
            return None
        refs = [_ref(n) for n in names]
        named = [r for r in refs if r[1] is not None]
        wholes = [r[0] for r in refs if r[1] is None]
        unknown_if_missing = c.missing_parts == "unknown"
        if isinstance(c.equals, int):
            target: Callable[[dict, Groups], Any] = lambda top, groups, n=c.equals: n  # noqa: E731
        elif c.equals == "@graded_items":
            items = self.version.graded_items
            target = lambda top, groups: MISSING if items is None else items  # noqa: E731
        else:
            ref = _ref(c.equals)
            target = lambda top, groups: _get(top, groups, ref)  # noqa: E731

        if len(wholes) == 1 and not named:
            group = wholes[0]

            def whole_group(top: dict[str, Any], groups: Groups) -> int:
                members = groups.get(group)
                if not members:
                    return SKIP
                expected = target(top, groups)
                if expected is MISSING:
                    return SKIP
                if type(expected) not in (int, float):
                    return UNSURE
                return PASS if sum(members.values()) == expected else UNSURE

            return whole_group

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

    def _within(self, c: Any) -> Check | None:
        names = self.expand(c.parts)
        if any(_is_glob(n) for n in names) or _is_glob(c.whole):
            return None
        whole_ref = _ref(c.whole)
        refs = [_ref(n) for n in dict.fromkeys(names)]
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

        return check

    def _within_group(self, whole_ref: tuple[str, str | None], keys: list[str], disjoint: bool, exact: bool) -> Check:
        group, whole_key = whole_ref
        keys = tuple(keys)
        count = len(keys)

        def check(top: dict[str, Any], groups: Groups) -> int:
            members = groups.get(group)
            if not members:
                return SKIP
            whole = members.get(whole_key)
            if whole is None:
                return SKIP
            total = found = 0
            largest = None
            for key in keys:
                value = members.get(key)
                if value is not None:
                    found += 1
                    total += value
                    if largest is None or value > largest:
                        largest = value
            if not found:
                return SKIP
            if not disjoint:
                return PASS if largest <= whole else UNSURE
            if total > whole or (exact and (total != whole or found != count)):
                return UNSURE
            return PASS

        return check

    def _range(self, c: Any) -> Check | None:
        specs = []
        for name in c.fields:
            group, _, key = name.partition(".")
            if not key or _is_glob(group):
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

        return check

    def _judgement_keys(self, names: list[str]) -> list[str] | None:
        return judgement_keys(names)

    def _overall(self, c: Any) -> Check | None:
        overall = self._judgement_keys(self.expand((c.overall,)))
        feeds = self._judgement_keys(self.expand(c.feeds))
        if overall is None or feeds is None:
            return None
        if not overall:
            return lambda top, groups: SKIP
        okey = overall[0]
        feeds = tuple(f for f in feeds if f != okey)
        rank, steps = self.rank, c.better_than_worst
        aggregate = self.aggregator(feeds)

        def check(top: dict[str, Any], groups: Groups) -> int:
            judgements = groups.get("judgements")
            if not judgements:
                return SKIP
            o = judgements.get(okey)
            if o is None:
                return SKIP
            _, best, worst = aggregate(groups)
            if best is None:
                return SKIP
            o = rank[o]
            if steps is not None:
                return PASS if worst - o <= steps else UNSURE
            return PASS if best <= o <= worst else UNSURE

        return check

    def _implies(self, c: Any) -> Check | None:
        when = self._judgement_keys(self.expand(c.when))
        then = self._judgement_keys(self.expand(c.then))
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

        return check

    def _agree(self, c: Any) -> Check | None:
        listed = self._judgement_keys(self.expand(c.grades))
        if c.counts != "grade_counts.*" or listed is None:
            return None

        aggregate = self.aggregator(tuple(listed))

        def check(top: dict[str, Any], groups: Groups) -> int:
            counts = groups.get("grade_counts")
            judgements = groups.get("judgements")
            if not counts or not judgements:
                return SKIP
            tally, best, _ = aggregate(groups)
            if best is None:
                return SKIP
            for grade, n in tally.items():
                if n > counts.get(grade, 0):
                    return UNSURE
            return PASS

        return check

    def _scale(self, c: Any) -> Check | None:
        group = "grade_counts" if c.check == "count_keys" else "judgements"
        known = self.framework.judgements
        names_only = c.check == "judgement_names"
        scale = self.framework.scale

        def check(top: dict[str, Any], groups: Groups) -> int:
            members = groups.get(group)
            if not members:
                return SKIP
            if names_only:
                return PASS if all(k in known for k in members) else UNSURE
            return PASS if scale is not None else SKIP

        return check

    def _order(self, c: Any) -> Check | None:
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

        return check

    def _present(self, c: Any) -> Check | None:
        names = self.expand(c.fields)
        if any(_is_glob(n) for n in names):
            return None
        refs = [_ref(n) for n in names]
        return lambda top, groups: PASS if all(_get(top, groups, r) is not MISSING for r in refs) else UNSURE

    def _absent(self, c: Any) -> Check | None:
        specs = []
        for name in self.expand(c.fields):
            group, key = _ref(name)
            if key is not None and _is_glob(key):
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

        return check

    def _valid(self, c: Any) -> Check:
        return lambda top, groups: PASS  # the fast reader only accepts values that parsed

    def _known(self, c: Any) -> Check:
        return lambda top, groups: PASS  # the fast reader only accepts fields gradecheck knows


class _Shape(NamedTuple):
    """Where a shape of record keeps its texts, dates, nested groups (JSON) and grouped cells (CSV)."""

    texts: tuple[str, ...]
    dates: tuple[str, ...]
    nested: tuple[tuple[str, Callable], ...]
    cells: tuple[tuple[str, Callable, Callable], ...]


_NO_SHAPE = object()
_hit = tuple.__new__


class Plan:
    """
    One framework version's checks, compiled into a single function returning every rule's verdict.

    The function is generated (as attrs generates its methods) so that a record costs one call and
    one tuple, not a loop over rules. Its source holds only generated names; the checks and dates
    are passed in its namespace, so nothing from a rule file becomes code.
    """

    def __init__(self, rules: tuple[Rule, ...], checks: list[Check]) -> None:
        self.rules = rules
        self.dated = any(r.dated for r in rules)
        namespace: dict[str, Any] = {"SKIP": SKIP}
        terms = []
        for i, (rule, fn) in enumerate(zip(rules, checks)):
            namespace[f"f{i}"] = fn
            call = f"f{i}(top, groups)"
            outside = []
            if rule.start is not None:
                namespace[f"s{i}"] = rule.start
                outside.append(f"day < s{i}")
            if rule.end is not None:
                namespace[f"e{i}"] = rule.end
                outside.append(f"day > e{i}")
            terms.append(f"(SKIP if {' or '.join(outside)} else {call})" if outside else call)
        source = f"def run(top, groups, day):\n    return ({''.join(t + ', ' for t in terms)})\n"
        exec(compile(source, "<gradecheck fast path>", "exec"), namespace)  # noqa: S102 - generated names only
        self.run: Callable[[dict, Groups, Any], tuple[int, ...]] = namespace["run"]


class Hit(NamedTuple):
    """A record the fast path could read, and each rule's verdict on it (aligned with ``plan.rules``)."""

    framework: Framework
    version: Version
    top: dict[str, Any]
    groups: Groups
    plan: Plan
    verdicts: tuple[int, ...]

    @property
    def passed(self) -> list[Rule]:
        """The rules that applied and passed."""
        return [r for r, v in zip(self.plan.rules, self.verdicts) if v == PASS]

    @property
    def unsure(self) -> list[Rule]:
        """The rules only the ordinary path can decide."""
        return [r for r, v in zip(self.plan.rules, self.verdicts) if v == UNSURE]


class _Framework:
    """A framework's spellings and its compiled checks, per version."""

    def __init__(self, framework: Framework, rules: list[Rule], ruleset: RuleSet) -> None:
        self.framework = framework
        self.rules = rules
        self.grades: dict[Any, str] = {}
        self.scale = framework.scale
        if self.scale is not None:
            for grade in self.scale.grades:
                spellings = [grade.name, grade.label, *grade.aliases]
                if grade.number is not None:
                    spellings += [str(grade.number), f"grade {grade.number}"]
                for s in spellings:
                    for variant in (s, s.lower(), s.upper(), s.capitalize(), s.title()):
                        self.grades.setdefault(variant, grade.name)
                if grade.number is not None:
                    self.grades.setdefault(grade.number, grade.name)
        self.judgement_aliases = dict(framework.judgement_aliases)
        # Judgement names the fast path accepts, and what each means; anything else takes the ordinary path.
        self.judgement_keys = {j: j for j in framework.judgements}
        self.judgement_keys.update({a: t for a, t in self.judgement_aliases.items()})
        self.canonical_judgements = frozenset(framework.judgements)
        self.grade_names = frozenset(self.scale.names) if self.scale is not None else frozenset()
        # One plan per version; None where some rule has no fast form (every record then takes the ordinary path).
        self.plans: dict[int, Plan | None] = {}
        for version in framework.versions:
            compiler = _Compiler(framework, version)
            checks = [compiler.compile(r) for r in rules]
            self.plans[id(version)] = None if None in checks else Plan(tuple(rules), checks)
        self.only = framework.versions[0] if len(framework.versions) == 1 else None
        # How records of each key shape are read (see FastPath._read); the last one, for a quick match.
        self.shapes: dict[tuple[tuple[str, ...], bool], _Shape | None] = {}
        self.last_shape: tuple[tuple[str, ...], bool, _Shape | None] | None = None

    def grade(self, raw: Any) -> str:
        name = self.grades.get(raw)
        if name is not None:
            return name
        if isinstance(raw, str) and self.scale is not None and len(self.grades) < 4096:
            canonical = self.scale.canonical(raw)
            if isinstance(canonical, str):
                self.grades[raw] = canonical
                return canonical
        raise _Unsure


class FastPath:
    """A rule set compiled for records that pass: ``check(mapping, cells_are_text)``."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        record_rules = [r for r in ruleset.rules if not r.dataset]
        self.frameworks = {
            fid: _Framework(fw, [r for r in record_rules if r.covers(fid)], ruleset)
            for fid, fw in ruleset.frameworks.items()
        }
        aliases = dict(ruleset.field_aliases)
        # Aliases outside populations (judgements, top-level names) are rare: leave such records to the ordinary path.
        self.population_keys = {p: p for p in ruleset.populations}
        for alias, target in aliases.items():
            group, _, key = alias.partition(".")
            if group == "populations" and target.startswith("populations."):
                self.population_keys[key] = target.split(".", 1)[1]
            else:
                self.population_keys = {}
                self.frameworks = {}
        self.days: dict[str, dt.date] = {}
        self.columns: dict[str, tuple[str, str]] = {}  # a CSV header name split once, not once a row
        self.groups = {"judgements": self._judgements, **{g: self._numbers(g) for g in ("grade_counts", "populations", "facts")}}

    def check(self, raw: Mapping[str, Any], text: bool) -> Hit | None:
        """
        Read a decoded record and run every rule's fast form on it.

        None means "not sure about the record itself" (an unusual value, no date where the version
        or a rule needs one): the caller must take the ordinary path for all of it. A hit may still
        hold UNSURE verdicts: those rules, and only those, the caller asks the ordinary path about.
        """
        try:
            name = raw.get("framework")
            compiled = self.frameworks.get(name) if type(name) is str else None
            if compiled is None:
                return None
            top, groups = self._read(raw, text, compiled)
            day = top.get("start") or top.get("end") or top.get("published")
            framework = compiled.framework
            version = compiled.only
            if version is None:
                if day is None:
                    return None
                version = framework.version_at(day)
            plan = compiled.plans[id(version)]
            if plan is None or (day is None and plan.dated):
                return None
            verdicts = plan.run(top, groups, day)
        except Exception:  # noqa: BLE001 - whatever the fast path cannot read, the ordinary path reads and reports
            return None
        return _hit(Hit, (framework, version, top, groups, plan, verdicts))  # Hit(...) without its Python __new__

    def _read(self, raw: Mapping[str, Any], text: bool, compiled: _Framework) -> tuple[dict, Groups]:
        """
        Top-level values and canonical groups, or _Unsure.

        Records of one file share one shape (a CSV header, a JSON writer's key order), so the work of
        sorting keys into texts, dates and groups is done once per shape; anything the shape's reading
        does not expect is read again by :meth:`_read_any`, which alone decides every unusual case.
        """
        keys = tuple(raw)
        last = compiled.last_shape
        if last is not None and last[0] == keys and last[1] is text:
            shape = last[2]
        else:
            shape = compiled.shapes.get((keys, text), _NO_SHAPE)
            if shape is _NO_SHAPE:
                shape = self._shape(keys, text, compiled)
                if len(compiled.shapes) < 64:
                    compiled.shapes[(keys, text)] = shape
            compiled.last_shape = (keys, text, shape)
        if shape is None:
            return self._read_any(raw, text, compiled)
        try:
            return self._read_shaped(raw, text, compiled, shape)
        except _Unsure:
            raise
        except Exception:  # noqa: BLE001 - a value of an unexpected type: the general reading decides
            return self._read_any(raw, text, compiled)

    def _shape(self, keys: tuple[str, ...], text: bool, compiled: _Framework) -> _Shape | None:
        """How to read records with these keys; None when only the general reading will do."""
        texts, dates, nested = [], [], []
        cells: dict[str, list[tuple[str, str]]] = {}
        for key in keys:
            if key in _TEXT:
                texts.append(key)
            elif key in _DATES:
                dates.append(key)
            elif key in self.groups:
                nested.append((key, self.groups[key]))
            elif text and "." in key:
                group, _, member = key.partition(".")
                if group not in self.groups:
                    return None
                cells.setdefault(group, []).append((key, member))
            else:
                return None
        if any(group in cells for group, _ in nested):
            return None
        return _Shape(tuple(texts), tuple(dates), tuple(nested),
                      tuple(self._cells(group, columns, compiled) for group, columns in cells.items()))

    def _cells(self, group: str, columns: list[tuple[str, str]],
               compiled: _Framework) -> tuple[str, Callable, Callable]:
        """A CSV group's columns: (group, fetch its cells, read them into canonical members)."""
        names = tuple(c for c, _ in columns)
        members = tuple(m for _, m in columns)
        fetch = _fetch(names)
        general = self.groups[group]

        def read_any(values: tuple[Any, ...]) -> dict[str, Any]:
            return general(dict(zip(members, values)), True, compiled, {})

        if group == "judgements":
            if not (set(members) <= compiled.canonical_judgements and len(set(members)) == len(members)):
                return group, fetch, read_any
            grades, canonical = compiled.grades, compiled.grade_names

            def read_grades(values: tuple[Any, ...]) -> dict[str, Any]:
                if canonical.issuperset(values):
                    return dict(zip(members, values))
                spelled = list(map(grades.get, values))
                if None in spelled:
                    return read_any(values)  # a blank, an odd spelling: the general reading knows
                return dict(zip(members, spelled))

            return group, fetch, read_grades
        try:
            canonical = tuple(compiled.grade(m) if group == "grade_counts" else
                              self.population_keys[m] if group == "populations" else m for m in members)
        except (_Unsure, KeyError):
            return group, fetch, read_any
        if len(set(canonical)) != len(canonical) or any(m != m.strip() for m in canonical):
            return group, fetch, read_any

        def read_counts(values: tuple[Any, ...]) -> dict[str, Any]:
            # int() would also take a float or a bool (a profile's value), which the general
            # reading refuses; join raises TypeError for anything but text, and _read then falls back.
            "".join(values)
            if "" in values:
                return dict([(m, int(v)) for m, v in zip(canonical, values) if v])
            return dict(zip(canonical, map(int, values)))

        return group, fetch, read_counts

    def _read_shaped(self, raw: Mapping[str, Any], text: bool, compiled: _Framework,
                     shape: _Shape) -> tuple[dict, Groups]:
        top: dict[str, Any] = {}
        groups: Groups = {}
        for key in shape.texts:
            value = raw[key]
            if value is not None:
                value = value.strip()
                if value:
                    top[key] = value
        days = self.days
        for key in shape.dates:
            value = raw[key]
            day = days.get(value)
            if day is None:
                if value is None:
                    continue
                day = self._day(value)
                if day is None:
                    continue
            top[key] = day
        for key, reader in shape.nested:
            value = raw[key]
            if type(value) is not dict:
                raise TypeError  # null, a list, text: the general reading decides
            if value:
                members = reader(value, text, compiled, {})
                if members:
                    groups[key] = members
        for group, fetch, read in shape.cells:
            members = read(fetch(raw))
            if members:
                groups[group] = members
        if "id" not in top:
            raise _Unsure
        return top, groups

    def _day(self, value: str) -> dt.date | None:
        """An ISO date (None for a blank); the same few dates recur, so each is parsed once."""
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            if value.strip():
                raise _Unsure
            return None
        day = _date(value)
        if len(self.days) < 65536:
            self.days[value] = day
        return day

    def _read_any(self, raw: Mapping[str, Any], text: bool, compiled: _Framework) -> tuple[dict, Groups]:
        top: dict[str, Any] = {}
        groups: Groups = {}
        pending: dict[str, dict[str, str]] = {}
        for key, value in raw.items():
            kind = type(value)
            if kind is dict:
                if value:
                    reader = self.groups.get(key)
                    if reader is None:
                        raise _Unsure
                    members = reader(value, text, compiled, {})
                    if members:
                        groups[key] = members
            elif kind is str:
                if key in _TEXT:
                    value = value.strip()
                    if value:
                        top[key] = value
                elif key in _DATES:
                    if len(value) != 10 or value[4] != "-" or value[7] != "-":
                        if value.strip():
                            raise _Unsure
                        continue
                    top[key] = _date(value)
                elif text and "." in key:
                    # A CSV cell under a dotted header: gather each group's cells, read them once below.
                    split = self.columns.get(key)
                    if split is None:
                        group, _, member = key.partition(".")
                        if group not in self.groups:
                            raise _Unsure
                        split = self.columns[key] = (group, member)
                    if value.strip():
                        pending.setdefault(split[0], {})[split[1]] = value
                else:
                    raise _Unsure
            elif value is not None:
                raise _Unsure
        for group, cells in pending.items():
            groups[group] = self.groups[group](cells, text, compiled, groups.get(group, {}))
        if "id" not in top:
            raise _Unsure
        return top, groups

    def _judgements(self, members: Mapping[str, Any], text: bool, compiled: _Framework, out: dict[str, Any]) -> dict[str, Any]:
        grades, names = compiled.grades, compiled.judgement_keys
        if not out and members.keys() <= compiled.canonical_judgements:
            # The common case, at C speed: canonical names, canonical grades (the dict itself will
            # do) or spellings the scale knows.
            if compiled.grade_names.issuperset(members.values()):
                return members
            spelled = list(map(grades.get, members.values()))
            if None not in spelled:
                return dict(zip(members, spelled))
        for key, value in members.items():
            grade = grades.get(value)
            if grade is None:
                if value is None or (type(value) is str and not value.strip()):
                    continue
                if type(value) is not str:
                    raise _Unsure
                grade = compiled.grade(value.strip())
            name = names.get(key)
            if name is None or name in out:
                raise _Unsure  # a judgement the fast path does not know, or two spellings of one
            out[name] = grade
        return out

    def _numbers(self, group: str) -> Callable[..., dict[str, Any]]:
        floats = group == "facts"
        populations = self.population_keys if group == "populations" else None
        counts = group == "grade_counts"

        canonical = frozenset(self.population_keys.values()) if populations is not None else None

        def read(members: Mapping[str, Any], text: bool, compiled: _Framework, out: dict[str, Any]) -> dict[str, Any]:
            if not text and not out and _INTS.issuperset(map(type, members.values())):
                # Decoded JSON with whole numbers under canonical names: the dict itself will do.
                names = members.keys()
                if (canonical is not None and names <= canonical) or (counts and names <= compiled.grade_names):
                    return members
            for key, value in members.items():
                kind = type(value)
                if kind is not int:
                    if value is None:
                        continue
                    if kind is str and text:
                        if not value.strip():
                            continue
                        value = int(value)  # ValueError (a marker, "1,000", a decimal): the ordinary path decides
                    elif not (floats and kind is float and value - value == 0):
                        raise _Unsure
                if counts:
                    key = compiled.grade(key)
                elif populations is not None:
                    key = populations.get(key)
                    if key is None:
                        raise _Unsure
                elif key != key.strip():
                    raise _Unsure
                if key in out:
                    raise _Unsure
                out[key] = value
            return out

        return read


def flat_values(top: Mapping[str, Any], groups: Groups, framework: Framework) -> dict[str, Any]:
    """The prepared values the ordinary path would build, for dataset rules and report extras."""
    values = dict(top)
    for group, members in groups.items():
        if not group:
            continue  # the per-record aggregate cache, not a group
        for key, value in members.items():
            values[f"{group}.{key}"] = value
    values["framework"] = framework.id
    return values
