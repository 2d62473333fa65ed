"""Turn reports and rule sets into text: tables for people, JSON and CSV for programs. Returns strings, never prints."""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs

from ..kinds import KINDS
from ..ruleset import Rule, RuleSet
from ..values import jsonable, show
from ..writers import CsvWriter
from .model import Finding, Report
from .rows import csv_rows
from .unknowns import (
    file_dict,
    listed,
    not_listed,
    per_file_lines,
    reason_lines,
    unknown_dict,
    unknown_phrase,
    unknown_reasons,
)

__all__ = [
    "FORMATS",
    "render",
    "render_csv",
    "render_explain",
    "render_json",
    "render_jsonl",
    "render_rules",
    "render_table",
    "render_text",
    "report_to_dict",
]


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "record": f.record,
        "source": str(f.source),
        "message": f.message,
        "fields": {k: jsonable(v) for k, v in f.fields.items()},
        "expected": jsonable(f.expected),
        "actual": jsonable(f.actual),
        "title": f.title,
        "authority": f.authority,
        "authority_code": f.authority_code,
        "framework": f.framework,
    }


def _summary(report: Report) -> dict[str, Any]:
    return {
        "records": report.records,
        "checked": report.checked,
        "unreadable": len(report.unreadable),
        "findings": {"error": report.count("error"), "warning": report.count("warning")},
        "unknown": report.unknown,
        "unknown_by_cause": dict(report.unknown_causes),
        "rule_errors": len(report.errors),
        "files": report.files,
        "omitted_findings": report.omitted,
        "ruleset": report.ruleset,
        **_triage_summary(report),
        # gradecheck's own reports met among the inputs: named, not read (read/written.py).
        **({"skipped": [{"path": p, "reason": f"{what}, not data"} for p, what in report.skipped]}
           if report.skipped else {}),
    }


def _triage_summary(report: Report) -> dict[str, Any]:
    t = report.triage
    if t is None:
        return {}
    out: dict[str, Any] = {"waived": len(t.waived), "waiver_problems": len(t.problems)}
    if t.baseline is not None:
        out["baseline"] = {"file": t.baseline, "ruleset": t.baseline_ruleset, "known": len(t.baselined),
                           "new": len(report.findings), "fixed": len(t.fixed)}
    return out


def _triage_dict(report: Report) -> dict[str, Any]:
    """With a baseline or waivers: the findings that do not count, and the waivers that need looking at."""
    t = report.triage
    if t is None:
        return {}
    return {
        "baselined": [_finding_dict(f) for f in t.baselined],
        "fixed": [{"rule": rule, "record": record} for rule, record in t.fixed],
        "waived": [{**_finding_dict(w.finding), "waiver": _waiver_dict(w.waiver)} for w in t.waived],
        "waiver_problems": [{**_waiver_dict(p.waiver), "problem": p.problem} for p in t.problems],
    }


def _waiver_dict(w: Any) -> dict[str, Any]:
    return {"rule": w.rule, "record": w.record, "reason": w.reason,
            "expires": w.expires.isoformat() if w.expires else None, "where": w.where}


def _statistics(report: Report) -> dict[str, dict[str, Any]]:
    return {code: {**attrs.asdict(s, filter=lambda a, _: a.name != "reasons"),
                   "unknown_reasons": unknown_reasons(s.reasons)} for code, s in report.stats.items()}


def report_to_dict(report: Report, *, statistics: bool = False, per_file: bool = False) -> dict[str, Any]:
    """The JSON report of DESIGN.md section 5 as plain data."""
    out: dict[str, Any] = {
        "summary": _summary(report),
        "findings": [_finding_dict(f) for f in report.findings],
        "unreadable": [{"source": str(u.origin), "error": u.error} for u in report.unreadable],
        "unknown": [unknown_dict(u) for u in report.undecided],
        "rule_errors": [{"rule": e.rule, "record": e.record, "source": str(e.source), "error": e.error}
                        for e in report.errors],
        **_triage_dict(report),
    }
    if statistics:
        out["statistics"] = _statistics(report)
    if per_file:
        out["per_file"] = [file_dict(f) for f in report.per_file]
    return out


