"""The columnar engine (--engine columnar) changes speed only: on any CSV file, the row engine's report, to the byte."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, find, given, settings
from hypothesis import strategies as st

pl = pytest.importorskip("polars")

import gradecheck  # noqa: E402 - after the skip: these tests need polars
from gradecheck import check_paths, load_ruleset, read_path, write_csv  # noqa: E402
from gradecheck.cli import main  # noqa: E402
from gradecheck.engine import columnar, columnar_plan, columnar_scan  # noqa: E402
from gradecheck.engine import columnar_kinds as _columnar_kinds  # noqa: E402
from gradecheck.records import DATE_FIELDS, GROUPS, TEXT_FIELDS  # noqa: E402
from gradecheck.strategies import datasets, records, violating  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RULESET = load_ruleset()
# The record rules alone (most tests below); the built-in rule set adds dataset rules (unique ids, visit histories,
# group totals), into whose summaries the engine folds the rows that pass.
DATASET_CODES = [r.code for r in RULESET.rules if r.dataset]
RECORD_RULES = RULESET.select(ignore=[r.code for r in RULESET.rules if r.dataset])
CODES = [r.code for r in RECORD_RULES.rules]
FIXTURE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# The generated-file comparisons run both engines on a fresh file per example (polars included): a fifth of
# the profile's examples (10 by default, 100 with HYPOTHESIS_PROFILE=ci) keeps the suite under a minute.
FILES = settings(FIXTURE, max_examples=max(10, settings.default.max_examples // 5))
HEADER = "id,framework,start,judgements.overall_effectiveness,grade_counts.good,populations.looked_after,authority\n"


def _both(path: Path, rules: gradecheck.RuleSet, monkeypatch: pytest.MonkeyPatch, engine: str = "columnar",
          **kw) -> tuple[str, str, list[bool]]:
    """The row engine's report, the columnar engine's, and whether the columnar engine took the file."""
    took: list[bool] = []
    original = columnar.check_csv

    def spy(*args, **kwargs):
        took.append(original(*args, **kwargs))
        return took[-1]

    row = check_paths([str(path)], rules, workers=1)
    with monkeypatch.context() as m:
        m.setattr(columnar, "check_csv", spy)
        col = check_paths([str(path)], rules, engine=engine, **{"workers": 1, **kw})
    return (gradecheck.render(row, "json", statistics=True), gradecheck.render(col, "json", statistics=True), took)


def _write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


# --- identical reports on generated data -------------------------------------------------------------------

CONSISTENT = st.one_of(st.lists(records(), min_size=1, max_size=8, unique_by=lambda r: r["id"]), datasets())


@FILES
@given(CONSISTENT, st.data())
def test_generated_records_and_mutants(tmp_path_factory, monkeypatch, batch, data):
    """
    Consistent records (or authorities' histories) plus mutants of some record rules: the engine takes the file,
    and the report is the row engine's.
    """
    # Six rules a file, drawn afresh each time (a permutation does not lean towards the first codes as
    # sampling does while shrinking), so that each rule's mutants come up about a dozen times a run.
    for code in data.draw(st.permutations(CODES))[:6]:
        batch = batch + data.draw(violating(code))
    path = _write(tmp_path_factory.mktemp("gen"), write_csv(batch))
    row, col, took = _both(path, RECORD_RULES, monkeypatch)
    assert took == [True]
    assert row == col


@FILES
@given(datasets(), st.data())
def test_generated_datasets_with_dataset_rules(tmp_path_factory, monkeypatch, batch, data):
    """
    Histories plus mutants of the dataset rules (repeated ids, visits after a grade other than inadequate) and of
    some record rules, under the built-in rules: the engine takes the file, and the report is the row engine's.
    """
    for code in data.draw(st.lists(st.sampled_from(["X101", "V102"]), min_size=1, max_size=3)):
        batch = batch + data.draw(violating(code))
    for code in data.draw(st.permutations(CODES))[:3]:
        batch = batch + data.draw(violating(code))
    batch = data.draw(st.permutations(batch))  # a repeat or a visit may come before or after what it refers to
    path = _write(tmp_path_factory.mktemp("gen"), write_csv(batch))
    row, col, took = _both(path, RULESET, monkeypatch)
    assert took == [True]
    assert row == col


def _benchmark_generator():
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _benchmark_generator()
BENCH_RULES = load_ruleset([ROOT / "benchmarks" / "rules.toml"], builtin=False)


@pytest.mark.parametrize(("seed", "newline"), [(2026, "\r\n"), (7, "\n")])
def test_benchmark_data(tmp_path, monkeypatch, seed, newline):
    """The benchmark's records and rule file (4% of records break a rule): the same report, every planted finding."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, BENCH.COLUMNS, lineterminator=newline)
    writer.writeheader()
    planted = set()
    for record, broken in BENCH.records(2000, seed):
        writer.writerow(BENCH.flat(record))
        planted |= {(code, record["id"]) for code in broken}
    path = _write(tmp_path, out.getvalue())
    row, col, took = _both(path, BENCH_RULES, monkeypatch)
    assert took == [True]
    assert row == col
    assert planted == _rules_and_records(col)


def test_rows_checked_in_parallel_workers(tmp_path, monkeypatch):
    """Rows the row engine checks may be split over forked workers: the merged report is the same."""
    monkeypatch.setattr(columnar, "PARALLEL_HANDOVER", 4)
    lines = [HEADER] + [f"r{i},sif,2015-0{1 + i % 9}-01,{'Good' if i % 3 else 'Goood'},{i % 7 - 2},{i},Kent\n"
                        for i in range(60)]
    path = _write(tmp_path, "".join(lines))
    row, col, took = _both(path, RECORD_RULES, monkeypatch, workers=3)
    assert took == [True]
    assert row == col


VISITS_HEADER = "id,framework,start,judgements.overall_effectiveness,authority,authority_code\n"
# Passing rows and rows with a finding (an unknown grade) interleave: repeated ids, one name under two codes (the
# earliest row's code is the name's), visits after an inadequate grade and after a good one.
VISITS = VISITS_HEADER + "".join(
    f"r{i % 23},{fw},20{10 + i % 9:02}-0{1 + i % 9}-1{i % 10},{grade},{name},{code}\n"
    for i in range(80)
    for fw, grade in [(("monitoring-visit", "") if i % 5 == 0 else ("sif", "Goood" if i % 7 == 0 else
                                                                      ("inadequate", "good")[i % 2]))]
    for name, code in [(("Kent", "Kent ", " kent")[i % 3], ("E10000016", "", "E10000099", "")[i % 4])]
)


@pytest.mark.parametrize("workers", [1, 3])
def test_dataset_rules_over_passed_and_handed_over_rows(tmp_path, monkeypatch, workers):
    """
    Dataset rules read rows that passed column-wise and rows the row engine checked (in forked workers too):
    the report is the row engine's, and it has both rules' findings.
    """
    monkeypatch.setattr(columnar, "PARALLEL_HANDOVER", 4)
    monkeypatch.setattr(columnar_plan, "MAX_HANDOVER_SHARE", 1.0)
    path = _write(tmp_path, VISITS)
    row, col, took = _both(path, RULESET, monkeypatch, workers=workers)
    assert took == [True]
    assert row == col
    assert {"X101", "V102"} <= _rules(col)
    summary = json.loads(col)["summary"]
    assert summary["records"] == summary["checked"] == 80


REORGANISED = ("id,framework,start,authority,authority_code,judgements.overall_effectiveness,"
               "judgements.impact_of_leaders,judgements.help_and_protection,judgements.children_in_care\n") + "".join(
    f"{i},{fw},{day},{name},{code},{g},{g},{g},{g}\n" if fw == "ilacs" else f"{i if i < 12 else 'ny'},{fw},{day},"
                                                                             f"{name},{code},,,,\n"
    for i, (fw, day, name, code, g) in enumerate([
        ("ilacs", "2022-05-09", "Cumbria", "E10000006", "Inadequate"),
        ("monitoring-visit", "2023-06-01", "Cumberland", "E06000063", ""),  # follows its predecessor's inadequate
        ("monitoring-visit", "2023-07-01", "Westmorland and Furness", "", ""),
        ("ilacs", "2018-02-26", "Dorset", "E10000009", "Good"),  # Dorset County Council, by its code on the day
        ("monitoring-visit", "2018-06-01", "Dorset", "E10000009", ""),  # V102: the latest was good
        ("ilacs", "2024-10-07", "Cumberland", "E10000006", "Good"),  # A101: Cumbria's code on Cumberland
        ("focused-visit", "2025-01-13", "Cumberland", "E06000063", ""),
        ("focused-visit", "2025-02-03", "Liverpool", "", ""), ("focused-visit", "2025-02-03", "", "E08000012", ""),
        ("monitoring-visit", "2025-03-03", "Nowhere", "E06999999", ""),
        ("ilacs", "2019-01-01", "Liverpool", "E08000012", "Good"),
        ("monitoring-visit", "2022-08-01", "liverpool", "E08000012", ""),  # V102: Liverpool's own latest was good
        # One id twice (X101, on rows that pass): the finding names the code North Yorkshire had on the day, not the
        # code the row gives (the same name and code, a year after the code changed)
        ("focused-visit", "2022-01-10", "North Yorkshire", "E10000023", ""),
        ("focused-visit", "2024-01-08", "North Yorkshire", "E10000023", "")]))


@pytest.mark.parametrize("block", [None, 1], ids=["one block", "a block a line"])
def test_histories_across_reorganisations(tmp_path, monkeypatch, block):
    """
    Rows that pass column-wise are placed through the register as the row engine places them: a name and code
    whose authority depends on the day, a visit to a successor following its predecessor's inspection, a name
    without a code and a code without a name in one history, an unknown authority: the row engine's report.
    """
    col = _taken_alike(tmp_path, monkeypatch, REORGANISED, block)
    assert {"A101", "A102", "V102", "X101"} <= _rules(col)
    found = {(f["rule"], f["record"], f["authority_code"]) for f in json.loads(col)["findings"]}
    assert {("V102", "11", "E08000012"), ("X101", "ny", "E06000065")} <= found


GROUPS_CSV = "id,framework,start,time_period,area_code,group,breakdown,populations.children,facts.percent\n" + "".join(
    f"{i},{fw},2023-03-31,2023,{area},Sex,{label},{n},{share}\n" for i, (fw, area, label, n, share) in enumerate([
        ("dfe-cla", "E1", "Male", 60, 60), ("dfe-cla", "E1", "Female", 30, 35),
        ("dfe-cla", "E1", "Total children", 100, 100), ("dfe-cla", "E2", " Male ", 5, 50),
        ("dfe-cla", "E2", "Female", 5, 50), ("dfe-cla", "E2", "Total children", 10, 100),
        ("dfe-cla", "E3", "Total children", "x", 100), ("dfe-cla-subgroups", "E4", "Total children", 10, 100),
        ("dfe-cla-subgroups", "E4", "Mothers", 12, 120), ("dfe-cla", "E3", "Male", 1, 1)]))


@pytest.mark.parametrize("block", [None, 1], ids=["one block", "a block a line"])
def test_group_rules_over_passed_rows(tmp_path, monkeypatch, block):
    """Group totals and shares (G101, G102, Q101) over rows that pass column-wise: the row engine's report."""
    col = _taken_alike(tmp_path, monkeypatch, GROUPS_CSV, block)
    assert {"G101", "G102", "Q101"} <= _rules(col)


def _taken_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, block: int | None) -> str:
    """The columnar engine's report of *text* (in blocks of *block* bytes), asserted to be the row engine's."""
    if block:
        monkeypatch.setattr(columnar_plan, "BLOCK_BYTES", block)
    path = _write(tmp_path, text)
    row, col, took = _both(path, RULESET, monkeypatch)
    assert took == [True]
    assert row == col
    return col


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "fixtures").rglob("*.jsonl")))
def test_every_fixture_written_as_csv(tmp_path, monkeypatch, path):
    """Every JSON Lines fixture (broken ones included), written as CSV: the same report (taken or not)."""
    items = [r for r in read_path(str(ROOT / path)) if isinstance(r, gradecheck.Record)]
    if not items:
        pytest.skip("no readable records")
    csv_path = _write(tmp_path, write_csv(items))
    row, col, took = _both(csv_path, RECORD_RULES, monkeypatch)
    # Only a column that is no field of the format (a group written as a plain value, a made-up name) keeps a
    # fixture from the engine: the fast path would send every row of it to the ordinary path anyway.
    header = csv_path.read_text().splitlines()[0].split(",")
    known = {*TEXT_FIELDS, *DATE_FIELDS, *(n for n in header if n.split(".")[0] in GROUPS and "." in n)}
    assert took == [not set(header) - known]
    assert row == col


