"""
Two editions of one statistical series (the same DfE table a year apart): what changed beyond belief.

Every sum in a table can add up while a column is mislabelled or shuffled: the arithmetic rules cannot see
it, but last year's edition can. Local authorities change slowly, so a figure a year on is mostly last
year's give or take a fraction, and across authorities a column keeps its order (the largest authorities
stay the largest). Three findings follow, each stated with the figures that made it:

- E101 (warning): one authority's figure moved far beyond how that field moved elsewhere: more than
  doubled or halved against the field's typical change, beyond ``SPREAD`` robust standard deviations of
  that field's changes across authorities, and by at least ``MIN_CHANGE`` (small counts jump).
- E102 (error): a field no longer tracks its previous edition: across the authorities in both, the rank
  correlation of this year's figures with last year's is below ``MIN_TRACKING`` (between consecutive
  editions of the real DfE tables 2011-2017 every field stays at 0.6 or above: see docs/real-data.md).
  A shuffled column shows so.
- E103 (error): a field's figures sit at the level of *another* field of the previous edition, not their
  own: a mislabelled column. Judged on the median ratio of the figures over the authorities in both.

Rows are matched by area (through the authority register, so a renamed or recoded authority is still
itself) and, in tidy tables, by their group and breakdown labels. Suppressed figures are left out;
rounded ones count at their stated value.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attrs import frozen

from .authorities import Register, default_register
from .records import Origin, Record, Unreadable
from .report import Finding, Report
from .values import MISSING, Interval

__all__ = ["CODES", "MIN_CHANGE", "MIN_LEVEL", "MIN_TRACKING", "SPREAD", "Editions", "compare_editions", "is_series"]

#: Fields of a statistical row (not an inspection): a record with any is a row of a series.
SERIES_FIELDS = ("time_period", "geography_level", "area", "area_code")
#: An authority's change must exceed this many robust standard deviations of the field's changes (E101).
SPREAD = 6.0
#: ...and be at least this many children: counts of a handful double and halve all the time.
MIN_CHANGE = 20
#: A field whose rank correlation with its previous edition falls below this no longer tracks it (E102).
MIN_TRACKING = 0.5
#: Fewer authorities than this in both editions and a field is not judged (correlations of a few mean little).
MIN_AREAS = 10
#: E103 compares fields whose median figure is at least this: fields of a handful an authority all look alike.
MIN_LEVEL = 10

CODES: Mapping[str, tuple[str, str]] = {
    "E101": ("warning", "A figure changed far beyond how the field changed elsewhere between the two editions"),
    "E102": ("error", "A field no longer tracks its previous edition across authorities"),
    "E103": ("error", "A field's figures sit at the level of another field of the previous edition"),
}

Key = tuple[str, str, str]  # (group, breakdown, field): one series of figures


def is_series(record: Record) -> bool:
    """Whether *record* is a row of a statistical table rather than an inspection."""
    return any(record.get(name, None) is not None for name in SERIES_FIELDS)


@frozen
class Editions:
    """What comparing two editions found: the figures matched, the fields judged, and the findings."""

    areas: tuple[int, int, int]  # areas in A only, in both, in B only
    fields: int  # series judged (enough areas in both)
    tracking: Mapping[Key, float]  # rank correlation of each judged series with its previous edition
    findings: tuple[Finding, ...]
    records: tuple[int, int]
    unreadable: tuple[Unreadable, ...]
    inputs: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())

    def report(self) -> Report:
        """The comparison as a check's report, for every output format and the exit code."""
        total = sum(self.records)
        return Report(records=total, checked=total - len(self.unreadable), findings=self.findings,
                      unreadable=self.unreadable, files=len(self.inputs[0]) + len(self.inputs[1]),
                      inputs=self.inputs[0] + self.inputs[1])

    def counts(self) -> dict[str, Any]:
        only_a, both, only_b = self.areas
        lowest = min(self.tracking.values(), default=None)
        return {"editions": {"areas_only_in_a": only_a, "areas_in_both": both, "areas_only_in_b": only_b,
                             "series_judged": self.fields,
                             "lowest_tracking": None if lowest is None else round(lowest, 3),
                             **{code: sum(1 for f in self.findings if f.rule == code) for code in CODES}}}

    def summary_line(self) -> str:
        c = self.counts()["editions"]
        lowest = "" if c["lowest_tracking"] is None else f", lowest rank correlation {c['lowest_tracking']:.2f}"
        return (f"compare (editions): {c['areas_in_both']} areas in both editions (only in A {c['areas_only_in_a']}, "
                f"only in B {c['areas_only_in_b']}), {c['series_judged']} fields judged{lowest}; "
                f"{c['E101']} implausible changes (E101), {c['E102']} fields no longer tracking (E102), "
                f"{c['E103']} fields at another field's level (E103).")


