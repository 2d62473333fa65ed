"""
The row engine folds the records the fast path read into the dataset rules' summaries a batch of a framework at a
time (gradecheck/engine/batches.py): the report is the one folding them a record at a time gives, to the byte.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradecheck
from gradecheck import check_paths, load_ruleset, write_jsonl
from gradecheck.authorities import load_register, use_register
from gradecheck.engine import run as run_module
from gradecheck.engine.views import ReadView
from gradecheck.kinds.visits_follow import VisitsSummary
from gradecheck.strategies import datasets, violating

ROOT = Path(__file__).resolve().parent.parent
RULESET = load_ruleset()
RECORD_CODES = [r.code for r in RULESET.rules if not r.dataset]
FILES = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
                 max_examples=max(10, settings.default.max_examples // 5))


def _report(path: Path, monkeypatch: pytest.MonkeyPatch, batch: int | None) -> str:
    """The report of one process, records folded *batch* at a time (None: a record at a time, as a view)."""
    with monkeypatch.context() as m:
        if batch is None:
            m.setattr(run_module, "fields_read", lambda rules: None)
        else:
            m.setattr(run_module, "BATCH", batch)
        return gradecheck.render(check_paths([str(path)], RULESET, workers=1), "json", statistics=True)


def _held(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Spy on the batches folded: how many records each held."""
    sizes: list[int] = []
    original = run_module.fold_pending

    def spy(path, framework, pending, *args):
        sizes.append(len(pending))
        return original(path, framework, pending, *args)

    monkeypatch.setattr(run_module, "fold_pending", spy)
    return sizes


@FILES
@given(datasets(), st.data())
def test_generated_histories_fold_alike_in_batches(tmp_path_factory, monkeypatch, batch, data):
    """
    Authorities' histories plus mutants of the dataset rules and of some record rules, in any order: folded two or
    three records of a framework at a time, or as many as a batch holds, the report is the one a record at a time
    gives.
    """
    for code in data.draw(st.lists(st.sampled_from(["X101", "V102"]), min_size=1, max_size=3)):
        batch = batch + data.draw(violating(code))
    for code in data.draw(st.permutations(RECORD_CODES))[:3]:
        batch = batch + data.draw(violating(code))
    batch = data.draw(st.permutations(batch))
    path = tmp_path_factory.mktemp("gen") / "data.jsonl"
    path.write_text(write_jsonl(batch), encoding="utf-8")
    one_at_a_time = _report(path, monkeypatch, None)
    for size in (2, 3, run_module.BATCH):
        assert _report(path, monkeypatch, size) == one_at_a_time


def test_the_benchmark_records_fold_alike_in_batches(tmp_path, monkeypatch):
    """
    3,000 of the benchmark's records (histories with monitoring and focused visits, about 1% faults, repeated ids):
    held and folded in batches, full ones and the last, the report is the one a record at a time gives.
    """
    bench, bench_run = _module("generate"), _module("run")
    path = tmp_path / "bench.jsonl"
    path.write_text(write_jsonl(record for record, _ in bench.ilacs_records(3000, 2026)), encoding="utf-8")
    # The authorities the generator makes up, as the benchmark registers them: records of an authority the register
    # does not know are A102 warnings, which the fast path leaves to the ordinary one, a record at a time.
    use_register(load_register([bench_run.made_up_authorities(tmp_path / "bench")[1]]))
    try:
        one_at_a_time = _report(path, monkeypatch, None)
        sizes = _held(monkeypatch)
        assert _report(path, monkeypatch, 64) == one_at_a_time
    finally:
        use_register(None)
    assert sizes.count(64) >= 3000 * 0.9 // 64  # nearly every record held in a full batch; the rest at the end
    assert any(0 < size < 64 for size in sizes)
    assert sum(sizes) <= 3000


def _module(name: str):
    """One of benchmarks/'s scripts, as a module."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_summary_without_add_rows_still_takes_a_view_a_record(tmp_path):
    """A dataset kind that folds only views (no add_rows) gets each record, beside the summaries fed in batches."""
    seen: list[str] = []

    class Views:
        def add(self, view):
            seen.append(view.get("id"))

        def merge(self, later):
            pass

        def outcomes(self):
            return len(seen), []

    class Kind:
        dataset = True

        def summary(self):
            return Views()

    rule = gradecheck.Rule(code="Z990", title="views", kind="range", severity="error", frameworks=("*",),
                           start=None, end=None, source="test", why="", example="", check=Kind(), path="test")
    rules = gradecheck.RuleSet(rules=(rule, RULESET.rule("X101")), frameworks=RULESET.frameworks)
    records = [{"id": f"r{i % 5}", "framework": "slac"} for i in range(7)]
    path = tmp_path / "data.jsonl"
    path.write_text(write_jsonl(records), encoding="utf-8")
    report = check_paths([str(path)], rules, workers=1)
    assert seen == [r["id"] for r in records]
    assert sorted(f.record for f in report.findings if f.rule == "X101") == ["r0", "r1"]


_WHO = st.sampled_from([("Leeds", "E08000035"), ("Bexley", "E09000004"), ("Kent", None)])
_GRADE = st.sampled_from(["outstanding", "good", "requires_improvement", "inadequate"])


@given(st.lists(st.tuples(_WHO, st.sampled_from(["ilacs", "monitoring-visit"]),
                          st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2026, 12, 31)), _GRADE),
                min_size=1, max_size=16), st.randoms(use_true_random=False))
def test_visit_histories_judge_alike_whatever_order_rows_came_in(rows, rng: random.Random):
    """
    One file's rows folded out of line order (a batch of a framework at a time, or a columnar engine's shares)
    are judged as rows folded in order: each history walked by day and line, histories met as the file meets them.
    """
    ruleset = load_ruleset()
    rule = next(r for r in ruleset.rules if r.check.kind == "visits_follow")
    views = []
    for line, ((name, code), framework_id, day, grade) in enumerate(rows, start=2):
        framework = ruleset.frameworks[framework_id]
        top = {"id": f"r{line}", "authority": name, "start": day, **({"authority_code": code} if code else {})}
        groups = {"judgements": {"overall_effectiveness": grade}} if framework_id == "ilacs" else {}
        views.append((ReadView("data.jsonl", line, framework, framework.version_at(day), day, top, groups), top,
                      groups))
    in_order, shuffled = VisitsSummary(rule.check), VisitsSummary(rule.check)
    for view, *_ in views:
        in_order.add(view)
    order = list(range(len(views)))
    rng.shuffle(order)
    for i in order:  # fresh views: a view keeps its place in the first summary's table
        view, top, groups = views[i]
        shuffled.add(ReadView(view.path, view.line, view.framework, view.version, view.day, top, groups))
    assert shuffled.outcomes() == in_order.outcomes()