# --- files the engine takes, odd rows and all --------------------------------------------------------------

ROWS = {
    "blank lines and whitespace rows": HEADER + "a,sif,2015-01-01,good,1,5,Kent\n\n   \n,,,,,,\n\t, ,\n\n"
                                                "b,sif,,good,,,\n\n",
    "short and long rows": HEADER + "a,sif,2015-01-01,good,1,5\nb,sif,2015-01-01,good,1,5,Kent,,  ,\n"
                                    "c,sif,2015-01-01,good,1,5,Kent,x\nd,sif,2015-01-01,good,1,5,Kent\n",
    "quoted cells on one line": HEADER + 'a,sif,2015-01-01,good,1,5,"Bristol, City of"\n'
                                         '"b",sif,,"Good",,,"say ""hi"""\n'
                                         '"","","","","","",""\nc,sif,,good,,,Kent\n',
    "quoted cells of every shape": HEADER + '"a",sif,2015-01-01,"good","1","5","Leeds"\n'
                                            'b,sif,2015-01-01,good,1,5," Kent "\nc,sif,2015-01-01,good,1,5, "Kent"\n'
                                            'd,sif,2015-01-01,good,1,5,"Ke"nt\n"",sif,2015-01-01,good,1,5,"x"\n'
                                            '" , ",sif,2015-01-01,good,1,5,"x"\n"e",sif\n'
                                            'f,sif,2015-01-01,good,1,5,"Kent",""\nf2,sif,2015-01-01,good,1,5,"Kent",","\n'
                                            '" "," ","","","","",""\n" ",","," "," "," "," "," "\n'
                                            'g,sif,2015-01-01,"good, really",1,5,Kent\n'
                                            'h,sif,2015-01-01,good,"1,000",5,Kent\ni,sif,2015-01-01,good,1,"5",\'Kent\'\n'
                                            'j,sif,"2015-01-01",good,,,"Bristol, City of"\n',
    "odd values": HEADER + "a,sif,2015-02-30,good,1,5,Kent\nb, sif,2015-01-01,good,1,5,Kent\nc,SIF,,good,,,\n"
                           "d,sif,2015-01-01, good,+1,0005,\ne,sif,2015-01-01,Goood,1_000,1 000,\nf,sif,,RI,c,x,\n"
                           "g,sif,2015-01-01,requires improvement,-1,5,\nh,ilacs,,good,,,\n  ,sif,,,,,\n"
                           "i,sif,0000-01-01,good,,,\nj,sif,2015-1-01,good,99999999999999999999,,\n",
    "no trailing newline": HEADER + "a,sif,2015-01-01,good,1,5,Kent",
    "windows line endings": (HEADER + "a,sif,2015-01-01,good,1,5,Kent\nb,sif,,inadequate,,,\n").replace("\n", "\r\n"),
    "mixed line endings": HEADER + "a,sif,2015-01-01,good,1,5,Kent\r\nb,sif,,inadequate,,,\n",
    "header only": HEADER,
    "a byte-order mark starting a line": HEADER + "a,sif,,good,,,\n\ufeffb,sif,,good,,,\n\ufeffc,sif,,good,,,\n",
    "unknown framework, a rule with no columnar form": "id,framework,populations.children,populations.child_population,"
                                                           "facts.rate_per_10000\na,dfe-cla-rates,5,100,500\nb,nope,,,\n",
    "aliases, duplicates of one field": "id,framework,populations.looked_after,populations.cla,grade_counts.good,"
                                        "grade_counts.Good,judgements.overall_effectiveness\n"
                                        "a,slac,5,,1,,good\nb,slac,5,5,,1,good\nc,slac,,6,3,4,adequate\n",
}


