"""
Refuse a hostile workbook before the reader sees it, so that memory and time stay bounded.

An ``.xlsx`` or ``.ods`` workbook is a zip of XML, and a small one can become a huge one three ways:

- **Its parts inflate far beyond their packed size** (a zip bomb: a 1.5 MB ``.ods`` once took 3.1 GB and
  16 s). The zip directory's declared sizes are checked before anything is inflated: more than
  :data:`MAX_UNPACKED_BYTES` in all, or a part over :data:`RATIO_FLOOR` that inflates more than
  :data:`MAX_RATIO` times its packed size, is refused.
- **A part's header lies**, declaring less than it inflates to. Each part is inflated by Python's
  zipfile, which stops at the declared size (and checks the CRC), and the reader is handed a copy made of
  exactly those bytes (stored, not compressed, in a temporary file), so it never reads more than was
  checked, whatever its own zip code would do with the original.
- **A sheet spans a grid far larger than its XML.** The reader (calamine) holds a sheet as the rectangle
  around its non-empty cells, and an ``.ods`` holds all its sheets at once: a cell repeated 99 times in a
  row repeated a million times, or an ``.xlsx`` with one cell at A1 and one at CU1000000, is a file of a
  few hundred bytes that takes 3 to 6 GB, or ends the process (calamine aborts when memory runs out). The
  cells the reader would hold are counted from the XML as it is copied (repeats, and positions, as calamine
  reads them, every cell with content counted as non-empty), and more than :data:`MAX_CELLS` in all is
  refused as soon as the count passes it. calamine also drops, without a word, an .ods sheet's rows past
  row 1,048,576 (:data:`MAX_ODS_ROWS`), so an .ods with content there is refused rather than read in part.

Within these limits a workbook's reading peaked at 713 MB (250 MiB of shared strings), 647 MB (8.8 million
cells in 256 MiB of sheet XML, 17 s) and 643 MB (an .ods at the cell limit), measured with
``/usr/bin/time`` on workbooks built at the limits; the copy streams in 1 MiB pieces. Counting costs about 5 s
for 150 MB of sheet XML (4 million cells) written as Excel writes it, more for any other spelling (read tag by
tag).
``.xls`` files (BIFF, not a zip) are handed over as they are: the format's grid is at most 65,536 rows by
256 columns (16.8 million cells), which this does not check.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator

__all__ = ["MAX_CELLS", "MAX_ODS_ROWS", "MAX_RATIO", "MAX_UNPACKED_BYTES", "RATIO_FLOOR", "Refused", "checked_copy"]

#: The most a workbook's parts may inflate to, in all (256 MiB); real published workbooks are a few MB.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
#: The most a part larger than RATIO_FLOOR may inflate, as a multiple of its packed size (XML packs 5 to 30 times).
MAX_RATIO = 100
RATIO_FLOOR = 1024 * 1024
#: The most cells the sheets of one workbook may span, counted as the reader holds them (ten million).
MAX_CELLS = 10_000_000
#: The last row calamine reads of an .ods sheet (Excel's limit too): rows below it it drops without a word.
MAX_ODS_ROWS = 1_048_576

_CHUNK = 1 << 20
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class Refused(Exception):
    """A workbook over one of the limits: the message says which, by how much, and what to do instead."""


@contextlib.contextmanager
def checked_copy(path: str) -> Iterator[str]:
    """
    Yield a path for the reader: a checked copy of a zip workbook (removed afterwards), or *path* itself.

    Raises:
        Refused: the workbook is over a limit.
        zipfile.BadZipFile, OSError, EOFError, zlib.error: the zip cannot be read (a part's CRC is wrong, ...).
    """
    if not zipfile.is_zipfile(path):
        yield path
        return
    handle, copy = tempfile.mkstemp(prefix="gradecheck-", suffix=os.path.splitext(path)[1])
    os.close(handle)
    try:
        _copy(path, copy)
        yield copy
    finally:
        with contextlib.suppress(OSError):
            os.remove(copy)


def _copy(path: str, copy: str) -> None:
    with zipfile.ZipFile(path) as book:
        parts = [info for info in book.infolist() if not info.is_dir()]
        _check_directory(parts)
        ods = any(i.filename == "mimetype" for i in parts) and book.read("mimetype").strip() == _ODS_MIME
        cells = _Cells()
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_STORED) as out:
            for info in parts:
                scan = None
                if ods and info.filename == "content.xml":
                    scan = _OdsScan(cells)
                elif not ods and info.filename.lower().endswith(".xml"):
                    scan = _XlsxScan(cells)
                try:
                    source = book.open(info)
                except RuntimeError as err:  # encrypted
                    raise Refused(f"part {info.filename} cannot be read: {err}") from None
                except NotImplementedError as err:
                    raise Refused(f"part {info.filename} cannot be read: {err}") from None
                with source, out.open(zipfile.ZipInfo(info.filename, info.date_time), "w") as target:
                    while chunk := source.read(_CHUNK):
                        if scan is not None:
                            scan.feed(chunk)
                        target.write(chunk)
                if scan is not None:
                    scan.close()


def _check_directory(parts: list[zipfile.ZipInfo]) -> None:
    names = [info.filename for info in parts]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise Refused(f"the zip names part(s) {', '.join(twice)} twice (which is meant?)")
    total = sum(info.file_size for info in parts)
    if total > MAX_UNPACKED_BYTES:
        raise Refused(f"its parts inflate to {total:,} bytes, more than the limit of {MAX_UNPACKED_BYTES:,} "
                      f"(MAX_UNPACKED_BYTES, {MAX_UNPACKED_BYTES // 2**20} MiB)")
    for info in parts:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size / max(info.compress_size, 1)
            raise Refused(f"part {info.filename} inflates {ratio:,.0f} times ({info.compress_size:,} bytes to "
                          f"{info.file_size:,}), more than the limit of {MAX_RATIO} (MAX_RATIO)")


class _Cells:
    """The cells the sheets of one workbook span, so far; refuses the workbook as soon as they pass the limit."""

    def __init__(self) -> None:
        self.done = 0  # sheets already ended

    def check(self, current: int, where: str) -> None:
        if self.done + current > MAX_CELLS:
            raise Refused(f"the reader would hold more than {MAX_CELLS:,} cells in memory at once (MAX_CELLS; "
                          f"{where})")


class _Scan:
    """Start tags of one XML part, fed in pieces; a tag cut by a piece's end waits for the next piece."""

    TOKEN: re.Pattern[bytes]

    def __init__(self, cells: _Cells) -> None:
        self.cells = cells
        self.carry = b""

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        # '<' never appears inside a tag, so every tag before the last '<' is whole.
        cut = data.rfind(b"<")
        self.carry = data[cut:] if cut >= 0 else b""
        if cut > 0:
            self.tokens(data, cut)

    def close(self) -> None:
        if self.carry:
            self.tokens(self.carry, len(self.carry))
        self.end_sheet()

    def tokens(self, data: bytes, end: int) -> None:
        raise NotImplementedError

    def end_sheet(self) -> None:
        raise NotImplementedError


# Attribute values may hold '>' (quoted); the tag's name is matched whole.
_ATTRS = rb"((?:[^>\"']|\"[^\"]*\"|'[^']*')*)"
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})(\d{1,7})["']""")
_ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d{1,7})["']""")


