"""
Tests for gradecheck.kinds: each rule kind passes, fails, is unknown, or does not apply.

Each test writes one rule of the kind under test (code T101) into a rule file, loads it beside the
built-in frameworks, and checks records with only that rule selected; the outcome is read from the
rule's statistics, so "not applicable" (the rule never judged the record) is told apart from "pass".
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradecheck import RuleSet, check, load_ruleset
from gradecheck.kinds import DATASET_KINDS, KINDS, RECORD_KINDS

CODE = "T101"


def _toml(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


@pytest.fixture(name="rule")
def _rule(tmp_path):
    """Build a rule set of the built-in frameworks and one rule, T101, of a kind with its parameters."""

    def make(kind: str, frameworks=("*",), severity="error", **params) -> RuleSet:
        lines = ["[[rule]]", f'code = "{CODE}"', 'title = "rule under test"', f'kind = "{kind}"',
                 f'severity = "{severity}"', f"frameworks = {_toml(list(frameworks))}", 'source = "test"']
        lines += [f"{key} = {_toml(value)}" for key, value in params.items()]
        path = tmp_path / f"{kind}.toml"
        path.write_text("\n".join(lines) + "\n")
        return load_ruleset([path]).select([CODE])

    return make


def outcome(ruleset: RuleSet, *records) -> str:
    """pass, fail, unknown or n/a: what the rule made of the records (the worst, over a dataset)."""
    report = check(records, ruleset)
    assert report.unreadable == (), report.unreadable
    assert report.errors == (), report.errors
    stats = report.stats[CODE]
    if stats.failed:
        return "fail"
    if stats.unknown:
        return "unknown"
    if stats.passed:
        return "pass"
    return "n/a"


def messages(ruleset: RuleSet, *records) -> list[str]:
    """The findings' messages, in report order."""
    return [f.message for f in check(records, ruleset).findings]


def reasons(ruleset: RuleSet, *records) -> list[str]:
    """Why the rule could not decide, in report order."""
    return [u.reason for u in check(records, ruleset).undecided]


def slac(**grade_counts):
    return {"id": "r", "framework": "slac", "grade_counts": grade_counts}


def ilacs(start="2019-06-01", **judgements):
    return {"id": "r", "framework": "ilacs", "start": start, "judgements": judgements}


def populations(framework="sif", **counts):
    return {"id": "r", "framework": framework, "populations": counts}


def test_registry():
    """
    Every kind DESIGN.md section 3 asks for is registered under its rule-file name, each in a module of
    that name (a new kind is one module and one registration line, and needs no line here).
    """
    record_kinds = {"total", "within", "range", "overall", "implies", "agree", "scale", "order", "present", "absent",
                    "valid", "known", "ratio"}
    dataset_kinds = {"unique", "visits_follow", "group_total", "group_share"}
    assert record_kinds <= set(RECORD_KINDS)
    assert dataset_kinds <= set(DATASET_KINDS)
    assert set(KINDS) == set(RECORD_KINDS) | set(DATASET_KINDS)
    assert not set(RECORD_KINDS) & set(DATASET_KINDS)
    modules = {name: kind.__module__ for name, kind in KINDS.items()}
    assert modules == {name: f"gradecheck.kinds.{name}" for name in KINDS}


class TestTotal:
    @pytest.fixture(name="graded_items")
    def _graded_items(self, rule):
        return rule("total", parts=["grade_counts.*"], equals="@graded_items")

    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (slac(outstanding=5, good=17), "pass"),
            (slac(outstanding=13, good=6, adequate=3), "pass"),
            (slac(outstanding=5, good=17, adequate=1), "fail"),
            (slac(outstanding=5, good={"value": 20, "rounded_to": 10}), "unknown"),
            (slac(outstanding=5, good="c"), "unknown"),
            (slac(outstanding=5, good="17"), "unknown"),
            (slac(outstanding=30, good="c"), "fail"),
            (slac(outstanding=5, good={"value": 40, "rounded_to": 10}), "fail"),
            ({"id": "r", "framework": "slac"}, "n/a"),
            ({"id": "r", "framework": "monitoring-visit", "grade_counts": {"good": 3}}, "n/a"),
        ],
        ids=["liverpool", "wirral", "one-too-many", "rounded", "suppressed", "count-as-text",
             "suppressed-but-already-over", "rounded-but-over", "no-counts", "no-graded-items"],
    )
    def test_outcomes(self, graded_items, record, expected):
        """Parts that add up pass; rounded or suppressed parts are unknown unless no value could add up."""
        assert expected == outcome(graded_items, record)

    def test_arithmetic(self, graded_items):
        """The message shows the sum, best grade first, and what it should be."""
        report = check([slac(adequate=1, good=17, outstanding=5)], graded_items)
        [finding] = report.findings
        assert finding.message == (
            "outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items in slac")
        fields = {"grade_counts.outstanding": 5, "grade_counts.good": 17, "grade_counts.adequate": 1}
        assert (fields, 22, 23) == (dict(finding.fields), finding.expected, finding.actual)

    def test_arithmetic_with_suppression(self, graded_items):
        """A suppressed part shows as written, and the total as a range."""
        [finding] = check([slac(outstanding=30, good="c")], graded_items).findings
        expected = "outstanding 30 + good c (suppressed) = 30 to inf, expected 22, the number of graded items in slac"
        assert expected == finding.message
        assert finding.actual == {"min": 30, "max": None}

    def test_unknown_says_why(self, graded_items):
        """An unknown total says which values stood in the way."""
        expected = ["cannot add up: grade_counts.good not a number"]
        assert expected == reasons(graded_items, slac(outstanding=5, good="17"))

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            ({"foster_care": 10, "childrens_homes": 5, "looked_after": 15}, "pass"),
            ({"foster_care": 10, "childrens_homes": 6, "looked_after": 15}, "fail"),
            ({"foster_care": 10, "looked_after": 15}, "unknown"),
            ({"foster_care": 10, "childrens_homes": 5}, "n/a"),
            ({"foster_care": 10, "childrens_homes": 5, "looked_after": {"value": 20, "rounded_to": 10}}, "unknown"),
        ],
        ids=["adds-up", "one-over", "part-missing", "total-missing", "total-rounded"],
    )
    def test_equals_field(self, rule, counts, expected):
        """Parts can add up to another field of the record."""
        ruleset = rule("total", parts=["populations.foster_care", "populations.childrens_homes"],
                       equals="populations.looked_after")
        assert expected == outcome(ruleset, populations(**counts))

    def test_equals_field_message(self, rule):
        """A field total is named in the message."""
        ruleset = rule("total", parts=["populations.foster_care", "populations.childrens_homes"],
                       equals="populations.looked_after")
        record = populations(foster_care=10, childrens_homes=6, looked_after=15)
        assert messages(ruleset, record) == ["foster_care 10 + childrens_homes 6 = 16, expected looked_after 15"]

    @pytest.mark.parametrize(("missing_parts", "expected"), [("unknown", "unknown"), ("zero", "pass")])
    def test_missing_parts(self, rule, missing_parts, expected):
        """A named part that is absent makes the total unknown, or counts as zero when the rule says so."""
        ruleset = rule("total", parts=["populations.foster_care", "populations.childrens_homes"], equals=10,
                       missing_parts=missing_parts)
        assert expected == outcome(ruleset, populations(foster_care=10))


