"""
Two sources, one history: match the inspections of source A with those of source B and report where they differ.

Internal consistency cannot see a compilation that copied a grade wrongly from the report: each record still
adds up. Only another record of the same inspection can. So `compare A B` finds, for each inspection or visit
of A, the one of B with the same authority (through the register, whatever the spelling or code), close enough
in date (a tolerance in days) and preferably the same framework, and reports judgement by judgement. A is the
reference (expected), B the copy (actual): `compare OFSTED_HISTORY COMPILATION`.

Nothing is lost: every record of A and B ends matched, only in A, only in B, not an inspection (a statistical
row), without an authority the register knows, or unreadable, and the summary counts each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from attrs import evolve, frozen

from .authorities import Authority, Register, default_register, load_register
from .editions import Editions, compare_editions, is_series
from .errors import GradecheckError
from .frameworks import Framework, spelling_key
from .read import discover, read_path
from .records import Record, Unreadable
from .report import Finding, Report
from .report.render import FORMATS, render, report_to_dict
from .ruleset import RuleSet, default_ruleset
from .values import MISSING, UnknownGrade

__all__ = ["CODES", "DEFAULT_TOLERANCE_DAYS", "Comparison", "Pair", "compare", "compare_command", "compare_records"]

#: Days two records' dates may differ and still be one inspection. Ofsted dates an inspection by its first day
#: of fieldwork, and compilations copy that date; a fortnight allows for one that takes the last day or a typo
#: of a few days, and is well below the months between two visits to one authority.
DEFAULT_TOLERANCE_DAYS = 14

#: The findings compare makes: code -> (severity, title).
CODES: Mapping[str, tuple[str, str]] = {
    "M101": ("error", "The two sources give one judgement different grades"),
    "M102": ("error", "The two sources give the overall judgement different grades"),
    "M103": ("warning", "The two sources give the inspection different dates"),
    "M104": ("error", "The two sources file the inspection under different frameworks"),
    "M105": ("warning", "One source has a grade for a judgement the other leaves blank"),
    "M106": ("error", "A source has a grade for a judgement the framework did not make at that date"),
    "M107": ("warning", "A record names no authority the register knows, so it cannot be matched"),
    "M108": ("error", "One source's stated grade counts disagree with the grades the other lists"),
    "M110": ("warning", "An inspection only source A has"),
    "M111": ("warning", "An inspection only source B has"),
}

_DATES = ("start", "end", "published")


@frozen
class Pair:
    """One inspection as both sources record it."""

    a: Record
    b: Record
    authority: Authority
    days_apart: int


@frozen
class Comparison:
    """
    What compare found. ``records`` of each side is ``matched + only + not_inspections + unresolved + unreadable``
    (a matched record is in exactly one pair).
    """

    pairs: tuple[Pair, ...]
    only_a: tuple[Record, ...]
    only_b: tuple[Record, ...]
    not_inspections: tuple[tuple[Record, ...], tuple[Record, ...]]
    unresolved: tuple[tuple[Record, ...], tuple[Record, ...]]
    unreadable: tuple[tuple[Unreadable, ...], tuple[Unreadable, ...]]
    findings: tuple[Finding, ...]
    tolerance_days: int
    inputs: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def counts(self) -> dict[str, dict[str, int]]:
        """How many records of each side ended where: the summary's figures."""
        out = {}
        for i, side in enumerate(("a", "b")):
            matched = len(self.pairs)
            only = len(self.only_a if i == 0 else self.only_b)
            rest = len(self.not_inspections[i]), len(self.unresolved[i]), len(self.unreadable[i])
            out[side] = {"records": matched + only + sum(rest), "matched": matched, f"only_in_{side}": only,
                         "not_inspections": rest[0], "no_authority": rest[1], "unreadable": rest[2]}
        return out

    def disagreements(self) -> int:
        """Findings about matched inspections (grades, dates, frameworks, judgements), not about unmatched ones."""
        return sum(1 for f in self.findings if f.rule in ("M101", "M102", "M103", "M104", "M105", "M106", "M108"))

    def report(self) -> Report:
        """The comparison as a check's report, for every output format and the exit code."""
        unreadable = self.unreadable[0] + self.unreadable[1]
        total = sum(c["records"] for c in self.counts().values())
        return Report(records=total, checked=total - len(unreadable), findings=self.findings,
                      unreadable=unreadable, files=len(self.inputs[0]) + len(self.inputs[1]),
                      inputs=self.inputs[0] + self.inputs[1])

    def summary_line(self) -> str:
        """One line a person reads first."""
        c = self.counts()
        a, b = c["a"], c["b"]
        return (f"compare: A {a['records']} records, B {b['records']}: {len(self.pairs)} inspections matched "
                f"(dates within {self.tolerance_days} days), {self.disagreements()} disagreements; "
                f"only in A {a['only_in_a']}, only in B {b['only_in_b']}; not inspections A {a['not_inspections']}, "
                f"B {b['not_inspections']}; no authority A {a['no_authority']}, B {b['no_authority']}; "
                f"unreadable A {a['unreadable']}, B {b['unreadable']}.")


