"""Load rule files (TOML, read as data and never executed) into a RuleSet: scales, frameworks, fields and rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
from attrs import field, frozen

from ..errors import Problem, RuleFileError
from ..frameworks import Framework, Grade, Scale, Version
from ..kinds import KINDS
from ..kinds import params as c
from ..records import DATE_FIELDS, GROUPS, TEXT_FIELDS

__all__ = ["Citation", "Rule", "RuleSet", "builtin_rules_dir", "default_ruleset", "load_ruleset", "toml_files"]

CODE = re.compile(r"^[A-Z]{1,3}[0-9]{1,4}$")
SEVERITIES = ("error", "warning")
# A rule file of a few megabytes is already absurd; refusing bigger ones keeps a hostile file cheap.
_MAX_FILE_BYTES = 4 * 1024 * 1024
_GLOB = re.compile(r"[*?\[]")


@frozen
class Citation:
    """
    A public source a rule rests on, as a reader can find it: title, publisher, date and a link.

    Rule files name sources by key (``cites = ["ofsted-la-outcomes-2025"]``) so that one source is
    written once and every rule citing it says the same; ``doc`` is for gradecheck's own documents
    (a path inside the project), which have no address of their own.
    """

    key: str
    title: str
    publisher: str
    date: str
    url: str = ""
    doc: str = ""
    note: str = ""

    def text(self) -> str:
        """One line: publisher, title, date, link."""
        where = self.url or self.doc
        return f"{self.publisher}, \"{self.title}\", {self.date}" + (f", {where}" if where else "")


@frozen
class Rule:
    """One rule: its stable code, what it says, where it applies, why, and the kind that checks it."""

    code: str
    title: str
    kind: str
    severity: str
    frameworks: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None
    source: str
    why: str
    example: str
    check: Any = field(eq=False)
    path: str = field(eq=False)
    params: Mapping[str, Any] = field(eq=False, factory=dict)
    #: The public sources cited (``cites`` in the rule file), in the order given.
    cites: tuple[Citation, ...] = ()

    @property
    def dataset(self) -> bool:
        """Whether the rule judges a whole dataset rather than one record."""
        return getattr(self.check, "dataset", False)

    def covers(self, framework: str) -> bool:
        """Whether the rule applies to records of *framework*."""
        return "*" in self.frameworks or framework in self.frameworks

    @property
    def dated(self) -> bool:
        """Whether the rule applies only over a date range."""
        return self.start is not None or self.end is not None

    def in_dates(self, day: dt.date) -> bool:
        """Whether *day* falls within the rule's date range."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@frozen
