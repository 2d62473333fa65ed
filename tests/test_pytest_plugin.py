"""The pytest plugin through pytest's own pytester: ``pytest --gradecheck DATA`` behaves like any pytest plugin."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gradecheck.engine
import gradecheck.report.baseline
import gradecheck.report.render
from gradecheck import load_ruleset

pytest_plugins = ["pytester"]
# pytester drops the modules a run imports when it ends: the plugin's lazy imports are made here once instead.
assert all((gradecheck.engine, gradecheck.report.baseline, gradecheck.report.render))

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RULES = [r.code for r in load_ruleset().rules]
#: fixtures/broken/overall.jsonl: J101 is an error rule; the others fire with severity warning.
OVERALL_WARNINGS = ["J102", "J103", "J104", "J106", "J107"]
SLAC_BAD = {"id": "s", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 18}}


@pytest.fixture
def data(pytester: pytest.Pytester) -> Path:
    """data/liverpool.jsonl (consistent), data/overall.jsonl (an error and five warning rules), data/broken.jsonl."""
    folder = pytester.mkdir("data")
    shutil.copy(FIXTURES / "liverpool.jsonl", folder)
    shutil.copy(FIXTURES / "broken" / "overall.jsonl", folder)
    (folder / "broken.jsonl").write_text(json.dumps(SLAC_BAD) + "\nnot json\n")
    return folder


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in this process (fast); its garbage-collection sweep for unraisable exceptions is what costs most."""
    return pytester.runpytest_inprocess("-p", "no:unraisableexception", *args)


def _ids(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line]


def test_each_file_is_collected_with_an_item_per_rule(pytester, data):
    """--collect-only lists data/x.jsonl::readable and data/x.jsonl::CODE for every rule, per file."""
    result = _run(pytester, "--gradecheck", "data", "--collect-only", "-q")
    assert result.ret == 0
    names = ["broken.jsonl", "liverpool.jsonl", "overall.jsonl"]
    assert _ids(result) == [f"data/{n}::{code}" for n in names for code in ["readable", *RULES]]


def test_items_pass_fail_and_report_to_junit(pytester, data):
    """An error finding and an unreadable record fail their items; everything else passes; JUnit has every item."""
    result = _run(pytester, "--gradecheck", "data/liverpool.jsonl", "--gradecheck", "data/broken.jsonl",
                                          "--junitxml", "out.xml", "-rf")
    result.assert_outcomes(passed=2 * (len(RULES) + 1) - 2, failed=2)
    result.stdout.fnmatch_lines([
        "*_ readable: every record of broken.jsonl can be read _*",
        "1 unreadable record: invalid JSON: * (data/broken.jsonl:2)",
        "*_ C101 ?error?: Grade counts add up *",
        "1 error finding: outstanding 5 + good 18 = 23, expected 22, * (s)",
        "data/broken.jsonl:1: C101 ?error? s: outstanding 5 + good 18 = 23, expected 22, *",
        "FAILED data/broken.jsonl::readable - 1 unreadable record: *",
        "FAILED data/broken.jsonl::C101 - 1 error finding: outstanding 5*",
    ])
    xml = (pytester.path / "out.xml").read_text()
    assert xml.count("<testcase") == 2 * (len(RULES) + 1)
    assert 'name="C101"' in xml


def test_node_ids_rerun_and_select(pytester, data):
    """A node id from the report runs that item alone; -k selects by rule code or file; --lf reruns the failures."""
    one = _run(pytester, "--gradecheck", "data", "data/broken.jsonl::C101", "-v")
    one.assert_outcomes(failed=1)
    one.stdout.fnmatch_lines(["data/broken.jsonl::C101 FAILED*"])
    picked = _run(pytester, "--gradecheck", "data", "-k", "C101", "--collect-only", "-q")
    assert _ids(picked) == [f"data/{n}::C101" for n in ("broken.jsonl", "liverpool.jsonl", "overall.jsonl")]
    marked = _run(pytester, "--gradecheck", "data", "-k", "broken.jsonl and not readable", "-m",
                                          "gradecheck", "-q")
    marked.assert_outcomes(passed=len(RULES) - 1, failed=1)
    again = _run(pytester, "--gradecheck", "data", "--lf", "-q")
    again.assert_outcomes(failed=1)


