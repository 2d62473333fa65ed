"""Nothing hidden: every check of a rule on a record in its scope ends pass, fail, unknown or error, on every engine."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradecheck
from gradecheck import check, check_paths, load_ruleset, write_csv, write_jsonl
from gradecheck.strategies import records

RULESET = load_ruleset()
JUDGEMENT_RULES = [r for r in RULESET.rules if r.kind in ("overall", "implies")]
POLARS = importlib.util.find_spec("polars") is not None
if POLARS:
    from gradecheck.engine.columnar import check_csv as columnar_check_csv
# Each example writes two files and checks them three ways (polars included): a fifth of the profile's examples.
FILES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                 max_examples=max(10, settings.default.max_examples // 5))


@st.composite
def damaged(draw: st.DrawFn) -> dict:
    """A consistent SIF or ILACS record with some judgements dropped, blanked or spelt as no scale spells a grade."""
    record = copy.deepcopy(draw(records(draw(st.sampled_from(["sif", "ilacs"])))))
    judgements = record.get("judgements") or {}
    for name in list(judgements):
        action = draw(st.sampled_from(["keep", "keep", "drop", "blank", "misspell"]))
        if action == "drop":
            del judgements[name]
        elif action == "blank":
            judgements[name] = ""
        elif action == "misspell":
            judgements[name] = "to requires improvement"
    record.pop("grade_counts", None)  # counts would have to follow the judgements; the agree rules are not at issue
    return record


def _in_scope(rule: gradecheck.Rule, record: dict) -> bool:
    """
    Whether a built-in judgement rule checks a record, from the README's words, not the engine's code: a record
    of a framework it covers that gives some judgement, under a version (any version, undated) with an overall grade.
    """
    framework = RULESET.frameworks[record["framework"]]
    if not rule.covers(framework.id) or not any(v for v in (record.get("judgements") or {}).values()):
        return False
    day = next((dt.date.fromisoformat(record[k]) for k in ("start", "end", "published") if record.get(k)), None)
    versions = [framework.version_at(day)] if day is not None else framework.versions
    return any(v.overall for v in versions)


def _counts(report: gradecheck.Report) -> dict[str, tuple[int, ...]]:
    return {code: (s.passed, s.failed, s.unknown, s.errors, s.findings) for code, s in report.stats.items()}


@FILES
@given(st.lists(damaged(), min_size=1, max_size=6))
def test_every_check_in_scope_ends_with_an_outcome_on_every_engine(tmp_path, batch):
    """pass + fail + unknown + error = the records in scope, for each judgement rule; the engines count alike."""
    for i, record in enumerate(batch):
        record["id"] = f"r{i}"
    row = check(batch, RULESET)
    (tmp_path / "data.jsonl").write_text(write_jsonl(batch))
    (tmp_path / "data.csv").write_text(write_csv(batch))
    fast = check_paths([str(tmp_path / "data.jsonl")], RULESET, workers=1)
    engines = {"row": row, "fast path": fast}
    if POLARS:
        from gradecheck.engine import columnar

        took = []
        with mock.patch.object(columnar, "check_csv", side_effect=lambda *a, **k: took.append(
                columnar_check_csv(*a, **k)) or took[-1]):
            engines["columnar"] = check_paths([str(tmp_path / "data.csv")], RULESET, workers=1, engine="columnar")
        assert took == [True]  # the columnar engine took the file: the comparison is not the row engine's twice
    for name, report in engines.items():
        assert _counts(report) == _counts(row), name
        assert [(f.rule, f.record, f.message) for f in report.findings] == [
            (f.rule, f.record, f.message) for f in row.findings], name
        assert sorted((u.rule, u.record, u.reason) for u in report.undecided) == sorted(
            (u.rule, u.record, u.reason) for u in row.undecided), name
    for rule in JUDGEMENT_RULES:
        s = row.stats[rule.code]
        assert s.passed + s.failed + s.unknown + s.errors == sum(_in_scope(rule, r) for r in batch), rule.code


def _ilacs(**judgements: str) -> dict:
    return {"id": "x", "framework": "ilacs", "start": "2019-01-07", "judgements": judgements}


@pytest.mark.parametrize(("record", "expected"), [
    (_ilacs(impact_of_leaders="good", help_and_protection="to requires improvement",
            children_in_care="good"), "overall_effectiveness not given"),
    (_ilacs(overall_effectiveness="good", impact_of_leaders="goood"), "impact_of_leaders 'goood': not a grade"),
])
def test_a_graded_record_missing_or_misspelling_a_judgement_is_unknown_with_the_reason(record, expected):
    """The real files' records with an S101 finding: J101 says why it cannot decide, rather than being absent."""
    report = check([record], RULESET.select(["J101"]))
    assert report.stats["J101"].unknown == 1
    assert [u.reason[:len(expected)] for u in report.undecided] == [expected]


