"""The absent kind: fields that must not be there (a grade on an ungraded visit)."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ..values import show
from . import params as c
from ._base import Failure, Unknown, View, param
from ._grades import present

__all__ = ["Absent"]


@frozen(kw_only=True)
class Absent:
    """Fields that must not be there (a grade on an ungraded visit, a judgement the framework no longer makes)."""

    kind: ClassVar[str] = "absent"
    fields: tuple[str, ...] = param(c.field_list, "fields (globs allowed) that must be absent", converter=tuple)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        found = present(view, self.fields)
        return tuple(Failure(f"{name} is present ({show(value)}) but must be absent", {name: value},
                             expected="absent", actual=value) for name, value in found)
