"""
Hostile workbooks are refused with a clear message before the reader sees them, and memory stays bounded.

Every bomb here is small on disk and small to build: sizes are declared in the zip's headers, or the grid is
spanned by a cell's reference or a repeat count, never written out.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gradecheck import Record, Unreadable, read_path
from gradecheck.read import workbook_limits as limits
from gradecheck.read.workbook_limits import MAX_CELLS, MAX_UNPACKED_BYTES, checked_copy

ROOT = Path(__file__).resolve().parent.parent

MIME = "application/vnd.oasis.opendocument.spreadsheet"
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            f'manifest:media-type="{MIME}"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>')
CONTENT = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
           'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
           '<office:spreadsheet><table:table table:name="S">{}</table:table></office:spreadsheet></office:body>'
           '</office:document-content>')


def _text(value: str, repeat: int = 1) -> str:
    more = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{more}><text:p>{value}</text:p></table:table-cell>'


def _row(*cells: str, repeat: int = 1) -> str:
    more = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{more}>{''.join(cells)}</table:table-row>"


HEADER_AND_ROW = _row(_text("id"), _text("framework")) + _row(_text("a"), _text("ilacs"))


def _ods(path: Path, rows: str, padding: bytes = b"") -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), MIME)
        book.writestr("META-INF/manifest.xml", MANIFEST)
        book.writestr("content.xml", CONTENT.format(rows).encode() + padding)
    return path


XLSX_PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}
SHEET = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
         '2006/main"><sheetData>{}</sheetData></worksheet>')


def _xlsx_bytes(rows: str = "", sheet: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in XLSX_PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/worksheets/sheet1.xml", sheet or SHEET.format(rows))
    return buffer.getvalue()


def _cell(ref: str | None, value: str | None) -> str:
    where = f' r="{ref}"' if ref else ""
    return f'<c{where} t="inlineStr"><is><t>{value}</t></is></c>' if value is not None else f'<c{where} s="1"/>'


def _declare(path: Path, part: str, size: int, crc: int | None = None) -> None:
    """Rewrite what the zip's headers (local and central) say of a part's inflated size, and its CRC."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    for signature, crc_at, size_at, name_at in ((b"PK\x03\x04", 14, 22, 30), (b"PK\x01\x02", 16, 24, 46)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_at - (2 if signature == b"PK\x03\x04" else 18))[0]
            if data[at + name_at: at + name_at + length] == name:
                struct.pack_into("<I", data, at + size_at, size)
                if crc is not None:
                    struct.pack_into("<I", data, at + crc_at, crc)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


def _one_refusal(path: Path) -> str:
    [item] = read_path(str(path))
    assert isinstance(item, Unreadable)
    assert item.origin.line == 0
    assert item.error.startswith("workbook refused: ")
    return item.error


def test_a_declared_size_over_the_limit_is_refused_before_anything_is_inflated(tmp_path):
    path = _ods(tmp_path / "bomb.ods", HEADER_AND_ROW)
    _declare(path, "content.xml", 3 * 2**30)  # 3 GiB declared; nothing that large is ever made
    error = _one_refusal(path)
    assert f"more than the limit of {MAX_UNPACKED_BYTES:,} (MAX_UNPACKED_BYTES, 256 MiB)" in error
    assert "save its sheets as CSV" in error


def test_a_part_that_inflates_far_beyond_its_packed_size_is_refused(tmp_path):
    """2 MiB of spaces pack to about 2 KB: a ratio no spreadsheet's XML has."""
    path = _ods(tmp_path / "airy.ods", HEADER_AND_ROW, padding=b" " * (2 * 2**20))
    error = _one_refusal(path)
    assert "part content.xml inflates" in error
    assert "(MAX_RATIO)" in error


def test_a_lying_header_gets_the_reader_no_more_than_it_declares(tmp_path):
    """A part that declares less than it inflates to: the reader is handed exactly the declared bytes."""
    document = CONTENT.format(HEADER_AND_ROW).encode()
    path = _ods(tmp_path / "liar.ods", HEADER_AND_ROW, padding=b" " * 500_000)
    _declare(path, "content.xml", len(document), zlib.crc32(document))
    with checked_copy(str(path)) as copy, zipfile.ZipFile(copy) as book:
        assert book.read("content.xml") == document
    [record] = read_path(str(path))
    assert isinstance(record, Record)
    assert record.id == "a"