@pytest.mark.parametrize("record", [
    _ilacs(),  # no judgement at all: nothing a judgement rule could read
    {"id": "x", "framework": "ilacs", "start": "2026-05-01", "judgements": {"impact_of_leaders": "good"}},
])
def test_no_judgements_or_no_overall_in_the_version_is_out_of_scope(record):
    """Out of scope is not an outcome: the rule counts nothing for the record."""
    report = check([record], RULESET.select(["J101", "J102", "J107"]))
    assert all(s == gradecheck.RuleStats() for s in report.stats.values())


# --- causes, counts and listings -----------------------------------------------------------------------------

@st.composite
def blurred(draw: st.DrawFn) -> dict:
    """A consistent record with some counts suppressed ("c"), rounded, or not numbers, and judgements damaged."""
    record = copy.deepcopy(draw(st.one_of(records(), damaged())))
    for group in ("grade_counts", "populations"):
        values = record.get(group) or {}
        for name in list(values):
            action = draw(st.sampled_from(["keep", "keep", "keep", "suppress", "round", "text"]))
            if action == "suppress":
                values[name] = "c"
            elif action == "round" and isinstance(values[name], int):
                values[name] = {"value": values[name], "rounded_to": 10}
            elif action == "text":
                values[name] = "n/a"
    return record


def _reasons(report: gradecheck.Report) -> dict:
    return {code: dict(s.reasons) for code, s in report.stats.items()}


@FILES
@given(st.lists(blurred(), min_size=1, max_size=6))
def test_causes_add_up_and_agree_on_every_engine(tmp_path, batch):
    """Each rule's unknown checks by cause add up to its unknown count, and the outcomes by cause to the summary's."""
    for i, record in enumerate(batch):
        record["id"] = f"r{i}"
    (tmp_path / "data.jsonl").write_text(write_jsonl(batch))
    (tmp_path / "data.csv").write_text(write_csv(batch))
    row = check_paths([str(tmp_path / "data.jsonl")], RULESET, workers=1)
    for code, s in row.stats.items():
        assert sum(n for n, _ in s.reasons.values()) == s.unknown, code
    assert sum(row.unknown_causes.values()) == row.unknown
    assert {u.cause for u in row.undecided} <= set(row.unknown_causes)
    slow = check(batch, RULESET)
    assert _reasons(slow) == _reasons(row)
    assert slow.unknown_causes == row.unknown_causes
    if POLARS:
        col = check_paths([str(tmp_path / "data.csv")], RULESET, workers=1, engine="columnar")
        row_csv = check_paths([str(tmp_path / "data.csv")], RULESET, workers=1)
        assert _reasons(col) == _reasons(row_csv)
        assert col.unknown_causes == row_csv.unknown_causes


SUPPRESSED_COUNT = {"id": "rec-quiet", "framework": "slac", "grade_counts": {"outstanding": 5, "good": "c"}}
NO_OVERALL = {"id": "rec-loud", "framework": "ilacs", "start": "2019-01-07",
              "judgements": {"impact_of_leaders": "good", "help_and_protection": "good", "children_in_care": "good"}}


