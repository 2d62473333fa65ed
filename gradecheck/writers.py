"""
Write records in the native formats (JSON, JSON Lines, CSV with dotted headers), so generated data can feed any tool.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .records import Record

__all__ = ["CsvWriter", "flatten", "nest", "write_csv", "write_json", "write_jsonl"]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def flatten(record: Mapping[str, Any] | Record, prefix: str = "") -> dict[str, Any]:
    """Nested groups to dotted names, as CSV headers name them."""
    if isinstance(record, Record):
        return {k: _plain(v) for k, v in record.fields.items()}
    out: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Mapping) and not ({"value", "min", "max"} & set(value)):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = _plain(value)
    return out


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted names back to nested groups: the inverse of :func:`flatten`."""
    out: dict[str, Any] = {}
    for name, value in flat.items():
        head, dot, rest = name.partition(".")
        if dot:
            out.setdefault(head, {})[rest] = value
        else:
            out[name] = value
    return out


def _native(record: Mapping[str, Any] | Record) -> dict[str, Any]:
    return nest(flatten(record))


def write_jsonl(records: Iterable[Mapping[str, Any] | Record]) -> str:
    """One JSON object a line."""
    return "".join(json.dumps(_native(r), ensure_ascii=False) + "\n" for r in records)


def write_json(records: Iterable[Mapping[str, Any] | Record]) -> str:
    """A JSON array, one record an element."""
    return json.dumps([_native(r) for r in records], indent=1, ensure_ascii=False) + "\n"


class CsvWriter:
    """
    csv.writer, whose rows every reader reads back: a row with a carriage return in a cell is quoted in full.
    The csv module quotes a cell only for the line terminator's own characters, so with "\n" a lone "\r" (a
    value from a data file) would go out bare, and readers, Python's own included, take it for a line's end.
    """

    def __init__(self, out: Any, lineterminator: str = "\n") -> None:
        self._minimal = csv.writer(out, lineterminator=lineterminator)
        self._quoted = csv.writer(out, lineterminator=lineterminator, quoting=csv.QUOTE_ALL)

    def writerow(self, row: Iterable[Any]) -> None:
        row = list(row)
        quote = any(type(c) is str and "\r" in c for c in row)
        (self._quoted if quote else self._minimal).writerow(row)


def write_csv(records: Iterable[Mapping[str, Any] | Record]) -> str:
    """CSV with a dotted header naming every field any record has (sorted, id and framework first)."""
    rows = [flatten(r) for r in records]
    names = sorted({n for row in rows for n in row}, key=lambda n: (n not in ("id", "framework"), n != "id", n))
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(names)
    for row in rows:
        writer.writerow(["" if row.get(n) is None else _cell(row.get(n)) for n in names])
    return out.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, Mapping):
        if "value" in value:
            return str(value["value"])
        return json.dumps(value)
    return str(value)