def test_a_lying_header_with_the_whole_parts_crc_is_unreadable(tmp_path):
    path = _ods(tmp_path / "liar.ods", HEADER_AND_ROW, padding=b" " * 500_000)
    _declare(path, "content.xml", 1000)
    [item] = read_path(str(path))
    assert isinstance(item, Unreadable)
    assert "cannot read the workbook: BadZipFile" in item.error


def test_an_xlsx_spanning_a_huge_grid_from_two_cells_is_refused(tmp_path):
    """A1 and J1000001: a few hundred bytes that calamine would hold as 10,000,010 cells."""
    path = tmp_path / "sparse.xlsx"
    rows = f'<row r="1">{_cell("A1", "id")}</row><row r="1000001">{_cell("J1000001", "x")}</row>'
    path.write_bytes(_xlsx_bytes(rows))
    error = _one_refusal(path)
    assert f"more than {MAX_CELLS:,} cells in memory at once (MAX_CELLS; a sheet reaches row 1,000,001, column 10)" \
        in error


def test_an_ods_repeating_a_cell_into_a_huge_grid_is_refused(tmp_path):
    path = _ods(tmp_path / "repeats.ods", _row(_text("id")) + _row(_text("x", repeat=10_000), repeat=1_001))
    assert "(MAX_CELLS;" in _one_refusal(path)


def test_an_ods_with_rows_the_reader_would_drop_is_refused(tmp_path):
    """calamine reads an .ods sheet's first 1,048,576 rows and drops the rest without a word."""
    rows = HEADER_AND_ROW + _row(_text("b"), _text("ilacs"), repeat=1_048_574) + _row(_text("c"), _text("ilacs"))
    error = _one_refusal(_ods(tmp_path / "long.ods", rows))
    assert "content in row 1,048,577, past row 1,048,576" in error
    assert "(MAX_ODS_ROWS)" in error
    # Up to that row, nothing is refused (the rows are read: 1,048,575 of them, so only counted here).
    fits = HEADER_AND_ROW + _row(_text("b"), _text("ilacs"), repeat=1_048_574)
    with checked_copy(str(_ods(tmp_path / "fits.ods", fits))):
        pass


def test_a_workbook_is_refused_on_all_its_sheets_together(tmp_path, monkeypatch):
    """An .ods holds all its sheets at once (and a copy of the one being read): two sheets of 300 cells are too many."""
    monkeypatch.setattr(limits, "MAX_CELLS", 1_000)
    sheet = _row(_text("x", repeat=10), repeat=30)
    body = CONTENT.format(sheet).replace("</table:table>", f'</table:table><table:table table:name="T">{sheet}'
                                                          "</table:table>", 1)
    path = tmp_path / "two.ods"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", MIME)
        book.writestr("META-INF/manifest.xml", MANIFEST)
        book.writestr("content.xml", body)
    assert "more than 1,000 cells" in _one_refusal(path)


def test_trailing_empty_repeats_as_libreoffice_writes_them_cost_nothing(tmp_path):
    """Real .ods files end each row with ~16,000 empty cells and the sheet with ~1,000,000 empty rows."""
    empty = '<table:table-cell table:number-columns-repeated="16371"/>'
    rows = (_row(_text("id"), _text("framework"), empty) + _row(_text("a"), _text("ilacs"), empty)
            + _row('<table:table-cell table:number-columns-repeated="16384"/>', repeat=1_048_000))
    [record] = read_path(str(_ods(tmp_path / "real.ods", rows)))
    assert isinstance(record, Record)


def test_a_styled_empty_cell_far_away_costs_nothing(tmp_path):
    path = tmp_path / "styled.xlsx"
    path.write_bytes(_xlsx_bytes(f'<row r="1">{_cell("A1", "id")}{_cell("B1", "framework")}</row>'
                                 f'<row r="2">{_cell("A2", "a")}{_cell("B2", "ilacs")}</row>'
                                 f'<row r="1048576">{_cell("XFD1048576", None)}</row>'))
    [record] = read_path(str(path))
    assert isinstance(record, Record)


def test_parts_named_twice_are_refused(tmp_path):
    path = _ods(tmp_path / "twice.ods", HEADER_AND_ROW)
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(path, "a") as book:
        book.writestr("content.xml", CONTENT.format(""))
    assert "names part(s) content.xml twice" in _one_refusal(path)