def compare(a_paths: Sequence[str] | str, b_paths: Sequence[str] | str, *,
            tolerance_days: int = DEFAULT_TOLERANCE_DAYS, register: Register | None = None,
            ruleset: RuleSet | None = None) -> Comparison:
    """
    Compare the records of the files (or directories) *a_paths* with those of *b_paths*.

    Any input gradecheck reads will do: Ofsted's tables, a compilation, or a few records typed from an article.

    Raises:
        InputError: a path does not exist.
    """
    (a_files, a_items), (b_files, b_items) = _read(a_paths), _read(b_paths)
    result = compare_records(a_items, b_items, tolerance_days=tolerance_days, register=register, ruleset=ruleset)
    return evolve(result, inputs=(a_files, b_files))


def _read(paths: Sequence[str] | str) -> tuple[tuple[str, ...], list[Record | Unreadable]]:
    """One side's files (a directory stands for those in it) and everything read from them."""
    files = discover([paths] if isinstance(paths, str) else paths)
    return tuple(files), [item for path in files for item in read_path(path)]


def compare_records(a: Iterable[Record | Unreadable], b: Iterable[Record | Unreadable], *,
                    tolerance_days: int = DEFAULT_TOLERANCE_DAYS, register: Register | None = None,
                    ruleset: RuleSet | None = None) -> Comparison:
    """Compare two collections of records already read (see :func:`compare`)."""
    if tolerance_days < 0:
        raise GradecheckError(f"the date tolerance must be 0 days or more, not {tolerance_days}")
    register = register or default_register()
    frameworks = (ruleset or default_ruleset()).frameworks
    sides = [_Side.sort(items, register) for items in (a, b)]
    findings: list[Finding] = []
    for side, label in zip(sides, "AB", strict=True):
        for record, why in side.unresolved_why:
            findings.append(_finding("M107", record, None, f"source {label}: {why}; the record cannot be matched",
                                     {"authority": record.get("authority", None),
                                      "authority_code": record.get("authority_code", None)}))
    pairs = _match(sides[0], sides[1], tolerance_days)
    matched_a = {id(p.a) for p in pairs}
    matched_b = {id(p.b) for p in pairs}
    only_a = tuple(r for r, _ in sides[0].events if id(r) not in matched_a)
    only_b = tuple(r for r, _ in sides[1].events if id(r) not in matched_b)
    for pair in pairs:
        findings += _disagreements(pair, frameworks)
    for label, records, code in (("A", only_a, "M110"), ("B", only_b, "M111")):
        other = "B" if label == "A" else "A"
        for record in records:
            authority = sides[0 if label == "A" else 1].authority_of[id(record)]
            findings.append(_finding(
                code, record, authority,
                f"{authority.name}, {record.framework} {_day_text(record)}: only in source {label} (no record in "
                f"{other} of this authority within {tolerance_days} days)", {}))
    findings.sort(key=Finding.sort_key)
    return Comparison(
        pairs=tuple(pairs), only_a=only_a, only_b=only_b,
        not_inspections=(sides[0].statistics, sides[1].statistics),
        unresolved=(tuple(r for r, _ in sides[0].unresolved_why), tuple(r for r, _ in sides[1].unresolved_why)),
        unreadable=(sides[0].unreadable, sides[1].unreadable), findings=tuple(findings),
        tolerance_days=tolerance_days)


