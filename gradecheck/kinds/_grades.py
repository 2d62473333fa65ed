"""What the kinds over grades share: the judgements a rule names, as present on a record, and how to list them."""

from __future__ import annotations

from typing import Any

from ..values import show
from ._base import View, short

__all__ = ["listing", "present"]


def present(view: View, names: list[str]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name in view.expand(names):
        out.extend(view.matching(name))
    return out


def listing(pairs: list[tuple[str, Any]]) -> str:
    return ", ".join(f"{short(n)} {show(v)}" for n, v in pairs)