# A part as written in a record, and the range of values it admits (worked out here, not by gradecheck).
_PART = st.one_of(
    st.integers(0, 60).map(lambda v: (v, (v, v))),
    st.tuples(st.integers(0, 60), st.sampled_from([2, 5, 10, 100])).map(
        lambda t: ({"value": t[0], "rounded_to": t[1]}, (t[0] - t[1] / 2, t[0] + t[1] / 2))),
    st.tuples(st.integers(0, 60), st.integers(0, 20)).map(
        lambda t: ({"min": t[0], "max": t[0] + t[1]}, (t[0], t[0] + t[1]))),
    st.sampled_from(["c", "x", "[c]", ".."]).map(lambda m: (m, (0, float("inf")))),
)


@given(parts=st.lists(_PART, min_size=1, max_size=3), total=st.integers(0, 150))
def test_total_over_intervals(tmp_path_factory, parts, total):
    """A total over rounded or suppressed parts fails only when no admissible values add up, else is unknown."""
    path = tmp_path_factory.mktemp("total") / "total.toml"
    names = ["foster_care", "childrens_homes", "missing"][: len(parts)]
    path.write_text(
        f'[[rule]]\ncode = "{CODE}"\ntitle = "t"\nkind = "total"\nseverity = "error"\nframeworks = ["*"]\n'
        f'source = "test"\nequals = {total}\nparts = {_toml([f"populations.{n}" for n in names])}\n'
    )
    ruleset = load_ruleset([path]).select([CODE])
    lo = sum(admits[0] for _, admits in parts)
    hi = sum(admits[1] for _, admits in parts)
    if lo == hi == total:
        expected = "pass"
    elif lo <= total <= hi:
        expected = "unknown"
    else:
        expected = "fail"
    record = populations(**{n: written for n, (written, _) in zip(names, parts, strict=True)})
    assert expected == outcome(ruleset, record)


class TestWithin:
    PLACEMENTS = ("populations.foster_care", "populations.placed_with_parents", "populations.childrens_homes")

    @pytest.fixture(name="within")
    def _within(self, rule):
        return rule("within", whole="populations.looked_after", parts=self.PLACEMENTS)

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            ({"looked_after": 939, "foster_care": 643, "placed_with_family": 139, "childrens_homes": 15}, "pass"),
            ({"looked_after": 797, "foster_care": 643, "placed_with_parents": 139, "childrens_homes": 15}, "pass"),
            ({"looked_after": 700, "foster_care": 643, "placed_with_family": 139, "childrens_homes": 15}, "fail"),
            ({"looked_after": "c", "foster_care": 643}, "unknown"),
            ({"looked_after": {"value": 640, "rounded_to": 10}, "foster_care": 643}, "unknown"),
            ({"looked_after": 939, "foster_care": "643"}, "unknown"),
            ({"looked_after": "939", "foster_care": 643}, "unknown"),
            ({"looked_after": {"value": 600, "rounded_to": 10}, "foster_care": 643}, "fail"),
            ({"foster_care": 643}, "n/a"),
            ({"looked_after": 939, "children_in_need": 5000}, "n/a"),
        ],
        ids=["liverpool", "exactly-equal", "more-than-whole", "whole-suppressed", "whole-rounded-close",
             "part-unreadable", "whole-unreadable", "whole-rounded-far", "no-whole", "no-parts"],
    )
    def test_outcomes(self, within, counts, expected):
        """Parts may fall short of their whole but never exceed it; doubt is unknown."""
        assert expected == outcome(within, populations(**counts))

    def test_arithmetic(self, within):
        """The message adds the parts (read through their aliases) and names the whole."""
        record = populations(looked_after=700, foster_care=643, placed_with_family=139, childrens_homes=15)
        expected = "foster_care 643 + placed_with_parents 139 + childrens_homes 15 = 797, more than looked_after 700"
        assert [expected] == messages(within, record)

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            ({"children_in_need": 4277, "looked_after": 1000, "child_protection_plans": 431}, "pass"),
            ({"children_in_need": 4277, "looked_after": 4000, "child_protection_plans": 431}, "pass"),
            ({"children_in_need": 4277, "looked_after": 5000, "child_protection_plans": 431}, "fail"),
            ({"children_in_need": 4277, "looked_after": {"min": 4000, "max": 5000}}, "unknown"),
        ],
        ids=["both-inside", "overlapping-sum-is-fine", "one-exceeds", "one-may-exceed"],
    )
    def test_overlapping_parts(self, rule, counts, expected):
        """With disjoint = false each part is checked alone, since parts may overlap."""
        ruleset = rule("within", whole="populations.children_in_need",
                       parts=["populations.looked_after", "populations.child_protection_plans"], disjoint=False)
        assert expected == outcome(ruleset, populations(**counts))

    def test_overlapping_message(self, rule):
        """Each part that exceeds the whole is named with both numbers."""
        ruleset = rule("within", whole="populations.children_in_need",
                       parts=["populations.looked_after", "populations.child_protection_plans"], disjoint=False)
        record = populations(children_in_need=4277, looked_after=5000, child_protection_plans=431)
        assert messages(ruleset, record) == ["looked_after 5000 is more than children_in_need 4277"]

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            ({"looked_after": 797, "foster_care": 643, "placed_with_parents": 139, "childrens_homes": 15}, "pass"),
            ({"looked_after": 939, "foster_care": 643, "placed_with_parents": 139, "childrens_homes": 15}, "fail"),
            ({"looked_after": 939, "foster_care": 643, "placed_with_parents": 139}, "unknown"),
            ({"looked_after": {"value": 800, "rounded_to": 10}, "foster_care": 643, "placed_with_parents": 139,
              "childrens_homes": 15}, "unknown"),
        ],
        ids=["partition", "falls-short", "part-missing", "whole-rounded"],
    )
    def test_exact(self, within, rule, counts, expected):
        """With exact = true the parts must add up to the whole."""
        ruleset = rule("within", whole="populations.looked_after", parts=self.PLACEMENTS, exact=True)
        assert expected == outcome(ruleset, populations(**counts))

    def test_exact_message(self, rule):
        """A partition that falls short shows its sum against the whole."""
        ruleset = rule("within", whole="populations.looked_after", parts=self.PLACEMENTS, exact=True)
        record = populations(looked_after=939, foster_care=643, placed_with_parents=139, childrens_homes=15)
        expected = "foster_care 643 + placed_with_parents 139 + childrens_homes 15 = 797, expected looked_after 939"
        assert [expected] == messages(ruleset, record)


