"""What the kinds over grouped tables share: a table's rows as kept, their labels and outline codes, and the summary."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from ._base import Subject, View, param
from ._summary import Outcomes

__all__ = ["OUTLINE", "GroupSummary", "Row", "labels_param", "outline"]


def labels(value: Any, ctx: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return None
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return None
    return f"expected a label or a list of labels, found {value!r}"


def labels_param(doc: str, default: Any) -> Any:
    """A rule-file key holding one label or a list of them (a list becomes a tuple)."""
    return param(labels, doc, default=default, converter=lambda v: tuple(v) if isinstance(v, list) else v)


OUTLINE = re.compile(r"^(\d+)\.(?=\s|$)|^(\d+)([a-z])(?:\.(\d+)([ivx]+)?)?\.?(?=\s|$)")


def outline(label: Any) -> tuple[str, ...] | None:
    """
    The outline code a label starts with, as a path: "1. Total foster" -> ("1",), "1a.1i With" -> ("1", "a", "1", "i").

    DfE's tables number nested rows this way; "1 to 4 years" (no dot) and "N1. Abuse" carry no code.
    """
    if not isinstance(label, str):
        return None
    m = OUTLINE.match(label.strip())
    if m is None:
        return None
    if m.group(1):
        return (m.group(1),)
    return tuple(p for p in m.group(2, 3, 4, 5) if p)


class Row:
    """One row of a grouped table, as the group kinds keep it: who it is, its group, label, count and share."""

    __slots__ = ("group", "label", "share", "subject", "value")

    def __init__(self, subject: Subject, group: tuple[str, ...], label: Any, value: Any, share: Any) -> None:
        self.subject = subject
        self.group = group
        self.label = label
        self.value = value
        self.share = share


class GroupSummary:
    """
    A table's rows, cut down to group, label, count and share; groups are formed when the file has been read.

    A group's rows may lie anywhere in a file, and a finding shows every row of its group with its
    value ("Male 48060 + Female 35780 = 83840"), so every row the rule reads is kept: a few dozen
    bytes each, and only for the tables the rule applies to.
    """

    __slots__ = ("rows", "rule")

    def __init__(self, rule: Any) -> None:
        self.rule = rule
        self.rows: list[Row] = []

    def add(self, view: View) -> None:
        row = self.rule.row(view)
        if row is not None:
            self.rows.append(row)

    def merge(self, later: GroupSummary) -> None:
        self.rows.extend(later.rows)

    def move(self, lines: int) -> None:
        for row in self.rows:
            row.subject = row.subject.moved(lines)

    def outcomes(self) -> tuple[int, Outcomes]:
        groups: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        for row in sorted(self.rows, key=lambda r: r.subject.place()):
            groups[row.group].append(row)
        return self.rule.judge_groups(groups.values())
