"""Inspection regimes as data: grade scales with every spelling seen in the wild, and dated judgement sets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from attrs import field, frozen

from .values import MISSING, UnknownGrade

__all__ = ["Framework", "Grade", "Scale", "Version", "spelling_key"]


def spelling_key(text: str) -> str:
    """Fold a spelling so that "Requires_Improvement" and "requires  improvement" meet."""
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


@frozen
class Grade:
    """One grade of a scale: its canonical name, its label, its number where the scale has numbers."""

    name: str
    label: str
    aliases: tuple[str, ...] = field(converter=tuple, default=())
    number: int | None = None

    def spellings(self, numbers: bool = True) -> list[str]:
        """
        Every way a report writes this grade: its name, label and aliases, and on a numbered scale
        (unless *numbers* is false) "2" and "grade 2". The one list every reader and check starts from.
        """
        out = [self.name, self.label, *self.aliases]
        if numbers and self.number is not None:
            out += [str(self.number), f"grade {self.number}"]
        return out


@frozen
class Scale:
    """
    An ordered grade scale, best grade first.

    The numeric direction flips between regimes (APA counts up to 4 = best, the 2012 looked-after
    inspections call Outstanding "Grade 1"), so it is stated per scale, never assumed.
    """

    id: str
    name: str
    grades: tuple[Grade, ...] = field(converter=tuple)
    best_number: str = "none"  # "none", "highest" (4 = best) or "lowest" (1 = best)
    not_graded: tuple[str, ...] = field(converter=tuple, default=())
    _lookup: Mapping[str, str] = field(init=False, repr=False, eq=False)
    _rank: Mapping[str, int] = field(init=False, repr=False, eq=False)
    _blank: frozenset[str] = field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for grade in self.grades:
            for spelling in grade.spellings():
                lookup.setdefault(spelling_key(spelling), grade.name)
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_rank", {g.name: i for i, g in enumerate(self.grades)})
        object.__setattr__(self, "_blank", frozenset(spelling_key(s) for s in self.not_graded))

    def exact_spellings(self) -> dict[str, str]:
        """
        The spellings the fast readers match exactly, without folding (each as written, in lower and
        upper case, capitalised and in title case), to their grade; anything else is read by canonical().
        """
        out: dict[str, str] = {}
        for grade in self.grades:
            for s in grade.spellings():
                for variant in (s, s.lower(), s.upper(), s.capitalize(), s.title()):
                    out.setdefault(variant, grade.name)
        return out

    def canonical(self, raw: str) -> object:
        """Return the canonical grade for a spelling, MISSING for "no grade given", or UnknownGrade."""
        key = spelling_key(raw)
        if key in self._blank:
            return MISSING
        name = self._lookup.get(key)
        return UnknownGrade(raw) if name is None else name

    def rank(self, name: str) -> int:
        """0 for the best grade, counting down the scale."""
        return self._rank[name]

    def knows(self, name: str) -> bool:
        """Whether *name* is a canonical grade of this scale."""
        return name in self._rank

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical grade names, best first."""
        return tuple(g.name for g in self.grades)


@frozen
class Version:
    """The judgement set in force over a date range (ILACS changed in January 2023 and April 2026)."""

    start: dt.date | None = None
    end: dt.date | None = None
    judgements: tuple[str, ...] = field(converter=tuple, default=())
    overall: str | None = None
    feeds_overall: tuple[str, ...] = field(converter=tuple, default=())
    counted: tuple[str, ...] = field(converter=tuple, default=())
    graded_items: int | None = None
    note: str = ""
    # expand() answers, by the names asked about: each rule asks about the same few, once a record.
    _expanded: dict[tuple[str, ...], tuple[str, ...]] = field(factory=dict, init=False, eq=False, repr=False)

    def expand(self, names: Iterable[str]) -> list[str]:
        """
        Resolve a rule's ``@`` references to this version's judgements (``judgements.``-prefixed).

        ``@overall``, ``@feeds_overall``, ``@judgements`` and ``@counted`` let one rule follow a
        framework through its versions (ILACS has no overall judgement from April 2026).
        """
        key = tuple(names)
        found = self._expanded.get(key)
        if found is None:
            found = self._expanded[key] = tuple(self._expand(key))
        return list(found)

    def _expand(self, names: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for name in names:
            if name == "@overall":
                if self.overall:
                    out.append("judgements." + self.overall)
            elif name in ("@feeds_overall", "@judgements", "@counted"):
                out.extend("judgements." + j for j in getattr(self, name[1:]))
            else:
                out.append(name)
        return out

    def covers(self, day: dt.date) -> bool:
        """Whether *day* falls within this version's dates (both ends inclusive)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@frozen
class Framework:
    """An inspection regime: which scale it grades on, when it was in force, and its dated versions."""

    id: str
    name: str
    graded: bool
    scale: Scale | None
    start: dt.date | None
    end: dt.date | None
    versions: tuple[Version, ...] = field(converter=tuple)
    judgement_aliases: Mapping[str, str] = field(factory=dict, eq=False)
    source: str = ""
    note: str = ""

    def version_at(self, day: dt.date | None) -> Version:
        """
        The version in force on *day*.

        A record without a date gets the latest version: its judgements still get checked, and rules
        that depend on the date itself report "unknown" rather than guessing.
        """
        if day is not None:
            for version in self.versions:
                if version.covers(day):
                    return version
        return self.versions[-1]

    @property
    def judgements(self) -> frozenset[str]:
        """Every judgement any version of this framework makes."""
        return frozenset(j for v in self.versions for j in v.judgements)