class TestRange:
    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            ({"foster_care": 0, "looked_after": 939}, "pass"),
            ({"foster_care": -3, "looked_after": 939}, "fail"),
            ({"foster_care": {"min": -5, "max": 5}}, "unknown"),
            ({"foster_care": "c"}, "pass"),
            ({"foster_care": "-3"}, "unknown"),
            ({}, "n/a"),
        ],
        ids=["zero", "negative", "may-be-negative", "suppressed-count", "unreadable", "no-fields"],
    )
    def test_outcomes(self, rule, counts, expected):
        """A number outside its bounds fails; one that may lie outside is unknown."""
        assert expected == outcome(rule("range", fields=["populations.*"], min=0), populations(**counts))

    @pytest.mark.parametrize(
        ("params", "value", "expected"),
        [
            ({"min": 0}, -3, "populations.foster_care is -3, expected at least 0"),
            ({"max": 100}, 104, "populations.foster_care is 104, expected at most 100"),
            ({"min": 0, "max": 100}, 104, "populations.foster_care is 104, expected between 0 and 100"),
            ({"min": 0.5}, 0, "populations.foster_care is 0, expected at least 0.5"),
        ],
        ids=["min", "max", "both", "fractional-bound"],
    )
    def test_messages(self, rule, params, value, expected):
        """The message names the field, its value and the bounds."""
        ruleset = rule("range", fields=["populations.foster_care"], **params)
        assert [expected] == messages(ruleset, populations(foster_care=value))

    def test_each_field_judged(self, rule):
        """Every matching field is checked, and each failure is its own finding."""
        ruleset = rule("range", fields=["facts.*percent*"], min=0, max=100)
        record = {"id": "r", "framework": "sif", "facts": {"seen_percent": 104, "visited_percent": -1, "other": 500}}
        expected = ["facts.seen_percent is 104, expected between 0 and 100",
                    "facts.visited_percent is -1, expected between 0 and 100"]
        assert sorted(expected) == sorted(messages(ruleset, record))


class TestOverall:
    @pytest.fixture(name="overall")
    def _overall(self, rule):
        return rule("overall", frameworks=["sif", "ilacs"])

    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (ilacs(overall_effectiveness="requires_improvement", impact_of_leaders="good",
                   help_and_protection="requires_improvement", children_in_care="inadequate"), "pass"),
            (ilacs(overall_effectiveness="Requires improvement to be good", impact_of_leaders="Good",
                   help_and_protection="Inadequate", children_in_care="RI"), "pass"),
            (ilacs(overall_effectiveness="good", impact_of_leaders="requires_improvement",
                   help_and_protection="inadequate", children_in_care="requires_improvement"), "fail"),
            (ilacs(overall_effectiveness="inadequate", impact_of_leaders="good", help_and_protection="good",
                   children_in_care="requires_improvement"), "fail"),
            (ilacs(overall_effectiveness="good", impact_of_leaders="goood", help_and_protection="good"), "unknown"),
            (ilacs(impact_of_leaders="good", help_and_protection="good"), "unknown"),
            (ilacs(overall_effectiveness="good"), "unknown"),
            (ilacs(start="2026-05-01", impact_of_leaders="good", help_and_protection="inadequate",
                   children_in_care="good", care_leavers="good"), "n/a"),
            ({"id": "r", "framework": "sif", "start": "2015-01-01", "judgements": {
                "overall_effectiveness": "good", "help_and_protection": "good",
                "looked_after_and_permanence": "good", "leadership_management_governance": "good",
                "lscb": "inadequate"}}, "pass"),
        ],
        ids=["between", "spellings", "better-than-best", "worse-than-worst", "unknown-spelling", "no-overall",
             "no-feeds", "ilacs-2026-has-no-overall", "sif-lscb-does-not-feed"],
    )
    def test_outcomes(self, overall, record, expected):
        """The overall grade lies between the best and the worst of the judgements that feed it."""
        assert expected == outcome(overall, record)

    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (ilacs(overall_effectiveness="good", impact_of_leaders="requires_improvement",
                   help_and_protection="inadequate", children_in_care="requires_improvement"),
             "overall_effectiveness good is better than the best judgement feeding it (impact_of_leaders "
             "requires_improvement, help_and_protection inadequate, children_in_care requires_improvement)"),
            (ilacs(overall_effectiveness="inadequate", impact_of_leaders="good", help_and_protection="good",
                   children_in_care="requires_improvement"),
             "overall_effectiveness inadequate is worse than the worst judgement feeding it (impact_of_leaders good, "
             "help_and_protection good, children_in_care requires_improvement)"),
        ],
        ids=["better", "worse"],
    )
    def test_messages(self, overall, record, expected):
        """The message lists every feeding judgement, in the framework's order."""
        assert [expected] == messages(overall, record)

    @pytest.mark.parametrize(
        ("overall_grade", "expected"),
        [("good", "pass"), ("outstanding", "fail"), ("requires_improvement", "pass")],
        ids=["one-better", "two-better", "equal"],
    )
    def test_better_than_worst(self, rule, overall_grade, expected):
        """With better_than_worst = 1 the overall grade is at most one grade better than the worst feed."""
        ruleset = rule("overall", frameworks=["ilacs"], better_than_worst=1)
        record = ilacs(overall_effectiveness=overall_grade, impact_of_leaders="outstanding",
                       help_and_protection="requires_improvement", children_in_care="good")
        assert expected == outcome(ruleset, record)

    def test_better_than_worst_message(self, rule):
        """The message counts the grades between the overall and the worst feed."""
        ruleset = rule("overall", frameworks=["ilacs"], better_than_worst=1)
        record = ilacs(overall_effectiveness="outstanding", impact_of_leaders="outstanding",
                       help_and_protection="requires_improvement", children_in_care="good")
        expected = ("overall_effectiveness outstanding is 2 grades better than the worst judgement feeding it "
                    "(help_and_protection requires_improvement); expected at most 1")
        assert [expected] == messages(ruleset, record)

    def test_numeric_scale(self, rule):
        """On a scale where 4 is best, a 4 overall over 2s is better than the best feed."""
        ruleset = rule("overall", frameworks=["apa"], overall="judgements.overall_effectiveness",
                       feeds=["judgements.being_healthy", "judgements.staying_safe"])
        record = {"id": "r", "framework": "apa", "judgements": {"overall_effectiveness": 4, "being_healthy": 2,
                                                                "staying_safe": "2"}}
        assert outcome(ruleset, record) == "fail"
        record["judgements"]["overall_effectiveness"] = 2
        assert outcome(ruleset, record) == "pass"


