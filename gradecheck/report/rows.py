"""
The rows of ``--format csv``: one place for what a row says, shared by the CSV report and Report.to_frame.

A module of its own below the renderers, so that the report's model can build its DataFrame without
importing the renderers that import the model.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from ..values import jsonable

__all__ = ["CSV_COLUMNS", "csv_rows"]

CSV_COLUMNS = ("source", "record", "authority", "authority_code", "framework", "rule", "severity", "title", "message",
               "expected", "actual")


def _cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_rows(report: Any, unknown: Iterable[Any] = ()) -> Iterator[list[str]]:
    """
    The rows of ``--format csv``, its header first, cells as the data gives them.

    *report* is a :class:`~gradecheck.report.Report` and *unknown* its Undecided checks to list; they are
    not named here, since the model imports this module (Report.to_frame) and data flows one way.

    One place for what a row says, shared by the CSV report and :meth:`Report.to_frame`.
    """
    yield list(CSV_COLUMNS)
    for f in report.findings:
        yield [str(f.source), f.record, f.authority or "", f.authority_code or "", f.framework or "", f.rule,
               f.severity, f.title, f.message, _cell(f.expected), _cell(f.actual)]
    for u in report.unreadable:
        yield [str(u.origin), "", "", "", "", "", "unreadable", "", u.error, "", ""]
    for e in report.errors:
        yield [str(e.source), e.record, "", "", "", e.rule, "rule-error", "", e.error, "", ""]
    for u in unknown:  # --show-unknown: severity "unknown", the reason as the message
        yield [str(u.source), u.record, "", "", "", u.rule, "unknown", "", u.reason, "", ""]