def test_real_workbooks_pass_and_xls_is_handed_over_as_it_is():
    for path in (ROOT / "fixtures" / "real-excerpts").glob("*.xlsx"):
        with checked_copy(str(path)) as copy:
            assert copy != str(path)
    xls = str(ROOT / "tests" / "data" / "book.xls")
    with checked_copy(xls) as copy:
        assert copy == xls


def test_the_limits_are_documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    errors = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")
    for name in ("MAX_UNPACKED_BYTES", "MAX_RATIO", "MAX_CELLS", "MAX_ODS_ROWS"):
        assert name in readme
        assert name in errors
    assert "workbook refused: " in errors


# --- The count never falls short of what calamine holds ---------------------------------------------------------

def _calamine_cells(data: bytes) -> int:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    total = 0
    for name in book.sheet_names:
        sheet = book.get_sheet_by_name(name)
        total += sheet.height * sheet.width if sheet.start is not None else 0
    return total


def _counted(scan_type: type, part: bytes, cuts: list[int]) -> int:
    cells = limits._Cells()
    scan = scan_type(cells)
    previous = 0
    for cut in [*sorted({min(c, len(part)) for c in cuts}), len(part)]:
        scan.feed(part[previous:cut])
        previous = cut
    scan.close()
    return cells.done


_columns = st.sampled_from(["A", "B", "C", "J", "Z", "AA", "AZ", "CV"])
_xlsx_cell = st.tuples(st.one_of(st.none(), _columns), st.one_of(st.none(), st.sampled_from(["x", "12"])))
_xlsx_row = st.tuples(st.one_of(st.none(), st.integers(1, 3000)), st.lists(_xlsx_cell, max_size=4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_xlsx_row, min_size=1, max_size=6), cuts=st.lists(st.integers(0, 2000), max_size=4),
       prefix=st.booleans())
# A piece whose last tag starts a row after its last cell (numbered, then not): the next piece's cell without a
# reference is in that row. Both were found by this property.
@example(rows=[(1, [(None, "x"), ("A", None), ("B", "x")]), (2, [(None, "x")])], cuts=[155, 255], prefix=False)
@example(rows=[(1, [(None, "x"), ("A", None), ("B", "x")]), (None, [(None, "x")])], cuts=[155, 249], prefix=False)
def test_xlsx_count_covers_what_calamine_holds(rows, cuts, prefix):
    """Cells with and without references, rows with and without numbers, empty styled cells, any piece sizes."""
    xml = []
    for number, cells in rows:
        row_attr = f' r="{number}"' if number else ""
        body = "".join(_cell(f"{col}{number}" if col and number else None, value) for col, value in cells)
        xml.append(f"<row{row_attr}>{body}</row>")
    sheet = SHEET.format("".join(xml))
    if prefix:  # a namespace prefix, as some writers use: read tag by tag
        sheet = sheet.replace("<worksheet xmlns=", "<x:worksheet xmlns:x=").replace("</worksheet>", "</x:worksheet>")
        sheet = sheet.replace("<row", "<x:row").replace("</row>", "</x:row>").replace("<c", "<x:c")
        sheet = sheet.replace("</c>", "</x:c>").replace("sheetData>", "x:sheetData>")
    try:
        held = _calamine_cells(_xlsx_bytes(sheet=sheet))
    except Exception:  # a sheet calamine rejects holds nothing
        held = 0
    assert _counted(limits._XlsxScan, sheet.encode(), cuts) >= held


_ods_cell = st.tuples(st.sampled_from([None, "x"]), st.integers(1, 40))
_ods_row = st.tuples(st.lists(_ods_cell, max_size=4), st.integers(1, 50))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_ods_row, min_size=1, max_size=6), cuts=st.lists(st.integers(0, 3000), max_size=4))
def test_ods_count_covers_what_calamine_holds(rows, cuts):
    """Repeated cells and rows, empty or not, anywhere in the table, any piece sizes."""
    xml = "".join(_row(*(_text(v, r) if v else f'<table:table-cell table:number-columns-repeated="{r}"/>'
                         for v, r in cells), repeat=repeat) for cells, repeat in rows)
    content = CONTENT.format(xml)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        book.writestr("mimetype", MIME)
        book.writestr("META-INF/manifest.xml", MANIFEST)
        book.writestr("content.xml", content)
    held = _calamine_cells(buffer.getvalue())
    assert _counted(limits._OdsScan, content.encode(), cuts) >= held
