"""
The row engine's records folded into the dataset rules' summaries a few hundred at a time, a column at a time.

A record the fast path read (gradecheck/engine/fastpath.py) is held as it was read, its top-level values and
its groups, until its framework has BATCH of them; they are then handed to each summary as one :class:`Rows`,
which the summary folds a column at a time (``add_rows``, as it folds the columnar engine's passed rows). One
view a record and one ``add`` a summary were 6.7 of the 23.5 µs an ILACS file's record cost (the unique ids'
3.4, the visit histories' 3.3). A summary's state does not depend on the order records are folded in (it
reports in file order), so a batch may be folded after records that came later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from ..frameworks import Framework, Version
from ..kinds import CODE_FIELDS, NAME_FIELDS, Rows

__all__ = ["BATCH", "Pending", "fields_read", "fold_pending", "reads_of"]

#: Records of a framework held before they are folded; each keeps its values alive until then. The 50k-record
#: fold took 15.8-17.0 µs a record with 256, 16.4-18.4 with 64 and 16.6-17.3 with 1,024 (three alternations);
#: the 1M capped run's peak was 91.5 MiB with 256 and with 1,024.
BATCH = 256

#: A record held: its line, day, version, top-level values, groups and label (kinds.identify's answer, or None).
Pending = tuple[int, "dt.date | None", Version, dict[str, Any], dict[str, Any], Any]


def reads_of(rule: Any) -> set[str] | None:
    """
    The fields a dataset rule's summary reads of a record besides its id, authority, framework and date, as
    its kind declares them ("judgements.*": its grades); None for a kind that does not say.
    """
    reads = getattr(rule.check, "reads", None)
    return set(reads()) if callable(reads) else None


def fields_read(rules: Iterable[Any]) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...],
                                              tuple[str, ...]] | None:
    """
    What the summaries of a framework's dataset *rules* read, as (top-level fields, group members, whole groups);
    None where a rule's kind does not say (see reads_of), whose records are then folded one view at a time.
    Who a record is about is always read: a finding names the authority, which the name and the code find.
    """
    wanted: set[str] = {"id", *NAME_FIELDS, *CODE_FIELDS}
    for rule in rules:
        fields = reads_of(rule)
        if fields is None:
            return None
        wanted |= fields
    tops = tuple(sorted(n for n in wanted if "." not in n))
    pairs = sorted(tuple(n.split(".", 1)) for n in wanted if "." in n)
    whole = tuple(group for group, key in pairs if key == "*")
    members = tuple((group, key) for group, key in pairs if key != "*" and group not in whole)
    return tops, members, whole  # type: ignore[return-value]


def fold_pending(path: str, framework: Framework, pending: list[Pending], summaries: list[Any],
                 fields: tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[str, ...]],
                 broken: Callable[[Any, Exception], None]) -> None:
    """
    Fold the records held into each summary, as one Rows: a column a field, None where a record has no value
    (as a view's ``get`` gives MISSING). A summary that raises is *broken*, as one raising on a record is.
    """
    tops, members, whole = fields
    get = dict.get
    values = [p[3] for p in pending]
    columns: dict[str, list[Any]] = {name: list(map(get, values, repeat(name))) for name in tops}
    groups = [p[4] for p in pending]
    for group in sorted({*whole, *(group for group, _ in members)}):
        of_group = [g.get(group) or _NONE for g in groups]
        # Each member some record has (for a whole group), else those asked for, in a steady order.
        keys = sorted(set().union(*of_group)) if group in whole else [k for g, k in members if g == group]
        for key in keys:
            columns[f"{group}.{key}"] = list(map(get, of_group, repeat(key)))
    labels = [p[5] for p in pending]
    days = [p[1] for p in pending]
    # The register's answers the fast path's authority rules asked for (see _Run.fold), and the versions it found.
    rows = Rows(path, framework, [p[0] for p in pending], days, columns, None if None in labels else labels,
                dict(zip(days, (p[2] for p in pending), strict=True)))
    for summary in summaries:
        add_rows = getattr(summary, "add_rows", None)
        if add_rows is None:
            continue  # a summary that broke reads no more
        try:
            add_rows(rows)
        except Exception as err:  # a broken rule is reported, and the run goes on
            broken(summary, err)


_NONE: dict[str, Any] = {}
