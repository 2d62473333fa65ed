"""Sum a checked record up as an Event (whose, when, which framework, headline grade) for pictures of a run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kinds import who
from ..report import Event, Figure
from ..values import Interval

if TYPE_CHECKING:
    from ..kinds import View

__all__ = ["figure", "summarize"]

_JUDGEMENT = "judgements."
# Fields only statistical rows have (as gradecheck.comparison tells them from inspections).
_STATISTICS = ("time_period", "geography_level", "area", "area_code")
# Frameworks whose records are neither inspections nor visits (rules/frameworks.toml).
_NOT_EVENTS = frozenset({"la-lookup"})


def summarize(view: View) -> Event | None:
    """
    The record's event: its overall grade where it has one the scale knows, else its worst judgement; None for
    a record that is no inspection or visit (a statistical row, which names an area or a period, or a row of a
    lookup table), so that timelines are not crowded out by figures.

    Cheap by design (one pass over the judgements): it runs once per checked record when asked for. The
    authority is the register's name (as findings give it), so spellings and codes share one timeline.
    """
    values = view.values
    if view.framework.id in _NOT_EVENTS or any(values.get(name) is not None for name in _STATISTICS):
        return None
    authority = who(view)[0] or values.get("authority_code")
    scale = view.framework.scale
    grade: str | None = None
    rank: int | None = None
    overall = False
    if scale is not None:
        head = view.values.get(_JUDGEMENT + view.version.overall) if view.version.overall else None
        if isinstance(head, str) and scale.knows(head):
            grade, rank, overall = head, scale.rank(head), True
        else:
            for name, value in view.values.items():
                if name.startswith(_JUDGEMENT) and isinstance(value, str) and scale.knows(value):
                    r = scale.rank(value)
                    if rank is None or r > rank:
                        grade, rank = value, r
    label = next((g.label for g in scale.grades if g.name == grade), None) if scale is not None and grade else None
    return Event(
        authority=authority if isinstance(authority, str) else None,
        record=view.record.id,
        framework=view.framework.id,
        graded=view.framework.graded,
        day=view.day,
        source=view.record.origin,
        grade=grade,
        label=label,
        rank=rank,
        steps=len(scale.grades) if scale is not None else 0,
        overall=overall,
    )


# Statistical rows that state how many children were looked after on 31 March: DfE's LA tables (SFR, 2010-2017)
# as populations.looked_after; explore-education-statistics' rates table as its group of that name.
_LOOKED_AFTER_GROUP = "children looked after on 31 march"


def figure(view: View) -> Figure | None:
    """A statistical row's count of children looked after on 31 March, for a chart per authority; None for others."""
    values = view.values
    if not any(values.get(name) is not None for name in _STATISTICS):
        return None
    value = values.get("populations.looked_after")
    if value is None:
        group = values.get("group")
        if not (isinstance(group, str) and group.strip().lower().startswith(_LOOKED_AFTER_GROUP)):
            return None
        value = values.get("populations.children")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number, shown = float(value), str(value)
    elif isinstance(value, Interval) and value.lo > float("-inf") and value.hi < float("inf"):
        number, shown = (value.lo + value.hi) / 2, value.text
    else:
        return None  # suppressed, unreadable: nothing to draw
    return Figure(authority=who(view)[0], day=view.day, value=number, shown=shown, source=view.record.origin,
                  series=view.framework.id)
