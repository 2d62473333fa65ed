"""Tests for gradecheck.engine and gradecheck.report: preparing records, running rules, and what a run found."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradecheck import (
    Finding,
    Origin,
    Record,
    Report,
    Rule,
    RuleError,
    RuleSet,
    Unreadable,
    builtin_rules_dir,
    check,
    check_paths,
    load_ruleset,
    prepare,
    record_from_mapping,
    render,
)
from gradecheck.errors import InputError
from gradecheck.kinds import DATASET_KINDS
from gradecheck.values import MISSING, UnknownGrade

# Records that between them pass, fail and puzzle most built-in rules.
SAMPLE = [
    {"id": "liverpool-2011-slac", "authority": "Liverpool", "authority_code": "E08000012", "framework": "slac",
     "judgements": {"overall_effectiveness": "good", "capacity_for_improvement": "good"},
     "grade_counts": {"outstanding": 5, "good": 17},
     "populations": {"looked_after": 939, "foster_care": 643, "placed_with_family": 139, "childrens_homes": 15}},
    {"id": "slac-23", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1},
     "judgements": {"overall_effectiveness": "adequate"}},
    {"id": "sif-2014", "authority_code": "E08000012", "framework": "sif", "start": "2014-05-20", "end": "2014-06-11",
     "published": "2014-07-18",
     "judgements": {"overall_effectiveness": "good", "help_and_protection": "inadequate",
                    "looked_after_and_permanence": "requires improvement", "adoption_performance": "good",
                    "leadership_management_governance": "Requires improvement", "lscb": "good"},
     "grade_counts": {"good": 2, "requires_improvement": 2, "adequate": 1},
     "populations": {"children_in_need": 4277, "looked_after": 5000, "child_protection_plans": 431}},
    {"id": "ilacs-2018", "authority_code": "E08000012", "framework": "ilacs", "start": "2018-05-14",
     "end": "2018-05-25", "published": "2018-05-01",
     "judgements": {"overall_effectiveness": "Requires improvement to be good", "impact_of_leaders": "good",
                    "help_and_protection": "requires improvement", "children_in_care": "requires improvement",
                    "care_leavers": "good"}},
    {"id": "mv-2019", "authority_code": "E08000012", "framework": "monitoring-visit", "start": "2019-07-08",
     "judgements": {"overall_effectiveness": "inadequate"}},
    {"id": "ilacs-2023", "authority_code": "E08000012", "framework": "ilacs", "start": "2023-03-13",
     "judgements": {"overall_effectiveness": "outstanding", "impact_of_leaders": "good",
                    "help_and_protection": "inadequate", "children_in_care": "to requires improvement"},
     "grade_counts": {"inadequate": "c", "good": {"value": 1, "rounded_to": 2}},
     "populations": {"looked_after": {"value": 640, "rounded_to": 10}, "foster_care": 643, "foster_cre": 2},
     "facts": {"seen_percent": 104}},
    {"id": "ilacs-2026", "framework": "ilacs", "start": "2026-05-01",
     "judgements": {"overall_effectiveness": "good", "impact_of_leaders": "good"}},
    {"id": "undated", "framework": "ilacs", "judgements": {"care_leavers": "good", "lscb": "good"}},
    {"id": "slac-23", "framework": "apa", "judgements": {"overall_effectiveness": 4, "staying_safe": "5"},
     "populations": {"looked_after": "939", "foster_care": -3}},
    {"id": "unknown-framework", "framework": "ofsted-2030"},
]


def _records(objs, path="data.jsonl"):
    return [record_from_mapping(obj, Origin(path, i)) for i, obj in enumerate(objs, start=1)]


def _findings(report):
    return {(f.rule, f.severity, f.record, str(f.source), f.message) for f in report.findings}


class TestPrepare:
    def test_unknown_framework(self, ruleset):
        """A record of an unknown framework cannot be checked, so it is unreadable, with the choices listed."""
        view = prepare(record_from_mapping({"id": "a", "framework": "ofsted-2030"}, Origin("x", 4)), ruleset)
        assert isinstance(view, Unreadable)
        assert Origin("x", 4) == view.origin
        known = ", ".join(sorted(ruleset.frameworks))
        assert f"record 'a': field 'framework': unknown framework 'ofsted-2030'; expected one of {known}" == view.error

    @pytest.mark.parametrize(
        ("written", "expected"),
        [("ilacs", "ilacs"), ("ILACS", "ilacs"), (" Monitoring Visit ", "monitoring-visit"),
         ("monitoring_visit", "monitoring-visit"), ("LAC-2012", "lac-2012")],
        ids=["canonical", "upper-case", "words", "snake-case", "upper-with-hyphen"],
    )
    def test_framework_spellings(self, ruleset, written, expected):
        """Framework ids are matched ignoring case, spaces and underscores."""
        view = prepare(record_from_mapping({"id": "a", "framework": written}, Origin("x", 1)), ruleset)
        assert (expected, expected) == (view.framework.id, view.get("framework"))

    def test_canonical_names_and_grades(self, ruleset):
        """Field aliases, judgement aliases, grade spellings and count keys all become canonical."""
        record = record_from_mapping({
            "id": "a", "framework": "ilacs", "start": "2019-01-01",
            "judgements": {"leaders": "Requires improvement to be good", "help_and_protection": "n/a",
                           "children_in_care": "Goood"},
            "grade_counts": {"Requires Improvement": 1, "Goood": 2},
            "populations": {"placed_with_family": 139, "cla": 939},
        }, Origin("x", 1))
        view = prepare(record, ruleset)
        expected = {
            "id": "a", "framework": "ilacs", "start": dt.date(2019, 1, 1),
            "judgements.impact_of_leaders": "requires_improvement",
            "judgements.children_in_care": UnknownGrade("Goood"),
            "grade_counts.requires_improvement": 1, "grade_counts.Goood": 2,
            "populations.placed_with_parents": 139, "populations.looked_after": 939,
        }
        assert expected == view.values
        assert MISSING is view.get("judgements.help_and_protection")

    def test_two_spellings_of_one_field(self, ruleset):
        """Two spellings of one field leave no way to tell which value is meant: the record is unreadable."""
        record = record_from_mapping({"id": "a", "framework": "ilacs",
                                      "judgements": {"impact_of_leaders": "good", "leaders": "inadequate"}},
                                     Origin("x", 1))
        expected = Unreadable(Origin("x", 1), "record 'a': fields 'judgements.impact_of_leaders' and "
                                              "'judgements.leaders' both mean 'judgements.impact_of_leaders'; "
                                              "which value is meant?")
        assert expected == prepare(record, ruleset)

    @pytest.mark.parametrize(
        ("dates", "day", "overall"),
        [
            ({"start": "2023-03-13", "end": "2023-03-24"}, dt.date(2023, 3, 13), "overall_effectiveness"),
            ({"end": "2026-04-02", "published": "2026-05-01"}, dt.date(2026, 4, 2), None),
            ({"start": "2022-13-01", "published": "2022-12-01"}, dt.date(2022, 12, 1), "overall_effectiveness"),
            ({}, None, None),
        ],
        ids=["start", "end-when-no-start", "published-when-start-unreadable", "undated"],
    )
    def test_day_picks_version(self, ruleset, dates, day, overall):
        """The record's first readable date picks the framework version; an undated record gets the latest."""
        view = prepare(record_from_mapping({"id": "a", "framework": "ilacs", **dates}, Origin("x", 1)), ruleset)
        assert (day, overall) == (view.day, view.version.overall)


