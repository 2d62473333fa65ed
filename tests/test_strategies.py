"""Properties of the hypothesis strategies: consistent records pass, every mutant is caught by its rule alone."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

import gradecheck
from gradecheck import Record, check, load_ruleset, read_text, write_csv, write_json, write_jsonl
from gradecheck.strategies import datasets, records, violating

RULESET = load_ruleset()
CODES = [r.code for r in RULESET.rules]
FRAMEWORKS = sorted(RULESET.frameworks)


def _codes(report: gradecheck.Report) -> set[str]:
    return {f.rule for f in report.findings}


class TestRecords:
    @given(records())
    def test_consistent_records_pass_every_rule(self, record):
        """A record built by construction has no finding, error or warning, and is not unreadable."""
        report = check([record], RULESET)
        assert (set(), ()) == (_codes(report), report.unreadable), gradecheck.render(report, "text")

    @pytest.mark.parametrize("framework", FRAMEWORKS)
    @settings(max_examples=25)
    @given(data=st.data())
    def test_each_framework_yields_consistent_records(self, framework, data):
        """Every framework, ILACS versions and visits included, has consistent records."""
        record = data.draw(records(framework))
        assert framework == record["framework"]
        assert set() == _codes(check([record], RULESET))

    @given(records())
    def test_records_are_native_json(self, record):
        """Records are plain dicts that survive json.dumps and read back to the same findings."""
        text = json.dumps(record)
        assert json.loads(text) == record
        report = check_text(text + "\n", ".jsonl")
        assert report.checked == 1

    @given(records(as_record=True))
    def test_as_record_yields_record_objects(self, record):
        """as_record=True gives the library's Record objects."""
        assert isinstance(record, Record)

    @given(st.from_type(Record))
    def test_from_type_is_registered(self, record):
        """st.from_type(Record) works once gradecheck.strategies is imported."""
        assert isinstance(record, Record)
        assert set() == _codes(check([record], RULESET))

    def test_ilacs_versions_are_all_drawn(self):
        """ILACS records come from before 2023, 2023 to March 2026, and after April 2026."""
        seen = set()

        @settings(max_examples=200)
        @given(records("ilacs"))
        def collect(record):
            if "start" in record:
                seen.add(RULESET.frameworks["ilacs"].version_at(__import__("datetime").date.fromisoformat(record["start"])).note)

        collect()
        assert len(seen) == 3

    def test_unknown_framework_is_refused(self):
        """Asking for a framework the rule set lacks is an error at once, not an empty strategy."""
        with pytest.raises(ValueError, match="unknown framework 'ofsted'"):
            records("ofsted")


def check_text(text: str, suffix: str) -> gradecheck.Report:
    return check(list(read_text(text, "mem" + suffix, suffix)), RULESET)


class TestViolating:
    @pytest.mark.parametrize("code", CODES)
    @settings(max_examples=8)
    @given(data=st.data())
    def test_each_mutant_is_caught_by_its_rule_alone(self, code, data):
        """violating(code) breaks rule code and no other built-in rule."""
        dataset = data.draw(violating(code))
        report = check(dataset, RULESET)
        assert {code} == _codes(report), gradecheck.render(report, "text")
        assert report.unreadable == ()

    def test_unknown_code_is_refused(self):
        """A code that no rule has is a KeyError."""
        with pytest.raises(KeyError):
            violating("Z999")

    @settings(max_examples=10)
    @given(data=st.data())
    def test_user_rule_files_get_mutants_too(self, tmp_path_factory, data):
        """Rules from a user's own file, of any kind, get records that break them."""
        path = tmp_path_factory.mktemp("rules") / "mine.toml"
        path.write_text(USER_RULES)
        ruleset = load_ruleset([path])
        for code in ("U001", "U002", "U003", "U004"):
            dataset = data.draw(violating(code, ruleset))
            assert code in _codes(check(dataset, ruleset)), code
        assert set() == _codes(check([data.draw(records(ruleset=ruleset))], ruleset))