@pytest.fixture(name="two")
def _two(tmp_path) -> list[str]:
    """Two files: one unknown check on a suppressed count, one on a judgement not given (and a finding)."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(write_jsonl([SUPPRESSED_COUNT]))
    second.write_text(write_jsonl([NO_OVERALL, {"id": "bad", "framework": "slac",
                                                "grade_counts": {"outstanding": 5, "good": 18}}]))
    return [str(first), str(second)]


def test_the_summary_counts_suppressed_unknowns_apart(two):
    report = check_paths(two, RULESET)
    assert report.unknown_causes == {"not_given": 3, "suppressed": 1}  # J101, J106 and J107; C101
    line = gradecheck.render(report, "text").splitlines()[-1]
    assert "4 unknown (1 on suppressed values)" in line


@pytest.mark.parametrize("fmt", sorted(gradecheck.FORMATS))
def test_show_unknown_lists_all_but_suppressed_in_every_format(two, fmt):
    """No unknown check is listed without the flag (JSON aside); the flag lists all but the suppressed ones."""
    report = check_paths(two, RULESET)
    plain = gradecheck.render(report, fmt, ruleset=RULESET)
    shown = gradecheck.render(report, fmt, ruleset=RULESET, show_unknown=True)
    everything = gradecheck.render(report, fmt, ruleset=RULESET, show_suppressed=True)
    if fmt == "json":  # JSON lists every unknown check always, with its cause, as it always has
        assert "rec-loud" in plain
        assert "rec-quiet" in plain
        assert plain == shown == everything
        return
    assert "rec-loud" not in plain
    assert "rec-quiet" not in plain
    assert "rec-loud" in shown
    assert "rec-quiet" not in shown
    assert "rec-loud" in everything
    assert "rec-quiet" in everything


def test_statistics_count_unknown_checks_per_rule_by_cause(two):
    report = check_paths(two, RULESET)
    assert report.stats["C101"].reasons == {"suppressed": (1, report.stats["C101"].reasons["suppressed"][1])}
    assert report.stats["J101"].reasons == {"not_given": (1, report.stats["J101"].reasons["not_given"][1])}
    text = gradecheck.render(report, "text", statistics=True, width=80)
    assert "Unknown checks per rule, by cause" in text
    assert any(line.startswith("J101") and "a value not given" in line for line in text.splitlines())
    block = text[text.index("Unknown checks per rule"):].splitlines()[:-1]  # the summary line is not wrapped
    assert all(len(line) <= 80 for line in block)
    stats = json.loads(gradecheck.render(report, "json", statistics=True))["statistics"]
    assert stats["C101"]["unknown_reasons"]["suppressed"]["checks"] == 1


def test_per_file_counts_add_up_to_the_run(two, tmp_path):
    """--per-file: each input file's share; the shares add up to the summary."""
    (tmp_path / "c.jsonl").write_text('{"id": "x", "framework": "nonesuch"}\nnot json\n')
    report = check_paths([*two, str(tmp_path / "c.jsonl")], RULESET)
    assert [f.path for f in report.per_file] == list(report.inputs)
    totals = {name: sum(getattr(f, name) for f in report.per_file)
              for name in ("records", "checked", "unreadable", "errors", "warnings", "unknown", "suppressed")}
    assert totals == {"records": report.records, "checked": report.checked, "unreadable": len(report.unreadable),
                      "errors": report.count("error"), "warnings": report.count("warning"),
                      "unknown": report.unknown, "suppressed": report.unknown_causes["suppressed"]}
    assert [(f.records, f.unknown, f.suppressed, f.errors) for f in report.per_file] == [
        (1, 1, 1, 0), (2, 3, 0, 1), (2, 0, 0, 0)]
    text = gradecheck.render(report, "text", per_file=True)
    assert f"Per file\n{two[0]}:\n    1 read, 1 checked, 0 unreadable, 0 errors" in text
    assert f"{two[1]}:\n    2 read, 2 checked, 0 unreadable, 1 error," in text
    files = json.loads(gradecheck.render(report, "json", per_file=True))["per_file"]
    assert [f["path"] for f in files] == [*two, str(tmp_path / "c.jsonl")]


def test_command_line_flags(two, capsys):
    """--show-unknown, --show-suppressed and --per-file reach the report."""
    from gradecheck.cli import main

    main([*two, "--format", "text", "--show-unknown", "--per-file"])
    out = capsys.readouterr().out
    assert "J101 [unknown] rec-loud: overall_effectiveness not given" in out
    assert "[unknown] rec-quiet" not in out
    assert "Unknown checks not listed: 1 on suppressed values (--show-suppressed lists them)." in out
    assert "Per file" in out
    main([*two, "--format", "text", "--show-suppressed"])
    assert "C101 [unknown] rec-quiet" in capsys.readouterr().out


def test_every_cause_is_documented():
    """docs/errors.md names every cause and the words reports use for it."""
    from pathlib import Path

    from gradecheck.kinds.causes import CAUSES

    doc = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text()
    for cause, words in CAUSES.items():
        assert f"| `{cause}` | {words} |" in doc, cause


def test_quiet_lists_unknown_checks_but_no_note(two):
    """--quiet with --show-unknown: the listed checks, no note of those left out, no summary."""
    report = check_paths(two, RULESET)
    out = gradecheck.render(report, "text", show_unknown=True, quiet=True)
    assert "[unknown] rec-loud" in out
    assert "not listed" not in out
    assert "records read" not in out