class TestCheck:
    def test_dicts_are_placed(self, ruleset):
        """Plain dicts are records too, placed at <records>:N."""
        report = check([{"id": "a", "framework": "slac", "grade_counts": {"good": 23}}], ruleset)
        assert [(f.rule, str(f.source)) for f in report.findings] == [("C101", "<records>:1")]

    def test_every_record_counted(self, ruleset):
        """Every record read is checked or unreadable; unreadable ones are listed with their place and why."""
        items = [*_records(SAMPLE), Unreadable(Origin("data.jsonl", 99), "invalid JSON")]
        report = check(items, ruleset)
        assert (report.records, report.checked, len(report.unreadable)) == (11, 9, 2)
        assert [u.origin.line for u in report.unreadable] == [10, 99]

    def test_findings_sorted_by_place_then_rule(self, ruleset):
        """Findings come sorted by path, line, then rule code."""
        report = check(_records(SAMPLE), ruleset)
        keys = [(f.source.path, f.source.line, f.rule) for f in report.findings]
        assert sorted(keys) == keys
        assert len(report.findings) > 10

    def test_expected_findings_of_sample(self, ruleset):
        """Each sample record fails the rules it was written to fail (and the well-formed one none)."""
        failed: dict[str, set[str]] = {}
        for finding in check(_records(SAMPLE), ruleset).findings:
            failed.setdefault(f"{finding.source.line}:{finding.record}", set()).add(finding.rule)
        assert "1:liverpool-2011-slac" not in failed
        assert {"C101"} <= failed["2:slac-23"]
        assert {"J101", "J102", "S102", "P102"} <= failed["3:sif-2014"]
        assert {"D101", "F101"} <= failed["4:ilacs-2018"]
        assert {"V101", "V102"} <= failed["5:mv-2019"]
        assert {"S101", "R102", "I102"} <= failed["6:ilacs-2023"]
        assert {"F102"} <= failed["7:ilacs-2026"]
        assert {"I101", "R101", "X101"} <= failed["9:slac-23"]

    def test_each_finding_says_what_where_expected_actual(self, ruleset):
        """A finding carries its rule, severity, record, place, fields read, expected, actual and message."""
        [finding] = [f for f in check(_records([SAMPLE[1]]), ruleset).findings if f.rule == "C101"]
        expected = Finding(
            rule="C101", severity="error", record="slac-23", source=Origin("data.jsonl", 1),
            message="outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items in slac",
        )
        assert expected == finding
        fields = {"grade_counts.outstanding": 5, "grade_counts.good": 17, "grade_counts.adequate": 1}
        assert (fields, 22, 23, "slac") == (dict(finding.fields), finding.expected, finding.actual, finding.framework)

    def test_same_input_same_report(self, ruleset):
        """The same input gives byte-identical output."""
        assert render(check(_records(SAMPLE), ruleset), "json") == render(check(_records(SAMPLE), ruleset), "json")

    def test_unknowns_are_reported(self, ruleset):
        """Checks that could not be decided are listed, never silently passed."""
        report = check(_records([SAMPLE[5]]), ruleset)
        assert {"C101", "P101"} <= {u.rule for u in report.undecided}