def compare_editions(a: Iterable[Record | Unreadable], b: Iterable[Record | Unreadable], *,
                     register: Register | None = None) -> Editions:
    """Compare edition *a* (the earlier) with edition *b* of one series, figure by figure (see the module)."""
    register = register or default_register()
    areas: dict[tuple[str, str], str] = {}  # one resolution a (name, code): a miss costs a search for close names
    unreadable: list[Unreadable] = []
    counted = []
    tables = []
    for items in (a, b):
        table: dict[str, dict[Key, tuple[float, Record]]] = defaultdict(dict)
        n = 0
        for item in items:
            if isinstance(item, Unreadable):
                unreadable.append(item)
                continue
            n += 1
            seen = (_label(item.get("area", None)), _label(item.get("area_code", None)))
            area = areas.get(seen) or areas.setdefault(seen, _area(*seen, register))
            group, breakdown = _label(item.get("group", None)), _label(item.get("breakdown", None))
            for name, value in item.fields.items():
                figure = _figure(value)
                # Counts and rates: never negative; a net flow (-490) has no ratio to compare.
                if figure is not None and figure >= 0 and name.startswith(("populations.", "facts.")):
                    table[area][(group, breakdown, name)] = (figure, item)
        counted.append(n)
        tables.append(table)
    old, new = tables
    both = sorted(set(old) & set(new))
    series: dict[Key, list[tuple[str, float, float, Record]]] = defaultdict(list)
    for area in both:
        for key, (figure, record) in new[area].items():
            if key in old[area]:
                series[key].append((area, old[area][key][0], figure, record))
    findings: list[Finding] = []
    tracking: dict[Key, float] = {}
    levels = {key: _level(rows) for key, rows in series.items() if len(rows) >= MIN_AREAS}
    for key, rows in sorted(series.items()):
        if len(rows) < MIN_AREAS:
            continue
        rho = _spearman([r[1] for r in rows], [r[2] for r in rows])
        tracking[key] = rho
        findings += _jumps(key, rows)
        if rho < MIN_TRACKING:
            findings.append(_finding("E102", key, rows, f"across the {len(rows)} areas in both "
                                     f"editions, the rank correlation with the previous edition is {rho:.2f} "
                                     f"(below {MIN_TRACKING}): shuffled, or another field under its name?",
                                     expected=f"at least {MIN_TRACKING}", actual=round(rho, 3)))
        findings += _mislabelled(key, rows, levels)
    findings.sort(key=Finding.sort_key)
    return Editions(areas=(len(set(old) - set(new)), len(both), len(set(new) - set(old))), fields=len(tracking),
                    tracking=tracking, findings=tuple(findings), records=(counted[0], counted[1]),
                    unreadable=tuple(unreadable))


def _label(value: Any) -> str:
    return "" if value is MISSING or value is None else str(value).strip()


def _area(name: str, code: str, register: Register) -> str:
    """The area a row is about: the register's authority (or England, a region) where it knows it, else as written."""
    # The name first: a table's code column is not always a code (SFR27/2010 gives England the row number
    # 921, which is the Isle of Wight's LA number), while its names are what the table is about.
    for key in (name, code):
        found = register.resolve(key) if key else None
        if found:
            return found.authority.id
    return (code or name).lower()


