"""Read datasets (JSON, JSON Lines, CSV) into records, one file at a time, never losing a record silently."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import InputError
from ..jsontext import SCAN, decode_one
from ..records import Origin, RawRecord, Record, Unreadable, json_line_record, record_from_mapping

if TYPE_CHECKING:
    from .profiles import ProfileSet

# Spreadsheets are read by gradecheck.read.workbooks, imported only when one is met (start-up counts).
WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")

__all__ = ["DATA_SUFFIXES", "WORKBOOK_SUFFIXES", "discover", "read_path", "read_range", "read_text"]

Item = Record | Unreadable

#: File suffixes read as datasets, and the reader for each.
DATA_SUFFIXES = (".json", ".jsonl", ".ndjson", ".csv", *WORKBOOK_SUFFIXES)
# Files beside the fixtures that hold expected findings end in ".expected.json": they are not data.
_NOT_DATA = (".expected.json",)

# A 50 MB CSV cell is odd but legal; the csv module's default limit (128 KiB) would make it an error.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def discover(paths: Iterable[str], skipped: list[tuple[str, str]] | None = None) -> list[str]:
    """
    Expand directories into the data files under them (sorted, so runs are deterministic).

    gradecheck's own reports and baselines (read/written.py) are left out, so a report kept beside
    the data is not read back as records: with a *skipped* list each is added to it as (path, what
    it is), for the report to say so.

    Raises:
        InputError: a path does not exist, or a directory holds no data files.
    """
    found: list[str] = []
    for path in paths:
        if path == "-":
            found.append(path)
            continue
        p = Path(path)
        if p.is_dir():
            files = sorted(
                str(f)
                for f in p.rglob("*")
                if f.is_file() and f.name.lower().endswith(DATA_SUFFIXES) and not f.name.endswith(_NOT_DATA)
            )
            if not files:
                raise InputError(f"{path}: directory holds no data files ({', '.join(DATA_SUFFIXES)})")
            found.extend(files)
        elif p.exists():
            found.append(str(p))
        else:
            raise InputError(f"{path}: no such file or directory")
    from .written import written_by_gradecheck

    kept = []
    for f in found:
        what = None if f == "-" or f.lower().endswith(WORKBOOK_SUFFIXES) else written_by_gradecheck(f)
        if what is None:
            kept.append(f)
        elif skipped is not None:
            skipped.append((f, what))
    return kept


def read_path(path: str, *, profiles: ProfileSet | None = None, raw: bool = False) -> Iterator[Item]:
    """
    Yield the records of one file (``-`` is stdin), and an Unreadable for each part that cannot be read.

    JSON Lines and CSV files are streamed line by line, so memory does not grow with the file; each
    line is decoded on its own (UTF-8, else Windows-1252), so one badly encoded line does not spoil
    the rest. A ``.json`` file is one document and is read whole. A CSV file or spreadsheet sheet
    in a published layout is read through a profile (*profiles*, else the built-in ones): chosen by its
    header, or forced with ``ProfileSet.force``. With *raw*, streamed records come as RawRecord
    (decoded, not parsed), for the engine's fast path.
    """
    if path == "-":
        yield from _read_bytes(sys.stdin.buffer.read(), path, None, profiles)
        return
    suffix = os.path.splitext(path)[1].lower()
    if suffix in WORKBOOK_SUFFIXES:
        from .profiles import default_profiles
        from .workbooks import read_workbook

        yield from read_workbook(path, profiles or default_profiles())
        return
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as err:
        yield Unreadable(Origin(path, 0), f"cannot read file: {err.strerror or err}")
        return
    with handle:
        try:
            head = handle.read(_SNIFF)
            if not head.strip():
                yield from _read_bytes(head + handle.read(), path, suffix, profiles)
                return
            if suffix not in (".jsonl", ".ndjson", ".csv") or _is_utf16(head) or b"\x00" in head:
                yield from _read_bytes(head + handle.read(), path, suffix, profiles)
                return
            handle.seek(0)
            if suffix == ".csv":
                yield from _read_csv(_text_lines(handle), path, profiles, raw)
            else:
                yield from _read_jsonl(_undecided_lines(handle), path, raw)
        except OSError as err:
            yield Unreadable(Origin(path, 0), f"cannot read file: {err.strerror or err}")


_SNIFF = 8192


def read_range(path: str, start: int, end: int, first_line: int, header: bytes = b"", *,
               profiles: ProfileSet | None = None, raw: bool = False) -> Iterator[Item]:
    """
    Read the records of bytes [start, end) of a JSON Lines or CSV file, numbering lines from *first_line*.

    Used to check one large file on several cores: the caller splits it at line boundaries (outside
    quoted CSV cells) and hands each worker its range, and for CSV the header line.
    """
    with open(path, "rb") as handle:
        handle.seek(start)
        window = io.BufferedReader(_Window(handle, end - start), 1 << 16)
        if path.lower().endswith(".csv"):
            lines = _text_lines(window, header.decode("utf-8", "surrogateescape") if header else "")
            yield from _read_csv(lines, path, profiles, raw, line_offset=first_line - 2 if header else first_line - 1)
        else:
            yield from _read_jsonl(_undecided_lines(window), path, raw, first_line)


class _Window(io.RawIOBase):
    """The next *size* bytes of a file, as a stream of their own (a worker's share of a large file)."""

    def __init__(self, handle: BinaryIO, size: int) -> None:
        super().__init__()
        self.handle = handle
        self.remaining = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.remaining <= 0:
            return 0
        view = memoryview(buffer)[: min(len(buffer), self.remaining)]
        count = self.handle.readinto(view) or 0
        self.remaining -= count
        return count


def _text_lines(handle: BinaryIO, first: str = "") -> Iterator[str]:
    """
    The lines of a binary stream as text, each decoded on its own terms: UTF-8, else Windows-1252.

    The stream is decoded in large blocks (in C); bytes that are not UTF-8 come through as escapes,
    and only a line holding one is decoded again, from its own bytes, as Windows-1252 (DfE's older
    CSVs), with the five bytes it leaves undefined as U+FFFD. Lines end at '\\n' only, as in the file.
    """
    for line in _undecided_lines(handle, first):
        yield line if line.isascii() else _repaired(line)


def _undecided_lines(handle: BinaryIO, first: str = "") -> Iterator[str]:
    """The lines of :func:`_text_lines` before any is decoded again: for readers that do it themselves."""
    text = io.TextIOWrapper(handle, encoding="utf-8", errors="surrogateescape", newline="\n")
    if not first:
        first = text.readline()
        if not first:
            return iter(())
    return itertools.chain([first[1:] if first.startswith("\ufeff") else first], text)


def _repaired(line: str) -> str:
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        return line.encode("utf-8", "surrogateescape").decode("cp1252", errors="replace")
    return line


def _is_utf16(data: bytes) -> bool:
    return data.startswith((b"\xff\xfe", b"\xfe\xff"))


def _decoded_lines(handle: Iterable[bytes]) -> Iterator[str]:
    for number, raw in enumerate(handle):
        if number == 0 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            # DfE's older CSVs are Windows-1252; the five bytes it leaves undefined become U+FFFD.
            yield raw.decode("cp1252", errors="replace")


def _read_bytes(data: bytes, path: str, suffix: str | None, profiles: ProfileSet | None = None) -> Iterator[Item]:
    if not data.strip():
        yield Unreadable(Origin(path, 0), "empty file: no records")
        return
    text = _decode(data)
    if text is None:
        yield Unreadable(Origin(path, 0), "not a text file (binary content, "
                                          "or an encoding that is not UTF-8, UTF-16 or Windows-1252)")
        return
    yield from read_text(text, path, suffix, profiles=profiles)


def read_text(text: str, path: str = "-", suffix: str | None = None, *,
              profiles: ProfileSet | None = None) -> Iterator[Item]:
    """Read records from already decoded *text*; *suffix* picks the format, or it is sniffed from the content."""
    fmt = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}.get(suffix or "")
    if fmt is None:
        fmt = _sniff(text)
    if fmt == "json":
        yield from _read_json(text, path)
    elif fmt == "jsonl":
        yield from _read_jsonl(io.StringIO(text), path)
    else:
        yield from _read_csv(io.StringIO(text, newline=""), path, profiles)