class _XlsxScan(_Scan):
    """
    An .xlsx part: the rectangle around its cells with content, as calamine holds a worksheet.

    A cell is placed by its reference (r="CU1000000"), else after the cell before it; a row by its number,
    else after the row before it. Every cell that is not an empty element (<c .../>) counts as having content.
    Parts written as Excel, openpyxl and LibreOffice write them (every cell's reference first, no namespace
    prefix, no '>' but the tags' own) are read with two C-speed searches a piece; any other part tag by tag.
    """

    TOKEN = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[\s/>])" + _ATTRS + rb">")

    def __init__(self, cells: _Cells) -> None:
        super().__init__(cells)
        self.row = -1
        self.col = -1
        self.top = self.left = 1 << 40
        self.bottom = self.right = -1

    def tokens(self, data: bytes, end: int) -> None:
        piece = data[:end]
        if not self.plain(piece):
            self.tag_by_tag(piece)
        if self.bottom >= 0:
            self.cells.check(self.area(), f"a sheet reaches row {self.bottom + 1:,}, column {self.right + 1:,}")

    def plain(self, piece: bytes) -> bool:
        """Place the cells of a plainly written piece, or say it is not one."""
        if _ODD.search(piece):
            return False  # a cell tag written otherwise, or a namespace prefix
        cells = piece.count(b"<c ")
        if not cells:
            # No cell, but a row tag may number the rows for cells without references in the next piece.
            return b"<row" not in piece
        if piece.count(b"<") != piece.count(b">"):
            return False  # a '>' in a value: tags cannot be told by '>' alone
        if piece.count(b"<row") != len(_NUMBERED_ROWS.findall(piece)):
            return False  # a row without its number: it is the row after the one before it, which only tags tell
        columns = _PLAIN_COLUMNS.findall(piece)
        if len(columns) != cells:
            return False  # a cell without its reference first, or one written otherwise
        filled = {letters for letters, empty in set(columns) if not empty}
        if filled:
            numbers = [_column(letters) for letters in filled]
            rows = [int(row) - 1 for row, empty in set(_PLAIN_ROWS.findall(piece)) if not empty]
            self.top, self.bottom = min(self.top, *rows), max(self.bottom, *rows)
            self.left, self.right = min(self.left, *numbers), max(self.right, *numbers)
        # Where the piece ends, for a cell without a reference in the next piece: after its last cell, or at the
        # start of a row that begins after that cell.
        cell_at = piece.rfind(b'<c r="')
        last = _PLAIN_REF.match(piece, cell_at)
        self.row, self.col = (int(last.group(2)) - 1, _column(last.group(1))) if last else (self.row, self.col)
        row_at = piece.rfind(b"<row ")
        if row_at > cell_at:
            self.row, self.col = int(_NUMBERED_ROWS.match(piece, row_at).group(1)) - 1, -1  # type: ignore[union-attr]
        return True

    def tag_by_tag(self, piece: bytes) -> None:
        for name, attrs in self.TOKEN.findall(piece):
            if name == b"row":
                number = _ROW_NUMBER.search(attrs)
                self.row = int(number.group(1)) - 1 if number else self.row + 1
                self.col = -1
                continue
            ref = _REF.search(attrs)
            if ref:
                self.col, row = _column(ref.group(1)), int(ref.group(2)) - 1
            else:
                self.col, row = self.col + 1, self.row
            if attrs.endswith(b"/"):
                continue  # an empty cell (a style only)
            self.top, self.bottom = min(self.top, row), max(self.bottom, row)
            self.left, self.right = min(self.left, self.col), max(self.right, self.col)

    def area(self) -> int:
        return (self.bottom - self.top + 1) * (self.right - self.left + 1) if self.bottom >= 0 else 0

    def end_sheet(self) -> None:
        self.cells.done += self.area()


