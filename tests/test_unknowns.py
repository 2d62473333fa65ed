"""Nothing hidden: every check of a rule on a record in its scope ends pass, fail, unknown or error, on every engine."""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradecheck
from gradecheck import check, check_paths, load_ruleset, write_csv, write_jsonl
from gradecheck.strategies import records

RULESET = load_ruleset()
JUDGEMENT_RULES = [r for r in RULESET.rules if r.kind in ("overall", "implies")]
POLARS = importlib.util.find_spec("polars") is not None
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
        engines["columnar"] = check_paths([str(tmp_path / "data.csv")], RULESET, workers=1, engine="columnar")
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