@pytest.mark.parametrize("block", [None, 1], ids=["one block", "a block a line"])
@pytest.mark.parametrize("text", ROWS.values(), ids=ROWS.keys())
def test_odd_rows_in_a_file_the_engine_takes(tmp_path, monkeypatch, text, block):
    """Rows the reader skips, rows of the wrong shape, quoted cells, odd values: the row engine's report."""
    if block:  # every line a block of its own: line numbers and offsets cross blocks
        monkeypatch.setattr(columnar_plan, "BLOCK_BYTES", block)
    path = _write(tmp_path, text)
    row, col, took = _both(path, RECORD_RULES, monkeypatch)
    assert took == [True]
    assert row == col


DATE_CELLS = ["2019-01-01", "0000-01-01", "0001-01-01", "9999-12-31", "2019-02-30", "2020-02-29", "2021-02-29",
              "2019-13-01", "2019-1-01", "20190101", " 2019-01-01", "2019-01-01 ", "+201-01-01", "2019/01/01",
              "\uff12\uff10\uff11\uff19-\uff10\uff11-\uff10\uff11", "2019-01-01T00:00", ""]


def test_a_date_cell_reads_as_the_fast_reader_reads_it(tmp_path):
    """
    The stage's date of each cell, as a block computes it, is the fast reader's date (FastPath._day), or null where
    the row engine is left to decide: never a date the fast reader would not give (year 0 parses in polars, not in
    Python). The rules' own checks of dates would hide a wrong one in most files, so this looks at the column.
    """
    import datetime as dt

    path = _write(tmp_path, HEADER)
    scan = columnar_scan.Scan(columnar_plan.Plan(str(path), RECORD_RULES), gradecheck.engine.run._Run(RECORD_RULES))
    frame = pl.DataFrame({"line": [f"a,sif,{cell},good,1,5,Kent" for cell in DATE_CELLS]}).with_row_index("i", 1)
    split, shape, *rest = scan.stage  # as Scan.block applies them
    frame = scan.requote(frame.with_columns(split).with_columns(shape))
    for step in rest:
        frame = frame.with_columns(step)

    def fast(cell: str) -> dt.date | None:
        if len(cell) != 10 or cell[4] != "-" or cell[7] != "-":
            return None
        try:
            return dt.date.fromisoformat(cell)
        except ValueError:
            return None

    got = dict(zip(DATE_CELLS, frame["d:start"].to_list(), strict=True))
    assert got == {cell: fast(cell) for cell in DATE_CELLS}


