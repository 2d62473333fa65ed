"""Baselines, waivers, finding identity and ``diff``: only new findings fail a run, and stale waivers are reported."""

from __future__ import annotations

import datetime as dt
import io
import json

import attrs
import pytest

from gradecheck import Origin, check, load_ruleset, record_from_mapping, render, report_to_dict
from gradecheck.cli import main
from gradecheck.errors import GradecheckError
from gradecheck.report import Waiver
from gradecheck.report.baseline import Baseline, diff_reports, load_waivers, read_baseline, triage

C101_23 = "outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items in slac"
GOOD = {"id": "good", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17}}
BAD_23 = {"id": "bad", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}
BAD_21 = {"id": "worse", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 16}}


def _write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _run(*argv):
    out = io.StringIO()
    code = main([str(a) for a in argv], out)
    return code, out.getvalue()


def _report(ruleset, *records):
    return check([record_from_mapping(r, Origin("d.jsonl", i)) for i, r in enumerate(records, start=1)], ruleset)


# --- identity and rule-set version ---------------------------------------------------------------

def test_identity_is_rule_and_record(ruleset):
    finding = _report(ruleset, BAD_23).findings[0]
    assert finding.identity == ("C101", "bad")
    moved = attrs.evolve(finding, source=Origin("elsewhere.jsonl", 40), message="changed")
    assert moved.identity == finding.identity