@frozen
class _Side:
    """One source's records sorted into inspections (with their authority and day) and the rest."""

    events: tuple[tuple[Record, dt.date | None], ...]
    authority_of: Mapping[int, Authority]
    statistics: tuple[Record, ...]
    unresolved_why: tuple[tuple[Record, str], ...]
    unreadable: tuple[Unreadable, ...]

    @classmethod
    def sort(cls, items: Iterable[Record | Unreadable], register: Register) -> _Side:
        events, statistics, unresolved, unreadable = [], [], [], []
        authority_of: dict[int, Authority] = {}
        for item in items:
            if isinstance(item, Unreadable):
                unreadable.append(item)
                continue
            if is_series(item):
                statistics.append(item)
                continue
            day = _day(item)
            name, code = _text(item.get("authority", None)), _text(item.get("authority_code", None))
            found = register.resolve_record(name, code, day)
            if not found:
                unresolved.append((item, found.message))
                continue
            authority_of[id(item)] = found.authority
            events.append((item, day))
        return cls(tuple(events), authority_of, tuple(statistics), tuple(unresolved), tuple(unreadable))


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _day(record: Record) -> dt.date | None:
    for name in _DATES:
        value = record.get(name, None)
        if isinstance(value, dt.date):
            return value
    return None


def _common_day(a: Record, b: Record) -> tuple[dt.date, dt.date] | None:
    """The same kind of date from both (fieldwork start, else end, else publication): dates of different kinds
    are weeks apart by design."""
    for name in _DATES:
        x, y = a.get(name, None), b.get(name, None)
        if isinstance(x, dt.date) and isinstance(y, dt.date):
            return x, y
    return None


def _match(a: _Side, b: _Side, tolerance: int) -> list[Pair]:
    """
    Pair records of one authority whose dates are within *tolerance*, closest first, the same framework before a
    different one; each record joins at most one pair. Indexed by authority, so a few thousand records a side
    take milliseconds.
    """
    by_authority: dict[str, list[tuple[int, Record]]] = {}
    for j, (record, _) in enumerate(b.events):
        by_authority.setdefault(b.authority_of[id(record)].id, []).append((j, record))
    candidates = []
    for i, (record, _) in enumerate(a.events):
        authority = a.authority_of[id(record)]
        for j, other in by_authority.get(authority.id, ()):
            days = _common_day(record, other)
            if days is None:
                continue
            apart = abs((days[0] - days[1]).days)
            if apart <= tolerance:
                candidates.append((record.framework != other.framework, apart, i, j, record, other, authority))
    candidates.sort(key=lambda c: c[:4])
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, apart, i, j, record, other, authority in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append(Pair(record, other, authority, apart))
    pairs.sort(key=lambda p: (p.a.origin.path, p.a.origin.line))
    return pairs


def _disagreements(pair: Pair, frameworks: Mapping[str, Framework]) -> list[Finding]:
    a, b, who = pair.a, pair.b, pair.authority
    head = f"{who.name}, {a.framework} {_day_text(a)}"
    out: list[Finding] = []
    places = {"A source": str(a.origin), "B source": str(b.origin)}
    if a.framework != b.framework:
        out.append(_finding("M104", b, who, f"{head}: framework: A says {a.framework} ({a.origin}), "
                                            f"B says {b.framework} ({b.origin})",
                            {"A framework": a.framework, "B framework": b.framework, **places},
                            a.framework, b.framework))
    for name in _DATES:
        x, y = a.get(name, None), b.get(name, None)
        if isinstance(x, dt.date) and isinstance(y, dt.date) and x != y:
            out.append(_finding("M103", b, who, f"{head}: {name} date: A says {x} ({a.origin}), B says {y} "
                                                f"({b.origin}), {abs((x - y).days)} days apart",
                                {f"A {name}": x.isoformat(), f"B {name}": y.isoformat(), **places},
                                x.isoformat(), y.isoformat()))
    fa, fb = frameworks.get(a.framework), frameworks.get(b.framework)
    grades_a, grades_b = _grades(a, fa), _grades(b, fb)
    day = _day(a) or _day(b)
    made = frozenset(fa.version_at(day).judgements) if fa is not None else None
    for name in sorted(set(grades_a) | set(grades_b)):
        (ra, ga), (rb, gb) = grades_a.get(name, (None, None)), grades_b.get(name, (None, None))
        fields = {f"A judgements.{name}": ra, f"B judgements.{name}": rb, **places}
        if made is not None and name not in made:
            for label, raw, record in (("A", ra, a), ("B", rb, b)):
                if raw is not None:
                    out.append(_finding(
                        "M106", record, who,
                        f"{head}: source {label} grades {name} {raw!r} ({record.origin}), a judgement "
                        f"{a.framework} did not make on {day}", fields, None, raw))
            continue
        if ga is None or gb is None:
            if ga is not None or gb is not None:
                have, lack = ("A", "B") if ga is not None else ("B", "A")
                out.append(_finding("M105", b, who, f"{head}: {name}: {have} says {ra if have == 'A' else rb!r} "
                                                    f"({(a if have == 'A' else b).origin}), {lack} has no grade "
                                                    f"({(b if have == 'A' else a).origin})", fields, ra, rb))
            continue
        if ga != gb:
            code = "M102" if fa is not None and name == _overall(fa, day) else "M101"
            out.append(_finding(code, b, who, f"{head}: {name}: A says {ra!r} ({a.origin}), "
                                              f"B says {rb!r} ({b.origin})", fields, ga, gb))
    if made is not None:
        out += _counts_against_grades(pair, head, made, (grades_a, grades_b))
    return out