def render_json(report: Report, *, statistics: bool = False, per_file: bool = False, **_: Any) -> str:
    """One JSON object: summary, findings, unreadable records, undecided checks (all of them), broken rules."""
    return json.dumps(report_to_dict(report, statistics=statistics, per_file=per_file), indent=2,
                      ensure_ascii=False) + "\n"


def iter_jsonl(report: Report, *, statistics: bool = False, show_unknown: bool = False,
               show_suppressed: bool = False, per_file: bool = False, **_: Any) -> Iterator[str]:
    """The JSON Lines report a line at a time, so a million-record run never holds it whole."""
    # One encoder for every line: json.dumps with any option builds a new encoder a call.
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for f in report.findings:
        yield dumps({"type": "finding", **_finding_dict(f)}) + "\n"
    lines: list[dict[str, Any]] = [{"type": "unreadable", "source": str(u.origin), "error": u.error}
                                   for u in report.unreadable]
    lines += [{"type": "rule_error", "rule": e.rule, "record": e.record, "source": str(e.source), "error": e.error}
              for e in report.errors]
    lines += [{"type": "unknown", **unknown_dict(u)} for u in listed(report, show_unknown, show_suppressed)]
    lines += [{"type": "file", **file_dict(f)} for f in (report.per_file if per_file else ())]
    triaged = _triage_dict(report)
    lines += [{"type": "baselined", **f} for f in triaged.get("baselined", ())]
    lines += [{"type": "waived", **f} for f in triaged.get("waived", ())]
    lines += [{"type": "waiver_problem", **p} for p in triaged.get("waiver_problems", ())]
    summary: dict[str, Any] = {"type": "summary", **_summary(report)}
    if statistics:
        summary["statistics"] = _statistics(report)
    lines.append(summary)
    for line in lines:
        yield dumps(line) + "\n"


def render_jsonl(report: Report, **options: Any) -> str:
    """One JSON object a line, each with a ``type``: findings, then unreadable records, then the summary."""
    return "".join(iter_jsonl(report, **options))


def _excel_safe(cell: str) -> str:
    """Text Excel would run as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe; numbers stay."""
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        try:
            float(cell)
        except ValueError:
            return "'" + cell
    return cell


def render_csv(report: Report, *, excel: bool = False, raw_cells: bool = False, show_unknown: bool = False,
               show_suppressed: bool = False, **_: Any) -> str:
    """
    One finding a row, for spreadsheets; unreadable records are rows with severity ``unreadable``.

    Cells come from the data (authority names, record ids, values), so text a spreadsheet would run
    as a formula (``=HYPERLINK(...)``, ``+cmd|...``, ``@SUM(...)``) is prefixed with ``'`` unless
    *raw_cells*: a report opened by double-click must not run what a data file smuggled in (OWASP,
    "CSV Injection"). With *excel*, the text also starts with a UTF-8 byte-order mark (so Excel reads
    it as UTF-8, not the local code page) and lines end with CRLF.
    """
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\r\n" if excel else "\n")
    for row in csv_rows(report, listed(report, show_unknown, show_suppressed)):
        writer.writerow(row if raw_cells else [_excel_safe(c) for c in row])
    return ("\ufeff" if excel else "") + out.getvalue()


def _summary_line(report: Report) -> str:
    errors, warnings = report.count("error"), report.count("warning")
    parts = [
        f"{report.records} record{'s' if report.records != 1 else ''} read",
        f"{report.checked} checked",
        f"{len(report.unreadable)} unreadable",
        f"{errors} error{'s' if errors != 1 else ''}",
        f"{warnings} warning{'s' if warnings != 1 else ''}",
        unknown_phrase(report),
    ]
    if report.errors:
        parts.append(f"{len(report.errors)} rule error{'s' if len(report.errors) != 1 else ''}")
    if report.omitted:
        parts.append(f"{report.omitted} more findings not shown (--max-findings)")
    if report.skipped:
        parts.append(f"{len(report.skipped)} gradecheck report{'s' if len(report.skipped) != 1 else ''} "
                     "skipped (not data)")
    if report.triage is not None:
        t = report.triage
        if t.baseline is not None:
            parts.append(f"{len(t.baselined)} known from the baseline ({len(t.fixed)} fixed since)")
        if t.waived:
            parts.append(f"{len(t.waived)} waived")
        if t.problems:
            parts.append(f"{len(t.problems)} stale waiver{'s' if len(t.problems) != 1 else ''}")
    return ", ".join(parts) + "."


