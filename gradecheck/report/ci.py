"""
Reports for CI systems: JUnit XML, SARIF 2.1.0, and GitHub Actions workflow-command annotations.

Each renderer takes a Report and returns a string; it never prints. Options (from the command line):
``ruleset`` (for rule titles and metadata; the built-in rules by default) and ``fail_on`` (which
severity counts as a failure, as for the exit code).
"""

from __future__ import annotations

import hashlib
import json
import os
import urllib.parse
from collections import defaultdict
from pathlib import PurePath
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..records import Origin
from ..ruleset import Rule, RuleSet
from ..values import jsonable
from .model import Finding, Report
from .unknowns import listed as listed_unknown
from .unknowns import unknown_dict, unknown_phrase

__all__ = ["github_escape_data", "github_escape_property", "render_github", "render_junit", "render_sarif"]

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# A failure lists this many findings in full; the rest are counted, so one bad rule cannot make a huge file.
_MAX_LISTED = 200


def _rules(report: Report, ruleset: RuleSet | None) -> list[Rule]:
    if ruleset is None:
        from ..ruleset import default_ruleset

        ruleset = default_ruleset()
    codes = set(report.stats) | {f.rule for f in report.findings}
    return [r for r in ruleset.rules if not codes or r.code in codes]


def _counts(severity: str, fail_on: str) -> bool:
    return severity == "error" or fail_on == "warning"


def _line(f: Finding) -> str:
    return f"{f.source}: {f.rule} [{f.severity}] {f.record}: {f.message}"


def _files(report: Report) -> list[str]:
    if report.inputs:
        return list(report.inputs)
    seen = {f.source.path for f in report.findings} | {u.origin.path for u in report.unreadable}
    seen |= {e.source.path for e in report.errors} | {e.source.path for e in report.events}
    return sorted(seen) or ["<records>"]


# --- JUnit --------------------------------------------------------------------------------------

def _clean(text: str) -> str:
    """XML 1.0 cannot hold most control characters, even escaped: show them as \\xNN."""
    return "".join(ch if ch in "\t\n\r" or (ord(ch) >= 0x20 and not 0xD800 <= ord(ch) <= 0xDFFF
                                           and ch not in "\ufffe\uffff") else f"\\x{ord(ch):02x}" for ch in text)


def _xml_text(text: str) -> str:
    return escape(_clean(text))


def _attr(text: str) -> str:
    return quoteattr(_clean(text))