def test_warnings_pass_unless_asked(pytester, data):
    """Warning findings leave their items passing and are listed; --gradecheck-fail-on warning fails them."""
    result = _run(pytester, "--gradecheck", "data/overall.jsonl", "-rA")
    result.assert_outcomes(passed=len(RULES), failed=1)
    listed = [f"data/overall.jsonl::{c}: 1 warning finding" for c in OVERALL_WARNINGS]
    result.stdout.fnmatch_lines(["*= gradecheck =*", *listed, "Warnings pass; --gradecheck-fail-on warning make*"])
    result.stdout.fnmatch_lines(["*Captured gradecheck warnings call*", "data/overall.jsonl:*: J102 ?warning? *"])
    strict = _run(pytester, "--gradecheck", "data/overall.jsonl", "--gradecheck-fail-on", "warning",
                                          "-rf")
    strict.assert_outcomes(passed=len(RULES) - 5, failed=6)
    strict.stdout.fnmatch_lines([f"FAILED data/overall.jsonl::{c} - 1 warning finding: *" for c in OVERALL_WARNINGS])


def test_select_and_ignore_choose_the_items(pytester, data):
    result = _run(pytester, "--gradecheck", "data/broken.jsonl", "--gradecheck-select", "C,J101",
                                          "--gradecheck-ignore", "C103", "--collect-only", "-q")
    codes = ["readable", *(c for c in RULES if (c.startswith("C") or c == "J101") and c != "C103")]
    assert _ids(result) == [f"data/broken.jsonl::{c}" for c in codes]


