"""
Records that break one rule on purpose: the driver over the kinds' breakers.

Each kind says, in its own module, how to break one of its rules by exactly one fault (its
``breaks(make, choose)`` method, see docs/adding-a-kind.md); :func:`break_rule` asks the rule's kind for
candidates and keeps one that fires that rule alone. Used by the hypothesis strategies and by
``python -m gradecheck selftest``. It does not import hypothesis: drafts and choices come through the
callables it is given.
"""

from __future__ import annotations

from typing import Any

from .kinds import KINDS
from .kinds.draft import Chooser, Draft, Make
from .ruleset import Rule

__all__ = ["break_rule", "breakable", "hold_rule", "holdable", "why_unbreakable"]


def breakable(kind: str) -> bool:
    """Whether rules of *kind* can be broken on purpose: its class in the kinds' registry has ``breaks``."""
    return callable(getattr(KINDS.get(kind), "breaks", None))


def why_unbreakable(kind: str) -> str:
    """Why rules of *kind* cannot be broken on purpose, as the kind says (``unbreakable``), or that it does not say."""
    if kind not in KINDS:
        return f"there is no kind {kind!r}"
    reason: Any = getattr(KINDS[kind], "unbreakable", None)
    return str(reason) if reason else f"kind {kind!r} has no breaks method and states no reason"


def break_rule(rule: Rule, make: Make, choose: Chooser) -> list[Draft]:
    """
    Build candidate datasets that break *rule*, and keep the first that fires it and nothing else.

    The candidates are constructed, not filtered: the rule's kind builds them (``rule.check.breaks``), the
    engine only chooses among them. When every candidate also fires another rule (the rule set makes a
    clean break impossible), the first that fires *rule* is kept; when none fires it, the first candidate
    is returned, so a test sees it.
    """
    from .engine import check

    if not breakable(rule.kind):
        msg = f"no way to break rules of kind {rule.kind!r} (rule {rule.code}): {why_unbreakable(rule.kind)}"
        raise NotImplementedError(msg)
    candidates = rule.check.breaks(make, choose)
    if not candidates:
        msg = f"cannot build a record that breaks {rule.code}"
        raise ValueError(msg)
    fallback: list[Draft] | None = None
    for candidate in candidates:
        report = check([d.to_json() for d in candidate], candidate[0].ruleset)
        fired = {f.rule for f in report.findings}
        if fired == {rule.code} and not report.unreadable:
            return candidate
        if fallback is None and rule.code in fired:
            fallback = candidate
    return fallback or candidates[0]


def holdable(kind: str) -> bool:
    """
    Whether rules of *kind* can be met on purpose: its class has ``holds`` (the breaker's twin).

    Record kinds are met by the consistent records the strategies draw; kinds whose rules only apply
    to a shape no drawn record has (a table's Total row beside its breakdown, a rate beside its count
    and population) say how to build one that passes.
    """
    return callable(getattr(KINDS.get(kind), "holds", None))


def hold_rule(rule: Rule, make: Make, choose: Chooser) -> list[Draft]:
    """A dataset that *rule* applies to and passes, with no finding from any rule: the first such of its kind's."""
    from .engine import check

    if not holdable(rule.kind):
        raise NotImplementedError(f"kind {rule.kind!r} (rule {rule.code}) has no holds method")
    candidates = rule.check.holds(make, choose)
    for candidate in candidates:
        report = check([d.to_json() for d in candidate], candidate[0].ruleset)
        if not report.findings and not report.unreadable and report.stats[rule.code].passed:
            return candidate
    raise ValueError(f"none of the {len(candidates)} datasets built to meet {rule.code} passes it cleanly")
