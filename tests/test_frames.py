"""DataFrames in and out (issue 14, point 4): a frame gives its CSV file's report, and a report becomes a frame."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys

import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradecheck
from gradecheck import GradecheckError, check_frame, check_paths, render, report_to_dict, write_csv
from gradecheck.mutants import breakable
from gradecheck.read import frames as frames_module
from gradecheck.read.profiles import load_profiles
from gradecheck.strategies import datasets, violating

RULESET = gradecheck.load_ruleset()
BREAKABLE = [r.code for r in RULESET.rules if breakable(r.kind)]
# Records no rule set can check: an unknown framework, and no framework at all.
BAD = [{"id": "bad-framework", "framework": "nosuch", "authority": "Kent"}, {"id": "no-framework"}]

# Consistent datasets, datasets that break one rule, and either with records that cannot be checked.
DATASETS = st.tuples(
    st.one_of(datasets(RULESET), st.sampled_from(BREAKABLE).flatmap(lambda code: violating(code, RULESET))),
    st.lists(st.sampled_from(BAD), max_size=2),
).map(lambda parts: parts[0] + parts[1])


def _as_frame(report: gradecheck.Report, path: str) -> str:
    """The JSON report with the CSV file's path where a frame's records are placed: everything else must agree."""
    text = json.dumps(report_to_dict(report, statistics=True), indent=1, sort_keys=True)
    return text.replace(json.dumps(path)[1:-1] + ":", "<frame>:")


def _frame_report(report: gradecheck.Report) -> str:
    return json.dumps(report_to_dict(report, statistics=True), indent=1, sort_keys=True)


def _csv_file(tmp_path_factory: pytest.TempPathFactory, text: str) -> str:
    path = tmp_path_factory.mktemp("frames") / "data.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- a frame of text: exactly its CSV file's report ---------------------------------------------------


@settings(max_examples=15)
@given(records=DATASETS)
def test_a_frame_read_from_a_csv_file_gives_that_files_report(records, tmp_path_factory):
    """Records written as CSV, read back with pandas and with polars as text: check_frame is check_paths."""
    text = write_csv(records)
    assert "\r" not in text
    assert text.count("\n") == len(records) + 1
    path = _csv_file(tmp_path_factory, text)
    expected = _as_frame(check_paths([path], RULESET), path)
    by_pandas = pd.read_csv(path, dtype=str, keep_default_na=False)
    by_polars = pl.read_csv(path, infer_schema=False)
    assert _frame_report(check_frame(by_pandas, RULESET)) == expected
    assert _frame_report(check_frame(by_polars, RULESET)) == expected
    assert _frame_report(check_frame(by_polars.lazy(), RULESET)) == expected


# --- a typed frame: cells read as their CSV text ------------------------------------------------------

_WHOLE = re.compile(r"-?\d{1,15}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _kind(cells: list[str]) -> str:
    filled = [c for c in cells if c != ""]
    if filled and all(_WHOLE.fullmatch(c) for c in filled):
        return "whole"
    if filled and all(_DAY.fullmatch(c) for c in filled):
        try:
            [dt.date.fromisoformat(c) for c in filled]
        except ValueError:
            return "text"
        return "day"
    return "text"


def _typed_pandas(text_frame: pd.DataFrame) -> pd.DataFrame:
    """The frame a user would have: numbers as numbers (floats where a count has a gap), dates as datetimes."""
    columns = {}
    for name in text_frame.columns:
        cells = text_frame[name].tolist()
        kind = _kind(cells)
        if kind == "whole":
            columns[name] = pd.Series([int(c) if c else None for c in cells], dtype="float64" if "" in cells else None)
        elif kind == "day":
            columns[name] = pd.to_datetime(pd.Series([c or None for c in cells], dtype=object))
        else:
            columns[name] = pd.Series([c or None for c in cells], dtype=object)
    return pd.DataFrame(columns)


def _typed_polars(text_frame: pd.DataFrame) -> pl.DataFrame:
    """As _typed_pandas, in polars: integers with nulls, floats with NaN for gaps, dates, text with nulls."""
    columns = []
    for i, name in enumerate(text_frame.columns):
        cells = text_frame[name].tolist()
        kind = _kind(cells)
        if kind == "whole" and i % 2:
            columns.append(pl.Series(name, [float(c) if c else float("nan") for c in cells], dtype=pl.Float64))
        elif kind == "whole":
            columns.append(pl.Series(name, [int(c) if c else None for c in cells], dtype=pl.Int64))
        elif kind == "day":
            columns.append(pl.Series(name, [dt.date.fromisoformat(c) if c else None for c in cells], dtype=pl.Date))
        else:
            columns.append(pl.Series(name, [c or None for c in cells], dtype=pl.String))
    return pl.DataFrame(columns)


@settings(max_examples=15)
@given(records=DATASETS)
def test_a_typed_frame_reads_as_its_csv_text(records, tmp_path_factory):
    """Ints, floats with NaN for gaps, datetimes with NaT, None: the same report as the CSV file."""
    path = _csv_file(tmp_path_factory, write_csv(records))
    expected = _as_frame(check_paths([path], RULESET), path)
    text_frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert _frame_report(check_frame(_typed_pandas(text_frame), RULESET)) == expected
    assert _frame_report(check_frame(_typed_polars(text_frame), RULESET)) == expected


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (float("nan"), ""), (pd.NaT, ""), (pd.NA, ""), (5.0, "5"), (-3.0, "-3"), (0.25, "0.25"),
    (7, "7"), (True, "True"), (dt.date(2023, 3, 13), "2023-03-13"), (pd.Timestamp("2023-03-13"), "2023-03-13"),
    (dt.datetime(2023, 3, 13, 9, 30), "2023-03-13 09:30:00"), ("c", "c"), ("  padded ", "  padded "),
])
def test_cells_read_as_their_csv_text(value, text):
    frame = pd.DataFrame({"cell": pd.Series([value], dtype=object)})
    header, chunks = frames_module._pandas(frame)
    assert (header, [[text]]) == (["cell"], next(chunks))


def test_numpy_scalars_read_as_python_ones():
    """numpy's int64 is no int and its float32 prints its own shortest text; both read as a CSV would hold them."""
    frame = pd.DataFrame({"a": pd.Series([1, 2], dtype="int64"), "b": pd.Series([0.5, 2.0], dtype="float32"),
                          "c": pd.Series([1, None], dtype="Int64"), "d": pd.Series([True, False])})
    _, chunks = frames_module._pandas(frame)
    assert next(chunks) == [["1", "2"], ["0.5", "2"], ["1", ""], ["True", "False"]]


