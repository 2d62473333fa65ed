"""
Spreadsheets both ways: CSV for them (one finding a row, a byte-order mark and formula-safe text with --excel,
--output for any format), and workbooks read (.xlsx, .xls, .ods through one reader, a workbook one dataset).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
import tomllib
from pathlib import Path

import pytest

from gradecheck import FORMATS, MISSING, Invalid, Unreadable, check_paths, read_path
from gradecheck.cli import main

# "+Wirral 2": a name no authority has, so findings keep it as written (a register name, "Wirral", would be safe)
ROW = {"id": "=cmd|' /C calc'!A0", "authority": "+Wirral 2", "framework": "slac",
       "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}


@pytest.fixture(name="data")
def _data(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(ROW) + "\n" + json.dumps({"id": "Ünïcödé", "framework": "slac",
                    "populations": {"looked_after": -1}}) + "\n", encoding="utf-8")
    return path


def test_excel_csv(data, tmp_path):
    out = tmp_path / "findings.csv"
    assert main([str(data), "--format", "csv", "--excel", "--output", str(out)], io.StringIO()) == 1
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"
                          b"source,record,authority,authority_code,framework,rule,severity,title,message,expected,"
                          b"actual\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    c101 = next(r for r in rows if r["rule"] == "C101")
    # not run as formulas
    assert c101["record"] == "'=cmd|' /C calc'!A0"
    assert c101["authority"] == "'+Wirral 2"
    assert (c101["expected"], c101["actual"]) == ("22", "23")
    r101 = next(r for r in rows if r["rule"] == "R101")
    assert r101["record"] == "Ünïcödé"
    assert r101["actual"] == "-1"  # a negative number stays a number


def test_raw_cells_are_unchanged(data):
    out = io.StringIO()
    main([str(data), "--format", "csv", "--raw-cells"], out)
    assert not out.getvalue().startswith("\ufeff")
    assert "\n=cmd" not in out.getvalue()
    assert "d.jsonl:1,=cmd|' /C calc'!A0,+Wirral 2," in out.getvalue()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_writes_every_format_to_a_file(fmt, data, tmp_path):
    target = tmp_path / f"report.{fmt}"
    shown = io.StringIO()
    assert main([str(data), "--format", fmt, "--output", str(target)], shown) == 1
    assert shown.getvalue() == ""
    assert "C101" in target.read_text(encoding="utf-8")


# --- Workbooks: .xlsx, .xls and .ods through one reader (python-calamine) ------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
EXCERPTS = ROOT / "fixtures" / "real-excerpts"
# Made once with xlwt 1.3.0 (the .xls writer; not a test dependency): a cover sheet, then a sheet "Table" with a
# title row merged over five cells, an empty row, the header (id, framework, start, populations.looked_after,
# populations.foster_care) and two rows: wirral-2011-slac, slac, 10/01/2011 (a date cell), 939.0, 643 and
# wirral-2012-slac, slac, 13/02/2012, 5.5, (empty).
XLS = ROOT / "tests" / "data" / "book.xls"


def _xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_xlsx_values(tmp_path):
    """Dates, whole numbers stored as 5.0, empty cells and a merged title row above the header, as a CSV reads them."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Table"
    sheet["B2"] = "Looked-after children (a title merged over the table)"
    sheet.merge_cells("B2:E2")
    header = ["id", "framework", "start", "populations.looked_after", "populations.foster_care"]
    for col, name in enumerate(header, start=2):
        sheet.cell(4, col, name)
    rows = [["a", "slac", dt.datetime(2011, 1, 10), 939.0, 643], ["b", "slac", dt.date(2012, 2, 13), 5.5, None]]
    for r, row in enumerate(rows, start=5):
        for col, value in enumerate(row, start=2):
            sheet.cell(r, col, value)
    path = tmp_path / "book.xlsx"
    book.save(path)
    a, b = read_path(str(path))
    assert (str(a.origin), str(b.origin)) == (f"{path}[Table]:5", f"{path}[Table]:6")
    assert a.get("start") == dt.date(2011, 1, 10)
    assert b.get("start") == dt.date(2012, 2, 13)
    assert a.get("populations.looked_after") == 939
    assert type(a.get("populations.looked_after")) is int  # 939.0 in the file: a whole number, as in a CSV
    assert isinstance(b.get("populations.looked_after"), Invalid)  # 5.5 children: I101, as in a CSV
    assert b.get("populations.foster_care") is MISSING  # an empty cell is no value