class TestCheckPaths:
    def test_each_file_is_a_dataset(self, tmp_path, ruleset):
        """Ids need only be unique within a file; files and records are counted."""
        line = '{"id": "a", "framework": "sif"}\n'
        (tmp_path / "one.jsonl").write_text(line)
        (tmp_path / "two.jsonl").write_text(line + line)
        report = check_paths([str(tmp_path)], ruleset)
        assert (report.files, report.records, report.checked) == (2, 3, 3)
        assert [("X101", f"{tmp_path / 'two.jsonl'}:2")] == [(f.rule, str(f.source)) for f in report.findings]

    def test_missing_path(self, tmp_path, ruleset):
        """A path that does not exist means the run cannot happen."""
        with pytest.raises(InputError):
            check_paths([str(tmp_path / "nope.jsonl")], ruleset)


class _Broken:
    """A kind that raises, standing in for a bug in gradecheck or a rule."""

    dataset = False

    def evaluate(self, view):
        raise ZeroDivisionError("division by zero")


class _BrokenDataset:
    """A dataset kind whose summary breaks when it judges (``when="outcomes"``) or as it reads a record."""

    dataset = True

    def __init__(self, when="outcomes"):
        self.when = when

    def summary(self):
        return self

    def add(self, view):
        if self.when == "add":
            raise KeyError("authority")

    def outcomes(self):
        raise KeyError("authority")


def _rule(code, check_):
    return Rule(code=code, title="broken", kind="range", severity="error", frameworks=("*",), start=None, end=None,
                source="test", why="", example="", check=check_, path="test")


class TestBrokenRules:
    def test_record_rule_error_is_reported(self, ruleset):
        """A rule that raises is reported as a rule error, counted, and the other rules still run."""
        broken = RuleSet(rules=(_rule("Z999", _Broken()), ruleset.rule("C101")), frameworks=ruleset.frameworks)
        report = check([{"id": "a", "framework": "slac", "grade_counts": {"good": 23}}], broken)
        [error] = report.errors
        assert ("Z999", "a", Origin("<records>", 1)) == (error.rule, error.record, error.source)
        assert re.fullmatch(r"ZeroDivisionError: division by zero at test_engine\.py:\d+", error.error)
        assert [f.rule for f in report.findings] == ["C101"]
        assert (report.stats["Z999"].errors, report.stats["Z999"].passed) == (1, 0)
        assert report.failing("error")

    @pytest.mark.parametrize("when", ["add", "outcomes"])
    def test_dataset_rule_error_is_reported(self, ruleset, when):
        """A dataset rule that raises, as it reads a record or as it judges, is reported once against the dataset."""
        broken = RuleSet(rules=(_rule("Z998", _BrokenDataset(when)), ruleset.rule("X101")),
                         frameworks=ruleset.frameworks)
        report = check([{"id": "a", "framework": "slac"}, {"id": "a", "framework": "slac"}], broken)
        assert [(e.rule, e.record) for e in report.errors] == [("Z998", "(dataset)")]
        assert report.errors[0].error.startswith("KeyError: 'authority' at test_engine.py:")
        assert [f.rule for f in report.findings] == ["X101"]  # the other dataset rules still run