def iter_text(report: Report, *, statistics: bool = False, width: int = 80, quiet: bool = False,
              show_unknown: bool = False, show_suppressed: bool = False, per_file: bool = False,
              **_: Any) -> Iterator[str]:
    """The text report a line at a time; *quiet* leaves out the summary line (``--quiet``, as in ruff)."""
    for f in report.findings:
        yield f"{f.source}: {f.rule} [{f.severity}] {f.record}: {f.message}\n"
    for u in listed(report, show_unknown, show_suppressed):
        yield f"{u.source}: {u.rule} [unknown] {u.record}: {u.reason}\n"
    lines = [f"{u.origin}: unreadable: {u.error}" for u in report.unreadable]
    lines += [f"{e.source}: {e.rule} [rule error] {e.record}: {e.error}" for e in report.errors]
    lines += _waiver_lines(report)
    if not quiet and not_listed(report, show_unknown, show_suppressed):
        lines.append(not_listed(report, show_unknown, show_suppressed))
    if statistics:
        lines += ["", _statistics_table(report, width)]
    if per_file and report.per_file:
        lines += ["", *per_file_lines(report, width)]
    if not quiet:
        lines.append(_summary_line(report))
    for line in lines:
        yield line + "\n"


def render_text(report: Report, **options: Any) -> str:
    """``path:line: CODE [severity] record: message``, one a line, like flake8: for grep and editors."""
    return "".join(iter_text(report, **options))


def _waiver_lines(report: Report) -> list[str]:
    if report.triage is None:
        return []
    return [f"{p.waiver.where}: waiver {p.waiver.rule} {p.waiver.record}: {p.problem}" for p in report.triage.problems]


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=max(width, 8), break_long_words=True, break_on_hyphens=False)) or text


