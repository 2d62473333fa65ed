"""
Read spreadsheets (``.xlsx``, ``.ods``) sheet by sheet, streaming rows into records.

Each sheet is a table of its own: its records are placed as ``book.ods[Sheet]:ROW`` and it is checked
as its own dataset (the engine groups records by that place). A sheet's header is the first row, within
the first rows, that is gradecheck's own format or fits a profile; title rows above it (official
workbooks have them) are passed over. Sheets with no such header (cover, contents, notes) are skipped
when another sheet of the workbook was read, and reported otherwise.

``.ods`` is read with the standard library (a zip of XML, parsed incrementally, so memory does not grow
with the number of rows). ``.xlsx`` needs openpyxl, the optional extra ``gradecheck[excel]``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

from ..records import Origin, Record, Unreadable, record_from_mapping
from .profiles import Binding, ProfileSet, iso_date

__all__ = ["read_workbook"]

EXCEL_EXTRA = "pip install 'gradecheck[excel]'"
#: How many rows from the top of a sheet are searched for its header row.
HEADER_SEARCH_ROWS = 30
# A repeated cell or row in ODS may claim a million copies; real tables do not repeat values that often.
_MAX_REPEAT = 16384

Item = Record | Unreadable
Row = tuple[int, list[Any]]


def read_workbook(path: str, profiles: ProfileSet) -> Iterator[Item]:
    """Yield the records of every sheet of a workbook, then a report of the sheets that could not be read."""
    try:
        sheets = _xlsx_sheets(path) if path.lower().endswith(".xlsx") else _ods_sheets(path)
        skipped: list[tuple[str, str]] = []
        read_any = False
        for name, rows in sheets:
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
    except _MissingExtra as err:
        yield Unreadable(Origin(path, 0), str(err))
        return
    except (OSError, zipfile.BadZipFile, ET.ParseError, KeyError, ValueError) as err:
        yield Unreadable(Origin(path, 0), f"cannot read the workbook: {type(err).__name__}: {err}")
        return
    if not read_any:
        for label, why in skipped:
            yield Unreadable(Origin(label, 0), f"no header row in the first {HEADER_SEARCH_ROWS} rows: {why}")


class _MissingExtra(Exception):
    pass


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


# --- xlsx ------------------------------------------------------------------------------------------


def _xlsx_sheets(path: str) -> Iterator[tuple[str, Iterator[Row]]]:
    try:
        import openpyxl
    except ImportError:
        raise _MissingExtra(f"reading .xlsx files needs openpyxl, which is not installed: {EXCEL_EXTRA}") from None
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            rows = ((number, list(values)) for number, values in enumerate(sheet.iter_rows(values_only=True), start=1))
            yield sheet.title, rows
    finally:
        book.close()


# --- ods -------------------------------------------------------------------------------------------

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _ods_sheets(path: str) -> Iterator[tuple[str, Iterator[Row]]]:
    with zipfile.ZipFile(path) as book, book.open("content.xml") as content:
        for name, group in itertools.groupby(_ods_rows(content), key=lambda r: r[0]):
            yield name, ((number, cells) for _, number, cells in group)


def _ods_rows(content: Any) -> Iterator[tuple[str, int, list[Any]]]:
    """(sheet, row number, cells) for every non-empty row, in order, clearing each row once read."""
    stack: list[ET.Element] = []
    sheet = ""
    number = 0
    for event, element in ET.iterparse(content, events=("start", "end")):
        if event == "start":
            stack.append(element)
            if element.tag == _TABLE + "table":
                sheet = element.get(_TABLE + "name", "")
                number = 0
            continue
        stack.pop()
        if element.tag != _TABLE + "table-row":
            if element.tag == _TABLE + "table" and stack:
                stack[-1].remove(element)
            continue
        repeat = min(int(element.get(_TABLE + "number-rows-repeated", "1")), 10**7)
        cells = _ods_cells(element)
        if cells:
            for _ in range(min(repeat, _MAX_REPEAT)):
                number += 1
                yield sheet, number, list(cells)
            number += repeat - min(repeat, _MAX_REPEAT)
        else:
            number += repeat
        if stack:
            stack[-1].remove(element)


def _ods_cells(row: ET.Element) -> list[Any]:
    cells: list[Any] = []
    pending = 0
    for cell in row:
        if cell.tag not in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
            continue
        repeat = int(cell.get(_TABLE + "number-columns-repeated", "1"))
        value = _ods_value(cell)
        if value is None:
            pending += repeat
            continue
        if len(cells) + pending > _MAX_REPEAT:
            break
        cells.extend([None] * pending)
        pending = 0
        cells.extend([value] * min(repeat, _MAX_REPEAT))
    return cells


def _ods_value(cell: ET.Element) -> Any:
    kind = cell.get(_OFFICE + "value-type")
    if kind in ("float", "percentage", "currency"):
        raw = cell.get(_OFFICE + "value", "")
        try:
            number = float(raw)
        except ValueError:
            return _ods_text(cell) or None
        return int(number) if number.is_integer() else number
    if kind == "date":
        raw = cell.get(_OFFICE + "date-value", "")
        try:
            stamp = dt.datetime.fromisoformat(raw)
        except ValueError:
            return _ods_text(cell) or None
        return stamp.date() if stamp.time() == dt.time(0, 0) else stamp
    if kind == "boolean":
        return cell.get(_OFFICE + "boolean-value")
    text = _ods_text(cell)
    return text if text.strip() else None


def _ods_text(cell: ET.Element) -> str:
    paragraphs = [_inline(p) for p in cell if p.tag in (_TEXT + "p", _TEXT + "h")]
    return "\n".join(paragraphs)


def _inline(element: ET.Element) -> str:
    out = [element.text or ""]
    for child in element:
        if child.tag == _TEXT + "s":
            out.append(" " * int(child.get(_TEXT + "c", "1")))
        elif child.tag == _TEXT + "tab":
            out.append("\t")
        elif child.tag == _TEXT + "line-break":
            out.append("\n")
        elif child.tag != _OFFICE + "annotation":
            out.append(_inline(child))
        out.append(child.tail or "")
    return "".join(out)