def _finding(severity, line=1, rule="C101"):
    return Finding(rule=rule, severity=severity, record="a", source=Origin("x", line), message="m")


class TestReport:
    @pytest.mark.parametrize(
        ("report", "on_error", "on_warning"),
        [
            (Report(1, 1, (), ()), False, False),
            (Report(1, 1, (_finding("warning"),), ()), False, True),
            (Report(1, 1, (_finding("error"),), ()), True, True),
            (Report(1, 0, (), (Unreadable(Origin("x", 1), "bad"),)), True, True),
            (Report(1, 1, (), (), errors=(RuleError("Z1", "a", Origin("x", 1), "boom"),)), True, True),
        ],
        ids=["clean", "warning", "error", "unreadable", "rule-error"],
    )
    def test_failing(self, report, on_error, on_warning):
        """Errors, unreadable records and broken rules fail a run; warnings only with fail-on warning."""
        assert (on_error, on_warning) == (report.failing("error"), report.failing("warning"))
        assert (report.ok, on_error or on_warning) == (not (on_error or on_warning), not report.ok)

    def test_truncate(self):
        """Truncating keeps the first findings and counts the rest by severity."""
        findings = (_finding("error", 1), _finding("warning", 2), _finding("error", 3), _finding("warning", 4))
        short = Report(4, 4, findings, ()).truncate(1)
        assert (findings[:1], 3, {"warning": 2, "error": 1}) == (short.findings, short.omitted, dict(short.hidden))
        assert (short.count("error"), short.count("warning")) == (2, 2)
        assert short.failing("warning")

    @pytest.mark.parametrize("limit", [-1, 4, 10], ids=["no-limit", "exactly", "more"])
    def test_truncate_no_op(self, limit):
        """A limit at or above the number of findings, or negative, changes nothing."""
        report = Report(1, 1, (_finding("error"),) * 4, ())
        assert report is report.truncate(limit)

    def test_truncate_to_zero(self):
        """A limit of zero lists no finding but still fails the run."""
        short = Report(1, 1, (_finding("error"),), ()).truncate(0)
        assert (short.findings, short.omitted, short.failing("error")) == ((), 1, True)


# --- properties ----------------------------------------------------------------------------------

_LEAF = st.one_of(
    st.integers(-5, 30), st.none(), st.sampled_from(["c", "..", "939", "good", "Inadequate", "RI", "4", "goood"]),
    st.fixed_dictionaries({"value": st.integers(0, 30), "rounded_to": st.sampled_from([2, 10])}),
)
_DATE = st.dates(dt.date(2005, 1, 1), dt.date(2027, 12, 31)).map(dt.date.isoformat) | st.just("2023-02-30")


def _group(names):
    return st.dictionaries(st.sampled_from(names), _LEAF, max_size=4)


_RECORD = st.sampled_from(SAMPLE) | st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "c"]),
     "framework": st.sampled_from(["slac", "sif", "ilacs", "apa", "lac-2012", "monitoring-visit", "focused-visit"])},
    optional={
        "start": _DATE, "end": _DATE, "published": _DATE, "authority_code": st.sampled_from(["E1", "E2"]),
        "judgements": _group(["overall_effectiveness", "help_and_protection", "impact_of_leaders", "children_in_care",
                              "care_leavers", "lscb", "leadership_management_governance"]),
        "grade_counts": _group(["outstanding", "good", "adequate", "requires_improvement", "inadequate"]),
        "populations": _group(["looked_after", "foster_care", "children_in_need", "childrens_homes", "foster_cre"]),
        "facts": _group(["seen_percent", "files"]),
    },
)


@given(st.lists(_RECORD, min_size=1, max_size=8), st.data())
def test_permuting_records_changes_nothing(ruleset, objs, data):
    """Checking records in any order gives the same findings, and the same sorted output byte for byte."""
    records = _records(objs)
    shuffled = data.draw(st.permutations(records))
    first, second = check(records, ruleset), check(shuffled, ruleset)
    assert _findings(first) == _findings(second)
    assert render(first, "json", statistics=True) == render(second, "json", statistics=True)
    assert render(first, "table") == render(second, "table")


@given(st.lists(_RECORD, max_size=8))
def test_rules_never_break(ruleset, objs):
    """No built-in rule raises on any record, and every record is counted once."""
    report = check(_records(objs), ruleset)
    assert report.errors == ()
    assert len(objs) == report.records == report.checked + len(report.unreadable)


