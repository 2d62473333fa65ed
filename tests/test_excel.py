"""
CSV for spreadsheets: one finding a row, a byte-order mark and formula-safe text with --excel,
--output for any format.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from gradecheck import FORMATS
from gradecheck.cli import main

ROW = {"id": "=cmd|' /C calc'!A0", "authority": "+Wirral", "framework": "slac",
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
                          b"source,record,authority,framework,rule,severity,title,message,expected,actual\r\n")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    c101 = next(r for r in rows if r["rule"] == "C101")
    # not run as formulas
    assert c101["record"] == "'=cmd|' /C calc'!A0"
    assert c101["authority"] == "'+Wirral"
    assert (c101["expected"], c101["actual"]) == ("22", "23")
    r101 = next(r for r in rows if r["rule"] == "R101")
    assert r101["record"] == "Ünïcödé"
    assert r101["actual"] == "-1"  # a negative number stays a number


def test_raw_cells_are_unchanged(data):
    out = io.StringIO()
    main([str(data), "--format", "csv", "--raw-cells"], out)
    assert not out.getvalue().startswith("\ufeff")
    assert "\n=cmd" not in out.getvalue()
    assert "d.jsonl:1,=cmd|' /C calc'!A0,+Wirral" in out.getvalue()


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_output_writes_every_format_to_a_file(fmt, data, tmp_path):
    target = tmp_path / f"report.{fmt}"
    shown = io.StringIO()
    assert main([str(data), "--format", fmt, "--output", str(target)], shown) == 1
    assert shown.getvalue() == ""
    assert "C101" in target.read_text(encoding="utf-8")
