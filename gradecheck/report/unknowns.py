"""
Unknown checks in every report: the ones listed (``--show-unknown``), their causes, and the counts per rule and file.

An unknown check is not a failure, and most runs have many: every suppressed figure in a DfE table leaves a
rule unknown. So reports count unknown checks in the summary and, with ``--statistics``, per rule by cause;
they list them one by one only with ``--show-unknown``, and those unknown only because of a suppressed value
(the publisher's doing, by the thousand) only with ``--show-suppressed``, so they never drown the few that
are worth a look (a judgement not given, a grade no scale knows).
"""

from __future__ import annotations

import textwrap
from typing import Any

from ..kinds.causes import CAUSES, SUPPRESSED
from ..values import jsonable
from .model import FileStats, Report, Undecided

__all__ = [
    "CAUSE_WORDS",
    "SUPPRESSED",
    "file_dict",
    "listed",
    "not_listed",
    "per_file_lines",
    "reason_lines",
    "unknown_dict",
    "unknown_phrase",
    "unknown_reasons",
]

#: The words reports use for each cause, in the order they list them.
CAUSE_WORDS = CAUSES

def listed(report: Report, show_unknown: bool = False, show_suppressed: bool = False) -> list[Undecided]:
    """The unknown checks a report lists: none by default; with *show_unknown* all but those on suppressed values."""
    if not (show_unknown or show_suppressed):
        return []
    if show_suppressed:
        return list(report.undecided)
    return [u for u in report.undecided if u.cause != SUPPRESSED]


def not_listed(report: Report, show_unknown: bool = False, show_suppressed: bool = False) -> str:
    """What a listing of unknown checks leaves out, said once ("" when nothing is left out or none are listed)."""
    if not (show_unknown or show_suppressed):
        return ""
    parts = []
    if not show_suppressed and report.unknown_causes.get(SUPPRESSED):
        parts.append(f"{report.unknown_causes[SUPPRESSED]} on suppressed values (--show-suppressed lists them)")
    if report.more_undecided:
        parts.append(f"{report.more_undecided} past the first {len(report.undecided)}")
    return f"Unknown checks not listed: {'; '.join(parts)}." if parts else ""


def unknown_phrase(report: Report) -> str:
    """The summary's count: ``9657 unknown (3581 on suppressed values)``."""
    quiet = report.unknown_causes.get(SUPPRESSED, 0)
    return f"{report.unknown} unknown" + (f" ({quiet} on suppressed values)" if quiet else "")


def unknown_dict(u: Undecided) -> dict[str, Any]:
    """One unknown check as JSON: rule, record, where, why, its cause and the fields the rule read."""
    return {"rule": u.rule, "record": u.record, "source": str(u.source), "reason": u.reason, "cause": u.cause,
            "fields": {k: jsonable(v) for k, v in u.fields.items()}}


def unknown_reasons(reasons: Any) -> dict[str, dict[str, Any]]:
    """A rule's unknown checks by cause, as JSON: ``{"suppressed": {"checks": 3263, "first": "facts.percent ..."}}``."""
    return {cause: {"checks": n, "first": reason} for cause, (n, reason) in reasons.items()}


def reason_lines(report: Report, width: int) -> list[str]:
    """
    ``--statistics``: each rule's unknown checks by cause, with the reason of the first (in file order).

    A line each, the reason wrapped under itself, so that it fits *width* columns however long it is.
    """
    rows = [(code, n, cause, reason) for code, s in report.stats.items()
            for cause, (n, reason) in s.reasons.items()]
    if not rows:
        return []
    count_w = max(len(str(n)) for _, n, _, _ in rows)
    code_w = max(len(code) for code, _, _, _ in rows)
    lines = ["Unknown checks per rule, by cause (and the first one's reason)"]
    for code, n, cause, reason in rows:
        head = f"{code:<{code_w}}  {n:>{count_w}}  "
        text = f"{CAUSE_WORDS.get(cause, cause)}: {reason}"
        # Two lines at most: the cause and the start of one reason say enough; --show-unknown lists them whole.
        lines += textwrap.wrap(text, max(20 + len(head), width), initial_indent=head, subsequent_indent=" " * len(head),
                               break_long_words=True, break_on_hyphens=False, max_lines=2, placeholder=" ...")
    return lines


def file_dict(f: FileStats) -> dict[str, Any]:
    return {"path": f.path, "records": f.records, "checked": f.checked, "unreadable": f.unreadable,
            "findings": {"error": f.errors, "warning": f.warnings}, "unknown": f.unknown,
            "unknown_suppressed": f.suppressed, "rule_errors": f.rule_errors}


def per_file_lines(report: Report, width: int) -> list[str]:
    """``--per-file``: each input file, its path whole (to be copied) and its counts below it."""
    if not report.per_file:
        return []
    lines = ["Per file"]
    for f in report.per_file:
        counts = (f"{f.records} read, {f.checked} checked, {f.unreadable} unreadable, {_n(f.errors, 'error')}, "
                  f"{_n(f.warnings, 'warning')}, {f.unknown} unknown"
                  + (f" ({f.suppressed} on suppressed values)" if f.suppressed else "")
                  + (f", {_n(f.rule_errors, 'rule error')}" if f.rule_errors else ""))
        lines += [f"{f.path}:", *textwrap.wrap(counts, max(20, width), initial_indent="    ", subsequent_indent="    ")]
    return lines


def _n(count: int, noun: str) -> str:
    """'1 warning', '2 warnings': the summary line's own plurals."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
