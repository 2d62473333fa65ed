"""
What the columnar engine knows of a native CSV file before polars reads it (its header), and what a pass comes to.

Shared by gradecheck/engine/columnar.py, which decides whether to use the engine and hands rows on, and
gradecheck/engine/columnar_scan.py, which imports polars and judges the rows: neither imports the other's
insides.
"""

from __future__ import annotations

import csv
from typing import Any

from ..records import DATE_FIELDS, TEXT_FIELDS

__all__ = ["BATCH_ROWS", "BLOCK_BYTES", "MAX_HANDOVER_SHARE", "Plan", "Result", "Unsuitable", "one_row"]

#: Bytes of whole lines read at a time: memory stays bounded by this (times about ten), not by the file.
BLOCK_BYTES = 8 * 1024 * 1024
#: Rows read before deciding whether too many need the row engine.
BATCH_ROWS = 50_000
#: Past this share of rows needing the row engine (after the first batch), the row path is faster: give up early.
MAX_HANDOVER_SHARE = 0.5
_GROUPS = ("judgements", "grade_counts", "populations", "facts")


class Unsuitable(Exception):
    """The columnar engine cannot be sure of this file: the row path takes it (the reason is shown if asked)."""

    def __init__(self, reason: str, *, every_file: bool = False) -> None:
        super().__init__(reason)
        self.every_file = every_file  # a reason that holds for every file of the run: said once


class Plan:
    """The header of a native CSV file, and what each column is."""

    def __init__(self, path: str, ruleset: Any) -> None:
        self.path = path
        self.ruleset = ruleset
        try:
            with open(path, "rb") as handle:
                self.header_bytes = handle.readline()
        except OSError as err:
            raise Unsuitable(f"cannot read it ({err.strerror or err})") from None
        raw = self.header_bytes
        if raw.startswith(b"\xef\xbb\xbf"):
            raise Unsuitable("it starts with a byte-order mark")
        if not raw.endswith(b"\n"):
            raise Unsuitable("it has no data rows")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Unsuitable("its header is not UTF-8") from None
        row = one_row(text)
        if row is None or not any(cell.strip() for cell in row):
            raise Unsuitable("its first line is not a one-line header")
        header = [name.strip() for name in row]
        if len({n for n in header if n}) != len([n for n in header if n]):
            raise Unsuitable("its header repeats a column")
        if not {"id", "framework"} <= set(header):
            raise Unsuitable("its header has no id and framework columns (a published layout, read through a profile)")
        self.header = header
        self.columns: dict[str, list[tuple[int, str]]] = {g: [] for g in _GROUPS}
        self.text: dict[str, int] = {}
        self.dates: dict[str, int] = {}
        for j, name in enumerate(header):
            if not name:
                continue
            if name in TEXT_FIELDS:
                self.text[name] = j
            elif name in DATE_FIELDS:
                self.dates[name] = j
            else:
                group, dot, member = name.partition(".")
                if not dot or group not in self.columns:
                    raise Unsuitable(f"column {name!r} is not a field of gradecheck's own format")
                self.columns[group].append((j, member))
        grouped = (j for columns in self.columns.values() for j, _ in columns)
        self.used = sorted({*self.text.values(), *self.dates.values(), *grouped})


def one_row(line: str) -> list[str] | None:
    """The cells of *line* as the csv module reads them, or None when a quoted cell runs on past its end."""
    try:
        rows = list(csv.reader([line, "x\n"]))
    except csv.Error:
        return None
    return rows[0] if len(rows) == 2 and rows[1] == ["x"] else None


class Result:
    """What a whole file came to: rows that passed (counted, folded for dataset rules), rows for the row engine."""

    def __init__(self) -> None:
        self.passed = 0
        self.tally: dict[str, int] = {}
        # (line, cells) for a row the row engine checks; (line, (start, end)) for one it must read itself.
        self.handover: list[tuple[int, Any]] = []
        # The dataset rules' summaries of the passed rows (one per dataset rule, in the run's order).
        self.summaries: list[Any] = []