class TestImplies:
    @pytest.fixture(name="limiting")
    def _limiting(self, rule):
        return rule("implies", frameworks=["ilacs"], when=["judgements.help_and_protection"], grade="inadequate",
                    then=["@overall"])

    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (ilacs(help_and_protection="inadequate", overall_effectiveness="inadequate"), "pass"),
            (ilacs(help_and_protection="good", overall_effectiveness="outstanding"), "pass"),
            (ilacs(help_and_protection="Inadequate", overall_effectiveness="Requires improvement to be good"), "fail"),
            (ilacs(help_and_protection="goood", overall_effectiveness="good"), "unknown"),
            (ilacs(help_and_protection="inadequate", overall_effectiveness="goood"), "unknown"),
            (ilacs(overall_effectiveness="good"), "unknown"),
            (ilacs(help_and_protection="inadequate"), "unknown"),
        ],
        ids=["follows", "not-triggered", "broken", "trigger-unreadable", "consequence-unreadable", "no-trigger-field",
             "no-overall"],
    )
    def test_outcomes(self, limiting, record, expected):
        """A limiting judgement at its grade pulls the overall grade with it."""
        assert expected == outcome(limiting, record)

    def test_message(self, limiting):
        """The message names the cause and what was found instead."""
        record = ilacs(help_and_protection="inadequate", overall_effectiveness="requires_improvement")
        expected = ("help_and_protection inadequate, so overall_effectiveness should be inadequate, "
                    "found overall_effectiveness requires_improvement")
        assert [expected] == messages(limiting, record)

    @pytest.mark.parametrize(
        ("feeds", "expected"),
        [
            ({"impact_of_leaders": "good", "help_and_protection": "inadequate", "children_in_care": "good"}, "pass"),
            ({"impact_of_leaders": "good", "help_and_protection": "requires_improvement", "children_in_care": "good"},
             "fail"),
        ],
        ids=["one-is-enough", "none"],
    )
    def test_any(self, rule, feeds, expected):
        """With then_needs = "any" one consequence is enough."""
        ruleset = rule("implies", frameworks=["ilacs"], when=["@overall"], grade="inadequate",
                       then=["@feeds_overall"], then_needs="any")
        assert expected == outcome(ruleset, ilacs(overall_effectiveness="inadequate", **feeds))

    def test_any_message(self, rule):
        """The message says "one of" and lists what was found."""
        ruleset = rule("implies", frameworks=["ilacs"], when=["@overall"], grade="inadequate",
                       then=["@feeds_overall"], then_needs="any")
        record = ilacs(overall_effectiveness="inadequate", impact_of_leaders="good",
                       help_and_protection="requires_improvement", children_in_care="good")
        expected = ("overall_effectiveness inadequate, so one of impact_of_leaders, help_and_protection, "
                    "children_in_care should be inadequate, found impact_of_leaders good, help_and_protection "
                    "requires_improvement, children_in_care good")
        assert [expected] == messages(ruleset, record)

    def test_then_grade(self, rule):
        """then_grade asks for a grade other than the triggering one."""
        ruleset = rule("implies", frameworks=["ilacs"], when=["@overall"], grade="outstanding",
                       then=["judgements.impact_of_leaders"], then_grade="outstanding")
        record = ilacs(overall_effectiveness="outstanding", impact_of_leaders="good")
        expected = ("overall_effectiveness outstanding, so impact_of_leaders should be outstanding, "
                    "found impact_of_leaders good")
        assert [expected] == messages(ruleset, record)


AGREE_JUDGEMENTS = {"overall_effectiveness": "inadequate", "impact_of_leaders": "inadequate",
                    "help_and_protection": "inadequate", "children_in_care": "requires_improvement",
                    "care_leavers": "inadequate"}


class TestAgree:

    @pytest.fixture(name="agree")
    def _agree(self, rule):
        return rule("agree", frameworks=["sif", "ilacs"])

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            ({"inadequate": 4, "requires_improvement": 1}, "pass"),
            ({"Inadequate": 4, "Requires improvement": 1}, "pass"),
            ({"inadequate": 3, "requires_improvement": 2}, "fail"),
            ({"inadequate": 5}, "fail"),
            ({"inadequate": "c", "requires_improvement": 1}, "unknown"),
            ({"inadequate": {"value": 0, "rounded_to": 10}, "requires_improvement": 1}, "unknown"),
            ({"inadequate": {"value": 10, "rounded_to": 10}, "requires_improvement": 1}, "pass"),
            ({"inadequate": "4", "requires_improvement": 1}, "unknown"),
            ({}, "n/a"),
        ],
        ids=["agrees", "count-spellings", "too-few", "grade-not-counted", "suppressed", "rounded-may-be-too-few",
             "rounded-enough", "count-unreadable", "no-counts"],
    )
    def test_outcomes(self, agree, counts, expected):
        """No grade is listed more often than its stated count; a count that may be too low is unknown."""
        record = {**ilacs(start="2023-03-13", **AGREE_JUDGEMENTS), "grade_counts": counts}
        assert expected == outcome(agree, record)

    @pytest.mark.parametrize(
        ("counts", "expected"),
        [
            ({"inadequate": 3, "requires_improvement": 2},
             "4 judgements listed as inadequate (overall_effectiveness, impact_of_leaders, help_and_protection, "
             "care_leavers), but grade_counts states 3"),
            ({"inadequate": 4},
             "1 judgement listed as requires_improvement (children_in_care), but grade_counts states none"),
        ],
        ids=["too-few", "none-stated"],
    )
    def test_messages(self, agree, counts, expected):
        """The message counts the listed grades and names them."""
        record = {**ilacs(start="2023-03-13", **AGREE_JUDGEMENTS), "grade_counts": counts}
        assert [expected] == messages(agree, record)

    def test_unknown_reason(self, agree):
        """A suppressed count makes the check unknown, and says so."""
        record = {**ilacs(start="2023-03-13", **AGREE_JUDGEMENTS), "grade_counts": {"inadequate": "c",
                                                                                   "requires_improvement": 1}}
        expected = ["4 judgements listed as inadequate, grade_counts states c (suppressed): "
                    "rounded or suppressed values could go either way"]
        assert expected == reasons(agree, record)

    def test_uncounted_judgements_ignored(self, agree):
        """Judgements outside the graded items (the SIF LSCB) are not held against the counts."""
        judgements = {"overall_effectiveness": "good", "help_and_protection": "good",
                      "looked_after_and_permanence": "good", "adoption_performance": "good", "care_leavers": "good",
                      "leadership_management_governance": "good", "lscb": "inadequate"}
        record = {"id": "r", "framework": "sif", "start": "2015-01-01", "judgements": judgements,
                  "grade_counts": {"good": 6}}
        assert outcome(agree, record) == "pass"

    def test_no_listed_grades(self, agree):
        """Counts with no judgements listed have nothing to agree with."""
        assert outcome(agree, {"id": "r", "framework": "ilacs", "grade_counts": {"good": 4}}) == "n/a"


