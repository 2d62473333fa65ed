"""
Every kind says how to break it: a ``breaks(make, choose)`` method, or a stated reason that this test pins.

A kind without a breaker has rules that ``violating`` and ``selftest`` cannot exercise, so leaving it out
must be a decision written down twice: in the kind class (``unbreakable: ClassVar[str] = "why"``) and
in UNBREAKABLE below, so that a reviewer sees the reason change.
"""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import pytest

from gradecheck.kinds import KINDS
from gradecheck.mutants import breakable, why_unbreakable

#: Kinds that cannot be broken on purpose, and the reason each states in its ``unbreakable`` attribute.
UNBREAKABLE: dict[str, str] = {}


def problems(kinds: dict[str, Any], pinned: dict[str, str]) -> list[str]:
    """What is wrong with *kinds*' breakers, given the reasons *pinned* for those without one."""
    found = []
    for name, kind in sorted(kinds.items()):
        has_breaks = callable(getattr(kind, "breaks", None))
        reason = getattr(kind, "unbreakable", None)
        if has_breaks:
            if reason is not None:
                found.append(f"{name}: has breaks() but also says it is unbreakable ({reason!r})")
            elif name in pinned:
                found.append(f"{name}: has breaks() now: drop it from UNBREAKABLE")
            elif (params := list(inspect.signature(kind.breaks).parameters)) != ["self", "make", "choose"]:
                found.append(f"{name}: breaks({', '.join(params)}), expected breaks(self, make, choose)")
        elif not reason:
            found.append(f"{name}: no breaks(make, choose) method and no 'unbreakable' reason")
        elif pinned.get(name) != reason:
            found.append(f"{name}: unbreakable because {reason!r}, but the test pins {pinned.get(name)!r}")
    found += [f"{name}: pinned as unbreakable but there is no such kind" for name in sorted(set(pinned) - set(kinds))]
    return found


def test_every_kind_can_be_broken_or_says_why():
    """Adding a rule kind without a way to break it, or without a pinned reason, fails here."""
    assert problems(KINDS, UNBREAKABLE) == []


def test_the_driver_knows_the_same_kinds():
    """gradecheck.mutants reads breakers from the kinds' registry: every kind with breaks() is breakable."""
    assert {n for n in KINDS if breakable(n)} == {n for n in KINDS if n not in UNBREAKABLE}


class _Breakable:
    kind: ClassVar[str] = "fine"

    def breaks(self, make: Any, choose: Any) -> list:
        return []


class _Silent:
    kind: ClassVar[str] = "silent"


class _Excused:
    kind: ClassVar[str] = "excused"
    unbreakable: ClassVar[str] = "judges data no record can hold"


class _Odd:
    kind: ClassVar[str] = "odd"

    def breaks(self, rule: Any, make: Any, draw: Any) -> list:
        return []


@pytest.mark.parametrize(
    ("kinds", "pinned", "expected"),
    [
        ({"fine": _Breakable}, {}, []),
        ({"silent": _Silent}, {}, ["silent: no breaks(make, choose) method and no 'unbreakable' reason"]),
        ({"excused": _Excused}, {}, ["excused: unbreakable because 'judges data no record can hold', "
                                     "but the test pins None"]),
        ({"excused": _Excused}, {"excused": "judges data no record can hold"}, []),
        ({"excused": _Excused}, {"excused": "another reason"}, ["excused: unbreakable because "
                                                                "'judges data no record can hold', but the test "
                                                                "pins 'another reason'"]),
        ({"fine": _Breakable}, {"fine": "stale"}, ["fine: has breaks() now: drop it from UNBREAKABLE"]),
        ({}, {"gone": "reason"}, ["gone: pinned as unbreakable but there is no such kind"]),
        ({"odd": _Odd}, {}, ["odd: breaks(self, rule, make, draw), expected breaks(self, make, choose)"]),
    ],
    ids=["breakable", "neither", "unpinned", "pinned", "pinned-differently", "stale-pin", "no-kind", "signature"],
)
def test_the_check_catches_a_kind_without_a_breaker(kinds, pinned, expected):
    """The check above is not vacuous: a kind with neither a breaker nor a pinned reason is named."""
    assert problems(kinds, pinned) == expected


def test_violating_names_the_reason(monkeypatch):
    """A rule of an unbreakable kind gets NotImplementedError with the kind's reason, which selftest reports."""
    import gradecheck.kinds
    from gradecheck import load_ruleset
    from gradecheck.strategies import violating

    ruleset = load_ruleset()
    code = next(r.code for r in ruleset.rules if r.kind == "known")
    monkeypatch.setitem(gradecheck.kinds.KINDS, "known", _Excused)
    assert why_unbreakable("known") == "judges data no record can hold"
    with pytest.raises(NotImplementedError, match="judges data no record can hold"):
        violating(code, ruleset)