def test_lines_quoted_only_around_whole_cells_are_judged_by_the_engine(tmp_path, monkeypatch):
    """
    A name such as "Bristol, City of" is quoted on every record of its authority, and some programs quote every
    cell: those rows are judged here, and only the rows that break a rule go to the row engine, as unquoted.
    """
    import csv
    import io

    handed: list[int] = []
    original = columnar_scan.Scan._handover

    def spy(self, rows, *args):
        out = original(self, rows, *args)
        handed.extend(number for number, _ in out)
        return out

    monkeypatch.setattr(columnar_scan.Scan, "_handover", spy)
    records = [BENCH.flat(record) for record, _ in BENCH.records(600, 11)]
    reports, handovers = [], []
    for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_ALL):
        out = io.StringIO()
        writer = csv.DictWriter(out, BENCH.COLUMNS, lineterminator="\n", quoting=quoting)
        writer.writeheader()
        writer.writerows(records)
        handed.clear()
        row, col, took = _both(_write(tmp_path, out.getvalue()), BENCH_RULES, monkeypatch)
        assert took == [True]
        assert row == col
        reports.append(col)
        handovers.append(list(handed))
    assert reports[0] == reports[1]
    assert handovers[0] == handovers[1]
    assert 0 < len(handovers[1]) < len(records) // 10  # the rows that break a rule (4%)