class TestScale:
    @pytest.mark.parametrize(
        ("check_", "record", "expected"),
        [
            ("judgement_values", ilacs(overall_effectiveness="Requires improvement to be good"), "pass"),
            ("judgement_values", ilacs(overall_effectiveness="to requires improvement"), "fail"),
            ("judgement_values", ilacs(overall_effectiveness=True), "pass"),
            ("judgement_values", {"id": "r", "framework": "ilacs"}, "n/a"),
            ("judgement_values", {"id": "r", "framework": "monitoring-visit", "judgements": {"x": "good"}}, "n/a"),
            ("count_keys", {"id": "r", "framework": "sif", "grade_counts": {"good": 6}}, "pass"),
            ("count_keys", {"id": "r", "framework": "sif", "grade_counts": {"adequate": 6}}, "fail"),
            ("count_keys", {"id": "r", "framework": "sif"}, "n/a"),
            ("judgement_names", ilacs(leaders="good", help_and_protection="good"), "pass"),
            ("judgement_names", ilacs(lscb="good"), "fail"),
            ("judgement_names", {"id": "r", "framework": "ilacs"}, "n/a"),
        ],
        ids=["value-known", "value-unknown", "value-unreadable-left-to-valid", "value-no-judgements",
             "value-ungraded-framework", "count-key-known", "count-key-unknown", "no-counts", "name-known-or-alias",
             "name-unknown", "name-no-judgements"],
    )
    def test_outcomes(self, rule, check_, record, expected):
        """Grades and judgement names belong to the record's framework (a value that cannot be read is valid's)."""
        assert expected == outcome(rule("scale", check=check_), record)

    @pytest.mark.parametrize(
        ("check_", "record", "expected"),
        [
            ("judgement_values", ilacs(overall_effectiveness="to requires improvement"),
             "judgements.overall_effectiveness is 'to requires improvement', which is not a grade of the ofsted-ri "
             "scale (outstanding, good, requires_improvement, inadequate)"),
            ("count_keys", {"id": "r", "framework": "sif", "grade_counts": {"adequate": 6}},
             "grade_counts has 'adequate', which is not a grade of the ofsted-ri scale (outstanding, good, "
             "requires_improvement, inadequate)"),
            ("judgement_names", ilacs(start="2023-03-13", lscb="good"),
             "lscb is not a judgement of ilacs (it makes: care_leavers, children_in_care, help_and_protection, "
             "impact_of_leaders, overall_effectiveness)"),
        ],
        ids=["value", "count-key", "name"],
    )
    def test_messages(self, rule, check_, record, expected):
        """The message names what is off the scale and lists the scale."""
        assert [expected] == messages(rule("scale", check=check_), record)


class TestOrder:
    FIELDS = ("start", "end", "published")

    @pytest.mark.parametrize(
        ("dates", "expected"),
        [
            ({"start": "2023-03-13", "end": "2023-03-24", "published": "2023-05-25"}, "pass"),
            ({"start": "2023-03-13", "end": "2023-03-13"}, "pass"),
            ({"start": "2023-03-13", "end": "2023-03-10", "published": "2023-05-25"}, "fail"),
            ({"start": "2023-03-13", "end": "2023-02-30"}, "unknown"),
            ({"start": "2023-03-13"}, "n/a"),
            ({}, "n/a"),
        ],
        ids=["in-order", "same-day", "end-before-start", "impossible-date", "one-date", "no-dates"],
    )
    def test_outcomes(self, rule, dates, expected):
        """Dates come in the order given; one that cannot be read makes the order unknown."""
        record = {"id": "r", "framework": "ilacs", **dates}
        assert expected == outcome(rule("order", fields=self.FIELDS), record)

    def test_message(self, rule):
        """Each pair out of order is a finding naming both dates."""
        record = {"id": "r", "framework": "ilacs", "start": "2023-03-13", "end": "2023-03-10",
                  "published": "2023-03-01"}
        report = check([record], rule("order", fields=self.FIELDS))
        expected = [("start 2023-03-13 is after end 2023-03-10", "3 days later"),
                    ("end 2023-03-10 is after published 2023-03-01", "9 days later")]
        assert sorted(expected) == sorted((f.message, f.actual) for f in report.findings)

    def test_strict(self, rule):
        """With strict = true the same day is out of order."""
        record = {"id": "r", "framework": "ilacs", "start": "2023-03-13", "end": "2023-03-13"}
        ruleset = rule("order", fields=["start", "end"], strict=True)
        assert messages(ruleset, record) == ["start 2023-03-13 is the same day as end 2023-03-13"]


