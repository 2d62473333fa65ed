"""
A record as the fast readers read it, as dataset rules read it: values straight from what was read.

Most records need no check beyond the fast path's (or the columnar engine's), but every record is
folded into the dataset rules' summaries; this view spares them the flattening of every value that a
full :class:`~gradecheck.kinds.View` costs. The row engine makes one from a fast-path hit, the
columnar engine from a batch's columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..frameworks import Framework, Version
from ..kinds import Subject, View, who
from ..records import Origin, Record
from ..values import MISSING

__all__ = ["ReadView", "flat_values"]

Groups = dict[str, dict[str, Any]]


def flat_values(top: Mapping[str, Any], groups: Groups, framework: Framework) -> dict[str, Any]:
    """The prepared values the ordinary path would build, for dataset rules and report extras."""
    values = dict(top)
    for group, members in groups.items():
        for key, value in members.items():
            values[f"{group}.{key}"] = value
    values["framework"] = framework.id
    return values


class ReadView(View):
    """A record read the fast way: its top-level values, its groups of canonical members, and its place."""

    __slots__ = ("groups", "line", "path", "top")

    def __init__(self, path: str, line: int, framework: Framework, version: Version, day: dt.date | None,
                 top: dict[str, Any], groups: Groups, who: Any = None) -> None:
        """*who* is the record's label where the caller knows it (see kinds.identify), else None."""
        # Not View.__init__: that would take flattened values.
        self.path = path
        self.line = line
        self.framework = framework
        self.version = version
        self.day = day
        self.top = top
        self.groups = groups
        self.values = None  # type: ignore[assignment]  # flattened only if a rule asks for a glob
        self._subject = None
        self._who = who
        self._place = None

    @property
    def record(self) -> Record:  # type: ignore[override]
        return Record(self.top["id"], self.framework.id, self._flat(), Origin(self.path, self.line))

    def _flat(self) -> dict[str, Any]:
        if self.values is None:
            self.values = flat_values(self.top, self.groups, self.framework)
        return self.values

    def get(self, name: str) -> Any:
        if "." not in name:
            return self.framework.id if name == "framework" else self.top.get(name, MISSING)
        group, _, key = name.partition(".")
        members = self.groups.get(group)
        return members.get(key, MISSING) if members else MISSING

    def grades(self) -> dict[str, Any]:
        return self.groups.get("judgements") or {}

    def matching(self, pattern: str) -> list[tuple[str, Any]]:
        group = pattern[:-2]
        if pattern.endswith(".*") and not any(c in group for c in "*?[."):
            members = self.groups.get(group)
            return sorted([(f"{group}.{k}", v) for k, v in members.items()]) if members else []
        self._flat()
        return View.matching(self, pattern)

    def place(self) -> tuple[str, int]:
        return self.path, self.line

    def ident(self) -> str:
        return self.top["id"]

    def subject(self) -> Subject:
        if self._subject is None:
            name, code = who(self)
            self._subject = Subject(self.top["id"], self.path, self.line, name, self.framework.id, code)
        return self._subject
