"""The known kind: every field name is one gradecheck knows."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import ClassVar

from attrs import field, frozen

from ..frameworks import Framework, Version
from ..values import Invalid
from ._base import Failure, Unknown, View
from .draft import Candidates, Chooser, Make
from .forms import PASS, Form, always

__all__ = ["Known"]


@frozen(kw_only=True)
class Known:
    """Every field name is one gradecheck knows, so a misspelt field is not silently ignored by every rule."""

    kind: ClassVar[str] = "known"
    known_field: Callable[[str], bool] = field(default=lambda name: True, eq=False, repr=False)
    suggestions: tuple[str, ...] = field(default=(), eq=False, repr=False)

    def passes(self, framework: Framework, version: Version) -> Form:
        """Surely passes: the fast reader accepts only fields gradecheck knows, so a record it read has no other."""
        return always(PASS)

    def evaluate(self, view: View) -> tuple[Failure | Unknown, ...] | None:
        outcomes = []
        for name in sorted(view.record.fields):
            if name.startswith("judgements.") or isinstance(view.record.get(name), Invalid):
                continue  # judgement names are the scale kind's business; unreadable values the valid kind's
            if not self.known_field(name):
                close = difflib.get_close_matches(name, self.suggestions, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                outcomes.append(Failure(f"{name} is not a field gradecheck knows{hint}", {name: view.record.get(name)},
                                        expected=close[0] if close else "a known field", actual=name))
        return tuple(outcomes)

    def breaks(self, make: Make, choose: Chooser) -> Candidates:
        """One field no rule file knows added to a consistent record: a misspelt population, or a made-up field."""
        base = make()
        out: Candidates = []
        for name, value in (("populations.foster_cre", 3), ("inspector_mood", "sunny")):
            d = base.copy()
            d.set(name, value)
            out.append([d])
        return out