def render_junit(report: Report, *, ruleset: RuleSet | None = None, fail_on: str = "error",
                 show_unknown: bool = False, show_suppressed: bool = False, **_: Any) -> str:
    """
    JUnit XML: a test suite per file, a test case per rule in it, failing with that rule's findings there.

    Findings below *fail_on* (warnings, by default) and baselined or waived findings do not fail a
    test case; they are listed in its ``system-out``. Unreadable records fail a "records are
    readable" case of their file; a rule that broke is an ``error`` of its case. With *show_unknown*, a
    rule's unknown checks are listed in its case's ``system-out`` too: not a failure, not skipped.
    """
    rules = _rules(report, ruleset)
    files = _files(report)
    by_file_rule: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_file_rule[(f.source.path, f.rule)].append(f)
    quiet: dict[tuple[str, str], list[str]] = defaultdict(list)
    if report.triage:
        for f in report.triage.baselined:
            quiet[(f.source.path, f.rule)].append(f"known (baseline): {_line(f)}")
        for w in report.triage.waived:
            f = w.finding
            quiet[(f.source.path, f.rule)].append(f"waived ({w.waiver.reason}): {_line(f)}")
    for u in listed_unknown(report, show_unknown, show_suppressed):
        quiet[(u.source.path, u.rule)].append(f"unknown: {u.source}: {u.record}: {u.reason}")
    broke: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in report.errors:
        broke[(e.source.path, e.rule)].append(f"{e.source}: {e.record}: {e.error}")
    unreadable: dict[str, list[str]] = defaultdict(list)
    for u in report.unreadable:
        unreadable[u.origin.path].append(f"{u.origin}: {u.error}")
    for path in list(unreadable) + [p for p, _ in by_file_rule] + [p for p, _ in broke]:
        if path not in files:
            files.append(path)

    suites: list[str] = []
    totals = [0, 0, 0]  # tests, failures, errors
    for path in files:
        cases: list[str] = []
        counts = [0, 0, 0]
        for rule in rules:
            key = (path, rule.code)
            failing = [f for f in by_file_rule.get(key, ()) if _counts(f.severity, fail_on)]
            below = [f"{f.severity} (below --fail-on {fail_on}): {_line(f)}"
                     for f in by_file_rule.get(key, ()) if not _counts(f.severity, fail_on)]
            body = ""
            if failing:
                first = failing[0]
                message = f"{len(failing)} finding{'s' if len(failing) != 1 else ''}: {first.record}: {first.message}"
                listed = [_line(f) for f in failing[:_MAX_LISTED]]
                if len(failing) > _MAX_LISTED:
                    listed.append(f"... and {len(failing) - _MAX_LISTED} more")
                body += (f"<failure type={_attr(rule.severity)} message={_attr(message)}>"
                         f"{_xml_text(chr(10).join(listed))}</failure>")
                counts[1] += 1
            if key in broke:
                body += (f"<error type=\"rule-error\" message={_attr(f'rule {rule.code} broke: ' + broke[key][0])}>"
                         f"{_xml_text(chr(10).join(broke[key]))}</error>")
                counts[2] += 1
            out = below + quiet.get(key, [])
            if out:
                body += f"<system-out>{_xml_text(chr(10).join(out))}</system-out>"
            counts[0] += 1
            cases.append(f"    <testcase classname={_attr(path)} name={_attr(f'{rule.code} {rule.title}')} "
                         f"time=\"0\"{'>' + body + '</testcase>' if body else ' />'}")
        counts[0] += 1
        if unreadable.get(path):
            lines = unreadable[path]
            message = f"{len(lines)} unreadable record{'s' if len(lines) != 1 else ''}: {lines[0]}"
            cases.append(f"    <testcase classname={_attr(path)} name=\"records are readable\" time=\"0\">"
                         f"<failure type=\"unreadable\" message={_attr(message)}>{_xml_text(chr(10).join(lines))}"
                         f"</failure></testcase>")
            counts[1] += 1
        else:
            cases.append(f"    <testcase classname={_attr(path)} name=\"records are readable\" time=\"0\" />")
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
        suites.append(f"  <testsuite name={_attr(path)} tests=\"{counts[0]}\" failures=\"{counts[1]}\" "
                      f"errors=\"{counts[2]}\" skipped=\"0\" time=\"0\">\n"
                      f"    <properties><property name=\"ruleset\" value={_attr(report.ruleset)} /></properties>\n"
                      + "\n".join(cases) + "\n  </testsuite>")
    if report.triage and report.triage.problems:
        failing = fail_on == "warning"
        text = "\n".join(f"{p.waiver.where}: {p.waiver.rule} {p.waiver.record}: {p.problem}"
                         for p in report.triage.problems)
        if failing:
            case = (f"<failure type=\"warning\" message={_attr(f'{len(report.triage.problems)} stale waivers')}>"
                    f"{_xml_text(text)}</failure>")
        else:
            case = f"<system-out>{_xml_text(text)}</system-out>"
        suites.append(f"  <testsuite name=\"waivers\" tests=\"1\" failures=\"{int(failing)}\" errors=\"0\" "
                      "skipped=\"0\" time=\"0\">\n"
                      f"    <testcase classname=\"waivers\" name=\"waivers are current\" time=\"0\">{case}"
                      "</testcase>\n  </testsuite>")
        totals = [totals[0] + 1, totals[1] + int(failing), totals[2]]
    head = (f"<testsuites name=\"gradecheck\" tests=\"{totals[0]}\" failures=\"{totals[1]}\" errors=\"{totals[2]}\" "
            f"skipped=\"0\" time=\"0\">")
    return "\n".join(['<?xml version="1.0" encoding="UTF-8"?>', head, *suites, "</testsuites>"]) + "\n"


# --- SARIF --------------------------------------------------------------------------------------

def _uri(path: str) -> tuple[str, str | None]:
    """A SARIF artifact URI: relative paths against the source root (%SRCROOT%), absolute ones as file: URIs."""
    if path in ("-", "<records>") or path.startswith("<"):
        return urllib.parse.quote(path.strip("<>") or "stdin"), None
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri(), None
    return urllib.parse.quote(path.replace(os.sep, "/")), "%SRCROOT%"