@pytest.mark.parametrize(("args", "line"), [
    (["nosuch.jsonl"], "--gradecheck: nosuch.jsonl: no such file or directory"),
    (["-"], "--gradecheck: standard input (-) cannot be collected*"),
    (["data/broken.jsonl::C101"], "--gradecheck: data/broken.jsonl::C101: give the data to --gradecheck and the node "
                                  "id as an argument: pytest --gradecheck data/broken.jsonl data/broken.jsonl::C101"),
    (["data", "--gradecheck-rules", "bad.toml"], "--gradecheck-rules: bad.toml: file: not valid TOML*"),
    (["data", "--gradecheck-rules", "kind.toml"], "--gradecheck-rules: 6 problems in rule files:"),
    (["data", "--gradecheck-select", "Q9"], "--gradecheck-select: no rule code starts with Q9*"),
    (["data", "--gradecheck-waivers", "bad.toml"], "--gradecheck-waivers: bad.toml: not valid TOML*"),
    (["data", "--gradecheck-baseline", "bad.toml"], "--gradecheck-baseline: bad.toml: not a JSON report*"),
    (["data", "--gradecheck-update-baseline"], "--gradecheck-update-baseline: needs --gradecheck-baseline FILE"),
])
def test_bad_options_are_usage_errors(pytester, data, args, line):
    """pytest's usage-error exit code (4) and one line naming the option and the problem, never a traceback."""
    (pytester.path / "bad.toml").write_text("not toml [\n")
    (pytester.path / "kind.toml").write_text('[[rule]]\ncode = "Z101"\nkind = "total"\n')
    result = _run(pytester, "--gradecheck", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {line}"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_waivers_accept_findings_and_stale_ones_are_a_warning(pytester, data):
    """A waived finding does not fail; a waiver matching nothing is FILE::waivers, failing only on warnings."""
    (pytester.path / "waivers.toml").write_text(
        '[[waiver]]\nrule = "C101"\nrecord = "s"\nreason = "known"\n\n'
        '[[waiver]]\nrule = "C102"\nrecord = "nobody"\nreason = "gone"\n')
    args = ["--gradecheck", "data/broken.jsonl", "--gradecheck-waivers", "waivers.toml", "-rf"]
    result = _run(pytester, *args)
    result.assert_outcomes(passed=len(RULES) + 1, failed=1)  # readable still fails: a waiver is for findings
    result.stdout.fnmatch_lines(["waivers.toml::waivers: 1 warning*"])
    strict = _run(pytester, *args, "--gradecheck-fail-on", "warning")
    strict.assert_outcomes(passed=len(RULES), failed=2)
    strict.stdout.fnmatch_lines(["FAILED waivers.toml::waivers - 1 stale waiver: matches no finding*"])


def test_a_baseline_is_recorded_then_only_new_findings_fail(pytester, data):
    """As on the command line: a missing baseline is recorded and passes; later only new findings fail until updated."""
    args = ["--gradecheck", "data/broken.jsonl", "--gradecheck-baseline", "known.json", "-k", "not readable"]
    first = _run(pytester, *args)
    first.assert_outcomes(passed=len(RULES))
    first.stdout.fnmatch_lines(["gradecheck: recorded 1 finding in the baseline known.json*"])
    assert json.loads((pytester.path / "known.json").read_text())["findings"][0]["rule"] == "C101"
    new = {"id": "t", "framework": "slac", "grade_counts": {"outstanding": 1}}
    (data / "broken.jsonl").write_text(f"{json.dumps(SLAC_BAD)}\n{json.dumps(new)}\n")
    second = _run(pytester, *args, "-rf")
    second.assert_outcomes(passed=len(RULES) - 1, failed=1)
    second.stdout.fnmatch_lines(["1 error finding: outstanding 1, expected 22, * (t)", "*1 known from the baseline*",
                                 "FAILED data/broken.jsonl::C101 - *"])
    update = _run(pytester, *args, "--gradecheck-update-baseline")
    update.assert_outcomes(passed=len(RULES))
    update.stdout.fnmatch_lines(["gradecheck: recorded 2 findings in the baseline known.json*"])


def test_other_tests_run_beside_and_data_is_collected_only_when_asked(pytester, data):
    """Positional paths outside the data keep their tests; without --gradecheck no data file becomes an item."""
    pytester.makepyfile(test_mine="def test_ok(gradecheck_ruleset):\n    assert gradecheck_ruleset.rule('C101')\n")
    both = _run(pytester, "test_mine.py", "--gradecheck", "data/liverpool.jsonl")
    both.assert_outcomes(passed=len(RULES) + 2)
    plain = _run(pytester)
    plain.assert_outcomes(passed=1)


def test_the_plugin_imports_nothing_of_gradecheck_at_load():
    """Every pytest run loads the plugin wherever gradecheck is installed: it must not pay for the engine."""
    code = "import sys, gradecheck.pytest_plugin; print(sorted(m for m in sys.modules if m.startswith('gradecheck')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['gradecheck', 'gradecheck.pytest_plugin', 'gradecheck.version']"



def test_a_users_authority_register(pytester):
    """--gradecheck-authorities as --authorities: an authority the register lacks is known for the session."""
    import gradecheck.authorities

    (pytester.path / "anytown.jsonl").write_text(json.dumps(
        {"id": "a", "framework": "focused-visit", "start": "2020-01-01", "authority": "Anytown"}) + "\n")
    (pytester.path / "extra.toml").write_text('[[authority]]\nid = "anytown"\nname = "Anytown"\n')
    args = ["--gradecheck", "anytown.jsonl", "--gradecheck-fail-on", "warning", "-k", "A102"]
    try:
        _run(pytester, *args).assert_outcomes(failed=1)
        _run(pytester, *args, "--gradecheck-authorities", "extra.toml").assert_outcomes(passed=1)
    finally:
        gradecheck.authorities.use_register(None)