def _counts_against_grades(pair: Pair, head: str, made: frozenset[str],
                           grades: tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]) -> list[Finding]:
    """
    M108: one side states how many judgements got a grade ("inadequate in four of five areas"), the other lists
    every judgement the framework made that day: the counts must be the listed grades' counts.
    """
    out = []
    sides = (("A", pair.a, grades[0]), ("B", pair.b, grades[1]))
    for (label, record, _), (other_label, other, listed) in (sides, sides[::-1]):
        stated = {key[len("grade_counts."):]: value for key, value in record.fields.items()
                  if key.startswith("grade_counts.") and isinstance(value, int) and not isinstance(value, bool)}
        if not stated or not made <= set(listed):
            continue  # nothing stated, or the other side does not list every judgement: no count to compare
        for grade, count in sorted(stated.items()):
            having = sorted(name for name in made if listed[name][1] == grade)
            if len(having) != count:
                out.append(_finding(
                    "M108", pair.b, pair.authority,
                    f"{head}: source {label} states {grade} {count} ({record.origin}), but the {len(made)} "
                    f"judgements source {other_label} lists give {len(having)}"
                    + (f" ({', '.join(having)})" if having else "") + f" ({other.origin})",
                    {f"{label} grade_counts.{grade}": count}, count if label == "A" else len(having),
                    len(having) if label == "A" else count))
    return out


def _overall(framework: Framework, day: dt.date | None) -> str | None:
    return framework.version_at(day).overall or "overall_effectiveness"


def _grades(record: Record, framework: Framework | None) -> dict[str, tuple[str, str]]:
    """Judgement (canonical name) -> (grade as written, grade as compared): spelling variants compare equal."""
    out: dict[str, tuple[str, str]] = {}
    aliases = framework.judgement_aliases if framework is not None else {}
    scale = framework.scale if framework is not None else None
    for key, raw in record.fields.items():
        if not key.startswith("judgements."):
            continue
        short = key[len("judgements."):]
        name = aliases.get(short, short)
        text = str(raw)
        if scale is not None:
            grade = scale.canonical(text)
            if grade is MISSING:
                continue
            # A spelling the scale does not know still compares, folded: two sources may share a typo.
            compared = "?" + spelling_key(text) if isinstance(grade, UnknownGrade) else str(grade)
        else:
            compared = spelling_key(text)
        out[name] = (text, compared)
    return out


def _day_text(record: Record) -> str:
    day = _day(record)
    return day.isoformat() if day else "(no date)"


def _finding(code: str, record: Record, authority: Authority | None, message: str, fields: Mapping[str, Any],
             expected: Any = None, actual: Any = None) -> Finding:
    severity, title = CODES[code]
    return Finding(rule=code, severity=severity, record=record.id, source=record.origin, message=message,
                   fields=dict(fields), expected=expected, actual=actual, title=title,
                   authority=authority.name if authority else None, framework=record.framework,
                   authority_code=(authority.code_on(_day(record)) or authority.code) if authority else None)