# --- files and rule sets the engine leaves to the row path --------------------------------------------------

FALLBACK = {
    "a quoted cell spanning lines": HEADER + 'a,sif,2015-01-01,good,1,5,"two\nlines"\nb,sif,,good,,,\n',
    "a Windows-1252 byte": (HEADER + "a,sif,2015-01-01,good,1,5,caf\xe9\n").encode("cp1252"),
    "a byte-order mark": b"\xef\xbb\xbf" + (HEADER + "a,sif,2015-01-01,good,1,5,Kent\n").encode(),
    "a carriage return inside a line": HEADER + "a,sif,2015-01-01,good,1,5,Ke\rnt\nb,sif,,good,,,\n",
    "a NUL byte": (HEADER + "a,sif,2015-01-01,good,1,5,Ke\x00nt\n").encode(),
    "a repeated header column": "id,framework,start,start\na,sif,,\n",
    "a column gradecheck does not know": "id,framework,notes\na,sif,hello\n",
    "a published layout": (ROOT / "fixtures" / "broken" / "dfe-rates.csv").read_bytes(),
    "a header and nothing else": HEADER.rstrip("\n"),
}


@pytest.mark.parametrize("text", FALLBACK.values(), ids=FALLBACK.keys())
def test_files_left_to_the_row_path(tmp_path, monkeypatch, text):
    """Whatever the engine cannot be sure of reading as the reader does goes to the row path, untouched."""
    path = _write(tmp_path, text)
    row, col, took = _both(path, RECORD_RULES, monkeypatch)
    assert took == [False]
    assert row == col


def test_dataset_rules_are_folded_not_declined(tmp_path, monkeypatch):
    """The built-in rules include unique ids and visit histories: the engine takes the file all the same."""
    path = _write(tmp_path, HEADER + "a,sif,2015-01-01,good,1,5,Kent\na,sif,2015-01-01,good,1,5,Kent\n")
    row, col, took = _both(path, RULESET, monkeypatch)
    assert took == [True]
    assert row == col
    assert "X101" in _rules(col)


def test_a_dataset_rule_of_an_unknown_kind_leaves_its_rows_to_the_row_engine(tmp_path, monkeypatch):
    """A dataset kind the engine cannot feed: the rows it covers go to the row engine, and the report is the same."""
    from gradecheck.engine import columnar_scan

    monkeypatch.setattr(columnar_scan, "reads_of", lambda rule: None if rule.kind == "unique" else set())
    path = _write(tmp_path, HEADER + "a,sif,2015-01-01,good,1,5,Kent\na,sif,2015-01-01,good,1,5,Kent\n")
    monkeypatch.setattr(columnar_plan, "MAX_HANDOVER_SHARE", 1.0)
    row, col, took = _both(path, RULESET, monkeypatch)
    assert took == [True]
    assert row == col


def test_too_many_rows_for_the_row_engine(tmp_path, monkeypatch):
    """When most rows need the row engine anyway, the engine gives up early (it would only be slower)."""
    monkeypatch.setattr(columnar_plan, "BATCH_ROWS", 1)
    path = _write(tmp_path, HEADER + "".join(f"r{i},sif,,Goood,,,\n" for i in range(20)))
    row, col, took = _both(path, RECORD_RULES, monkeypatch)
    assert took == [False]
    assert row == col


def test_auto_takes_only_large_files(tmp_path, monkeypatch):
    """--engine auto: large CSV files only."""
    path = _write(tmp_path, HEADER + "a,sif,2015-01-01,good,1,5,Kent\n")
    for limit, expected in ((1 << 30, []), (0, [True])):
        monkeypatch.setattr(columnar, "AUTO_MIN_BYTES", limit)
        row, col, took = _both(path, RECORD_RULES, monkeypatch, engine="auto")
        assert took == expected
        assert row == col


# --- the test above has teeth: a wrong column-wise verdict is caught ----------------------------------------

SABOTAGED = {"total": "C101", "within": "P101", "range": "R101", "overall": "J101", "implies": "J102",
             "agree": "C102", "order": "D101", "present": "F103", "absent": "F101"}