class TestPresentAbsent:
    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (ilacs(start="2023-03-13", care_leavers="good"), "pass"),
            (ilacs(start="2023-03-13", children_in_care="good"), "fail"),
            ({"id": "r", "framework": "ilacs", "judgements": {"children_in_care": "good"}}, "unknown"),
            (ilacs(start="2019-06-01", children_in_care="good"), "n/a"),
            ({"id": "r", "framework": "sif", "start": "2023-03-13"}, "n/a"),
        ],
        ids=["present", "missing", "undated", "before-the-rule", "other-framework"],
    )
    def test_present(self, rule, record, expected):
        """A dated present rule: fails when the field is missing, unknown when the record has no date."""
        ruleset = rule("present", frameworks=["ilacs"], fields=["judgements.care_leavers"],
                       **{"from": dt.date(2023, 1, 1)})
        assert expected == outcome(ruleset, record)

    def test_present_message(self, rule):
        """A missing field is named."""
        ruleset = rule("present", frameworks=["ilacs"], fields=["judgements.care_leavers"])
        assert messages(ruleset, ilacs(start="2023-03-13")) == ["judgements.care_leavers is missing"]

    def test_undated_reason(self, rule):
        """An undated record says why the dated rule could not be decided."""
        ruleset = rule("present", frameworks=["ilacs"], fields=["judgements.care_leavers"],
                       **{"from": dt.date(2023, 1, 1)})
        expected = ["no date, so cannot tell whether the rule (in force 2023-01-01 to …) applies"]
        assert expected == reasons(ruleset, {"id": "r", "framework": "ilacs"})

    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (ilacs(start="2019-06-01", children_in_care="good"), "pass"),
            (ilacs(start="2019-06-01", care_leavers="good"), "fail"),
            ({"id": "r", "framework": "ilacs", "judgements": {"care_leavers": "good"}}, "unknown"),
            (ilacs(start="2023-03-13", care_leavers="good"), "n/a"),
        ],
        ids=["absent", "present", "undated", "after-the-rule"],
    )
    def test_absent(self, rule, record, expected):
        """A dated absent rule: fails when the field is there in its dates."""
        ruleset = rule("absent", frameworks=["ilacs"], fields=["judgements.care_leavers"],
                       **{"to": dt.date(2022, 12, 31)})
        assert expected == outcome(ruleset, record)

    def test_absent_glob_message(self, rule):
        """A glob finds every field that must not be there, each a finding showing its value."""
        ruleset = rule("absent", frameworks=["monitoring-visit"], fields=["judgements.*", "grade_counts.*"])
        record = {"id": "r", "framework": "monitoring-visit", "judgements": {"overall_effectiveness": "good"},
                  "grade_counts": {"good": 1}}
        expected = ["grade_counts.good is present (1) but must be absent",
                    "judgements.overall_effectiveness is present (good) but must be absent"]
        assert expected == sorted(messages(ruleset, record))


class TestValid:
    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (populations(looked_after=939), "pass"),
            (populations(looked_after="939"), "fail"),
            ({"id": "r", "framework": "sif", "end": "2023-02-30"}, "fail"),
        ],
        ids=["number", "number-as-text", "impossible-date"],
    )
    def test_outcomes(self, rule, record, expected):
        """Every value reads as what its field holds."""
        assert expected == outcome(rule("valid"), record)

    def test_message(self, rule):
        """The message shows the value as written and what was expected."""
        expected = ["populations.looked_after is '939', expected a whole number, not text"]
        assert expected == messages(rule("valid"), populations(looked_after="939"))

    def test_undated_and_not_covered(self, rule):
        """Like every kind, a dated rule is unknown on an undated record and n/a on another framework."""
        ruleset = rule("valid", frameworks=["sif"], **{"from": dt.date(2014, 1, 1)})
        assert outcome(ruleset, populations(looked_after="939")) == "unknown"
        assert outcome(ruleset, populations(framework="ilacs", looked_after="939")) == "n/a"


class TestKnown:
    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (populations(looked_after=1, placed_with_family=2), "pass"),
            ({"id": "r", "framework": "sif", "facts": {"anything_at_all": 1}, "judgements": {"whatever": "good"}},
             "pass"),
            (populations(foster_cre=1), "fail"),
            ({"id": "r", "framework": "sif", "colour": "red"}, "fail"),
        ],
        ids=["canonical-and-alias", "open-groups", "misspelt-population", "unknown-top-level"],
    )
    def test_outcomes(self, rule, record, expected):
        """Field names are ones gradecheck knows; facts are open, judgement names are the scale kind's job."""
        assert expected == outcome(rule("known"), record)

    @pytest.mark.parametrize(
        ("record", "expected"),
        [
            (populations(foster_cre=1),
             "populations.foster_cre is not a field gradecheck knows; did you mean 'populations.foster_care'?"),
            ({"id": "r", "framework": "sif", "authorty": "Liverpool"},
             "authorty is not a field gradecheck knows; did you mean 'authority'?"),
            ({"id": "r", "framework": "sif", "colour": "red"}, "colour is not a field gradecheck knows"),
        ],
        ids=["population", "top-level", "no-suggestion"],
    )
    def test_messages(self, rule, record, expected):
        """A close known name is suggested."""
        assert [expected] == messages(rule("known"), record)


def _dated(id_, framework, start, authority="E08000012", **judgements):
    record = {"id": id_, "framework": framework, "start": start, "authority_code": authority}
    if judgements:
        record["judgements"] = judgements
    return record