def _location(origin: Origin, record: str | None = None) -> dict[str, Any]:
    uri, base = _uri(origin.path)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if origin.line >= 1:
        physical["region"] = {"startLine": origin.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if record is not None:
        location["logicalLocations"] = [{"name": record, "kind": "record"}]
    return location


def _help(rule: Rule) -> tuple[str, str]:
    parts = [rule.title + "."]
    if rule.why:
        parts.append(rule.why)
    parts.append(f"Source: {rule.source}")
    parts += [f"Cited: {cited.text()}" for cited in rule.cites]
    if rule.example:
        parts.append(f"Example finding: {rule.example}")
    scope = "all frameworks" if "*" in rule.frameworks else ", ".join(rule.frameworks)
    parts.append(f"Applies to: {scope}" + (f" from {rule.start}" if rule.start else "")
                 + (f" to {rule.end}" if rule.end else ""))
    text = "\n\n".join(parts)
    markdown = "\n\n".join([f"**{rule.code}** {rule.title}.", *([rule.why] if rule.why else []),
                            f"**Source:** {rule.source}",
                            *([_cited_markdown(rule)] if rule.cites else []),
                            *([f"**Example finding:** `{rule.example}`"] if rule.example else []),
                            f"**Applies to:** {scope}"])
    return text, markdown


def _cited_markdown(rule: Rule) -> str:
    items = [f"- {c.publisher}, [{c.title}]({c.url}), {c.date}" if c.url else f"- {c.publisher}, {c.title} ({c.doc})"
             for c in rule.cites]
    return "**Cited:**\n\n" + "\n".join(items)


def _descriptor(rule: Rule) -> dict[str, Any]:
    text, markdown = _help(rule)
    props: dict[str, Any] = {"tags": [rule.kind, rule.severity], "kind": rule.kind, "frameworks": list(rule.frameworks),
                             "source": rule.source,
                             "cites": [{k: v for k, v in (("title", c.title), ("publisher", c.publisher),
                                                          ("date", c.date), ("url", c.url), ("doc", c.doc)) if v}
                                       for c in rule.cites]}
    if rule.start:
        props["from"] = rule.start.isoformat()
    if rule.end:
        props["to"] = rule.end.isoformat()
    return {
        "id": rule.code,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.why or rule.title},
        "help": {"text": text, "markdown": markdown},
        # The rule's first public source: SARIF viewers link the rule's name to it.
        **({"helpUri": next(c.url for c in rule.cites if c.url)} if any(c.url for c in rule.cites) else {}),
        "defaultConfiguration": {"level": rule.severity},
        "properties": props,
    }


def _fingerprint(rule: str, record: str, occurrence: int) -> str:
    digest = hashlib.sha256(f"{rule}\0{record}".encode()).hexdigest()[:32]
    return f"{digest}:{occurrence}"


def render_sarif(report: Report, *, ruleset: RuleSet | None = None, show_unknown: bool = False,
                 show_suppressed: bool = False, **_: Any) -> str:
    """
    SARIF 2.1.0: one run, the rules with their metadata, one result a finding.

    Baselined findings carry ``baselineState: unchanged`` (new ones ``new``) when a baseline was
    used; waived findings carry an accepted external suppression with the waiver's reason.
    Unreadable records and broken rules are tool execution notifications. With *show_unknown*, each
    unknown check is a result of ``kind: open`` ("the tool could not decide") and ``level: none`` (which
    SARIF requires of a result that is not a failure).
    """
    from ..version import __version__

    rules = _rules(report, ruleset)
    index = {r.code: i for i, r in enumerate(rules)}
    extra = sorted({f.rule for f in report.findings} - set(index))  # findings of rules we have no metadata for
    descriptors = [_descriptor(r) for r in rules] + [{"id": code} for code in extra]
    index.update({code: len(rules) + i for i, code in enumerate(extra)})
    seen: dict[tuple[str, str], int] = defaultdict(int)
    has_baseline = report.triage is not None and report.triage.baseline is not None

    def result(f: Finding, state: str | None = None, waiver: Any = None) -> dict[str, Any]:
        seen[f.identity] += 1
        props = {"record": f.record, "authority": f.authority, "authority_code": f.authority_code,
                 "framework": f.framework, "severity": f.severity,
                 "fields": {k: jsonable(v) for k, v in f.fields.items()}, "expected": jsonable(f.expected),
                 "actual": jsonable(f.actual)}
        out: dict[str, Any] = {
            "ruleId": f.rule, "ruleIndex": index[f.rule], "level": f.severity, "kind": "fail",
            "message": {"text": f"{f.record}: {f.message}"},
            "locations": [_location(f.source, f.record)],
            "partialFingerprints": {"gradecheckFinding/v1": _fingerprint(f.rule, f.record, seen[f.identity])},
            "properties": {k: v for k, v in props.items() if v is not None},
        }
        if state:
            out["baselineState"] = state
        if waiver is not None:
            out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": waiver.reason}]
        return out

    results = [result(f, "new" if has_baseline else None) for f in report.findings]
    results += [_open(u, index) for u in listed_unknown(report, show_unknown, show_suppressed) if u.rule in index]
    if report.triage:
        results += [result(f, "unchanged") for f in report.triage.baselined]
        results += [result(w.finding, "new" if has_baseline else None, w.waiver) for w in report.triage.waived]
    notes = [{"level": "error", "message": {"text": f"unreadable record: {u.error}"},
              "locations": [_location(u.origin)], "descriptor": {"id": "unreadable"}} for u in report.unreadable]
    notes += [{"level": "error", "message": {"text": f"rule {e.rule} broke on {e.record}: {e.error}"},
               "locations": [_location(e.source, e.record)], "descriptor": {"id": e.rule}} for e in report.errors]
    config = [{"level": "warning", "message": {"text": f"waiver {p.waiver.rule} {p.waiver.record}: {p.problem}"},
               "descriptor": {"id": "waiver"}} for p in (report.triage.problems if report.triage else ())]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if notes:
        invocation["toolExecutionNotifications"] = notes
    if config:
        invocation["toolConfigurationNotifications"] = config
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "gradecheck", "version": __version__, "semanticVersion": __version__,
                            "informationUri": "https://pypi.org/project/gradecheck/", "rules": descriptors}},
        "invocations": [invocation],
        "results": results,
        "properties": {"ruleset": report.ruleset, "records": report.records, "checked": report.checked,
                       "unreadable": len(report.unreadable), "unknown": report.unknown,
                       "unknown_by_cause": dict(report.unknown_causes)},
    }
    if any("uriBaseId" in loc["physicalLocation"]["artifactLocation"]
           for r in results for loc in r["locations"]):
        run["originalUriBaseIds"] = {"%SRCROOT%": {"description": {"text": "The directory gradecheck ran in."}}}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _open(u: Any, index: dict[str, int]) -> dict[str, Any]:
    """An unknown check as a SARIF result: neither pass nor fail, and no level (SARIF 2.1.0, 3.27.9 and 3.27.10)."""
    about = unknown_dict(u)
    return {"ruleId": u.rule, "ruleIndex": index[u.rule], "kind": "open", "level": "none",
            "message": {"text": f"{u.record}: unknown: {u.reason}"}, "locations": [_location(u.source, u.record)],
            "properties": {"record": u.record, "cause": u.cause, "fields": about["fields"]}}