def _decode(data: bytes) -> str | None:
    if _is_utf16(data):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:_SNIFF]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Mixed encodings: decode line by line, each as UTF-8 else Windows-1252.
    return "".join(_decoded_lines(data.splitlines(keepends=True)))


def _sniff(text: str) -> str:
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        first = stripped.split("\n", 1)[0].strip()
        try:
            json.loads(first)
        except ValueError:
            return "json"
        return "jsonl"
    return "csv"


def _read_jsonl(lines: Iterable[str], path: str, raw: bool = False, first_line: int = 1) -> Iterator[Item]:
    """Records of JSON Lines, from lines as _undecided_lines gives them (each decoded again here if need be)."""
    scan = SCAN
    for number, line in enumerate(lines, start=first_line):
        if not line.isascii():
            line = _repaired(line)
        if raw and line.startswith("{"):
            # The C scanner behind json.loads, called directly (loads adds two Python calls a line).
            # It keeps the last of repeated keys: the line goes with the record, and whoever reads
            # the record checks (RawRecord.parse, and the fast path for the records it passes).
            try:
                value, end = scan(line, 0)
            except (StopIteration, ValueError, RecursionError):
                value = end = None
            if type(value) is dict and (end == len(line) or line[end:].isspace()):
                yield _raw(RawRecord, (path, number, value, False, line))
                continue
        stripped = line.strip()
        if not stripped:
            continue
        yield json_line_record(stripped, Origin(path, number))


# RawRecord(...) goes through a generated Python __new__; building the tuple directly halves the cost
# of the one object every line of a large file makes.
_raw = tuple.__new__