class TestUnique:
    def test_outcomes(self, rule):
        """Distinct values pass; a repeat fails; records without the field are not judged."""
        ruleset = rule("unique")
        assert outcome(ruleset, {"id": "a", "framework": "sif"}, {"id": "b", "framework": "sif"}) == "pass"
        assert outcome(ruleset, {"id": "a", "framework": "sif"}, {"id": "a", "framework": "ilacs"}) == "fail"
        assert outcome(rule("unique", field="authority"), {"id": "a", "framework": "sif"}) == "n/a"

    def test_message(self, rule):
        """Every repeat is reported at its own place and points at the first use."""
        records = [{"id": "a", "framework": "sif"}] * 3
        report = check(records, rule("unique"))
        expected = [("<records>:2", "id 'a' is also used by the record at <records>:1"),
                    ("<records>:3", "id 'a' is also used by the record at <records>:1")]
        assert expected == [(str(f.source), f.message) for f in report.findings]

    def test_other_field(self, rule):
        """Any field can be required to be unique."""
        records = [{"id": "a", "framework": "sif", "authority": "X"}, {"id": "b", "framework": "sif", "authority": "X"}]
        assert messages(
            rule("unique", field="authority"), *records) == ["authority 'X' is also used by the record at <records>:1"]

    @given(st.lists(st.tuples(st.sampled_from(["a", "b", "é", "a\ud800", 7, 7.0, "7", ("x",)]), st.integers(1, 40),
                              st.sampled_from(["Town A", "Town B", "Town C"])),
                    max_size=12, unique_by=lambda r: r[1]),
           st.data())
    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # ``rule`` only builds a rule set
    def test_summaries_merged_out_of_file_order_report_as_a_plain_model(self, rule, records, data):
        """
        Records folded in any order, into parts merged in any order: each repeat is reported at its own place,
        with its own id, against the first record of its value in file order.
        """
        from gradecheck import Origin, Record, prepare

        ruleset = rule("unique", field="source")
        kind = ruleset.rules[0].check

        def view(n: int, value: object, line: int, authority: str):
            return prepare(Record(f"r{n}", "sif", {"source": value, "authority": authority}, Origin("f.csv", line)),
                           ruleset)

        views = [view(n, *record) for n, record in enumerate(records)]
        cut = data.draw(st.integers(0, len(views)))
        parts = [kind.summary(), kind.summary()]
        for n, v in enumerate(views):
            parts[n >= cut].add(v)
        first, second = data.draw(st.permutations(parts))
        first.merge(second)
        _, outcomes = first.outcomes()

        expected = []
        for n, (value, line, authority) in enumerate(records):
            # A text equals only a text; 7 and 7.0 are one value, as in a dict; a list is kept as its repr.
            key = repr(value) if type(value) is tuple else value
            origin = min(ln for v, ln, _ in records if (repr(v) if type(v) is tuple else v) == key
                         and (type(v) is str) == (type(value) is str))
            if line != origin:
                expected.append((line, f"r{n}", authority, origin))
        got = [(subject.line, subject.id, subject.authority, int(failure.actual.rsplit(":", 1)[1]))
               for subject, failure in outcomes]
        assert got == sorted(expected)
        assert first.applicable == len(records)


class TestVisitsFollow:
    @pytest.fixture(name="visits")
    def _visits(self, rule):
        return rule("visits_follow", visits=["monitoring-visit"], grade="inadequate")

    @pytest.mark.parametrize(
        ("records", "expected"),
        [
            ([_dated("i", "ilacs", "2023-03-13", overall_effectiveness="Inadequate"),
              _dated("mv", "monitoring-visit", "2024-07-08")], "pass"),
            ([_dated("i", "ilacs", "2018-05-14", overall_effectiveness="requires_improvement"),
              _dated("mv", "monitoring-visit", "2024-07-08")], "fail"),
            ([_dated("old", "ilacs", "2018-05-14", overall_effectiveness="requires_improvement"),
              _dated("new", "ilacs", "2023-03-13", overall_effectiveness="inadequate"),
              _dated("mv", "monitoring-visit", "2024-07-08")], "pass"),
            ([_dated("old", "ilacs", "2023-03-13", overall_effectiveness="inadequate"),
              _dated("new", "ilacs", "2025-01-13", overall_effectiveness="good"),
              _dated("mv", "monitoring-visit", "2025-06-08")], "fail"),
            ([_dated("mv", "monitoring-visit", "2024-07-08"),
              _dated("i", "ilacs", "2025-03-13", overall_effectiveness="inadequate")], "unknown"),
            ([_dated("i", "ilacs", "2023-03-13", overall_effectiveness="inadequate"),
              _dated("mv", "monitoring-visit", "2024-07-08", authority="E09000003")], "unknown"),
            ([{"id": "mv", "framework": "monitoring-visit", "start": "2024-07-08"}], "unknown"),
            ([{"id": "mv", "framework": "monitoring-visit", "authority": "Liverpool"}], "unknown"),
            ([_dated("i", "ilacs", "2023-03-13", overall_effectiveness="requires_improvement")], "n/a"),
            ([_dated("i", "ilacs", "2026-05-01", impact_of_leaders="good", help_and_protection="inadequate"),
              _dated("mv", "monitoring-visit", "2026-09-01")], "pass"),
        ],
        ids=["after-inadequate", "after-requires-improvement", "latest-counts", "re-inspected-good",
             "inspection-after-the-visit", "other-authority", "no-authority", "no-date", "no-visits",
             "worst-judgement-when-no-overall"],
    )
    def test_outcomes(self, visits, records, expected):
        """A monitoring visit follows an inadequate latest inspection of the same authority."""
        assert expected == outcome(visits, *records)

    def test_message(self, visits):
        """The message names the visit's date and the inspection it should have followed."""
        records = [_dated("liverpool-2018-ilacs", "ilacs", "2018-05-14", overall_effectiveness="requires_improvement"),
                   _dated("mv", "monitoring-visit", "2024-07-08")]
        report = check(records, visits)
        [finding] = report.findings
        expected = ("monitoring-visit on 2024-07-08, but the latest graded inspection before it "
                    "(liverpool-2018-ilacs, 2018-05-14) was requires_improvement, not inadequate")
        assert (expected, "mv", "<records>:2") == (finding.message, finding.record, str(finding.source))

    def test_authority_name_when_no_code(self, visits):
        """Without codes, authorities are matched by name, ignoring case and spacing."""
        records = [{"id": "i", "framework": "ilacs", "start": "2018-05-14", "authority": "Liverpool",
                    "judgements": {"overall_effectiveness": "good"}},
                   {"id": "mv", "framework": "monitoring-visit", "start": "2024-07-08", "authority": " liverpool "}]
        assert outcome(visits, *records) == "fail"


