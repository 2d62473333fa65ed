"""
Read spreadsheets (``.xlsx``, ``.xls``, ``.ods``) sheet by sheet, streaming rows into records.

A workbook is one dataset (ids unique across its sheets, an authority's history read from all of them), and
each sheet a table of its own: its records are placed as ``book.ods[Sheet]:ROW``. A sheet's header is the
first row, within the first rows, that is gradecheck's own format or fits a profile; title rows above it
(official workbooks have them) are passed over. Sheets with no such header (cover, contents, notes) are
skipped when another sheet of the workbook was read, and reported otherwise.

All three formats are read by python-calamine (Rust's calamine), one maintained reader, after
:mod:`gradecheck.read.workbook_limits` has refused a workbook that would take too much memory. It is a
dependency of gradecheck; where it is missing (installed without dependencies) a workbook is one unreadable
entry naming the extra that brings it.
"""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from ..records import Origin, Record, Unreadable, record_from_mapping
from .profiles import Binding, ProfileSet, iso_date
from .workbook_limits import Refused, checked_copy

__all__ = ["read_workbook"]

WORKBOOKS_EXTRA = "pip install 'gradecheck[workbooks]'"
#: The former name ('excel' stays an alias of the 'workbooks' extra, so old instructions still work).
EXCEL_EXTRA = WORKBOOKS_EXTRA
#: How many rows from the top of a sheet are searched for its header row.
HEADER_SEARCH_ROWS = 30

Item = Record | Unreadable
Row = tuple[int, list[Any]]


def read_workbook(path: str, profiles: ProfileSet) -> Iterator[Item]:
    """Yield the records of every sheet of a workbook, then a report of the sheets that could not be read."""
    try:
        import python_calamine
    except ImportError:
        yield Unreadable(Origin(path, 0), "reading .xlsx, .xls and .ods files needs python-calamine, which is not "
                                          f"installed: {WORKBOOKS_EXTRA}")
        return
    skipped: list[tuple[str, str]] = []
    read_any = False
    try:
        with checked_copy(path) as readable:
            book = python_calamine.CalamineWorkbook.from_path(readable)
            try:
                for name, rows in _sheets(book):
                    label = f"{path}[{name}]"
                    items = _sheet_items(label, rows, profiles)
                    first = next(items, None)
                    if isinstance(first, _Skipped):
                        skipped.append((label, first.why))
                        continue
                    read_any = True
                    if first is not None:
                        yield first
                    yield from items
            finally:
                book.close()
    except Refused as err:
        yield Unreadable(Origin(path, 0), f"workbook refused: {err}; save its sheets as CSV, which is read row by "
                                          "row with no such limit")
        return
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error, python_calamine.CalamineError) as err:
        yield Unreadable(Origin(path, 0), f"cannot read the workbook: {type(err).__name__}: {err}")
        return
    except BaseException as err:
        if type(err).__name__ != "PanicException":  # calamine's own bug, raised through pyo3: still just this file
            raise
        yield Unreadable(Origin(path, 0), f"cannot read the workbook: the reader failed: {err}")
        return
    if not read_any:
        for label, why in skipped:
            yield Unreadable(Origin(label, 0), f"no header row in the first {HEADER_SEARCH_ROWS} rows: {why}")


class _Skipped:
    def __init__(self, why: str) -> None:
        self.why = why


def _sheet_items(label: str, rows: Iterator[Row], profiles: ProfileSet) -> Iterator[Item | _Skipped]:
    header: list[str] | None = None
    binding: Binding | None = None
    why = "the sheet is empty"
    searched = 0
    for number, cells in rows:
        if not any(_present(c) for c in cells):
            continue
        if header is None:
            searched += 1
            candidate = [_header_text(c) for c in cells]
            binding, problem = profiles.choose(candidate)
            if problem is None:
                header = candidate
                duplicates = sorted({n for n in header if n and header.count(n) > 1})
                if duplicates and binding is None:
                    yield Unreadable(Origin(label, number),
                                     f"header repeats column(s) {', '.join(duplicates)}; sheet not read")
                    return
                continue
            if searched == 1:
                why = problem
            if searched >= HEADER_SEARCH_ROWS:
                break
            continue
        origin = Origin(label, number)
        if len(cells) > len(header):
            if any(_present(c) for c in cells[len(header):]):
                yield Unreadable(origin, f"row has {len(cells)} cells but the header has {len(header)} columns")
                continue
            cells = cells[: len(header)]
        if binding is not None:
            built = binding.record(cells)
            if isinstance(built, str):
                yield Unreadable(origin, built)
            else:
                yield record_from_mapping(built, origin, cells_are_text=True)
        else:
            # A row may be shorter than the header: xlsx and ods leave trailing empty cells out.
            mapping = {name: _native(c) for name, c in zip(header, cells, strict=False) if name}
            yield record_from_mapping(mapping, origin, cells_are_text=True)
    if header is None:
        yield _Skipped(why)


def _present(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


def _header_text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, (dt.date, dt.datetime)):
        return iso_date(cell)
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _native(cell: Any) -> Any:
    """A cell as gradecheck's own format reads it: spreadsheet dates become ISO text."""
    if isinstance(cell, (dt.date, dt.datetime)):
        return iso_date(cell)
    return cell


# --- the reader ------------------------------------------------------------------------------------


def _sheets(book: Any) -> Iterator[tuple[str, Iterator[Row]]]:
    from python_calamine import SheetTypeEnum

    for sheet in book.sheets_metadata:
        if sheet.typ == SheetTypeEnum.WorkSheet:  # not chart or macro sheets
            yield sheet.name, _rows(book, sheet.name)


def _rows(book: Any, name: str) -> Iterator[Row]:
    """
    A sheet's rows, numbered as the spreadsheet shows them; the sheet is loaded only when first asked for.

    calamine gives every row from the first (empty ones above the table too), but the columns only from the
    first one used, which matters to nothing here: a header is found by its names, not its place.
    """
    sheet = book.get_sheet_by_name(name)
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        yield number, [_cell(c) for c in cells]


def _cell(value: Any) -> Any:
    """
    A cell as the rest of gradecheck reads it: no value for an empty cell, a whole number for 5.0, a date for a
    midnight date-time (spreadsheets store dates as date-times), text for a time of day or a duration.
    """
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() else value
    if kind is dt.datetime:
        return value.date() if value.time() == dt.time(0) and value.tzinfo is None else value
    if kind is dt.time:
        return value.isoformat()
    if kind is dt.timedelta:
        return str(value)
    return value