def _line_at(text: str, index: int, cache: list[int]) -> int:
    # cache = [last_index, last_line]: counting newlines once, forwards, keeps this linear.
    last_index, last_line = cache
    line = last_line + text.count("\n", last_index, index)
    cache[0], cache[1] = index, line
    return line


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _read_json(text: str, path: str) -> Iterator[Item]:
    cache = [0, 1]
    i = _skip_ws(text, 0)
    if i == len(text):
        return
    if text[i] != "[":
        value, end, why = decode_one(text, i)
        origin = Origin(path, _line_at(text, i, cache))
        if why is None and text[end:].strip():
            why = "invalid JSON: text after the top-level value"
        yield Unreadable(origin, why) if why else record_from_mapping(value, origin)
        return
    i = _skip_ws(text, i + 1)
    if i < len(text) and text[i] == "]":
        return
    while i < len(text):
        origin = Origin(path, _line_at(text, i, cache))
        value, end, why = decode_one(text, i)
        if end < 0:
            yield Unreadable(origin, f"{why}; the rest of the file cannot be read")
            return
        yield Unreadable(origin, why) if why else record_from_mapping(value, origin)
        i = _skip_ws(text, end)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
        elif i < len(text) and text[i] == "]":
            if text[i + 1 :].strip():
                yield Unreadable(Origin(path, _line_at(text, i, cache)), "invalid JSON: text after the closing ']'")
            return
        else:
            where = Origin(path, _line_at(text, min(i, len(text)), cache))
            yield Unreadable(where, "invalid JSON: expected ',' or ']' after a record (file truncated?)")
            return
    yield Unreadable(Origin(path, _line_at(text, len(text), cache)), "invalid JSON: file ends before the closing ']'")


def _read_csv(lines: Iterable[str], path: str, profiles: ProfileSet | None = None, raw: bool = False,
              line_offset: int = 0) -> Iterator[Item]:
    reader = csv.reader(lines)
    previous_line = line_offset

    def numbered() -> Iterator[tuple[int, list[str]]]:
        # Each row with the line it starts on: a quoted cell may span lines.
        nonlocal previous_line
        for row in reader:
            start = previous_line + 1
            previous_line = reader.line_num + line_offset
            yield start, row

    try:
        yield from read_rows(numbered(), path, profiles, raw)
    except csv.Error as err:
        yield Unreadable(Origin(path, previous_line + 1), f"invalid CSV: {err}; the rest of the file cannot be read")


def read_rows(rows: Iterable[tuple[int, Sequence[str]]], path: str, profiles: ProfileSet | None = None,
              raw: bool = False) -> Iterator[Item]:
    """
    Records from rows of text cells, each with its line number: the first non-blank row is the header.

    The CSV reader's row path, shared with DataFrames (gradecheck/read/frames.py), so that a table
    reads the same whether it came as a file or as a frame: the same header checks, the same choice
    of profile, the same records and the same reasons for an unreadable row.
    """
    header: list[str] | None = None
    binding = None
    for start, row in rows:
        if not any(map(str.strip, row)):
            continue
        if header is None:
            header = [name.strip() for name in row]
            named = all(header)  # no unnamed column to leave out of each row's cells
            duplicates = sorted({n for n in header if header.count(n) > 1 and n})
            if duplicates:
                yield Unreadable(Origin(path, start),
                                 f"header repeats column(s) {', '.join(duplicates)}; file not read")
                return
            # A published layout (Ofsted, DfE) is read through the profile its header fits.
            if profiles is None and {"id", "framework"} <= set(header):
                binding, why = None, None  # gradecheck's own dotted headers: no profile needed, none loaded
            else:
                from .profiles import default_profiles

                binding, why = (profiles or default_profiles()).choose(header)
            if why:
                yield Unreadable(Origin(path, 0), why)  # line 0: the whole file, not one record
                return
            continue
        if len(row) != len(header):
            # Trailing empty cells are a spreadsheet habit, not a different shape.
            if len(row) > len(header) and not any(c.strip() for c in row[len(header) :]):
                row = row[: len(header)]
            else:
                yield Unreadable(Origin(path, start),
                                 f"row has {len(row)} cells but the header has {len(header)} columns")
                continue
        if binding is not None:
            built = binding.record(row)
            if isinstance(built, str):
                yield Unreadable(Origin(path, start), built)
            elif raw:
                yield RawRecord(path, start, built, True)
            else:
                yield record_from_mapping(built, Origin(path, start), cells_are_text=True)
            continue
        # The row has exactly the header's length by now (checked, or trailing empty cells cut, above).
        if named:
            cells = dict(zip(header, row, strict=True))
        else:
            cells = {name: cell for name, cell in zip(header, row, strict=True) if name}
        if raw:
            yield _raw(RawRecord, (path, start, cells, True, ""))
        else:
            yield record_from_mapping(cells, Origin(path, start), cells_are_text=True)
