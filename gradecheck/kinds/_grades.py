"""What the kinds over grades share: the judgements a rule names, as present on a record, and how to list them."""

from __future__ import annotations

import fnmatch
from typing import Any

from ..values import show
from ._base import View, short, undecidable

__all__ = ["graded", "listing", "missing", "present", "unreadable"]

_JUDGEMENT = "judgements."


def present(view: View, names: list[str]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for name in view.expand(names):
        out.extend(view.matching(name))
    return out


def graded(view: View) -> bool:
    """
    Whether the record gives any judgement at all: a rule over judgements checks every graded record.

    A record with no judgement (a row whose grades a source left out) says nothing a judgement rule
    could check; one with some judgements is checked, and a judgement the rule needs that it lacks
    makes the check unknown rather than absent.
    """
    return any(name.startswith(_JUDGEMENT) for name in view.values)


def missing(view: View, names: list[str]) -> list[str]:
    """
    The judgements among *names* that the record's framework version makes but the record does not give.

    A name the version does not make (the care-leavers judgement before 2023) is never missing: a rule
    naming only such judgements does not apply to the record.
    """
    made = view.version.judgements
    out: list[str] = []
    for name in view.expand(names):
        if not name.startswith(_JUDGEMENT):
            continue
        key = name[len(_JUDGEMENT):]
        keys = fnmatch.filter(made, key) if any(c in key for c in "*?[") else [key] if key in made else []
        out.extend(f"{_JUDGEMENT}{k}" for k in keys if f"{_JUDGEMENT}{k}" not in view.values)
    return list(dict.fromkeys(out))


def unreadable(pairs: list[tuple[str, Any]], scale: str | None) -> str:
    """Why a check is unknown when some of these judgements hold a grade the scale does not know (S101 reports it)."""
    bad = [f"{short(n)} {show(v)}" for n, v in pairs if undecidable(v)]
    grades = "a grade" if len(bad) == 1 else "grades"
    return f"{', '.join(bad)}: not {grades} of the {scale or 'framework'} scale (see S101)"


def listing(pairs: list[tuple[str, Any]]) -> str:
    return ", ".join(f"{short(n)} {show(v)}" for n, v in pairs)
