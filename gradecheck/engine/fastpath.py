"""
The fast path: a rule set compiled once into plain per-record code that decides "every rule passes".

Almost every record in a real or generated dataset passes every rule, so the engine first asks the
fast path. It reads a decoded JSON object or CSV row directly, resolves spellings through exact-match
dictionaries, and judges each rule with generated code over plain ints and strings, allocating nothing
that only a finding would need. It never produces a finding: whenever a value is unusual (a marker,
an interval, an unknown spelling, an alias collision, a failing or undecidable rule), it answers
"not sure" and the engine takes the ordinary path, which alone reports. So the fast path can only
change speed, never findings; tests/test_fastpath.py checks both paths agree on generated data.

Records of one file share one key shape (a CSV header, a JSON writer's key order). For each shape a
function is generated that reads the record and judges every rule in one frame (see :meth:`FastPath._shaped`);
a record of any other shape is read by :meth:`FastPath._read_any` and judged by its version's ``Plan.run``.
Both run the same generated lines for the rules (gradecheck/engine/fastcode.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ..frameworks import Framework, Version
from ..jsontext import no_repeats
from ..records import DATE_FIELDS, TEXT_FIELDS
from ..ruleset import Rule, RuleSet
from .fastcode import PASS, SKIP, UNSURE, Compiler, Groups, Source, Unsure, fetcher, indent, verdict_lines

__all__ = ["PASS", "SKIP", "UNSURE", "FastPath", "Hit", "Plan"]

_TEXT = frozenset(TEXT_FIELDS)
_date = dt.date.fromisoformat
_TYPED = frozenset({int, type(None)})  # a profile's figures that need no reading: whole numbers and blanks
_INTS = frozenset({int})
_DATES = frozenset(DATE_FIELDS)
_NO_SHAPE = object()
_hit = tuple.__new__


class Plan:
    """
    One framework version's rules, as generated lines and as ``run(top, groups, day)`` giving every verdict.

    ``run`` serves records read by the general reader; the same lines are also written into each
    shape's generated reader (:meth:`FastPath._shaped`). A plan is also the key under which the
    engine counts verdict patterns.
    """

    def __init__(self, rules: tuple[Rule, ...], bodies: list[list[str]], pre: list[str], src: Source,
                 reads: list[set[str] | None]) -> None:
        self.rules = rules
        self.dated = any(r.dated for r in rules)
        self.lines, self.verdicts = verdict_lines(bodies, pre, reads, src)
        self._src = src
        # Generated on first use: most files have one shape, read by its shaped function, never by run.
        self.run: Callable[[dict, Groups, Any], tuple[int, ...]] = self._first_run

    def _first_run(self, top: dict, groups: Groups, day: Any) -> tuple[int, ...]:
        src = self._src  # every version's lines are known by now, and with them every group local
        binds = [f"{local} = groups.get({src.const(name)})" for name, local in src.groups.items()]
        binds += [f"{local} = top.get({src.const(name)})" for name, local in src.tops.items()]
        body = [*binds, *self.lines, f"return {self.verdicts}"]
        self.run = src.compile(["def run(top, groups, day):", *indent(body)], "run")
        return self.run(top, groups, day)


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
        return [r for r, v in zip(self.plan.rules, self.verdicts, strict=True) if v == PASS]

    @property
    def unsure(self) -> list[Rule]:
        """The rules only the ordinary path can decide."""
        return [r for r, v in zip(self.plan.rules, self.verdicts, strict=True) if v == UNSURE]


class _Framework:
    """A framework's spellings and its compiled checks, per version."""

    def __init__(self, framework: Framework, rules: list[Rule], ruleset: RuleSet) -> None:
        self.framework = framework
        self.rules = rules
        self.grades: dict[Any, str] = {}
        self.scale = framework.scale
        if self.scale is not None:
            self.grades.update(self.scale.exact_spellings())
            for grade in self.scale.grades:
                if grade.number is not None:  # a grade given as a JSON number
                    self.grades.setdefault(grade.number, grade.name)
        self.judgement_aliases = dict(framework.judgement_aliases)
        # Judgement names the fast path accepts, and what each means; anything else takes the ordinary path.
        self.judgement_keys = {j: j for j in framework.judgements}
        self.judgement_keys.update({a: t for a, t in self.judgement_aliases.items()})
        self.canonical_judgements = frozenset(framework.judgements)
        self.grade_names = frozenset(self.scale.names) if self.scale is not None else frozenset()
        # One plan per version; None where some rule has no fast form (every record then takes the ordinary path).
        # All versions' lines share one namespace and one set of group locals.
        self.src = Source()
        self.plans: dict[int, Plan | None] = {}
        for version in framework.versions:
            compiler = Compiler(framework, version, self.src)
            bodies, reads = [], []
            for rule in rules:
                bodies.append(compiler.rule(rule))
                reads.append(compiler.reads)
            if None in bodies:
                self.plans[id(version)] = None
            else:
                self.plans[id(version)] = Plan(tuple(rules), bodies, compiler.pre, self.src, reads)
        self.only = framework.versions[0] if len(framework.versions) == 1 else None
        # Each key shape's generated reader (see FastPath._read), None where only the general reading
        # will do; and the last one, for a quick match.
        self.shapes: dict[tuple[tuple[str, ...], bool], Callable | None] = {}
        self.last_shape: tuple[tuple[str, ...], bool, Callable | None] | None = None

    def grade(self, raw: Any) -> str:
        name = self.grades.get(raw)
        if name is not None:
            return name
        if isinstance(raw, str) and self.scale is not None and len(self.grades) < 4096:
            canonical = self.scale.canonical(raw)
            if isinstance(canonical, str):
                self.grades[raw] = canonical
                return canonical
        raise Unsure


