"""What the kinds over grouped tables share: a table's rows as kept, their labels and outline codes, and the summary."""

from __future__ import annotations

import re
from array import array
from collections import defaultdict
from typing import Any

from ._base import Subject, View, param
from ._summary import Names, Outcomes, Places
from ._texts import Texts

__all__ = ["OUTLINE", "GroupSummary", "Kept", "Row", "labels_param", "outline"]


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


Kept = tuple[tuple[str, ...], Any, Any, Any]  # what a group kind keeps of a row: (group, label, count, share)


class Row:
    """
    One row of a grouped table, as the group kinds judge it: its group, label, count and share, and who it is.

    Rows are made when the file is judged, a group at a time, from the summary's columns; who a row is (a
    Subject) is made only for a row an outcome is about.
    """

    __slots__ = ("_index", "_subject", "_summary", "group", "label", "share", "value")

    def __init__(self, summary: GroupSummary, index: int, group: tuple[str, ...], label: Any, value: Any,
                 share: Any) -> None:
        self._summary = summary
        self._index = index
        self._subject: Subject | None = None
        self.group = group
        self.label = label
        self.value = value
        self.share = share

    @property
    def subject(self) -> Subject:
        if self._subject is None:
            self._subject = self._summary.subject(self._index)
        return self._subject


class GroupSummary:
    """
    A table's rows, cut down to group, label, count and share; groups are formed when the file has been read.

    A group's rows may lie anywhere in a file, and a finding shows every row of its group with its
    value ("Male 48060 + Female 35780 = 83840"), so every row the rule reads is kept, as columns: its
    place packed (see _summary.Places), its id's UTF-8, its group and label as indexes into one table
    of the few distinct ones, and its count and share as read. About 60 bytes a row, where a Row and a
    Subject a row, holding each row's own copies of its texts, took about 450.
    """

    __slots__ = ("ids", "keys", "lines", "names", "odd", "owners", "places", "rule", "shares", "values")

    def __init__(self, rule: Any) -> None:
        self.rule = rule
        self.places = Places()
        self.lines = array("L")  # each row's line, and the rest of its packed place (see Places.line, Places.owner)
        self.owners = array("q")
        self.ids = Texts()
        self.names = Names()  # the groups and labels the rows name
        self.keys = array("l")  # each row's group and label, as indexes into names (2 per row; -1: see odd)
        self.odd: dict[int, Any] = {}  # a row's label that is not a text, by row
        self.values: list[Any] = []
        self.shares: list[Any] = []

    def add(self, view: View) -> None:
        kept: Kept | None = self.rule.row(view)
        if kept is None:
            return
        group, label, value, share = kept
        place = self.places.of(view)
        self.lines.append(Places.line(place))
        self.owners.append(Places.owner(place))
        self.ids.append(view.ident())
        self.keys.append(self.names.of(group))
        if type(label) is str:
            self.keys.append(self.names.of(label))
        else:  # rare (no label, a number): kept as it is, never merged with an equal one of another type
            self.odd[len(self.values)] = label
            self.keys.append(-1)
        self.values.append(value)
        self.shares.append(share)

    def subject(self, row: int) -> Subject:
        return self.places.subject(Places.at(self.lines[row], self.owners[row]), self.ids[row])

    def merge(self, later: GroupSummary) -> None:
        """Add *later*'s rows after this summary's; *later* is spent (see _summary.Summary.merge)."""
        if not later.values:
            return  # a table the rule does not apply to, in most files: nothing to move
        self.places.take(later.places, self.lines, self.owners, later.lines, later.owners)
        later.lines, later.owners = array("L"), array("q")
        self.ids.extend(later.ids)
        later.ids = Texts()
        names = self.names.adopt(later.names)
        count = len(self.values)
        self.odd.update({count + row: label for row, label in later.odd.items()})
        self.keys.extend(later.keys if names is None else array("l", (names[i] if i >= 0 else i for i in later.keys)))
        later.keys = array("l")
        self.values += later.values
        self.shares += later.shares
        later.values, later.shares = [], []

    def outcomes(self) -> tuple[int, Outcomes]:
        groups: dict[int, list[int]] = defaultdict(list)
        keys = self.keys
        for row in self.places.in_file_order(self.lines, self.owners):
            groups[keys[2 * row]].append(row)
        return self.rule.judge_groups(self._rows(members) for members in groups.values())

    def _rows(self, members: list[int]) -> list[Row]:
        names, keys = self.names.values, self.keys
        out = []
        for row in members:
            label = keys[2 * row + 1]
            out.append(Row(self, row, names[keys[2 * row]], names[label] if label >= 0 else self.odd[row],
                           self.values[row], self.shares[row]))
        return out