def render_table(report: Report, *, statistics: bool = False, width: int = 80, quiet: bool = False,
                 show_unknown: bool = False, show_suppressed: bool = False, per_file: bool = False, **_: Any) -> str:
    """Findings as a table that fits the terminal (80 columns or more), then the summary (unless *quiet*)."""
    blocks: list[str] = []
    if report.findings:
        # tabulate makes a column at least its header plus 2 wide, so that minimum counts in the width budget.
        where_w = max(len("where") + 2, min(max(len(str(f.source)) for f in report.findings), max(14, width // 5)))
        record_w = max(len("record") + 2, min(max(len(f.record) for f in report.findings), max(12, width // 6)))
        rules = [f"{f.rule}{'' if f.severity == 'error' else ' (w)'}" for f in report.findings]
        rule_w = max(len("rule") + 2, *(len(r) for r in rules))  # codes run to 7 characters, plus " (w)"
        message_w = max(20, width - where_w - record_w - rule_w - 6)
        rows = [[_wrap(str(f.source), where_w), _wrap(f.record, record_w), rule, _wrap(f.message, message_w)]
                for f, rule in zip(report.findings, rules, strict=True)]
        blocks.append(tabulate(rows, headers=["where", "record", "rule", "message"], tablefmt="simple"))
    if report.unreadable:
        where_w = max(len("where") + 2, min(max(len(str(u.origin)) for u in report.unreadable), max(14, width // 4)))
        why_w = max(20, width - where_w - 4)
        rows = [[_wrap(str(u.origin), where_w), _wrap(u.error, why_w)] for u in report.unreadable]
        blocks.append("Unreadable records\n" + tabulate(rows, headers=["where", "why"], tablefmt="simple"))
    if report.errors:
        rows = [[_wrap(str(e.source), 18), e.rule, _wrap(e.error, max(20, width - 30))] for e in report.errors]
        blocks.append("Rules that broke (please report this)\n" + tabulate(rows, headers=["where", "rule", "error"]))
    if _waiver_lines(report):
        blocks.append("Stale waivers\n" + "\n".join(_wrap(line, width) for line in _waiver_lines(report)))
    unknown = listed(report, show_unknown, show_suppressed)
    if unknown:
        where_w = max(len("where") + 2, min(max(len(str(u.source)) for u in unknown), max(14, width // 5)))
        record_w = max(len("record") + 2, min(max(len(u.record) for u in unknown), max(12, width // 6)))
        why_w = max(20, width - where_w - record_w - 15)
        rows = [[_wrap(str(u.source), where_w), _wrap(u.record, record_w), u.rule, _wrap(u.reason, why_w)]
                for u in unknown]
        blocks.append("Unknown checks\n" + tabulate(rows, headers=["where", "record", "rule", "why"],
                                                    tablefmt="simple"))
    if not quiet and not_listed(report, show_unknown, show_suppressed):
        blocks.append(_wrap(not_listed(report, show_unknown, show_suppressed), width))
    if statistics:
        blocks.append(_statistics_table(report, width))
    if per_file and report.per_file:
        blocks.append("\n".join(per_file_lines(report, width)))
    legend = " (w) = warning." if any(f.severity == "warning" for f in report.findings) else ""
    if not quiet:
        blocks.append(_wrap(_summary_line(report) + legend, width))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _statistics_table(report: Report, width: int) -> str:
    rows = [[code, s.findings, s.failed, s.unknown, s.passed, s.errors] for code, s in report.stats.items()
            if s.failed or s.unknown or s.passed or s.errors]
    table = "Per rule\n" + tabulate(rows, headers=["rule", "findings", "records failed", "unknown", "passed", "broke"],
                                    tablefmt="simple")
    return "\n\n".join([table, "\n".join(reason_lines(report, width))]) if reason_lines(report, width) else table


#: Report formats by name: the single source of the CLI's ``--format`` choices.
def tabulate(*args: Any, **kwargs: Any) -> str:
    """tabulate, imported on first use: it imports importlib.metadata (about 40 ms) and only tables need it."""
    from tabulate import tabulate as _tabulate

    return _tabulate(*args, **kwargs)


def _lazy(module: str, name: str) -> Callable[..., str]:
    """A renderer imported on first use: the HTML and CI formats are not worth loading for every run."""

    def render_lazily(report: Report, **options: Any) -> str:
        from importlib import import_module

        return getattr(import_module(module, __package__), name)(report, **options)

    render_lazily.__name__ = name
    return render_lazily


render_html = _lazy(".html", "render_html")
render_junit = _lazy(".ci", "render_junit")
render_sarif = _lazy(".ci", "render_sarif")
render_github = _lazy(".ci", "render_github")

FORMATS: Mapping[str, Callable[..., str]] = {
    "table": render_table,
    "text": render_text,
    "json": render_json,
    "jsonl": render_jsonl,
    "csv": render_csv,
    "html": render_html,
    "junit": render_junit,
    "sarif": render_sarif,
    "github": render_github,
}


def render(report: Report, fmt: str = "table", **options: Any) -> str:
    """Render *report* in format *fmt* (one of FORMATS)."""
    return FORMATS[fmt](report, **options)


#: Formats that can be written a piece at a time (large reports are never held whole).
_STREAMS: Mapping[str, Callable[..., Iterator[str]]] = {"jsonl": iter_jsonl, "text": iter_text}


def render_chunks(report: Report, fmt: str = "table", **options: Any) -> Iterator[str]:
    """Render *report* as pieces of text whose concatenation is ``render(report, fmt)``."""
    stream = _STREAMS.get(fmt)
    if stream is None:
        yield render(report, fmt, **options)
    else:
        yield from stream(report, **options)


def _rule_dict(rule: Rule) -> dict[str, Any]:
    return {
        "code": rule.code, "title": rule.title, "kind": rule.kind, "severity": rule.severity,
        "frameworks": list(rule.frameworks), "from": rule.start.isoformat() if rule.start else None,
        "to": rule.end.isoformat() if rule.end else None, "source": rule.source, "why": rule.why,
        "example": rule.example, "parameters": {k: jsonable(v) for k, v in rule.params.items()}, "file": rule.path,
    }


def render_rules(ruleset: RuleSet, fmt: str = "table", width: int = 80) -> str:
    """The rules in force: code, severity, kind, where they apply, title."""
    if fmt == "json":
        return json.dumps([_rule_dict(r) for r in ruleset.rules], indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(_rule_dict(r), ensure_ascii=False) + "\n" for r in ruleset.rules)
    if fmt == "csv":
        out = io.StringIO()
        writer = CsvWriter(out)
        writer.writerow(["code", "severity", "kind", "frameworks", "from", "to", "title", "source"])
        for r in ruleset.rules:
            writer.writerow([r.code, r.severity, r.kind, " ".join(r.frameworks), r.start or "", r.end or "", r.title,
                             r.source])
        return out.getvalue()
    # code 7, severity 10 (tabulate pads headers by 2), kind 13, scope 18, and 4 gaps of 2: 56 columns.
    title_w = max(20, width - 56)
    rows = [[r.code, r.severity, r.kind, _wrap(_scope(r), 18), _wrap(r.title, title_w)] for r in ruleset.rules]
    return tabulate(rows, headers=["code", "severity", "kind", "applies to", "title"], tablefmt="simple") + "\n"


def _scope(rule: Rule) -> str:
    frameworks = "all" if "*" in rule.frameworks else ", ".join(rule.frameworks)
    if rule.start and rule.end:
        return f"{frameworks} {rule.start}..{rule.end}"
    if rule.start:
        return f"{frameworks} from {rule.start}"
    if rule.end:
        return f"{frameworks} to {rule.end}"
    return frameworks


def _hang(head: str, text: str, width: int) -> list[str]:
    """*head* then *text* wrapped to *width*, continuation lines indented under the text; words are never split."""
    return textwrap.wrap(text, width, initial_indent=head, subsequent_indent=" " * len(head),
                         break_long_words=False, break_on_hyphens=False) or [head.rstrip()]


def render_explain(rule: Rule, width: int = 80) -> str:
    """What a rule checks, why, its source, its parameters and an example finding."""
    kind = KINDS[rule.kind]
    docs = {f.name: f.metadata["param"].doc for f in attrs.fields(kind) if "param" in f.metadata}
    w = max(40, width)
    lines = [*_hang(f"{rule.code}  ", rule.title, w), "",
             f"severity:   {rule.severity}",
             *_hang("applies to: ", _scope(rule), w),
             *_hang("kind:       ", f"{rule.kind} - {(kind.__doc__ or '').strip().splitlines()[0]}", w),
             f"defined in: {rule.path}"]  # a path is not wrapped: it must stay whole to be copied
    if rule.params:
        lines += ["", "parameters:"]
        for key, value in rule.params.items():
            shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else show(value)
            lines += _hang(f"  {key} = ", shown, w)
            lines += textwrap.wrap(docs.get(key, ""), w - 6, initial_indent="      ", subsequent_indent="      ")
    if rule.why:
        lines += ["", "why:", *textwrap.wrap(rule.why, w - 2, initial_indent="  ", subsequent_indent="  ")]
    lines += ["", "source:", *textwrap.wrap(rule.source, w - 2, initial_indent="  ", subsequent_indent="  ")]
    if rule.cites:
        lines += ["", "cited:"]
        for cited in rule.cites:  # the link on a line of its own, unwrapped, so it can be copied
            lines += [*_hang("  - ", f"{cited.publisher}, \"{cited.title}\", {cited.date}", w),
                      f"    {cited.url or cited.doc}"]
    if rule.example:
        lines += ["", "example finding:",
                  *textwrap.wrap(rule.example, w - 2, initial_indent="  ", subsequent_indent="  ")]
    return "\n".join(lines) + "\n"