class TestGroupTotal:
    @pytest.fixture(name="groups")
    def _groups(self, rule):
        return rule("group_total", group_by=["authority_code"], label="type", value="populations.looked_after")

    @staticmethod
    def rows(*rows, authority="E1"):
        return [{"id": f"{authority}-{label}", "framework": "sif", "authority_code": authority, "type": label,
                 "populations": {"looked_after": value}} for label, value in rows]

    @pytest.mark.parametrize(
        ("rows", "expected"),
        [
            ((("Total", 9), ("boys", 4), ("girls", 5)), "pass"),
            ((("Total", 10), ("boys", 4), ("girls", 5)), "fail"),
            ((("Total", 10), ("boys", 4), ("girls", "c")), "unknown"),
            ((("Total", {"value": 10, "rounded_to": 10}), ("boys", 4), ("girls", 5)), "unknown"),
            ((("Total", 10), ("boys", 4), ("girls", "5")), "unknown"),
            ((("boys", 4), ("girls", 5)), "n/a"),
            ((("Total", 10), ("Total", 9), ("boys", 4)), "n/a"),
        ],
        ids=["adds-up", "off-by-one", "part-suppressed", "total-rounded", "part-unreadable", "no-total-row",
             "two-total-rows"],
    )
    def test_outcomes(self, groups, rows, expected):
        """Within a group, the Total row equals the sum of the other rows."""
        assert expected == outcome(groups, *self.rows(*rows))

    @given(st.lists(st.tuples(st.sampled_from(["E1", "E2"]), st.sampled_from(["Total", "boys", "girls", 1, 1.0, None]),
                              st.integers(0, 9) | st.just("c"), st.integers(1, 60), st.sampled_from(["A", "B"])),
                    max_size=10, unique_by=lambda r: r[3]),
           st.data())
    @settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # ``rule`` only builds a rule set
    def test_a_summary_split_and_merged_judges_as_the_whole(self, rule, rows, data):
        """
        Rows folded into two parts, out of file order, and merged in either order give the outcomes of one
        summary of every row, labels that are not texts included.
        """
        from gradecheck import Origin, Record, prepare

        for kind in ("group_total", "group_share"):
            extra = {"share": "populations.foster_care"} if kind == "group_share" else {}
            ruleset = rule(kind, group_by=["authority_code"], label="type", value="populations.looked_after", **extra)
            check_ = ruleset.rules[0].check

            def view(n: int, code: str, label: object, value: object, line: int, authority: str, rs=ruleset):
                fields = {"authority_code": code, "authority": authority, "populations.looked_after": value,
                          "populations.foster_care": 50}
                if label is not None:
                    fields["type"] = label
                return prepare(Record(f"r{n}", "sif", fields, Origin("f.csv", line)), rs)

            whole = check_.summary()
            for n, row in enumerate(sorted(rows, key=lambda r: r[3])):
                whole.add(view(n, *row))
            cut = data.draw(st.integers(0, len(rows)))
            parts = [check_.summary(), check_.summary()]
            for n, row in enumerate(sorted(rows, key=lambda r: r[3])):
                parts[data.draw(st.booleans()) if n >= cut else 0].add(view(n, *row))
            first, second = data.draw(st.permutations(parts))
            first.merge(second)

            def seen(summary):
                count, outcomes = summary.outcomes()
                return count, [(s.line, s.id, s.authority, o) for s, o in outcomes]

            assert seen(first) == seen(whole)
            assert {s.line for s, _ in whole.outcomes()[1]} <= {r[3] for r in rows}  # each at its own line

    def test_a_merged_summary_names_each_rows_own_authority(self, rule):
        """The later part's authorities are its own, though the earlier part met others first."""
        from gradecheck import Origin, Record, prepare

        ruleset = rule("group_share", group_by=["authority_code"], label="type", value="populations.looked_after",
                       share="populations.foster_care")
        check_ = ruleset.rules[0].check

        def view(line: int, code: str, label: str, value: int, authority: str):
            fields = {"authority_code": code, "authority": authority, "type": label,
                      "populations.looked_after": value, "populations.foster_care": 50}
            return prepare(Record(f"r{line}", "sif", fields, Origin("f.csv", line)), ruleset)

        earlier, later = check_.summary(), check_.summary()
        earlier.add(view(1, "E1", "Total", 9, "Town A"))
        later.add(view(2, "E2", "Total", 9, "Town B"))
        later.add(view(3, "E2", "boys", 4, "Town B"))
        earlier.merge(later)
        assert [(s.line, s.authority, s.authority_code) for s, _ in earlier.outcomes()[1]] == [
            (1, "Town A", "E1"), (2, "Town B", "E2"), (3, "Town B", "E2")]

    def test_message_and_groups(self, groups):
        """Groups are judged apart; the finding sits on the Total row and shows the sum."""
        records = self.rows(("Total", 10), ("boys", 4), ("girls", 5)) + self.rows(
            ("Total", 3), ("boys", 1), ("girls", 2), authority="E2")
        [finding] = check(records, groups).findings
        assert (finding.record, finding.message) == ("E1-Total", "boys 4 + girls 5 = 9, expected Total 10")


def _two_tables():
    """A table of a and b, and a later share's of b and c."""
    from gradecheck.kinds._summary import Names

    mine, theirs = Names(), Names()
    for value in ("a", "b"):
        mine.of(value)
    for value in ("b", "c"):
        theirs.of(value)
    return mine, theirs


def test_names_adopt_answers_again_only_while_neither_table_grew_and_travel_without_their_index():
    """Summaries sharing a table ask it the same question in a merge; a grown table gets a new answer."""
    import pickle

    from gradecheck.kinds._summary import Names

    mine, theirs = _two_tables()
    assert mine.adopt(theirs) == [1, 2]
    assert mine.adopt(theirs) == [1, 2]  # the same answer, asked again
    theirs.of("d")
    assert mine.adopt(theirs) == [1, 2, 3]  # theirs grew: worked out again
    mine.of("e")
    assert mine.adopt(theirs) == [1, 2, 3]
    back = pickle.loads(pickle.dumps(mine))
    assert back.values == ["a", "b", "c", "d", "e"]
    assert [back.of(v) for v in ("a", "e", "f")] == [0, 4, 5]
    assert Names().adopt(back) is None  # every value lands where it was


def test_names_append_keeps_every_value_after_its_own_and_answers_once_per_table():
    """Appending keeps another table's values as they are, after this one's; asked again, the same start."""
    import pickle

    from gradecheck.kinds._summary import Names

    mine, theirs = _two_tables()
    assert mine.append(theirs) == 2
    assert mine.append(theirs) == 2  # a second summary sharing both tables: nothing appended twice
    assert mine.values == ["a", "b", "b", "c"]
    # Appended values are not indexed: a value of this table's own is found where it was, one only appended is
    # added again; either way its index names it.
    assert [mine.of(v) for v in ("b", "c", "d")] == [1, 4, 5]
    assert mine.values == ["a", "b", "b", "c", "c", "d"]
    theirs.of("e")
    assert mine.append(theirs) == 6  # theirs grew: appended again
    assert mine.values == ["a", "b", "b", "c", "c", "d", "b", "c", "e"]
    back = pickle.loads(pickle.dumps(mine))
    assert [back.of(v) for v in ("b", "c", "e")] == [1, 3, 8]  # read back, each value at its first index
    assert Names().append(back) == 0