def test_xls_is_read_like_the_others():
    """The older DfE tables are .xls: the same reader, the same values (a cover sheet passed over)."""
    a, b = read_path(str(XLS))
    assert (a.origin.line, b.origin.line) == (4, 5)
    assert a.origin.path == f"{XLS}[Table]"
    assert (a.id, a.get("start"), a.get("populations.looked_after")) == ("wirral-2011-slac", dt.date(2011, 1, 10), 939)
    assert type(a.get("populations.looked_after")) is int
    assert b.get("populations.foster_care") is MISSING


def test_ods_values():
    """Ofsted's workbook (.ods): title rows passed over, dates as dates, rows numbered as the spreadsheet shows them."""
    items = list(read_path(str(EXCERPTS / "ofsted-la-outcomes.ods")))
    assert [i.origin.line for i in items] == [4, 5, 6]
    assert items[1].get("start") == dt.date(2018, 7, 16)


def test_without_the_reader_a_workbook_is_one_unreadable_entry(monkeypatch, tmp_path):
    """Installed without dependencies: one entry naming the extra; a run with no workbook says nothing of it."""
    monkeypatch.setitem(sys.modules, "python_calamine", None)
    [item] = read_path(str(XLS))
    assert isinstance(item, Unreadable)
    assert item.origin.line == 0
    assert "python-calamine" in item.error
    assert "pip install 'gradecheck[workbooks]'" in item.error
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps({"id": "a", "framework": "slac"}) + "\n", encoding="utf-8")
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main([str(data), "--format", "json"], io.StringIO()) == 0
    assert err.getvalue() == ""


def test_the_reader_comes_with_the_core():
    """The README's first command installs only the core and reads fixtures/ (an .ods and an .xlsx among them)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(d.startswith("python-calamine") for d in project["dependencies"])
    extras = project["optional-dependencies"]
    assert extras["workbooks"] == extras["excel"]  # the former name still installs the reader
    assert any(p.suffix in (".xlsx", ".ods") for p in (ROOT / "fixtures").rglob("*"))


def test_readme_first_command_says_nothing_about_a_missing_extra(monkeypatch):
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    main([str(ROOT / "fixtures"), "--format", "json", "--no-progress"], io.StringIO())
    assert "pip install" not in err.getvalue()
    assert "not installed" not in err.getvalue()


INSPECTIONS = ["id", "authority", "framework", "start", "judgements.overall_effectiveness"]
VISITS = ["id", "authority", "framework", "start"]


def _history(tmp_path: Path, latest: str) -> Path:
    """An inspections sheet ending in *latest*, and a visits sheet with a monitoring visit after it."""
    return _xlsx(tmp_path / f"{latest}.xlsx", {
        "Inspections": [["Inspections of Wirral"], INSPECTIONS,
                        ["w-2018", "Wirral", "ilacs", dt.date(2018, 5, 14), "Requires improvement to be good"],
                        ["w-2022", "Wirral", "ilacs", dt.date(2022, 3, 7), latest]],
        "Visits": [VISITS, ["w-2023-mv", "Wirral", "monitoring-visit", dt.date(2023, 6, 12)]],
    })


def test_a_workbook_is_one_dataset_for_histories(tmp_path):
    """The visit rule sees the inspections sheet beside the visits sheet (V102 passes after an inadequate one)."""
    after_inadequate = check_paths([str(_history(tmp_path, "Inadequate"))])
    assert after_inadequate.records == 3
    assert [f.rule for f in after_inadequate.findings if f.rule == "V102"] == []
    after_good = check_paths([str(_history(tmp_path, "Good"))])
    [v102] = [f for f in after_good.findings if f.rule == "V102"]
    assert v102.record == "w-2023-mv"
    assert v102.source.path.endswith("[Visits]")  # the place still names the sheet


def test_ids_are_unique_across_a_workbooks_sheets(tmp_path):
    """The same id on two sheets of one workbook is a duplicate (X101), as on two lines of one file."""
    row = ["a", "Wirral", "ilacs", dt.date(2019, 1, 7), "Good"]
    path = _xlsx(tmp_path / "two.xlsx", {"one": [["Title row"], INSPECTIONS, row],
                                         "two": [["Title row"], INSPECTIONS, row]})
    report = check_paths([str(path)])
    [x101] = [f for f in report.findings if f.rule == "X101"]
    assert x101.source.path.endswith("[two]")
    # Two workbooks are two datasets: the same id in each is no duplicate.
    first = _xlsx(tmp_path / "first.xlsx", {"one": [INSPECTIONS, row]})
    second = _xlsx(tmp_path / "second.xlsx", {"one": [INSPECTIONS, row]})
    assert not [f for f in check_paths([str(first), str(second)]).findings if f.rule == "X101"]