def _figure(value: Any) -> float | None:
    if isinstance(value, bool) or value is MISSING or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, Interval):
        if not (math.isfinite(value.lo) and math.isfinite(value.hi)):
            return None  # suppressed: any value
        return (value.lo + value.hi) / 2
    return None


def _ranks(values: Sequence[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2
        i = j + 1
    return ranks


def _spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Rank correlation, ties shared; 1.0 when either side is constant and the other is too, else 0."""
    rx, ry = _ranks(x), _ranks(y)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    if sxx == 0 or syy == 0:
        return 1.0 if sxx == syy else 0.0
    return sxy / math.sqrt(sxx * syy)


def _change(old: float, new: float) -> float:
    return math.log((new + 1) / (old + 1))


def _jumps(key: Key, rows: list[tuple[str, float, float, Record]]) -> list[Finding]:
    changes = [_change(o, n) for _, o, n, _ in rows]
    middle = statistics.median(changes)
    spread = 1.4826 * statistics.median(abs(c - middle) for c in changes)
    out = []
    for (_area_key, old, new, record), change in zip(rows, changes, strict=True):
        off = abs(change - middle)
        if off > math.log(2) and off > SPREAD * spread and abs(new - old) >= MIN_CHANGE:
            typical = math.exp(middle)
            out.append(_finding(
                "E101", key, [(_area_key, old, new, record)],
                f"{_name(key)} went from {_show(old)} to {_show(new)} (x{(new + 1) / (old + 1):.2f}); across "
                f"{len(rows)} areas the field typically changed x{typical:.2f}",
                expected=f"about {_show(old * typical)}", actual=_show(new)))
    return out


def _level(rows: list[tuple[str, float, float, Record]]) -> dict[str, float]:
    return {area: old for area, old, _, _ in rows}


def _mislabelled(key: Key, rows: list[tuple[str, float, float, Record]],
                 levels: Mapping[Key, Mapping[str, float]]) -> list[Finding]:
    """E103: this field's figures sit at another field's level of the previous edition, not their own."""

    def distance(previous: Mapping[str, float]) -> float | None:
        pairs = [(previous[area], new) for area, _, new, _ in rows if area in previous]
        if len(pairs) < MIN_AREAS:
            return None
        return statistics.median(abs(_change(o, n)) for o, n in pairs)

    own = distance(levels[key])
    # A field of a handful per authority (mostly 0) sits at the level of every other such field: not judged.
    if own is None or own <= math.log(1.5) or statistics.median(new for _, _, new, _ in rows) < MIN_LEVEL:
        return []
    group, breakdown, _ = key
    candidates = [(d, other) for other, level in levels.items()
                  if other != key and other[:2] == (group, breakdown) and statistics.median(level.values()) >= MIN_LEVEL
                  and (d := distance(level)) is not None]
    if not candidates:
        return []
    best, other = min(candidates)
    if best >= own / 3 or best > math.log(1.25):
        return []
    return [_finding("E103", key, rows,
                     f"its figures are typically x{math.exp(own):.2f} away from its own previous "
                     f"edition but only x{math.exp(best):.2f} from {_name(other)} of it: a mislabelled column?",
                     expected=_name(key), actual=_name(other))]


def _name(key: Key) -> str:
    group, breakdown, field = key
    return " / ".join(part for part in (group, breakdown, field) if part)


def _show(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 or abs(value) >= 100 else f"{value:.1f}"


def _finding(code: str, key: Key, rows: Sequence[tuple[str, float, float, Record]], message: str, *,
             expected: Any = None, actual: Any = None) -> Finding:
    severity, title = CODES[code]
    record = rows[0][3] if len(rows) == 1 else None
    where = record.origin if record is not None else Origin(rows[0][3].origin.path, 0)
    return Finding(rule=code, severity=severity, record=record.id if record is not None else _name(key),
                   source=where, message=message, fields={key[2]: actual}, expected=expected, actual=actual,
                   title=title, authority=_label(record.get("area", None)) if record is not None else None,
                   framework=record.framework if record is not None else rows[0][3].framework)