@pytest.mark.parametrize(("kind", "code"), SABOTAGED.items())
def test_a_wrong_verdict_changes_the_report(tmp_path, monkeypatch, kind, code):
    """
    With one kind made to pass every row column-wise, some mutant of its rule loses its finding: the tests
    above would fail. (The row engine's fast path is generated from the same forms, so it is left alone.)
    """
    from gradecheck.engine import columnar_scan

    original = columnar_scan.verdict

    def sabotaged(rule, v, version):
        return pl.lit(1, dtype=pl.Int8) if rule.kind == kind else original(rule, v, version)

    monkeypatch.setattr(columnar_scan, "verdict", sabotaged)
    path = tmp_path / "mutant.csv"

    def caught(mutant: list[dict]) -> bool:
        path.write_text(write_csv(mutant), encoding="utf-8")
        row, broken, took = _both(path, RECORD_RULES, monkeypatch)
        return took == [True] and code in _rules(row) and code not in _rules(broken)

    find(violating(code), caught, settings=settings(database=None, max_examples=20, phases=[Phase.generate]))


def _rules(report: str) -> set[str]:
    return {f["rule"] for f in json.loads(report)["findings"]}


def _rules_and_records(report: str) -> set[tuple[str, str]]:
    return {(f["rule"], f["record"]) for f in json.loads(report)["findings"]}


# --- the command line -------------------------------------------------------------------------------------

def test_command_line_option(tmp_path, capsys):
    """--engine columnar gives the row engine's output; a file it leaves to the row path is said once on stderr."""
    path = _write(tmp_path, HEADER + "a,sif,2015-01-01,good,-1,5,Kent\nb,sif,,good,,,\na,sif,,good,,,\n")
    for extra in ([], ["--ignore", ",".join(DATASET_CODES)]):
        args = [str(path), "--format", "json", *extra]
        assert main(args) == 1
        row = capsys.readouterr()
        assert main([*args, "--engine", "columnar"]) == 1
        col = capsys.readouterr()
        assert row.out == col.out
        assert col.err == ""
    bom = _write(tmp_path, b"\xef\xbb\xbf" + HEADER.encode(), "bom.csv")
    assert main([str(bom), str(bom), "--format", "json", "--engine", "columnar"]) == 0
    said = "gradecheck: --engine columnar: " + str(bom) + ": it starts with a byte-order mark; using the row engine"
    assert capsys.readouterr().err.count(said) == 1


def test_without_polars_the_row_engine_runs(tmp_path, monkeypatch, capsys):
    """No polars: --engine columnar says so in one line and the row engine gives the report."""
    monkeypatch.setattr(columnar, "available", lambda: False)
    path = _write(tmp_path, HEADER + "a,sif,2015-01-01,good,1,5,Kent\n")
    row, col, took = _both(path, RECORD_RULES, monkeypatch)
    assert took == [False]
    assert row == col
    err = capsys.readouterr().err
    reason = "polars is not installed (pip install 'gradecheck[columnar]'); using the row engine"
    assert err == f"gradecheck: --engine columnar: {reason}\n"
    assert reason in (ROOT / "docs" / "errors.md").read_text()


def test_every_reason_is_documented():
    """Each reason the engine gives for leaving a file to the row path is in docs/errors.md."""
    import re

    doc = (ROOT / "docs" / "errors.md").read_text().replace("`", "")
    reasons = []
    for module in ("engine/columnar.py", "engine/columnar_plan.py", "engine/columnar_scan.py"):
        source = (ROOT / "gradecheck" / module).read_text()
        reasons += re.findall(r'(?:Unsuitable|unsuitable)\(f?"([^"]+)"', source)
    assert len(reasons) >= 15
    for reason in reasons:
        for part in re.split(r"\{[^}]*\}", reason):
            assert part.strip(" (") in doc, reason


def test_python_whitespace_is_what_str_strip_removes():
    """'Blank' means the same to the engine as to Python's str.strip(), which the reader uses."""
    assert "".join(chr(c) for c in range(0x110000) if chr(c).isspace()) == _columnar_kinds.PY_WHITESPACE