class RuleSet:
    """Everything the engine needs: rules by code, frameworks by id, and the field vocabulary."""

    rules: tuple[Rule, ...]
    frameworks: Mapping[str, Framework]
    field_aliases: Mapping[str, str] = field(factory=dict)
    populations: frozenset[str] = frozenset()
    sources: tuple[str, ...] = ()
    #: The public sources rule files declare (``[sources.KEY]``), by key.
    citations: Mapping[str, Citation] = field(factory=dict)
    #: Which rules these are: gradecheck's version and a hash of what the rule files say (rules, frameworks,
    #: scales, fields), whichever files and order they came in, comments aside. Findings are compared
    #: across runs under one version (rule, record id, version).
    version: str = ""

    def rule(self, code: str) -> Rule:
        """The rule with this code.

        Raises:
            KeyError: no rule has it.
        """
        for rule in self.rules:
            if rule.code == code:
                return rule
        raise KeyError(code)

    def select(self, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> RuleSet:
        """Keep the rules whose code starts with one of *select* (all when empty), minus those in *ignore*."""
        select, ignore = tuple(select), tuple(ignore)
        kept = tuple(
            r for r in self.rules
            if (not select or r.code.startswith(select)) and not (ignore and r.code.startswith(ignore))
        )
        return attrs.evolve(self, rules=kept)


def builtin_rules_dir() -> Path:
    """The rule files shipped with gradecheck: inside the installed package, or ``rules/`` in a source tree."""
    here = Path(__file__).resolve().parent.parent  # the gradecheck package
    for candidate in (here / "rules", here.parent / "rules"):
        if (candidate / "frameworks.toml").is_file():
            return candidate
    msg = f"gradecheck's built-in rule files are missing (looked in {here / 'rules'} and {here.parent / 'rules'})"
    raise RuleFileError([Problem(str(here), "installation", None, msg)])


def load_ruleset(paths: Sequence[str | Path] = (), *, builtin: bool = True) -> RuleSet:
    """
    Load the built-in rule files, then *paths* (files or directories).

    A rule in *paths* whose code matches a built-in rule replaces it, so a user can tighten or
    relax one rule without copying the rest. With *builtin* false only the built-in rules are
    left out: scales, frameworks, fields and sources are vocabulary that a user's own rules are
    written in, so they stay (a user file may still replace any of them).

    Raises:
        RuleFileError: listing every problem in every file.
    """
    files = [(p, True) for p in sorted(builtin_rules_dir().glob("*.toml"))]
    given, problems = toml_files(paths, "rule")
    files += [(f, False) for f in given]
    return _Loader(problems).load(files, builtin_rules=builtin)


def toml_files(paths: Sequence[str | Path], what: str) -> tuple[list[Path], list[Problem]]:
    """The ``.toml`` files named by *paths* (a directory stands for those in it), and what is wrong with the rest."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        p = Path(path)
        if p.is_dir():
            found = sorted(p.glob("*.toml"))
            if not found:
                problems.append(Problem(str(p), "directory", None, f"holds no .toml {what} files"))
            files += found
        elif p.is_file():
            files.append(p)
        else:
            problems.append(Problem(str(p), "file", None, "no such file or directory"))
    return files, problems


# --- loading -------------------------------------------------------------------------------------

def _gradecheck_version() -> str:
    from ..version import __version__

    return __version__


def _fingerprint(docs: Sequence[tuple[Path, bool, dict[str, Any]]], rules: Iterable[Rule]) -> str:
    """
    A short hash of what the rule set says: the rules in force (by code) and every scale, framework and field table.

    A table written twice the same way (a user's copy of a built-in file) counts once.
    """
    content = {
        key: sorted({json.dumps(t, sort_keys=True, default=str) for _, _, doc in docs
                    for t in (doc.get(key, []) if isinstance(doc.get(key), list) else [doc.get(key, {})]) if t})
        for key in ("scale", "framework", "fields")
    }
    content["rule"] = [json.dumps({"code": r.code, "title": r.title, "kind": r.kind, "severity": r.severity,
                                   "frameworks": r.frameworks, "from": r.start, "to": r.end, "source": r.source,
                                   "why": r.why, "example": r.example, "params": r.params,
                                   "cites": [attrs.asdict(x) for x in r.cites]}, sort_keys=True, default=str)
                       for r in sorted(rules, key=lambda r: r.code)]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:12]


_TOP_KEYS = {"scale", "framework", "fields", "rule", "sources"}
_RULE_KEYS = {"code", "title", "kind", "severity", "frameworks", "from", "to", "source", "why", "example", "cites"}
# A source's date: a day (a TOML date), a month or a year, a span of years, or "undated".
_SOURCE_DATE = re.compile(r"^(\d{4}(-(0[1-9]|1[0-2]))?|\d{4}-\d{4}|undated)$")


def _date(value: Any, ctx: Any) -> str | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return None
    return f"expected a date like 2023-01-01, found {value!r}"


def _text_list(value: Any, ctx: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return f"expected a list of text, found {value!r}"


def _table_list(value: Any, ctx: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return None
    return "expected an array of tables ([[...]])"


def _cites(value: Any, ctx: Any) -> str | None:
    reason = _text_list(value, ctx)
    if reason:
        return reason
    unknown = [v for v in value if v not in ctx.citations]
    if unknown:
        return (f"unknown source(s) {', '.join(map(repr, unknown))}; declare each as a [sources.KEY] table "
                f"(known: {', '.join(sorted(ctx.citations)) or 'none'})")
    return None


def _frameworks_list(value: Any, ctx: _Vocabulary) -> str | None:
    if value == ["*"]:
        return None
    return c.framework_list(value, ctx)


_SCALE_KEYS: dict[str, tuple[Callable[..., str | None], bool]] = {
    "id": (c.text, True), "name": (c.text, True), "grade": (_table_list, True),
    "best_number": (c.one_of("none", "highest", "lowest"), False), "not_graded": (_text_list, False),
    "source": (c.text, False), "cites": (_text_list, False),
}
_GRADE_KEYS = {
    "name": (c.text, True), "label": (c.text, True), "aliases": (_text_list, False), "number": (c.integer, False),
}
_FRAMEWORK_KEYS = {
    "id": (c.text, True), "name": (c.text, True), "graded": (c.boolean, True), "scale": (c.text, False),
    "from": (_date, False), "to": (_date, False), "version": (_table_list, False), "source": (c.text, True),
    # A scale's or framework's cites name [sources.KEY] tables; they are not resolved here, so that a copy of
    # frameworks.toml loads without the sources (tests/test_citations.py resolves the built-in ones).
    "note": (c.text, False), "cites": (_text_list, False),
    "judgement_aliases": (lambda v, ctx: None if isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
                          else "expected a table of name = \"canonical name\"", False),
}
_VERSION_KEYS = {
    "from": (_date, False), "to": (_date, False), "judgements": (_text_list, True), "overall": (c.text, False),
    "feeds_overall": (_text_list, False), "counted": (_text_list, False), "graded_items": (c.integer, False),
    "note": (c.text, False),
}


def _source_date(value: Any, ctx: Any) -> str | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return None
    if isinstance(value, str) and _SOURCE_DATE.match(value):
        return None
    return f"expected a date (2023-01-01, \"2023-01\", \"2023\", \"2014-2018\") or \"undated\", found {value!r}"


def _url(value: Any, ctx: Any) -> str | None:
    if isinstance(value, str) and re.match(r"^https?://[^\s/]+\.[^\s]+$", value):
        return None
    return f"expected a web address starting https:// or http://, found {value!r}"


_SOURCE_KEYS = {
    "title": (c.text, True), "publisher": (c.text, True), "date": (_source_date, True), "url": (_url, False),
    "doc": (c.text, False), "note": (c.text, False),
}
_FIELDS_KEYS = {
    "populations": (_text_list, False),
    "aliases": (lambda v, ctx: None if isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
                else "expected a table of \"alias\" = \"canonical field\"", False),
}


class _Vocabulary:
    """The names rule files may refer to, collected from every scale, framework and field list loaded."""

    def __init__(self, scales: Mapping[str, Scale], frameworks: Mapping[str, Framework], populations: set[str],
                 aliases: Mapping[str, str]) -> None:
        self.grades = {g.name for s in scales.values() for g in s.grades}
        self.frameworks = frameworks
        self.judgements = {j for f in frameworks.values() for j in f.judgements}
        self.populations = populations
        self.aliases = aliases
        self.citations: dict[str, Citation] = {}

    def known_grade(self, name: str) -> bool:
        return name in self.grades

    def known_framework(self, name: str) -> bool:
        return name in self.frameworks

    def known_field(self, name: str) -> bool:
        """A field a rule may name: exact names must exist; a glob must at least name a group."""
        if _GLOB.search(name):
            head = name.split(".", 1)[0]
            return _GLOB.search(head) is not None or head in GROUPS or head in TEXT_FIELDS
        if name in TEXT_FIELDS or name in DATE_FIELDS:
            return True
        group, dot, member = name.partition(".")
        if not dot:
            return False
        return {
            "judgements": member in self.judgements,
            "grade_counts": member in self.grades,
            "populations": member in self.populations,
            "facts": bool(member),
        }.get(group, False)

    def known_record_field(self, name: str) -> bool:
        """A field a record may carry (aliases included; facts and judgements are open-ended here)."""
        name = self.aliases.get(name, name)
        group, dot, member = name.partition(".")
        if not dot:
            return name in TEXT_FIELDS or name in DATE_FIELDS
        if group == "populations":
            return member in self.populations
        return group in GROUPS

    def suggestions(self) -> tuple[str, ...]:
        names = [*TEXT_FIELDS, *DATE_FIELDS, *(f"populations.{p}" for p in self.populations)]
        return tuple(sorted(names))


class _Loader:
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems

    def problem(self, path: Path, where: str, key: str | None, reason: str) -> None:
        self.problems.append(Problem(str(path), where, key, reason))

    def check_keys(self, table: Mapping[str, Any], spec: Mapping[str, tuple[Callable[..., str | None], bool]],
                   path: Path, where: str, ctx: Any = None) -> bool:
        ok = True
        for key in sorted(set(table) - set(spec)):
            self.problem(path, where, key, f"unknown key; expected one of {', '.join(sorted(spec))}")
            ok = False
        for key, (check, required) in spec.items():
            if key not in table:
                if required:
                    self.problem(path, where, key, "required key is missing")
                    ok = False
                continue
            reason = check(table[key], ctx)
            if reason:
                self.problem(path, where, key, reason)
                ok = False
        return ok

    def load(self, files: Sequence[tuple[Path, bool]], *, builtin_rules: bool = True) -> RuleSet:
        docs: list[tuple[Path, bool, dict[str, Any]]] = []
        for path, builtin in files:
            doc = self.parse(path)
            if doc is not None:
                if builtin and not builtin_rules:
                    doc.pop("rule", None)
                docs.append((path, builtin, doc))
        scales = self.scales(docs)
        frameworks = self.frameworks(docs, scales)
        populations, aliases = self.fields(docs)
        vocab = _Vocabulary(scales, frameworks, populations, aliases)
        vocab.citations = self.citations(docs)
        rules = self.rules(docs, vocab)
        if self.problems:
            raise RuleFileError(self.problems)
        return RuleSet(
            rules=tuple(sorted(rules.values(), key=lambda r: r.code)),
            frameworks=frameworks,
            field_aliases=aliases,
            populations=frozenset(populations),
            sources=tuple(str(p) for p, _, _ in docs),
            citations=vocab.citations,
            version=f"{_gradecheck_version()}+{_fingerprint(docs, rules.values())}",
        )

    def parse(self, path: Path) -> dict[str, Any] | None:
        try:
            size = path.stat().st_size
            if size > _MAX_FILE_BYTES:
                self.problem(path, "file", None, f"{size} bytes is too large for a rule file (limit {_MAX_FILE_BYTES})")
                return None
            doc = tomllib.loads(path.read_bytes().decode("utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            self.problem(path, "file", None, f"cannot read: {err}")
            return None
        except tomllib.TOMLDecodeError as err:
            self.problem(path, "file", None, f"not valid TOML: {err}")
            return None
        except RecursionError:
            self.problem(path, "file", None, "not valid TOML: nested too deeply")
            return None
        for key in sorted(set(doc) - _TOP_KEYS):
            self.problem(path, "file", key, f"unknown top-level key; expected {', '.join(sorted(_TOP_KEYS))}")
        for key in ("scale", "framework", "rule"):
            if key in doc and _table_list(doc[key], None):
                self.problem(path, "file", key, f"expected an array of tables: write [[{key}]]")
                doc[key] = []
        return doc

    def scales(self, docs: Sequence[tuple[Path, bool, dict[str, Any]]]) -> dict[str, Scale]:
        scales: dict[str, Scale] = {}
        origin: dict[str, tuple[Path, bool]] = {}
        for path, builtin, doc in docs:
            for i, table in enumerate(doc.get("scale", [])):
                where = f"scale[{i}] {table.get('id', '?')!r}"
                if not self.check_keys(table, _SCALE_KEYS, path, where):
                    continue
                grades = []
                for j, g in enumerate(table["grade"]):
                    if self.check_keys(g, _GRADE_KEYS, path, f"{where} grade[{j}]"):
                        grades.append(Grade(g["name"], g["label"], g.get("aliases", ()), g.get("number")))
                if len(grades) != len(table["grade"]):
                    continue
                if len({g.name for g in grades}) != len(grades) or len(grades) < 2:
                    self.problem(path, where, "grade", "expected at least two grades with distinct names")
                    continue
                numbers = [g.number for g in grades if g.number is not None]
                direction = table.get("best_number", "none")
                # Grades are listed best first, so their numbers must run the way best_number says:
                # a scale declared "4 = best" whose numbers climb would silently invert every comparison.
                expected = {"highest": sorted(numbers, reverse=True), "lowest": sorted(numbers)}.get(direction, numbers)
                if numbers != expected or len(set(numbers)) != len(numbers):
                    order = {"highest": "fall down the list (best first)", "lowest": "rise down the list (best first)"}
                    self.problem(path, where, "best_number",
                                 f"with best_number = {direction!r} the grades' numbers must "
                                 f"{order.get(direction, 'differ')}, without repeats; found {numbers}")
                    continue
                if self.duplicate(origin, table["id"], path, builtin, where):
                    continue
                scale = Scale(table["id"], table["name"], grades, table.get("best_number", "none"),
                              table.get("not_graded", ()))
                clash = self.alias_clash(scale)
                if clash:
                    self.problem(path, where, "aliases", clash)
                    continue
                scales[scale.id] = scale
        return scales

    def alias_clash(self, scale: Scale) -> str | None:
        from ..frameworks import spelling_key

        seen: dict[str, str] = {}
        for grade in scale.grades:
            for s in dict.fromkeys(grade.spellings()):
                key = spelling_key(s)
                if seen.get(key, grade.name) != grade.name:
                    return f"spelling {s!r} names both {seen[key]!r} and {grade.name!r}"
                seen[key] = grade.name
        return None

    def duplicate(self, origin: dict[str, tuple[Path, bool]], key: str, path: Path, builtin: bool, where: str) -> bool:
        """Record where *key* was defined; a second definition in the same kind of file is a problem."""
        if key in origin:
            first_path, first_builtin = origin[key]
            if first_builtin == builtin:
                self.problem(path, where, "id" if not where.startswith("rule") else "code",
                             f"{key!r} is defined twice (also in {first_path})")
                return True
        origin[key] = (path, builtin)
        return False

    def frameworks(self, docs: Sequence[tuple[Path, bool, dict[str, Any]]],
                   scales: Mapping[str, Scale]) -> dict[str, Framework]:
        frameworks: dict[str, Framework] = {}
        origin: dict[str, tuple[Path, bool]] = {}
        for path, builtin, doc in docs:
            for i, table in enumerate(doc.get("framework", [])):
                where = f"framework[{i}] {table.get('id', '?')!r}"
                if not self.check_keys(table, _FRAMEWORK_KEYS, path, where):
                    continue
                scale = None
                if table["graded"]:
                    scale = scales.get(table.get("scale", ""))
                    if scale is None:
                        self.problem(path, where, "scale",
                                     f"a graded framework needs a known scale; found {table.get('scale')!r}")
                        continue
                versions = self.versions(table, path, where)
                if versions is None or self.duplicate(origin, table["id"], path, builtin, where):
                    continue
                frameworks[table["id"]] = Framework(
                    id=table["id"], name=table["name"], graded=table["graded"], scale=scale,
                    start=table.get("from"), end=table.get("to"), versions=versions,
                    judgement_aliases=table.get("judgement_aliases", {}), source=table["source"],
                    note=table.get("note", ""),
                )
        return frameworks

    def versions(self, table: Mapping[str, Any], path: Path, where: str) -> list[Version] | None:
        raw = table.get("version", [])
        if not raw:
            if table["graded"]:
                self.problem(path, where, "version", "a graded framework needs at least one [[framework.version]]")
                return None
            return [Version(start=table.get("from"), end=table.get("to"))]
        versions = []
        for j, v in enumerate(raw):
            vwhere = f"{where} version[{j}]"
            if not self.check_keys(v, _VERSION_KEYS, path, vwhere):
                return None
            judgements = v["judgements"]
            for key in ("feeds_overall", "counted"):
                stray = [x for x in v.get(key, ()) if x not in judgements]
                if stray:
                    self.problem(path, vwhere, key, f"names judgements this version does not make: {', '.join(stray)}")
                    return None
            if v.get("overall") and v["overall"] not in judgements:
                self.problem(path, vwhere, "overall", f"{v['overall']!r} is not among this version's judgements")
                return None
            if v.get("from") and v.get("to") and v["from"] > v["to"]:
                self.problem(path, vwhere, "to", f"ends ({v['to']}) before it starts ({v['from']})")
                return None
            versions.append(Version(
                start=v.get("from"), end=v.get("to"), judgements=judgements, overall=v.get("overall"),
                feeds_overall=v.get("feeds_overall", ()), counted=v.get("counted", judgements),
                graded_items=v.get("graded_items"), note=v.get("note", ""),
            ))
        return versions

    def fields(self, docs: Sequence[tuple[Path, bool, dict[str, Any]]]) -> tuple[set[str], dict[str, str]]:
        populations: set[str] = set()
        aliases: dict[str, str] = {}
        for path, _, doc in docs:
            if "fields" not in doc:
                continue
            table = doc["fields"]
            if not isinstance(table, dict) or not self.check_keys(table, _FIELDS_KEYS, path, "fields"):
                continue
            populations.update(table.get("populations", ()))
            aliases.update(table.get("aliases", {}))
        return populations, aliases

    def citations(self, docs: Sequence[tuple[Path, bool, dict[str, Any]]]) -> dict[str, Citation]:
        """Every ``[sources.KEY]`` table: a public source with title, publisher, date and a link (or a project doc)."""
        found: dict[str, Citation] = {}
        origin: dict[str, tuple[Path, bool]] = {}
        for path, builtin, doc in docs:
            tables = doc.get("sources", {})
            if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
                self.problem(path, "file", "sources", "expected tables of sources: write [sources.KEY]")
                continue
            for key, table in tables.items():
                where = f"sources.{key}"
                if not self.check_keys(table, _SOURCE_KEYS, path, where):
                    continue
                if not table.get("url") and not table.get("doc"):
                    self.problem(path, where, "url", "required key is missing (a link where the source can be read)")
                    continue
                if self.duplicate(origin, key, path, builtin, where):
                    continue
                day = table["date"]
                found[key] = Citation(key=key, title=table["title"], publisher=table["publisher"],
                                      date=day.isoformat() if isinstance(day, dt.date) else day,
                                      url=table.get("url", ""), doc=table.get("doc", ""), note=table.get("note", ""))
        return found

    def rules(self, docs: Sequence[tuple[Path, bool, dict[str, Any]]], vocab: _Vocabulary) -> dict[str, Rule]:
        rules: dict[str, Rule] = {}
        origin: dict[str, tuple[Path, bool]] = {}
        for path, builtin, doc in docs:
            for i, table in enumerate(doc.get("rule", [])):
                code = table.get("code")
                where = f"rule[{i}] {code!r}" if isinstance(code, str) else f"rule[{i}]"
                rule = self.rule(table, path, where, vocab)
                if rule is None or self.duplicate(origin, rule.code, path, builtin, where):
                    continue
                rules[rule.code] = rule
        return rules

    def rule(self, table: Mapping[str, Any], path: Path, where: str, vocab: _Vocabulary) -> Rule | None:
        kind_name = table.get("kind")
        cls = KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if cls is None:
            self.problem(path, where, "kind", f"unknown kind {kind_name!r}; expected one of {', '.join(sorted(KINDS))}")
            params: dict[str, Any] = {}
        else:
            params = {f.name: f.metadata["param"] for f in attrs.fields(cls) if "param" in f.metadata}
        spec: dict[str, tuple[Callable[..., str | None], bool]] = {
            "code": (lambda v, ctx: None if isinstance(v, str) and CODE.match(v)
                     else f"expected a code like 'C101' (letters then digits), found {v!r}", True),
            "title": (c.text, True), "kind": (lambda v, ctx: None, True),
            "severity": (c.one_of(*SEVERITIES), True), "frameworks": (_frameworks_list, True),
            "from": (_date, False), "to": (_date, False), "source": (c.text, True),
            "why": (c.text, False), "example": (c.text, False), "cites": (_cites, False),
        }
        if cls is None:
            spec.update({k: (lambda v, ctx: None, False) for k in table if k not in spec})
        required = ({f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING and "param" in f.metadata}
                    if cls else set())
        for name, p in params.items():
            spec[name] = (p.check, name in required)
        if not self.check_keys(table, spec, path, where, vocab) or cls is None:
            return None
        if table.get("from") and table.get("to") and table["from"] > table["to"]:
            self.problem(path, where, "to", f"the rule ends ({table['to']}) before it starts ({table['from']})")
            return None
        kwargs = {k: (tuple(v) if isinstance(v, list) else v) for k, v in table.items() if k in params}
        if cls.kind == "known":
            kwargs.update(known_field=vocab.known_record_field, suggestions=vocab.suggestions())
        try:
            check = cls(**kwargs)
        except (TypeError, ValueError) as err:
            # A kind names the key at fault as a second argument: ValueError(reason, key).
            reason, key = (str(err.args[0]), str(err.args[1])) if len(err.args) == 2 else (str(err), None)
            self.problem(path, where, key, reason)
            return None
        return Rule(
            code=table["code"], title=table["title"], kind=kind_name, severity=table["severity"],
            frameworks=tuple(table["frameworks"]), start=table.get("from"), end=table.get("to"),
            source=table["source"], why=table.get("why", ""), example=table.get("example", ""),
            check=check, path=str(path), params={k: table[k] for k in params if k in table},
            cites=tuple(vocab.citations[k] for k in table.get("cites", ())),
        )


_DEFAULT: list[RuleSet] = []


def default_ruleset() -> RuleSet:
    """The built-in rule set, loaded once per process: every run without --rules uses it."""
    if not _DEFAULT:
        _DEFAULT.append(load_ruleset())
    return _DEFAULT[0]
