"""
Read a pandas or polars DataFrame as the CSV file it would be: the same rows through the CSV reader's row path.

A frame is not written out and read back: its cells are turned into the text a CSV file of them
would hold, and handed with their line numbers to :func:`gradecheck.read.files.read_rows`, so header
checks, the choice of profile, records and reasons for an unreadable row are the CSV reader's own.
Neither pandas nor polars is imported here: a frame is recognised by its class, and read through
its own methods, so whoever has a frame has what reading it needs.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..records import Origin, Unreadable
from .files import Item, read_rows

if TYPE_CHECKING:
    from .profiles import ProfileSet

__all__ = ["FRAME_NAME", "frame_kind", "read_frame"]

#: The path a frame's records are placed at unless it is given a name: ``<frame>:2`` is its first row.
FRAME_NAME = "<frame>"

# Rows are turned into text this many at a time, so memory holds one chunk's text, not the whole frame's.
_CHUNK = 8192


def frame_kind(frame: Any) -> str | None:
    """
    "pandas" or "polars" for a DataFrame of that library (or a subclass of one), else None.

    By class, not by import: importing pandas to ask would cost every caller a second.
    """
    for cls in type(frame).__mro__:
        root = cls.__module__.split(".", 1)[0]
        if root == "pandas" and cls.__name__ == "DataFrame":
            return "pandas"
        if root == "polars" and cls.__name__ in ("DataFrame", "LazyFrame"):
            return "polars"
    return None


def read_frame(frame: Any, name: str = FRAME_NAME, *, profiles: ProfileSet | None = None,
               raw: bool = False) -> Iterator[Item]:
    """
    The records of a DataFrame, as :func:`gradecheck.read.read_path` gives those of its CSV file.

    The columns are the header (line 1) and row *i* (from 0) is line *i* + 2, as in a CSV file of the
    frame with a line per row; the records are placed at *name*. Cells read as their CSV text would:
    missing values (None, NaN, NaT, NA) are empty, a whole float is an integer (pandas keeps 5 as 5.0
    in a column of counts with a gap), dates are ISO 8601. A pandas frame's named index levels are
    columns (``df.set_index("id")`` keeps its ids), as ``to_csv`` writes them.

    Raises:
        TypeError: *frame* is not a pandas or polars DataFrame.
    """
    kind = frame_kind(frame)
    if kind is None:
        raise TypeError(f"expected a pandas or polars DataFrame, not {type(frame).__module__}.{type(frame).__name__}")
    if kind == "pandas":
        header, chunks = _pandas(frame)
    else:
        header, chunks = _polars(frame)
    return _items(header, chunks, name, profiles, raw)


def _items(header: list[str], chunks: Iterator[list[list[str]]], name: str, profiles: ProfileSet | None,
           raw: bool) -> Iterator[Item]:
    if not header:
        yield Unreadable(Origin(name, 0), "empty frame: no columns, so no records")
        return
    if not any(h.strip() for h in header):
        # A CSV reader would skip a blank header line and take the first row for the header; a frame's
        # columns are its header whatever they are called.
        yield Unreadable(Origin(name, 0), "no column has a name; name the columns (df.columns = [...]) first")
        return
    yield from read_rows(_numbered(header, chunks), name, profiles, raw)


def _numbered(header: list[str], chunks: Iterator[list[list[str]]]) -> Iterator[tuple[int, Sequence[str]]]:
    yield 1, header
    line = 2
    for chunk in chunks:
        for row in zip(*chunk, strict=True):
            yield line, row
            line += 1


# --- pandas -----------------------------------------------------------------------------------------


def _pandas(frame: Any) -> tuple[list[str], Iterator[list[list[str]]]]:
    if any(level is not None for level in frame.index.names):
        # Named index levels are data (df.set_index("id")); a plain row number is not, as in to_csv.
        # Names that collide stay duplicated, and the reader says the header repeats them.
        frame = frame.reset_index(allow_duplicates=True)
    header = [_column_name(label) for label in frame.columns]
    return header, _pandas_chunks(frame)


def _pandas_chunks(frame: Any) -> Iterator[list[list[str]]]:
    for start in range(0, len(frame), _CHUNK):
        part = frame.iloc[start:start + _CHUNK]
        columns = (part.iloc[:, i] for i in range(part.shape[1]))  # by position: names may repeat
        yield [_texts(column.tolist(), column.isna().tolist()) for column in columns]


def _column_name(label: Any) -> str:
    """A column label as a CSV header names it; a MultiIndex label's parts join with dots (judgements.overall)."""
    if isinstance(label, tuple):
        return ".".join(str(part) for part in label if part is not None and str(part) != "")
    return label if isinstance(label, str) else _text(label)


# --- polars -----------------------------------------------------------------------------------------


def _polars(frame: Any) -> tuple[list[str], Iterator[list[list[str]]]]:
    if type(frame).__name__ == "LazyFrame":
        frame = frame.collect()
    return list(frame.columns), _polars_chunks(frame)


def _polars_chunks(frame: Any) -> Iterator[list[list[str]]]:
    for start in range(0, frame.height, _CHUNK):
        part = frame.slice(start, _CHUNK)
        yield [_texts(series.to_list(), None) for series in part.get_columns()]


# --- cells ------------------------------------------------------------------------------------------


def _texts(values: list[Any], missing: Sequence[bool] | None) -> list[str]:
    if missing is not None and any(missing):
        return ["" if gap else v if type(v) is str else _text(v) for v, gap in zip(values, missing, strict=True)]
    return [v if type(v) is str else _text(v) for v in values]


def _text(value: Any) -> str:
    """A typed cell as the text a CSV file would hold for it."""
    if value is None:
        return ""
    if isinstance(value, bool) or type(value).__name__ == "bool_":  # numpy's bool is not an int
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        number = float(value)
        if number != number:  # NaN: pandas' and numpy's missing number
            return ""
        if number.is_integer():
            return str(int(number))
        # float32 and the like print their own shortest text; float(...) would show binary noise.
        return repr(number) if isinstance(value, float) else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        if value != value:  # pandas' NaT is a datetime that is not equal to itself
            return ""
        from .profiles import iso_date

        return iso_date(value)
    return str(value)