USER_RULES = textwrap.dedent('''
    [[rule]]
    code = "U001"
    title = "Placements add up exactly to the looked-after total"
    kind = "within"
    severity = "error"
    frameworks = ["*"]
    whole = "populations.looked_after"
    parts = ["populations.foster_care", "populations.placed_with_parents", "populations.childrens_homes"]
    exact = true
    source = "a test"

    [[rule]]
    code = "U002"
    title = "At most 150 case files"
    kind = "range"
    severity = "warning"
    frameworks = ["*"]
    fields = ["facts.case_files_reviewed"]
    max = 150
    source = "a test"

    [[rule]]
    code = "U003"
    title = "Help and protection inadequate means children in care inadequate"
    kind = "implies"
    severity = "warning"
    frameworks = ["ilacs"]
    when = ["judgements.help_and_protection"]
    grade = "inadequate"
    then = ["judgements.children_in_care"]
    source = "a test"

    [[rule]]
    code = "U004"
    title = "Group totals"
    kind = "group_total"
    severity = "error"
    frameworks = ["*"]
    group_by = ["authority"]
    label = "theme"
    value = "facts.count"
    source = "a test"
''')


class TestDatasets:
    @settings(max_examples=40)
    @given(datasets())
    def test_histories_pass_every_rule(self, dataset):
        """Whole histories pass record and dataset rules, monitoring visits included."""
        report = check(dataset, RULESET)
        assert set() == _codes(report), gradecheck.render(report, "text")
        assert len({r["id"] for r in dataset}) == len(dataset)

    def test_histories_include_monitoring_visits(self):
        """Monitoring visits are generated (after an inadequate judgement), so V102 is exercised."""
        found = find(datasets(), lambda d: any(r["framework"] == "monitoring-visit" for r in d),
                     settings=settings(max_examples=150, database=None, phases=[Phase.generate]))
        assert any(r["framework"] == "monitoring-visit" for r in found)

    @settings(max_examples=30)
    @given(datasets(), st.randoms(use_true_random=False))
    def test_findings_do_not_depend_on_record_order(self, dataset, rnd):
        """Shuffling a dataset changes neither the findings nor the rendered report."""
        dataset = [*dataset, json.loads(json.dumps(dataset[0]))]  # a duplicate id, so there is a finding
        shuffled = dataset[:]
        rnd.shuffle(shuffled)
        as_records = [gradecheck.record_from_mapping(r, gradecheck.Origin("d", i)) for i, r in enumerate(dataset, 1)]
        order = list(range(len(as_records)))
        rnd.shuffle(order)
        a = check(as_records, RULESET)
        b = check([as_records[i] for i in order], RULESET)
        assert gradecheck.render(a, "json") == gradecheck.render(b, "json")


class TestRoundTrips:
    @settings(max_examples=40)
    @given(st.lists(records(), min_size=1, max_size=5, unique_by=lambda r: r["id"]))
    @pytest.mark.parametrize(("writer", "suffix"),
                             [(write_jsonl, ".jsonl"), (write_json, ".json"), (write_csv, ".csv")])
    def test_readers_read_back_what_writers_write(self, writer, suffix, batch):
        """Records written as JSON, JSON Lines or CSV read back with the same parsed fields."""
        original = [gradecheck.record_from_mapping(r, gradecheck.Origin("x", 1)).fields for r in batch]
        back = list(read_text(writer(batch), "x" + suffix, suffix))
        assert [dict(o) for o in original] == [dict(r.fields) for r in back]

    @settings(max_examples=40)
    @given(st.lists(records(), min_size=1, max_size=4))
    def test_json_report_round_trips(self, batch):
        """The JSON report loads back with the same summary and findings as the report object."""
        report = check(batch, RULESET)
        loaded = json.loads(gradecheck.render(report, "json"))
        assert report.checked == loaded["summary"]["checked"]
        assert [(f.rule, f.record, str(f.source), f.message) for f in report.findings] == [
            (f["rule"], f["record"], f["source"], f["message"]) for f in loaded["findings"]]
        assert loaded == json.loads(json.dumps(loaded))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)


class TestBadInput:
    @given(records(), st.data())
    def test_arbitrary_json_in_any_field_never_crashes(self, record, data):
        """Replacing any field with any JSON value gives findings or an unreadable record, never an exception."""
        flat = gradecheck.writers.flatten(record)
        name = data.draw(st.sampled_from(sorted(flat)))
        flat[name] = data.draw(JSON)
        report = check([flat], RULESET)
        assert report.records == report.checked + len(report.unreadable) == 1
        assert report.errors == ()