def _rule_blocks():
    """The built-in rule files, split: files holding only [[rule]] tables give their rules; others stay whole."""
    whole, blocks = [], []
    for path in sorted(builtin_rules_dir().glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        headers = set(re.findall(r"^\[.*\]\s*$", text, flags=re.MULTILINE))
        if headers == {"[[rule]]"}:
            blocks += ["[[rule]]" + part for part in re.split(r"^\[\[rule\]\]\s*$", text, flags=re.MULTILINE)[1:]]
        else:
            whole.append(text)
    return whole, blocks


_WHOLE, _BLOCKS = _rule_blocks()


@given(st.permutations(_BLOCKS), st.data())
def test_rule_order_changes_nothing(ruleset, tmp_path_factory, blocks, data):
    """Spreading the built-in rules over files in any order gives the same report."""
    directory = tmp_path_factory.mktemp("rules")
    for i, text in enumerate(_WHOLE):
        (directory / f"base{i}.toml").write_text(text, encoding="utf-8")
    files = data.draw(st.lists(st.integers(0, 3), min_size=len(blocks), max_size=len(blocks)))
    names = data.draw(st.permutations(["a", "m", "q", "z"]))
    for i, name in enumerate(names):
        text = "\n".join(b for b, f in zip(blocks, files, strict=True) if f == i)
        (directory / f"{name}.toml").write_text(text, encoding="utf-8")
    shuffled = load_ruleset([directory], builtin=False)
    records = _records(SAMPLE)
    assert [r.code for r in ruleset.rules] == [r.code for r in shuffled.rules]
    expected = render(check(records, ruleset), "json", statistics=True)
    assert expected == render(check(records, shuffled), "json", statistics=True)


def test_rule_blocks_cover_builtin_rules(ruleset):
    """The split used above really holds every built-in rule (else the property would prove little)."""
    assert len(ruleset.rules) == len(_BLOCKS)


def test_default_ruleset():
    """Without a rule set, check uses the built-in rules."""
    [record] = _records([{"id": "a", "framework": "sif"}])
    assert isinstance(record, Record)
    assert check([record]).checked == 1


@pytest.mark.parametrize("kind", sorted(DATASET_KINDS))
def test_dataset_kinds_fold_into_summaries(ruleset, kind):
    """
    Every dataset kind folds records into a summary that merges: the engine keeps no record
    for it, and can split a file over processes.
    """
    rule = next(r for r in ruleset.rules if r.kind == kind)
    summary = rule.check.summary()
    assert all(callable(getattr(summary, m, None)) for m in ("add", "merge", "outcomes"))
    assert summary.outcomes() == (0, [])


def test_kept_records_answer_dataset_rules_as_whole_ones(tmp_path):
    """A history, duplicates and a visit checked from kept (cut-down) records give the findings of whole ones."""
    lines = [
        {"id": "a", "framework": "ilacs", "authority": "Leeds", "start": "2019-01-07", "judgements": {
            "overall_effectiveness": "Requires improvement to be good", "impact_of_leaders": "Good"}},
        {"id": "a", "framework": "monitoring-visit", "authority": "Leeds", "start": "2019-06-03"},
    ]
    path = tmp_path / "h.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = check_paths([str(path)], load_ruleset())
    assert {"X101", "V102"} <= {f.rule for f in report.findings}


def test_an_authoritys_code_is_the_one_its_first_record_gives_in_any_input_order(ruleset):
    """
    Records passed out of file order: a name's code is the one its first record in the file gives, so the
    visit rule keys the history the same way whatever order the records come in.
    """
    def at(line, **fields):
        return Record(fields["id"], fields["framework"], fields, Origin("f.jsonl", line))

    records = [
        at(3, id="c", framework="ilacs", authority="Leeds", authority_code="E08000035", start=dt.date(2019, 1, 7),
           **{"judgements.overall_effectiveness": "inadequate"}),
        at(1, id="a", framework="focused-visit", authority="Leeds", authority_code="E08000035",
           start=dt.date(2018, 1, 1)),
        at(2, id="b", framework="focused-visit", authority="Leeds", authority_code="E99999999",
           start=dt.date(2018, 6, 1)),
        at(4, id="d", framework="monitoring-visit", authority="Leeds", start=dt.date(2019, 6, 3)),
    ]
    forward = render(check(sorted(records, key=lambda r: r.origin.line), ruleset), "json", statistics=True)
    assert render(check(records, ruleset), "json", statistics=True) == forward
    assert "V102" not in {f.rule for f in check(records, ruleset).findings}  # d joins c's history (E08000035)