# --- command line -------------------------------------------------------------------------------------------

def _compare_files(a: str, b: str, mode: str, tolerance: int, register: Register | None) -> Comparison | Editions:
    """Read both sides once, and compare them as inspections or, for two statistical tables, as editions."""
    (a_files, a_items), (b_files, b_items) = _read(a), _read(b)
    if mode == "auto":
        rows = [i for i in (*a_items, *b_items) if isinstance(i, Record)]
        mode = "editions" if rows and all(is_series(r) for r in rows) else "inspections"
    result: Comparison | Editions
    if mode == "editions":
        result = compare_editions(a_items, b_items, register=register)
    else:
        result = compare_records(a_items, b_items, tolerance_days=tolerance, register=register)
    return evolve(result, inputs=(a_files, b_files))


def compare_command(argv: Sequence[str], out: TextIO) -> int:
    """``python -m gradecheck compare A B``: the exit codes of a check (0, 1 findings, 2 could not run)."""
    parser = argparse.ArgumentParser(
        prog="python -m gradecheck compare",
        description="Match the inspections of source A with those of source B (by authority, framework and date) "
                    "and report what differs: grades, dates, frameworks, judgements the framework did not make, "
                    "and inspections only one source has. A is the reference (expected), B the copy (actual).",
        epilog="Exit codes: 0 nothing at or above --fail-on, 1 findings or unreadable records, 2 could not run.")
    parser.add_argument("a", metavar="A", help="file or directory: the reference (e.g. Ofsted's own history)")
    parser.add_argument("b", metavar="B", help="file or directory: the source to check against A")
    parser.add_argument("--tolerance", type=int, default=DEFAULT_TOLERANCE_DAYS, metavar="DAYS",
                        help="days two dates may differ and still be one inspection "
                             f"(default {DEFAULT_TOLERANCE_DAYS})")
    parser.add_argument("--format", choices=sorted(FORMATS), default=None,
                        help="report format (default: table on a terminal, text otherwise)")
    parser.add_argument("--fail-on", choices=("error", "warning"), default="error",
                        help="lowest severity that makes the exit code 1 (default: error)")
    parser.add_argument("--ignore", default="", metavar="CODES",
                        help="leave out these findings: codes or prefixes, comma-separated (e.g. M110,M111)")
    parser.add_argument("--authorities", action="append", default=[], metavar="FILE",
                        help="extra authority register file (TOML, the shape of gradecheck/data/authorities.toml)")
    parser.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    parser.add_argument("--mode", choices=("auto", "inspections", "editions"), default="auto",
                        help="inspections: match inspections; editions: A and B are two editions of one statistical "
                             "series (the same DfE table a year apart), compared figure by figure (E101-E103); "
                             "auto (default): editions when every record of both is a statistical row")
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:
        return 2 if exc.code else 0
    try:
        register = load_register(args.authorities) if args.authorities else None
        result: Comparison | Editions = _compare_files(args.a, args.b, args.mode, args.tolerance, register)
    except GradecheckError as err:
        sys.stderr.write(f"gradecheck: {err}\n")
        return 2
    ignore = [c.strip().upper() for c in args.ignore.split(",") if c.strip()]
    report = result.report()
    if ignore:
        report = evolve(report, findings=tuple(f for f in report.findings
                                                if not any(f.rule.startswith(p) for p in ignore)))
    to_terminal = args.output is None and out.isatty()
    fmt = args.format or ("table" if to_terminal else "text")
    width = shutil.get_terminal_size((80, 24)).columns
    if fmt == "json":
        data = report_to_dict(report)
        if isinstance(result, Editions):
            data["comparison"] = result.counts()
        else:
            data["comparison"] = {"tolerance_days": result.tolerance_days, **result.counts(),
                                  "matched_inspections": len(result.pairs), "disagreements": result.disagreements()}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    else:
        text = render(report, fmt, width=width if to_terminal else max(width, 100), fail_on=args.fail_on)
        if fmt in ("text", "table"):
            text += result.summary_line() + "\n"
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        except OSError as err:
            sys.stderr.write(f"gradecheck: --output {args.output}: {err.strerror or err}\n")
            return 2
    else:
        out.write(text)
    return 1 if report.failing(args.fail_on) else 0