# --- places, chunks, headers ---------------------------------------------------------------------------


def test_rows_are_lines_across_chunks(monkeypatch):
    """Row i is line i + 2 (the header is line 1), also past the chunks the frame is read in."""
    monkeypatch.setattr(frames_module, "_CHUNK", 3)
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(8)], "framework": ["ilacs"] * 7 + ["nosuch"]})
    report = check_frame(frame, RULESET, name="mine")
    assert [str(u.origin) for u in report.unreadable] == ["mine:9"]
    assert (report.records, report.checked, report.files, report.inputs) == (8, 7, 1, ("mine",))


def test_a_named_index_is_a_column_and_a_multiindex_header_is_dotted():
    """df.set_index("id") keeps its ids; ("judgements", "overall_effectiveness") reads as the dotted header."""
    flat = pd.DataFrame({"id": ["a", "b"], "framework": ["ilacs", "ilacs"], "start": ["2019-01-07", "2019-01-07"],
                         "judgements.overall_effectiveness": ["Good", "Outstanding"],
                         "judgements.impact_of_leaders": ["Inadequate", "Outstanding"]})
    expected = _frame_report(check_frame(flat, RULESET))
    assert json.loads(expected)["findings"]  # the test means something only if a finding is placed
    assert _frame_report(check_frame(flat.set_index("id"), RULESET)) == expected
    nested = flat.copy()
    nested.columns = pd.MultiIndex.from_tuples([tuple(c.split(".")) if "." in c else (c, "") for c in flat.columns])
    assert _frame_report(check_frame(nested, RULESET)) == expected


@pytest.mark.parametrize(("frame", "where", "error"), [
    (pd.DataFrame(), "<frame>:0", "empty frame: no columns, so no records"),
    (pd.DataFrame({"": ["x"], " ": ["y"]}), "<frame>:0", "no column has a name"),
    (pd.DataFrame([["a", "ilacs", "b"]], columns=["id", "framework", "id"]), "<frame>:1",
     "header repeats column(s) id; file not read"),
    (pd.DataFrame({"name": ["x"]}), "<frame>:0", "no profile matches this header (name)"),
])
def test_frames_that_cannot_be_read_say_why(frame, where, error):
    report = check_frame(frame, RULESET)
    assert [where] == [str(u.origin) for u in report.unreadable]
    assert error in report.unreadable[0].error


