"""Tests for gradecheck.frameworks: grade scales with their spellings, and dated judgement sets."""

from __future__ import annotations

import datetime as dt

import pytest

from gradecheck.frameworks import Framework, Grade, Scale, Version, spelling_key
from gradecheck.values import MISSING, UnknownGrade

RI_SCALE = Scale(
    "ri",
    "Outstanding / Good / Requires improvement / Inadequate",
    [
        Grade("outstanding", "Outstanding", number=1),
        Grade("good", "Good", number=2),
        Grade("requires_improvement", "Requires improvement to be good", ("RI", "requires improvement"), number=3),
        Grade("inadequate", "Inadequate", number=4),
    ],
    best_number="lowest",
    not_graded=("n/a", "not graded"),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Requires_Improvement", "requires improvement"),
        ("requires  improvement", "requires improvement"),
        ("  Good ", "good"),
        ("well-led", "well led"),
        ("", ""),
    ],
    ids=["underscores-and-case", "runs-of-spaces", "padding", "hyphen", "empty"],
)
def test_spelling_key(text, expected):
    """Spellings fold case, underscores, hyphens and runs of spaces."""
    assert expected == spelling_key(text)


class TestScale:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("good", "good"),
            ("Good", "good"),
            ("Requires improvement to be good", "requires_improvement"),
            ("requires_improvement", "requires_improvement"),
            ("REQUIRES-IMPROVEMENT", "requires_improvement"),
            ("RI", "requires_improvement"),
            ("3", "requires_improvement"),
            ("Grade 4", "inadequate"),
            ("n/a", MISSING),
            ("Not graded", MISSING),
            ("goood", UnknownGrade("goood")),
            ("to requires improvement", UnknownGrade("to requires improvement")),
            ("5", UnknownGrade("5")),
        ],
        ids=["name", "label", "long-label", "snake", "shouting", "alias", "number", "grade-number", "n/a",
             "not-graded", "typo", "scraper-artefact", "off-scale-number"],
    )
    def test_canonical(self, raw, expected):
        """Every known spelling maps to one canonical grade; "no grade" is missing; the rest are unknown."""
        assert expected == RI_SCALE.canonical(raw)

    def test_rank_best_first(self):
        """Rank counts down the scale from the best grade."""
        assert [RI_SCALE.rank(n) for n in RI_SCALE.names] == [0, 1, 2, 3]

    def test_names(self):
        """Canonical names come best first."""
        assert RI_SCALE.names == ("outstanding", "good", "requires_improvement", "inadequate")

    def test_knows(self):
        """A scale knows its canonical names only, not their spellings."""
        assert RI_SCALE.knows("good")
        assert not RI_SCALE.knows("Good")
        assert not RI_SCALE.knows("adequate")

    def test_first_spelling_wins(self):
        """A spelling two grades share belongs to the first (the loader rejects such scales anyway)."""
        scale = Scale("s", "s", [Grade("a", "A", ("x",)), Grade("b", "B", ("x",))])
        assert scale.canonical("x") == "a"


class TestVersion:
    @pytest.mark.parametrize(
        ("day", "expected"),
        [
            (dt.date(2022, 12, 31), False),
            (dt.date(2023, 1, 1), True),
            (dt.date(2026, 3, 31), True),
            (dt.date(2026, 4, 1), False),
        ],
        ids=["day-before", "first-day", "last-day", "day-after"],
    )
    def test_covers_inclusive(self, day, expected):
        """A version covers both its first and its last day."""
        version = Version(start=dt.date(2023, 1, 1), end=dt.date(2026, 3, 31))
        assert expected == version.covers(day)

    def test_open_ended(self):
        """A version without dates covers every day."""
        assert Version().covers(dt.date(1900, 1, 1))


class TestBuiltinFrameworks:
    """The frameworks shipped in rules/frameworks.toml, as DESIGN.md section 2 describes them."""

    @pytest.mark.parametrize(
        ("day", "judgements", "overall", "graded_items"),
        [
            (dt.date(2018, 5, 14), {"overall_effectiveness", "impact_of_leaders", "help_and_protection",
                                    "children_in_care"}, "overall_effectiveness", 4),
            (dt.date(2022, 12, 31), {"overall_effectiveness", "impact_of_leaders", "help_and_protection",
                                     "children_in_care"}, "overall_effectiveness", 4),
            (dt.date(2023, 1, 1), {"overall_effectiveness", "impact_of_leaders", "help_and_protection",
                                   "children_in_care", "care_leavers"}, "overall_effectiveness", 5),
            (dt.date(2026, 4, 1), {"impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"},
             None, 4),
            (None, {"impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"}, None, 4),
        ],
        ids=["2018", "last-day-of-2022", "care-leavers-from-2023", "no-overall-from-april-2026", "undated-latest"],
    )
    def test_ilacs_versions(self, ruleset, day, judgements, overall, graded_items):
        """The record's date picks the ILACS judgement set; an undated record gets the latest."""
        version = ruleset.frameworks["ilacs"].version_at(day)
        assert (judgements, overall, graded_items) == (set(version.judgements), version.overall, version.graded_items)

    @pytest.mark.parametrize(
        ("framework", "raw", "expected"),
        [
            ("slac", "Satisfactory", "adequate"),
            ("slac", "Grade 1", "outstanding"),
            ("sif", "Requires improvement to be good", "requires_improvement"),
            ("sif", "adequate", UnknownGrade("adequate")),
            ("apa", "4", "4"),
            ("annual-assessment", "performs excellently", "4"),
            ("annual-assessment", "Poor", "1"),
        ],
        ids=["slac-satisfactory", "slac-grade-number", "sif-long-ri", "sif-no-adequate",
             "apa-number", "annual-words", "annual-poor"],
    )
    def test_spellings(self, ruleset, framework, raw, expected):
        """Each framework's scale knows the spellings seen in the wild, and no grade of another regime."""
        assert expected == ruleset.frameworks[framework].scale.canonical(raw)

    @pytest.mark.parametrize(
        ("framework", "best"),
        [("apa", "4"), ("annual-assessment", "4"), ("slac", "outstanding"), ("sif", "outstanding")],
        ids=["apa-4-best", "annual-4-best", "slac", "sif"],
    )
    def test_best_grade_first(self, ruleset, framework, best):
        """The numeric direction is per scale: on APA and annual assessment 4 is best."""
        assert best == ruleset.frameworks[framework].scale.names[0]

    @pytest.mark.parametrize("framework", ["monitoring-visit", "focused-visit"])
    def test_visits_are_ungraded(self, ruleset, framework):
        """Visits have no scale and make no judgements."""
        visit: Framework = ruleset.frameworks[framework]
        assert (False, None, frozenset()) == (visit.graded, visit.scale, visit.judgements)

    def test_judgements_union(self, ruleset):
        """A framework's judgements are those of all its versions."""
        expected = {"overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care",
                    "care_leavers"}
        assert expected == ruleset.frameworks["ilacs"].judgements

    def test_sif_lscb_outside_overall(self, ruleset):
        """Under SIF the LSCB is judged but does not feed the overall judgement."""
        version = ruleset.frameworks["sif"].version_at(dt.date(2015, 1, 1))
        assert "lscb" in version.judgements
        assert (
            version.feeds_overall
        ) == ("help_and_protection", "looked_after_and_permanence", "leadership_management_governance")
