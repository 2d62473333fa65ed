"""The valid kind: every value could be read as what its field holds."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..values import Invalid, show
from . import params as c
from ._base import Failure, Unknown, View, param

__all__ = ["Valid"]


@frozen(kw_only=True)
class Valid:
    """Every value could be read as what its field holds (a count is a whole number, a date exists)."""

    kind: ClassVar[str] = "valid"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) to check", default=("*",), converter=tuple)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found = [(n, v) for p in self.fields for n, v in view.matching(p) if isinstance(v, Invalid)]
        return tuple(Failure(f"{n} is {show(v)}, expected {v.expected}", {n: v}, expected=v.expected, actual=v.raw)
                     for n, v in sorted(found, key=lambda p: p[0]))