# --- GitHub Actions -----------------------------------------------------------------------------

def github_escape_data(text: str) -> str:
    """Escape a workflow command's message as the runner expects (as @actions/core does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_escape_property(text: str) -> str:
    """Escape a workflow command's property value: as data, and ``:`` and ``,`` too."""
    return github_escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, origin: Origin | None, title: str, message: str) -> str:
    props: list[str] = []
    if origin is not None and origin.path not in ("-",) and not origin.path.startswith("<"):
        props.append(f"file={github_escape_property(origin.path.replace(os.sep, '/'))}")
        if origin.line >= 1:
            props.append(f"line={origin.line}")
    props.append(f"title={github_escape_property(title)}")
    return f"::{level} {','.join(props)}::{github_escape_data(message)}"


def render_github(report: Report, *, ruleset: RuleSet | None = None, fail_on: str = "error",
                  show_unknown: bool = False, show_suppressed: bool = False, **_: Any) -> str:
    """
    GitHub Actions workflow commands: ``::error file=F,line=N,title=T::message``, one a finding.

    Error findings are ``::error``, warnings ``::warning`` (``::error`` with ``--fail-on warning``),
    unreadable records and broken rules ``::error``, stale waivers ``::warning``. Baselined and
    waived findings are not annotated. With *show_unknown*, unknown checks are ``::notice``. A plain
    summary line ends the output.
    """
    lines: list[str] = []
    for f in report.findings:
        level = "error" if _counts(f.severity, fail_on) else "warning"
        lines.append(_command(level, f.source, f"{f.rule} {f.title}".strip(), f"{f.record}: {f.message}"))
    lines += [_command("error", u.origin, "unreadable record", u.error) for u in report.unreadable]
    lines += [_command("error", e.source, f"rule {e.rule} broke", f"{e.record}: {e.error}") for e in report.errors]
    lines += [_command("notice", u.source, f"{u.rule} unknown", f"{u.record}: {u.reason}")
              for u in listed_unknown(report, show_unknown, show_suppressed)]
    if report.triage:
        for p in report.triage.problems:
            path = p.waiver.where.rsplit(": waiver[", 1)[0]
            lines.append(_command("warning", Origin(path, 0), f"waiver {p.waiver.rule}",
                                  f"{p.waiver.record}: {p.problem}"))
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def _summary(report: Report) -> str:
    parts = [f"gradecheck: {report.records} records read", f"{report.checked} checked",
             f"{len(report.unreadable)} unreadable", f"{report.count('error')} errors",
             f"{report.count('warning')} warnings", unknown_phrase(report)]
    if report.triage:
        parts += [f"{len(report.triage.baselined)} known from the baseline", f"{len(report.triage.waived)} waived"]
    return ", ".join(parts) + "."
