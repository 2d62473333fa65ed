"""Files gradecheck writes (reports, baselines) are recognised among the inputs and skipped with a note, never read."""

from __future__ import annotations

import io
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradecheck import check_paths, render, write_csv, write_json, write_jsonl
from gradecheck.cli import main
from gradecheck.read.written import REPORT_CSV_HEADER, written_by_gradecheck
from gradecheck.report.rows import CSV_COLUMNS
from gradecheck.strategies import records

C101 = {"id": "slac-23", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}
WRITERS = {"json": write_json, "jsonl": write_jsonl, "csv": write_csv}


def test_csv_header_is_the_reports():
    assert ",".join(CSV_COLUMNS) == REPORT_CSV_HEADER


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(records(), min_size=1, max_size=4), fmt=st.sampled_from(sorted(WRITERS)))
def test_reports_are_recognised_and_data_is_not(tmp_path_factory, rows, fmt):
    """Every report format that shares a data suffix is recognised; records gradecheck writes as data never are."""
    where = tmp_path_factory.mktemp("w")
    data = where / f"data.{fmt}"
    data.write_text(WRITERS[fmt](rows), encoding="utf-8")
    assert written_by_gradecheck(str(data)) is None
    report = check_paths([str(data)])
    for report_format in ("json", "jsonl", "csv"):
        out = where / f"report.{report_format}"
        out.write_text(render(report, report_format, excel=report_format == "csv"), encoding="utf-8")
        assert written_by_gradecheck(str(out)) is not None


def test_a_directory_run_skips_reports_and_baselines_with_a_note(tmp_path, capsys):
    (tmp_path / "data.jsonl").write_text(json.dumps(C101) + "\n")
    first = io.StringIO()
    assert main([str(tmp_path), "--format", "json"], first) == 1
    for fmt in ("json", "jsonl", "csv"):
        assert main([str(tmp_path), "--format", fmt, "--output", str(tmp_path / f"report.{fmt}")]) == 1
    assert main([str(tmp_path), "--baseline", str(tmp_path / "baseline.json")]) == 0
    capsys.readouterr()
    out = io.StringIO()
    assert main([str(tmp_path), "--format", "json"], out) == 1
    again = json.loads(out.getvalue())
    assert again["findings"] == json.loads(first.getvalue())["findings"]  # the same one record, read once
    assert (again["summary"]["records"], again["summary"]["files"]) == (1, 1)
    assert sorted(s["path"].rsplit("/", 1)[1] for s in again["summary"]["skipped"]) == [
        "baseline.json", "report.csv", "report.json", "report.jsonl"]
    err = capsys.readouterr().err
    assert f"{tmp_path / 'report.csv'}: skipped: a gradecheck CSV report, not data" in err
    text = io.StringIO()
    main([str(tmp_path), "--format", "text", "--quiet"], text)
    assert "skipped" not in capsys.readouterr().err


def test_a_file_that_merely_looks_alike_is_read(tmp_path):
    """Data with a "summary" key elsewhere, or a CSV with more columns, is data."""
    data = tmp_path / "data.json"
    data.write_text(json.dumps([{**C101, "summary": {"records": 1}}]))
    csv_data = tmp_path / "data.csv"
    csv_data.write_text(REPORT_CSV_HEADER + ",populations.looked_after\n")
    assert (written_by_gradecheck(str(data)), written_by_gradecheck(str(csv_data))) == (None, None)