def test_an_empty_frame_with_columns_has_no_records():
    report = check_frame(pd.DataFrame({"id": [], "framework": []}), RULESET)
    assert (report.records, report.checked, report.unreadable) == (0, 0, ())


def test_check_frame_refuses_what_is_not_a_frame():
    with pytest.raises(TypeError, match=r"pandas or polars DataFrame, not str \(for files, use check_paths\)"):
        check_frame("data.csv")
    with pytest.raises(TypeError, match="not Series"):
        check_frame(pd.Series([1, 2]))


# --- profiles --------------------------------------------------------------------------------------------

PUBLISHED = "fixtures/real-excerpts/dfe-sfr21-cla-2011.csv"


def test_a_published_layout_is_read_through_the_profile_its_header_fits():
    frame = pd.read_csv(PUBLISHED, dtype=str, keep_default_na=False)
    report = check_frame(frame, RULESET)
    assert report.findings
    assert not report.unreadable
    assert _frame_report(report) == _as_frame(check_paths([PUBLISHED], RULESET), PUBLISHED)


def test_a_named_profile_is_forced_as_profile_does():
    """check_frame(df, profile=NAME) reads as --profile NAME does: fitting or not, with the CSV's report."""
    frame = pd.read_csv(PUBLISHED, dtype=str, keep_default_na=False)
    for name in ("dfe-cla-la-wide", "ofsted-in-year"):
        forced = load_profiles(ruleset=RULESET).force(name)
        expected = _as_frame(check_paths([PUBLISHED], RULESET, profiles=forced), PUBLISHED)
        assert _frame_report(check_frame(frame, RULESET, profile=name)) == expected
    misfit = check_frame(frame, RULESET, profile="ofsted-in-year")
    assert misfit.unreadable[0].error.startswith("profile ofsted-in-year does not fit this file")


def test_an_unknown_profile_is_an_error_naming_the_known_ones():
    with pytest.raises(GradecheckError, match=r"no profile 'nosuch' and no such file; profiles: d2i-ilacs-history"):
        check_frame(pd.DataFrame({"id": ["a"]}), RULESET, profile="nosuch")


# --- out: Report.to_frame ---------------------------------------------------------------------------------


def _csv_report_rows(report: gradecheck.Report) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(render(report, "csv"))))
    # The CSV report guards spreadsheets against formula-like cells; the frame has none to guard against here.
    assert not any(cell[:1] in ("=", "+", "@", "'") for row in rows for cell in row)
    return rows


def test_to_frame_has_the_csv_reports_rows_and_columns():
    """Findings, unreadable records and broken rules: every row of --format csv, every cell text."""
    report = check_paths(["fixtures/broken"], RULESET)
    assert report.findings
    assert report.unreadable
    rows = _csv_report_rows(report)
    by_pandas = report.to_frame()
    assert rows == [list(by_pandas.columns), *by_pandas.astype(object).values.tolist()]
    by_polars = report.to_frame("polars")
    assert rows == [by_polars.columns, *[list(r) for r in by_polars.rows()]]
    assert {pl.String} == set(by_polars.dtypes)


def test_an_empty_report_is_an_empty_frame_with_the_columns():
    report = check_frame(pd.DataFrame({"id": [], "framework": []}), RULESET)
    header = _csv_report_rows(report)[0]
    assert (0, header) == (len(report.to_frame()), list(report.to_frame().columns))
    assert (0, header) == (report.to_frame("polars").height, report.to_frame("polars").columns)


def test_to_frame_without_pandas_names_the_extra(monkeypatch):
    report = check_frame(pd.DataFrame({"id": [], "framework": []}), RULESET)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(GradecheckError, match=r"needs pandas: pip install 'gradecheck\[frames\]'"):
        report.to_frame()
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(GradecheckError, match=r"needs polars: pip install 'gradecheck\[columnar\]'"):
        report.to_frame("polars")
    with pytest.raises(ValueError, match="kind must be 'pandas' or 'polars'"):
        report.to_frame("arrow")
