"""The present kind: fields that must be there (a judgement the framework makes at that date)."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from . import params as c
from ._base import Failure, Unknown, View, param

__all__ = ["Present"]


@frozen(kw_only=True)
class Present:
    """Fields that must be there (a judgement the framework makes at that date)."""

    kind: ClassVar[str] = "present"
    fields: tuple[str, ...] = param(c.field_list, "fields that must be present", converter=tuple)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        wanted = view.expand(list(self.fields))
        return tuple(Failure(f"{name} is missing", {}, expected="present", actual="missing")
                     for name in wanted if not view.matching(name))