_ODD = re.compile(rb"<c[>/\t\n\r]|<[\w.-]+:(?:c|row)[\s/>]")
# A '/' inside a value stops [^>/]* short of the tag's end: that cell is not matched, and the piece is read tag by tag.
_PLAIN_COLUMNS = re.compile(rb'<c r="([A-Z]{1,3})\d{1,7}"[^>/]*(/?)>')
_PLAIN_ROWS = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"[^>/]*(/?)>')
_PLAIN_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_NUMBERED_ROWS = re.compile(rb'<row r="(\d{1,7})"')


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number - 1


_REPEAT = re.compile(rb"""number-(?:rows|columns)-repeated\s*=\s*["'](\d{1,12})["']""")


class _OdsScan(_Scan):
    """
    An .ods content.xml: each table's rectangle around its cells with content, with every repeat expanded.

    calamine keeps each row's cells up to its last one with content (a repeated cell as many times as it is
    repeated) and then the rectangle from the first row with content to the last, repeated rows expanded, which
    it copies again for the sheet being read: all are counted. A cell counts as having content if it has a value
    or formula attribute.
    """

    TOKEN = re.compile(rb"<table:(table|table-row|table-cell|covered-table-cell)(?=[\s/>])" + _ATTRS + rb">")

    def __init__(self, cells: _Cells) -> None:
        super().__init__(cells)
        self.start_table()
        self.row_repeat = 0

    def start_table(self) -> None:
        self.rows = 0  # rows so far in the table, repeats expanded
        self.first = -1  # first row with content
        self.last = -1  # one past the last row with content
        self.width = 0
        self.stored = 0  # cells of rows as read, before the rectangle is made
        self.col = 0
        self.row_last = 0

    def tokens(self, data: bytes, end: int) -> None:
        for match in self.TOKEN.finditer(data, 0, end):
            name, attrs = match.group(1), match.group(2)
            if name == b"table-cell" or name == b"covered-table-cell":
                repeat = _repeat(attrs)
                self.col += repeat
                if b"value" in attrs or b"formula" in attrs:
                    self.row_last = self.col
                continue
            self.end_row()
            if name == b"table-row":
                self.row_repeat = _repeat(attrs)
            else:
                self.end_sheet()
                self.start_table()

    def end_row(self) -> None:
        if self.row_repeat:
            if self.row_last:
                self.first = self.rows if self.first < 0 else self.first
                self.last = self.rows + self.row_repeat
                self.width = max(self.width, self.row_last)
                self.stored += self.row_last
                self.cells.check(self.area(), f"a sheet reaches row {self.last:,}, column {self.width:,}")
                if self.last > MAX_ODS_ROWS:
                    raise Refused(f"a sheet has content in row {self.last:,}, past row {MAX_ODS_ROWS:,}, the last "
                                  "the reader reads of an .ods (MAX_ODS_ROWS): the rows below it would be lost")
            self.rows += self.row_repeat
        self.row_repeat = 0
        self.col = self.row_last = 0

    def area(self) -> int:
        # Twice the rectangle: the workbook keeps every sheet, and hands out a copy of the one being read.
        return self.stored + (2 * (self.last - self.first) * self.width if self.first >= 0 else 0)

    def end_sheet(self) -> None:
        self.end_row()
        self.cells.done += self.area()
        self.start_table()


def _repeat(attrs: bytes) -> int:
    found = _REPEAT.search(attrs)
    return max(int(found.group(1)), 1) if found else 1