# A file split over processes: run in a fresh interpreter, since the engine splits a file only before polars is
# imported (a forked child would wait for ever on polars' threads), and this process has imported it.
_SPLIT = """
import sys
import gradecheck.engine.columnar as c
c.SPLIT_BYTES = 0
split = c._split
def spy(plan, run, shares):
    sys.stderr.write(f"shares: {len(shares)}\\n")
    return split(plan, run, shares)
c._split = spy
from gradecheck.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("workers", [2, 3])
def test_a_file_split_over_processes_gives_the_row_engines_report(tmp_path, workers):
    """
    The benchmark's ILACS records (planted faults, repeated ids, histories with monitoring visits), judged in
    shares by forked processes that each hand their odd rows to the row engine: the row engine's report.
    """
    import subprocess
    import sys

    BENCH.write_native(2500, tmp_path / "ilacs", 11)
    path = str(tmp_path / "ilacs.csv")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", _SPLIT, "--format", "json", "--statistics", *args, path],
                              capture_output=True, text=True, check=False)

    row = run("--engine", "row", "--workers", "1")
    col = run("--engine", "columnar", "--workers", str(workers))
    assert f"shares: {workers}" in col.stderr
    assert col.returncode == row.returncode == 1
    assert col.stdout == row.stdout
    assert {"X101", "V102", "A102"} <= {f["rule"] for f in json.loads(col.stdout)["findings"]}


def test_a_file_cut_inside_a_quoted_cell_spanning_lines_goes_to_the_row_path(tmp_path):
    """
    The engine cuts a file into shares at any newline, without reading it for quotes first: a cut inside a quoted
    cell spanning lines leaves that cell's first line, in the share before, with a quote that does not close, so
    the engine declines the file, which the row engine reads whole, as it does any file with such a cell.
    """
    import subprocess
    import sys

    lines = "\n".join(["a note"] * 200)
    path = _write(tmp_path, HEADER + "a,sif,2015-01-01,Good,1,5,Kent\n" + f'b,sif,2015-01-01,Good,1,5,"{lines}"\n'
                  + "a,sif,2015-01-01,Good,1,5,Kent\n")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", _SPLIT, "--format", "json", *args, str(path)],
                              capture_output=True, text=True, check=False)

    row = run("--engine", "row", "--workers", "1")
    col = run("--engine", "columnar", "--workers", "2")
    assert "shares: 2" in col.stderr
    assert "a quoted cell spans lines" in col.stderr
    assert "using the row engine" in col.stderr
    assert col.returncode == row.returncode == 1
    assert col.stdout == row.stdout
    assert "X101" in {f["rule"] for f in json.loads(col.stdout)["findings"]}


def test_a_file_is_not_split_once_polars_is_imported(tmp_path, monkeypatch):
    """This process has imported polars: a large file is judged in one process here, though it could be split."""
    monkeypatch.setattr(columnar, "SPLIT_BYTES", 0)
    path = _write(tmp_path, HEADER + "".join(f"r{i},sif,2015-01-01,Good,1,5,Kent\n" for i in range(100)))
    assert "polars" in __import__("sys").modules
    assert columnar._shares(str(path), 2) is None
    monkeypatch.delitem(__import__("sys").modules, "polars")  # as in a process that has not imported it
    assert columnar._shares(str(path), 2)


def test_a_rule_set_whose_dataset_rules_read_no_code_names_the_authority_as_the_row_engine(tmp_path, monkeypatch):
    """
    Unique ids alone read no authority code, but a finding names the register's authority, which the name and the
    code find together: the columnar engine reads both for the passed rows too (it read only the name, and named
    "Somewhere Else" with no code where the row engine names Liverpool, E08000012).
    """
    only = RULESET.select(ignore=[r.code for r in RULESET.rules if r.code != "X101"])
    rows = "".join(f"r{i % 20},sif,2015-01-{1 + i % 28:02},Somewhere Else,E08000012\n" for i in range(40))
    path = _write(tmp_path, "id,framework,start,authority,authority_code\n" + rows)
    row, col, took = _both(path, only, monkeypatch)
    assert took == [True]
    assert row == col
    assert {(f["authority"], f["authority_code"]) for f in json.loads(col)["findings"]} == {("Liverpool", "E08000012")}


# Keys a careless join merges: by commas, by NULs, null written as nothing or as a newline.
_LEADS = st.none() | st.sampled_from(["a", "", "-", "1:a", "a,b", "b,", ",", "1:", "a\x00b", "b\x00", "\x00", "\n"])


@given(st.lists(st.tuples(_LEADS, _LEADS, st.none() | st.dates()), max_size=12), st.booleans())
@example([("a,b", "", None), ("a", "b,", None)], False)  # one key if joined by commas
@example([("a\x00b", "", None), ("a", "b\x00", None)], True)  # one key if joined by NULs
@example([(None, "a", None), ("", "a", None)], False)  # one key if null were written as nothing
@example([(None, "a", None), ("\n", "a", None)], True)  # one key if null were written as a newline
@settings(max_examples=80, deadline=None)
def test_a_call_is_answered_row_by_row_as_its_function_answers(rows, raw) -> None:
    """
    A Call asks *per* once for each distinct leading values (texts, or a date), and *fn* for the rows *per* leaves
    open: every row's value is the answer for its own values, however they would read joined together (with
    *raw* false, texts are as a line's cells are, without NULs or newlines; commas they may hold, quoted).
    """
    from gradecheck.kinds import forms as f

    if not raw:
        rows = [tuple(v.replace("\x00", ";").replace("\n", ";") if isinstance(v, str) else v for v in row)
                for row in rows]
    seen: dict[tuple, int] = {}

    def answer(*values):  # a different number for each different tuple of values
        return seen.setdefault(values, len(seen))

    frame = pl.DataFrame({"a": [r[0] for r in rows], "b": [r[1] for r in rows], "d": [r[2] for r in rows]},
                         schema={"a": pl.String, "b": pl.String, "d": pl.Date})
    framework = gradecheck.default_ruleset().frameworks["ilacs"]
    values = _columnar_kinds.Values(framework, {}, {"start": pl.col("d")}, {}, raw={"a": pl.col("a"), "b": pl.col("b")})
    for args, lead in ((("a", "b", "d"), 2), (("d", "a", "b"), 1)):
        def per(*lead_values):
            return None if "-" in lead_values else 1000 + answer("per", *lead_values)

        node = f.Call(lambda *v: answer("fn", *v), [f.Field("", "start" if k == "d" else k) for k in args], per=per,
                      lead=lead)
        got = frame.select(_columnar_kinds._Polars(values).expr(node).alias("out"))["out"].to_list()
        ordered = [tuple(dict(zip("abd", row, strict=True))[k] for k in args) for row in rows]
        assert got == [per(*v[:lead]) if per(*v[:lead]) is not None else answer("fn", *v) for v in ordered]


# Forms over present and absent fields, to check constant folding: an absent top-level field is a literal false
# to the engine, an absent member a literal null, and expressions over them are folded as they are built.
_LEAF = st.sampled_from([("", "start"), ("", "end"), ("populations", "looked_after"), ("populations", "absent")])


def _forms() -> st.SearchStrategy:
    from gradecheck.kinds import forms as f

    numbers = st.recursive(
        st.builds(f.Field, *(st.just(x) for x in ("populations", "looked_after")))
        | st.builds(lambda: f.Field("populations", "absent")) | st.builds(f.Const, st.integers(-2, 2)),
        lambda inner: st.builds(f.Arith, st.sampled_from("+-*"), inner, inner), max_leaves=4)
    tests = st.recursive(
        st.builds(f.Cmp, st.sampled_from(["<", "<=", "==", "!=", ">", ">="]), numbers, numbers)
        | st.builds(lambda leaf: f.IsNull(f.Field(*leaf)), _LEAF),
        lambda inner: (st.builds(f.And, st.lists(inner, max_size=3)) | st.builds(f.Or, st.lists(inner, max_size=3))
                       | st.builds(f.Not, inner)), max_leaves=6)
    return st.builds(lambda branches, otherwise: f.Decide(tuple(branches), otherwise),
                     st.lists(st.tuples(tests, st.sampled_from([1, 0, -1])), max_size=3), st.sampled_from([1, 0, -1]))


def _first_holds() -> object:
    """A first branch that holds for every row (an absent end is null), before one that reads a column."""
    from gradecheck.kinds import forms as f

    return f.Decide(((f.And((f.IsNull(f.Field("", "end")),)), 1),
                     (f.Cmp("<", f.Const(0), f.Field("populations", "looked_after")), -1)), 0)


def _branches_agree() -> object:
    """A comparison with an absent member, whose one branch gives what the form gives otherwise."""
    from gradecheck.kinds import forms as f

    return f.Decide(((f.And((f.Cmp("<", f.Const(0), f.Field("populations", "absent")),)), 1),), 1)


_FIRST_HOLDS, _BRANCHES_AGREE = _first_holds(), _branches_agree()


@given(_forms(), st.lists(st.tuples(st.none() | st.integers(-3, 3), st.none() | st.dates()), min_size=1, max_size=6))
@example(_FIRST_HOLDS, [(None, None), (1, None)])
@example(_BRANCHES_AGREE, [(None, None), (None, None)])
@settings(max_examples=150, deadline=None)
def test_constants_folded_as_forms_are_compiled_give_the_same_verdicts(form, rows) -> None:
    """
    What the engine folds (a literal false or null from an absent field, and what is built on it) gives each row
    the verdict of the same expression unfolded: the same form compiled where the absent values are columns of
    false or null, one value a row, which it never folds. (Literals would not do: polars gives a horizontal
    all of literals one row, which a when beside the frame's columns refuses.)
    """
    framework = gradecheck.default_ruleset().frameworks["ilacs"]
    frame = pl.DataFrame({"n": [r[0] for r in rows], "d": [r[1] for r in rows]},
                         schema={"n": pl.Int64, "d": pl.Date})

    class Unfolded(_columnar_kinds.Values):
        def top(self, key):
            found = super().top(key)
            return pl.repeat(False, pl.len(), dtype=pl.Boolean) if found is _columnar_kinds._FALSE else found

        def member(self, group, key):
            found = super().member(group, key)
            return pl.repeat(None, pl.len(), dtype=pl.Int64) if found is _columnar_kinds._NULL else found

    args = (framework, {}, {"start": pl.col("d")}, {"populations": {"looked_after": pl.col("n")}})
    # The folded verdict as the engine adds it (with_columns: a verdict folded to a literal is every row's). The
    # reference by select, a value that polars itself folds to one row standing for every row (it simplifies a
    # when whose branches agree, and with_columns then refuses that one row).
    folded = frame.with_columns(_columnar_kinds._Polars(_columnar_kinds.Values(*args)).decide(form).alias("v"))["v"]
    unfolded = frame.select(_columnar_kinds._Polars(Unfolded(*args)).decide(form).alias("v"))["v"].to_list()
    if len(unfolded) == 1:
        unfolded *= frame.height
    assert folded.to_list() == unfolded
