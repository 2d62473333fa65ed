"""
Recognise gradecheck's own reports and baselines, so a run over a directory does not read them back as records.

A user who keeps ``--output report.json`` or a ``--baseline`` beside the data would otherwise see the
next run read the report's findings as inspection records, each one unreadable or failing. The tell
is each format's own opening, which no inspection dataset shares: a JSON report or baseline starts
``{"summary": {"records":``, a JSON Lines report's first line is ``{"type": "finding"|...``, a CSV
report's header is the report's columns. Only the first few kilobytes are read.
"""

from __future__ import annotations

import re

__all__ = ["REPORT_CSV_HEADER", "written_by_gradecheck"]

#: The header of ``--format csv`` (gradecheck/report/render.py writes it; a test keeps the two the same).
REPORT_CSV_HEADER = "source,record,authority,authority_code,framework,rule,severity,title,message,expected,actual"

_JSON = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*"summary"\s*:\s*\{\s*"records"\s*:')
_TYPES = "finding|unreadable|undecided|unknown|rule_error|baselined|waived|waiver_problem|summary"
_JSONL = re.compile(rb'\A(?:\xef\xbb\xbf)?\{"type": "(?:' + _TYPES.encode() + rb')"')
_HEAD = 4096


def written_by_gradecheck(path: str) -> str | None:
    """What gradecheck file *path* is ("a gradecheck JSON report or baseline"), or None for anything else."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_HEAD)
    except OSError:
        return None  # the reader will say what is wrong with it
    if _JSON.match(head):
        return "a gradecheck JSON report or baseline"
    if _JSONL.match(head):
        return "a gradecheck JSON Lines report"
    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip(b"\r")
    if first == REPORT_CSV_HEADER.encode():
        return "a gradecheck CSV report"
    return None