class FastPath:
    """A rule set compiled for records that pass: ``check(mapping, cells_are_text)``."""

    def __init__(self, ruleset: RuleSet, *, counting: bool = False) -> None:
        self.ruleset = ruleset
        # Counting only: a record no rule is unsure of needs no Hit (see _shaped); the engine counts it.
        self.counting = counting
        self.record_rules = [r for r in ruleset.rules if not r.dataset]
        # Each framework is compiled when its first record is met (see framework()): a file seldom
        # holds more than one or two of them, and compiling all of them would slow every start.
        self.frameworks: dict[str, _Framework] = {}
        self.enabled = True
        aliases = dict(ruleset.field_aliases)
        # Aliases outside populations (judgements, top-level names) are rare: leave such records to the ordinary path.
        self.population_keys = {p: p for p in ruleset.populations}
        for alias, target in aliases.items():
            group, _, key = alias.partition(".")
            if group == "populations" and target.startswith("populations."):
                self.population_keys[key] = target.split(".", 1)[1]
            else:
                self.population_keys = {}
                self.enabled = False
        self.days: dict[str, dt.date] = {}
        self.columns: dict[str, tuple[str, str]] = {}  # a CSV header name split once, not once a row
        self.population_names = frozenset(self.population_keys.values())
        # Facts' names as the general reading has taken them (stripped): a record whose facts are whole numbers
        # under these is read as it is. Bounded, so that odd data cannot grow it.
        self.fact_names: set[str] = set()
        self.groups = {"judgements": self._judgements,
                       **{g: self._numbers(g) for g in ("grade_counts", "populations", "facts")}}

    def check(self, raw: Mapping[str, Any], text: bool, json: str = "") -> Hit | tuple[Plan, tuple[int, ...]] | None:
        """
        Read a decoded record and run every rule's fast form on it.

        *json* is the JSON text *raw* was decoded from, if it was, by a decoder that keeps the last
        of repeated keys: a record is passed only when its text holds none.

        None means "not sure about the record itself" (an unusual value, no date where the version
        or a rule needs one): the caller must take the ordinary path for all of it. A hit may still
        hold UNSURE verdicts: those rules, and only those, the caller asks the ordinary path about.
        A fast path that is ``counting`` gives a record no rule is unsure of as ``(plan, verdicts)``.
        """
        try:
            name = raw.get("framework")
            compiled = self.frameworks.get(name) if type(name) is str else None
            if compiled is None:
                compiled = self.framework(name)
                if compiled is None:
                    return None
            keys = tuple(raw)
            last = compiled.last_shape
            if last is not None and last[0] == keys and last[1] is text:
                shaped = last[2]
            else:
                shaped = self._shape_of(keys, text, compiled)
            if shaped is not None:
                try:
                    return shaped(raw, json)
                except Unsure:
                    return None
                except Exception:
                    pass
            return self._general(raw, text, compiled, json)
        except Exception:
            return None

    def framework(self, name: Any) -> _Framework | None:
        """A framework's spellings and compiled rules, compiled on first use; None for no framework it knows."""
        compiled = self.frameworks.get(name) if type(name) is str else None
        if compiled is None and self.enabled and type(name) is str and name in self.ruleset.frameworks:
            rules = [r for r in self.record_rules if r.covers(name)]
            compiled = self.frameworks[name] = _Framework(self.ruleset.frameworks[name], rules, self.ruleset)
        return compiled

    def _general(self, raw: Mapping[str, Any], text: bool, compiled: _Framework,
                 json: str = "") -> Hit | tuple[Plan, tuple[int, ...]] | None:
        """Read a record of any shape with :meth:`_read_any` and judge it with its version's plan."""
        if json and not no_repeats(raw, json):  # type: ignore[arg-type]
            return None
        top, groups = self._read_any(raw, text, compiled)
        day = top.get("start") or top.get("end") or top.get("published")
        version = compiled.only
        if version is None:
            if day is None:
                return None
            version = compiled.framework.version_at(day)
        plan = compiled.plans[id(version)]
        if plan is None or (day is None and plan.dated):
            return None
        verdicts = plan.run(top, groups, day)
        if self.counting and UNSURE not in verdicts:
            return (plan, verdicts)  # type: ignore[return-value]
        return _hit(Hit, (compiled.framework, version, top, groups, plan, verdicts))

    def _shape_of(self, keys: tuple[str, ...], text: bool, compiled: _Framework) -> Callable | None:
        shaped = compiled.shapes.get((keys, text), _NO_SHAPE)
        if shaped is _NO_SHAPE:
            # A file has one shape or a few; past 64, records are read the general way, so that
            # generating code (and the constants it keeps) cannot grow with odd data.
            if len(compiled.shapes) >= 64:
                return None
            shaped = compiled.shapes[(keys, text)] = self._shaped(keys, text, compiled)
        compiled.last_shape = (keys, text, shaped)
        return shaped

    def _shaped(self, keys: tuple[str, ...], text: bool, compiled: _Framework) -> Callable | None:
        """
        A generated function that reads records with these keys and judges them, giving a Hit.

        When the fast path only counts (``counting``), a record no rule is unsure of gives just
        ``(plan, verdicts)``, and its values are never gathered into dicts (unless some rule's code
        reads them there). It raises Unsure for a record the ordinary path must read, and any other
        exception where a value is of a type the shape did not expect (the general reading then
        decides). None when records of this shape need the general reading (an unknown key, a group
        both nested and in cells) or no version can be judged fast.
        """
        src = compiled.src
        if not any(compiled.plans.values()):
            return None
        reading = self._reading(keys, text, compiled)
        if reading is None:
            return None
        lines, store, where = reading
        unsure = f"raise {src.const(Unsure)}"
        if not text:
            lines += ["if json and json.count(':') != nkeys:", f"    {unsure}"]
        lines += [f"if not {where['id']}:" if "id" in where else "if True:", f"    {unsure}",
                  "day = " + " or ".join([where[d] for d in DATE_FIELDS if d in where] or ["None"])]
        new, hit, framework = src.const(_hit), src.const(Hit), src.const(compiled.framework)

        def judged(version: Version) -> list[str]:
            plan = compiled.plans[id(version)]
            if plan is None:
                return [unsure]
            out = ["if day is None:", f"    {unsure}"] if plan.dated else []
            out += [*plan.lines, f"verdicts = {plan.verdicts}"]
            if self.counting:
                out += ["if UNSURE not in verdicts:", f"    return ({src.const(plan)}, verdicts)"]
            fields = f"{framework}, {src.const(version)}, top, groups, {src.const(plan)}, verdicts"
            return [*out, *store, f"return {new}({hit}, ({fields}))"]

        if compiled.only is not None:
            lines += judged(compiled.only)
        else:
            lines += ["if day is None:", f"    {unsure}", f"version = {src.const(compiled.framework.version_at)}(day)"]
            for version in compiled.framework.versions:
                lines += [f"if version is {src.const(version)}:", *indent(judged(version))]
            lines += [unsure]
        return src.compile(["def shaped(raw, json):", *indent(lines)], "shaped")

    def _reading(self, keys: tuple[str, ...], text: bool,
                 compiled: _Framework) -> tuple[list[str], list[str], dict[str, str]] | None:
        """
        Lines reading a shape's values into locals; lines gathering them into ``top`` and ``groups``
        (in the order the general reading would); and the local of each top-level value.

        A text's local holds it stripped (blank or None: absent), a date's the date or None, a
        group's its members or None; the groups rules read live in the locals their code names. For
        JSON, ``nkeys`` counts the keys read (the record's and its groups'), to be matched with the
        text's ':' (see gradecheck.jsontext.no_repeats): a repeated key is never passed.
        """
        src = compiled.src
        where: dict[str, str] = {}
        members: dict[str, str] = {}  # group → its local
        lines = [f"nkeys = {src.const(len(keys))}"]
        cells: dict[str, list[tuple[str, str]]] = {}
        days, parse = src.const(self.days), src.const(self._day)
        for key in keys:
            k = src.const(key)
            if key in _TEXT:
                local = where[key] = src.fresh("t")
                lines += [f"{local} = raw[{k}]", f"if {local} is not None:", f"    {local} = {local}.strip()"]
            elif key in _DATES:
                local = where[key] = src.fresh("d")
                lines += [f"x = raw[{k}]", f"{local} = {days}.get(x)", f"if {local} is None and x is not None:",
                          f"    {local} = {parse}(x)"]
            elif key in self.groups:
                local = members[key] = src.groups.get(key) or src.fresh("m")
                lines += [f"x = raw[{k}]", "if type(x) is not dict:", "    raise TypeError", "nkeys += len(x)",
                          f"{local} = None", "if x:", *indent(self._nested(key, text, compiled)),
                          f"    {local} = m or None"]
            elif text and "." in key:
                group, _, member = key.partition(".")
                if group not in self.groups:
                    return None
                cells.setdefault(group, []).append((key, member))
            else:
                return None
        for group, columns in cells.items():
            if group in keys:
                return None
            fetch, read = self._cells(group, columns, compiled)
            local = members[group] = src.groups.get(group) or src.fresh("m")
            lines += [f"{local} = {src.const(read)}({src.const(fetch)}(raw)) or None"]
        lines = [*[f"{local} = None" for name, local in src.groups.items() if name not in members], *lines]
        for key, local in src.tops.items():  # the top-level values the rules read: None when absent
            lines.append(f"{local} = None" if key not in where else
                         f"{local} = {where[key]} or None" if key in _TEXT else f"{local} = {where[key]}")
        store = ["top = {}", "groups = {}"]
        for key, local in where.items():
            test = local if key in _TEXT else f"{local} is not None"
            store += [f"if {test}:", f"    top[{src.const(key)}] = {local}"]
        for group, local in members.items():
            store += [f"if {local}:", f"    groups[{src.const(group)}] = {local}"]
        return lines, store, where

    def _nested(self, key: str, text: bool, compiled: _Framework) -> list[str]:
        """Lines reading a nested group from ``x`` into ``m``: the usual case inline, the rest by its reader."""
        src = compiled.src
        read = f"m = {src.const(self.groups[key])}(x, {src.const(text)}, {src.const(compiled)}, {{}})"
        if text:
            return [read]
        if key == "judgements":
            # As _judgements' own first tests: canonical names and grades, the dict itself will do; canonical
            # names and spellings the scale knows exactly, the spelled grades will.
            names, grades = src.const(compiled.canonical_judgements), src.const(compiled.grade_names)
            spelled = src.const(compiled.grades)
            return [f"if x.keys() <= {names}:",
                    f"    if {grades}.issuperset(x.values()):", "        m = x", "    else:",
                    f"        m = list(map({spelled}.get, x.values()))",
                    "        m = dict(zip(x, m, strict=True)) if None not in m else None",
                    "else:", "    m = None", "if m is None:", f"    {read}"]
        elif key in ("populations", "grade_counts", "facts"):
            # As _numbers' own first test: whole numbers under canonical names (facts: names already taken).
            names = (self.population_names if key == "populations" else self.fact_names if key == "facts"
                     else compiled.grade_names)
            accept = f"{src.const(_INTS)}.issuperset(map(type, x.values())) and x.keys() <= {src.const(names)}"
        else:
            return [read]
        return [f"if {accept}:", "    m = x", "else:", f"    {read}"]

    def _cells(self, group: str, columns: list[tuple[str, str]],
               compiled: _Framework) -> tuple[Callable, Callable]:
        """A CSV group's columns: (fetch its cells, read them into canonical members)."""
        names = tuple(c for c, _ in columns)
        members = tuple(m for _, m in columns)
        fetch = fetcher(names)
        general = self.groups[group]

        # ``values`` is what ``fetch`` takes from a row: one cell per member, in order.
        def read_any(values: tuple[Any, ...]) -> dict[str, Any]:
            return general(dict(zip(members, values, strict=True)), True, compiled, {})

        if group == "judgements":
            if not (set(members) <= compiled.canonical_judgements and len(set(members)) == len(members)):
                return fetch, read_any
            grades, canonical = compiled.grades, compiled.grade_names

            def read_grades(values: tuple[Any, ...]) -> dict[str, Any]:
                if canonical.issuperset(values):
                    return dict(zip(members, values, strict=True))
                spelled = list(map(grades.get, values))
                if None in spelled:
                    return read_any(values)  # a blank, an odd spelling: the general reading knows
                return dict(zip(members, spelled, strict=True))

            return fetch, read_grades
        try:
            canonical = tuple(compiled.grade(m) if group == "grade_counts" else
                              self.population_keys[m] if group == "populations" else m for m in members)
        except (Unsure, KeyError):
            return fetch, read_any
        if len(set(canonical)) != len(canonical) or any(m != m.strip() for m in canonical):
            return fetch, read_any

        def read_counts(values: tuple[Any, ...]) -> dict[str, Any]:
            # int() would also take a float or a bool, which the general reading refuses: join raises TypeError
            # for anything but text, and a profile's typed values (whole numbers, a rounded figure's interval)
            # go to the general reading, which takes what the ordinary path takes as it is and is unsure of the rest.
            try:
                "".join(values)
            except TypeError:
                if _TYPED.issuperset(map(type, values)):  # a profile's whole numbers and blanks: as read_any reads them
                    return {m: v for m, v in zip(canonical, values, strict=True) if v is not None}
                return read_any(values)
            if "" in values:
                return dict([(m, int(v)) for m, v in zip(canonical, values, strict=True) if v])
            return dict(zip(canonical, map(int, values), strict=True))

        return fetch, read_counts

    def _day(self, value: str) -> dt.date | None:
        """An ISO date (None for a blank); the same few dates recur, so each is parsed once."""
        if len(value) != 10 or value[4] != "-" or value[7] != "-":
            if value.strip():
                raise Unsure
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
                        raise Unsure
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
                            raise Unsure
                        continue
                    top[key] = _date(value)
                elif text and "." in key:
                    # A CSV cell under a dotted header: gather each group's cells, read them once below.
                    split = self._split(key)
                    if value.strip():
                        pending.setdefault(split[0], {})[split[1]] = value
                else:
                    raise Unsure
            elif text and (kind is int or kind is float) and "." in key:
                # A published layout's figure, typed by its profile: a number is read as decoded JSON's are (the
                # group's reader is unsure of what the ordinary path would not take as it is).
                split = self._split(key)
                pending.setdefault(split[0], {})[split[1]] = value
            elif value is not None:
                raise Unsure
        for group, cells in pending.items():
            groups[group] = self.groups[group](cells, text, compiled, groups.get(group, {}))
        if "id" not in top:
            raise Unsure
        return top, groups

    def _split(self, key: str) -> tuple[str, str]:
        """A dotted header's group and member, split once a file (Unsure for a group the fast path does not read)."""
        split = self.columns.get(key)
        if split is None:
            group, _, member = key.partition(".")
            if group not in self.groups:
                raise Unsure
            split = self.columns[key] = (group, member)
        return split

    def _judgements(self, members: Mapping[str, Any], text: bool, compiled: _Framework,
                    out: dict[str, Any]) -> dict[str, Any]:
        grades, names = compiled.grades, compiled.judgement_keys
        if not out and members.keys() <= compiled.canonical_judgements:
            # The common case, at C speed: canonical names, canonical grades (the dict itself will
            # do) or spellings the scale knows.
            if compiled.grade_names.issuperset(members.values()):
                return members
            spelled = list(map(grades.get, members.values()))
            if None not in spelled:
                return dict(zip(members, spelled, strict=True))
        for key, value in members.items():
            grade = grades.get(value)
            if grade is None:
                if value is None or (type(value) is str and not value.strip()):
                    continue
                if type(value) is not str:
                    raise Unsure
                grade = compiled.grade(value.strip())
            name = names.get(key)
            if name is None or name in out:
                raise Unsure  # a judgement the fast path does not know, or two spellings of one
            out[name] = grade
        return out

    def _numbers(self, group: str) -> Callable[..., dict[str, Any]]:
        floats = group == "facts"
        populations = self.population_keys if group == "populations" else None
        counts = group == "grade_counts"

        canonical = self.population_names if populations is not None else self.fact_names if floats else None
        facts = self.fact_names if floats else None

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
                        raise Unsure
                if counts:
                    key = compiled.grade(key)
                elif populations is not None:
                    key = populations.get(key)
                    if key is None:
                        raise Unsure
                elif key != key.strip():
                    raise Unsure
                elif facts is not None and len(facts) < 256:
                    facts.add(key)
                if key in out:
                    raise Unsure
                out[key] = value
            return out

        return read