def test_ruleset_version_is_in_the_json_summary_and_follows_the_rule_files(ruleset, tmp_path):
    report = _report(ruleset, BAD_23)
    version = report_to_dict(report)["summary"]["ruleset"]
    assert version == ruleset.version == load_ruleset().version  # the same files give the same version
    assert version.startswith("0.")
    assert len(version.split("+")[1]) == 12
    extra = tmp_path / "mine.toml"
    extra.write_text('[[rule]]\ncode = "C101"\ntitle = "t"\nkind = "range"\nseverity = "error"\nframeworks = ["slac"]\n'
                     'fields = ["populations.*"]\nmin = 0\nsource = "s"\n', encoding="utf-8")
    assert load_ruleset([extra]).version != version
    # What the files say counts, not how they are laid out: the same rules with a comment added, same version.
    from gradecheck import builtin_rules_dir

    copy = tmp_path / "copy"
    copy.mkdir()
    for path in builtin_rules_dir().glob("*.toml"):
        (copy / path.name).write_text("# a comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_ruleset([copy], builtin=False).version == version


# --- baseline -----------------------------------------------------------------------------------

def test_baseline_known_findings_do_not_count(ruleset):
    report = _report(ruleset, GOOD, BAD_23, BAD_21)
    known = Baseline("b.json", report.ruleset, (("C101", "bad", C101_23),))
    out = triage(report, baseline=known)
    assert [f.record for f in out.findings] == ["worse"]
    assert [f.record for f in out.triage.baselined] == ["bad"]
    assert out.triage.fixed == ()
    assert out.failing("error")
    assert not triage(_report(ruleset, BAD_23), baseline=known).failing("error")


def test_baseline_is_a_multiset_and_reports_fixed(ruleset):
    report = _report(ruleset, BAD_23, BAD_23)  # the same id twice: two C101 findings, and X101
    assert [f.identity for f in report.findings].count(("C101", "bad")) == 2
    known = Baseline("b.json", "", (("C101", "bad", C101_23), ("C101", "gone", "m"), ("X101", "bad", "x")))
    out = triage(report, baseline=known)
    assert [f.identity for f in out.findings] == [("C101", "bad")]  # one of the two is new
    assert out.triage.fixed == (("C101", "gone"),)


def test_baseline_pairs_same_message_first(ruleset):
    report = _report(ruleset, BAD_23, {**BAD_21, "id": "bad"})  # two C101 findings for "bad", messages differ
    message_21 = next(f.message for f in report.findings if "16" in f.message)
    out = triage(report, baseline=Baseline("b.json", "", (("C101", "bad", message_21),)))
    assert [f.message for f in out.findings if f.rule == "C101"] == [C101_23]


def test_cli_baseline_records_then_fails_only_on_new(tmp_path, capsys):
    data = _write(tmp_path / "d.jsonl", [GOOD, BAD_23])
    base = tmp_path / "baseline.json"
    code, out = _run(data, "--baseline", base, "--format", "json")
    assert code == 0, out  # recorded: every finding is known now
    assert "recorded 1 finding in the baseline" in capsys.readouterr().err
    assert [(f["rule"], f["record"]) for f in json.loads(base.read_text())["findings"]] == [("C101", "bad")]
    assert read_baseline(base).entries == (("C101", "bad", C101_23),)

    assert _run(data, "--baseline", base)[0] == 0
    _write(data, [GOOD, BAD_23, BAD_21])
    code, out = _run(data, "--baseline", base, "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert [f["record"] for f in doc["findings"]] == ["worse"]
    assert [f["record"] for f in doc["baselined"]] == ["bad"]
    assert doc["summary"]["baseline"] == {"file": str(base), "ruleset": doc["summary"]["ruleset"], "known": 1,
                                          "new": 1, "fixed": 0}
    assert doc["summary"]["findings"] == {"error": 1, "warning": 0}

    _write(data, [GOOD])
    code, out = _run(data, "--baseline", base)
    assert code == 0
    assert "0 known from the baseline (1 fixed since)" in out
    assert _run(data, "--baseline", base, "--update-baseline")[0] == 0
    assert json.loads(base.read_text())["findings"] == []


def test_cli_bad_baseline_cannot_run(tmp_path, capsys):
    data = _write(tmp_path / "d.jsonl", [GOOD])
    base = tmp_path / "baseline.json"
    base.write_text('{"records": []}', encoding="utf-8")
    assert _run(data, "--baseline", base)[0] == 2
    assert "not a gradecheck JSON report" in capsys.readouterr().err
    assert _run(data, "--update-baseline")[0] == 2


# --- waivers ------------------------------------------------------------------------------------

WAIVERS = '''
[[waiver]]
rule = "C101"
record = "bad"
reason = "Stated that way in the published report"
expires = 2030-12-31

[[waiver]]
rule = "c101"
record = "gone"
reason = "Fixed upstream long ago"
'''


def test_waivers_load(tmp_path):
    path = tmp_path / "waivers.toml"
    path.write_text(WAIVERS, encoding="utf-8")
    first, second = load_waivers(path)
    assert first == Waiver("C101", "bad", "Stated that way in the published report", dt.date(2030, 12, 31),
                           f"{path}: waiver[0]")
    assert second.rule == "C101"
    assert second.expires is None


def test_bad_waivers_file_lists_every_problem(tmp_path):
    path = tmp_path / "waivers.toml"
    path.write_text('[[waiver]]\nrule = "C101"\nrecord = ""\nexpires = "soon"\ncolour = "red"\n', encoding="utf-8")
    with pytest.raises(GradecheckError) as info:
        load_waivers(path)
    text = str(info.value)
    assert text.startswith("4 problems in waivers file")
    for bit in ("unknown key 'colour'", "key 'record': required text", "key 'reason': required text",
                "key 'expires': expected a date"):
        assert bit in text


def test_waivers_cover_until_expiry_and_stale_ones_are_reported(ruleset):
    report = _report(ruleset, BAD_23, BAD_21)
    live = Waiver("C101", "bad", "why", dt.date(2024, 6, 30), "w: waiver[0]")
    unused = Waiver("C101", "nobody", "why", None, "w: waiver[1]")
    not_run = Waiver("Z999", "bad", "why", None, "w: waiver[2]")  # a rule not checked here: not "unmatched"
    on_last_day = triage(report, waivers=[live, unused, not_run], today=dt.date(2024, 6, 30))
    assert [w.finding.record for w in on_last_day.triage.waived] == ["bad"]
    assert [f.record for f in on_last_day.findings] == ["worse"]
    assert [(p.waiver.record, p.problem.split(":")[0]) for p in on_last_day.triage.problems] == [
        ("nobody", "matches no finding")]
    day_after = triage(report, waivers=[live], today=dt.date(2024, 7, 1))
    assert [f.record for f in day_after.findings] == ["bad", "worse"]
    assert [p.problem for p in day_after.triage.problems] == ["expired on 2024-06-30"]
    # Stale waivers are warnings: they fail the run only with --fail-on warning.
    clean = triage(_report(ruleset, GOOD), waivers=[unused])
    assert not clean.failing("error")
    assert clean.failing("warning")


def test_cli_waivers(tmp_path):
    data = _write(tmp_path / "d.jsonl", [GOOD, BAD_23])
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVERS, encoding="utf-8")
    code, out = _run(data, "--waivers", waivers, "--format", "text")
    assert code == 0
    assert f"{waivers}: waiver[1]: waiver C101 gone: matches no finding" in out
    assert out.rstrip().endswith("1 waived, 1 stale waiver.")
    assert _run(data, "--waivers", waivers, "--fail-on", "warning")[0] == 1
    doc = json.loads(_run(data, "--waivers", waivers, "--format", "json")[1])
    assert doc["findings"] == []
    assert doc["waived"][0]["record"] == "bad"
    assert doc["waived"][0]["waiver"]["expires"] == "2030-12-31"
    assert doc["summary"]["waived"] == 1
    assert doc["summary"]["waiver_problems"] == 1


def test_waived_findings_stay_out_of_the_baseline(tmp_path):
    data = _write(tmp_path / "d.jsonl", [BAD_23, BAD_21])
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(WAIVERS, encoding="utf-8")
    base = tmp_path / "b.json"
    _run(data, "--baseline", base, "--waivers", waivers)
    assert [f["record"] for f in json.loads(base.read_text())["findings"]] == ["worse"]


# --- diff ---------------------------------------------------------------------------------------

def test_diff(tmp_path, ruleset):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(render(_report(ruleset, GOOD, BAD_23), "json"), encoding="utf-8")
    new.write_text(render(_report(ruleset, GOOD, BAD_21), "json"), encoding="utf-8")
    result = diff_reports(old, new)
    assert [d["record"] for d in result.added] == ["worse"]
    assert [d["record"] for d in result.fixed] == ["bad"]
    assert result.unchanged == 0
    assert result.same_rules
    code, out = _run("diff", old, new)
    assert code == 1
    assert out.splitlines() == [
        f"New in {new} (1):",
        "  d.jsonl:2: C101 [error] worse: outstanding 5 + good 16 = 21, expected 22, "
        "the number of graded items in slac",
        f"Fixed since {old} (1):",
        f"  d.jsonl:2: C101 [error] bad: {C101_23}",
        "1 new, 1 fixed, 0 unchanged.",
    ]
    code, out = _run("diff", old, old, "--format", "json")
    assert code == 0
    assert json.loads(out)["unchanged"] == 1
    assert json.loads(out)["new_findings"] == []


def test_diff_notes_a_rule_set_change_and_refuses_non_reports(tmp_path, capsys):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"summary": {"ruleset": "0.0.1+aaaa"}, "findings": []}), encoding="utf-8")
    new.write_text(json.dumps({"summary": {"ruleset": "0.1.0+bbbb"}, "findings": []}), encoding="utf-8")
    code, out = _run("diff", old, new)
    assert code == 0
    assert out.startswith("Note: the rule sets differ (0.0.1+aaaa then 0.1.0+bbbb)")
    new.write_text("[1, 2]", encoding="utf-8")
    assert _run("diff", old, new)[0] == 2
    assert "not a gradecheck JSON report" in capsys.readouterr().err
    assert _run("diff", old, tmp_path / "missing.json")[0] == 2


def test_max_findings_does_not_hide_findings_from_the_baseline(tmp_path):
    data = _write(tmp_path / "d.jsonl", [BAD_23])
    base = tmp_path / "b.json"
    _run(data, "--baseline", base)
    _write(data, [BAD_23, BAD_21])
    code, out = _run(data, "--baseline", base, "--max-findings", "0", "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["findings"] == []  # listed none,
    assert doc["summary"]["omitted_findings"] == 1  # counted the new one
    assert doc["summary"]["baseline"]["known"] == 1


def test_a_source_whose_line_is_digits_int_refuses_is_read_whole(tmp_path):
    """A hand-edited report's source "x.jsonl:¹" ('¹' is a digit to str.isdigit, not a number to int) is no line."""
    report = {"summary": {}, "findings": [{"rule": "C101", "record": "r", "source": "x.jsonl:¹", "message": "m"}]}
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({"summary": {}, "findings": []}), encoding="utf-8")
    new.write_text(json.dumps(report), encoding="utf-8")
    result = diff_reports(old, new)
    assert [d["source"] for d in result.added] == ["x.jsonl:¹"]
