"""What the kinds over sums share: gathering a sum's parts, deciding an interval equality, naming a target."""

from __future__ import annotations

from typing import Any

from ..values import show
from ._base import View

__all__ = ["decide", "describe_target", "gather", "grade_order"]


def gather(view: View, names: list[str]) -> tuple[list[tuple[str, Any]], list[str]]:
    """Present parts (deduplicated, in order) and the explicitly named parts that are missing."""
    seen: dict[str, Any] = {}
    missing: list[str] = []
    for name in view.expand(names):
        found = view.matching(name)
        if not found and not any(ch in name for ch in "*?["):
            missing.append(name)
        for n, v in found:
            seen.setdefault(n, v)
    # Grades read best first ("outstanding 5 + good 17"), as reports state them; other parts keep rule order.
    parts = sorted(seen.items(), key=lambda p: grade_order(view, p[0]))
    return parts, missing


def grade_order(view: View, name: str) -> int:
    if name.startswith("grade_counts."):
        rank = view.grade_rank(name.split(".", 1)[1])
        return -1 if rank is None else rank
    return -1


def decide(lo: float, hi: float, elo: float, ehi: float) -> bool | None:
    """True: certainly equal; False: certainly not; None: some admissible values agree and some do not."""
    if hi < elo or lo > ehi:
        return False
    if lo == hi == elo == ehi:
        return True
    return None


def describe_target(ref: Any, view: View, value: Any) -> str:
    if ref == "@graded_items":
        return f"{show(value)}, the number of graded items in {view.framework.id}"
    if isinstance(ref, int):
        return show(value)
    return f"{ref.split('.', 1)[-1]} {show(value)}"
