"""The valid kind: every value could be read as what its field holds."""

from __future__ import annotations

import fnmatch
from typing import ClassVar

from attrs import frozen

from ..frameworks import Framework, Version
from ..values import Invalid, show
from . import params as c
from ._base import Failure, Unknown, View, param
from .draft import Candidates, Chooser, Make
from .forms import PASS, Form, always

__all__ = ["Valid"]


@frozen(kw_only=True)
class Valid:
    """Every value could be read as what its field holds (a count is a whole number, a date exists)."""

    kind: ClassVar[str] = "valid"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) to check", default=("*",), converter=tuple)

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: the fast reader accepts only values that read cleanly, so a record it read is valid."""
        return always(PASS)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found = [(n, v) for p in self.fields for n, v in view.matching(p) if isinstance(v, Invalid)]
        return tuple(Failure(f"{n} is {show(v)}, expected {v.expected}", {n: v}, expected=v.expected, actual=v.raw)
                     for n, v in sorted(found, key=lambda p: p[0]))

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """
        One value that cannot be read as what its field holds, in a field the rule covers: a count given as
        text, a list where a count belongs, or a date that does not exist (30 February).
        """
        base = make()
        out: Candidates = []
        for name, bad in (("populations.looked_after", "939"), ("facts.case_files_reviewed", [1, 2]),
                          ("end", "2023-02-30")):
            if any(fnmatch.fnmatchcase(name, p) for p in self.fields):
                d = base.copy()
                d.set(name, bad)
                out.append([d])
        return out
