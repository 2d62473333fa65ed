"""Tests for gradecheck.ruleset.load: rule files are data, checked in full, and never executed."""

from __future__ import annotations

import builtins
import datetime as dt
import re

import pytest

from gradecheck import RuleFileError, check, load_ruleset
from gradecheck.errors import Problem
from gradecheck.ruleset.load import CODE

RANGE = """
[[rule]]
code = "Z101"
title = "Counts are never negative"
kind = "range"
severity = "error"
frameworks = ["*"]
fields = ["populations.*"]
min = 0
source = "test"
"""

WITHIN = RANGE.replace('kind = "range"', 'kind = "within"').replace(
    'fields = ["populations.*"]\nmin = 0',
    'whole = "populations.looked_after"\nparts = ["populations.foster_care"]',
)

SCALE = """
[[scale]]
id = "s"
name = "S"
[[scale.grade]]
name = "a"
label = "A"
aliases = ["x"]
[[scale.grade]]
name = "b"
label = "B"
"""

FRAMEWORK = """
[[framework]]
id = "x"
name = "X"
graded = true
scale = "ofsted-ri"
source = "test"
[[framework.version]]
judgements = ["a"]
"""

_FIELD_HINT = ("expected a record field such as 'start', 'judgements.NAME', 'grade_counts.GRADE', "
               "'populations.NAME' or 'facts.NAME' (see rules/fields.toml)")

# (file text, [(where, key, reason)]); "{path}" in a reason stands for the file's own path.
BAD_FILES = {
    "malformed-toml": ("[[rule]\ncode =", [("file", None, re.compile(r"not valid TOML: .*line 1"))]),
    "unknown-kind": (
        RANGE.replace('"range"', '"rnage"'),
        [("rule[0] 'Z101'", "kind",
          "unknown kind 'rnage'; expected one of absent, agree, authority, group_share, group_total, implies, known, "
          "order, overall, present, range, ratio, scale, total, unique, valid, visits_follow, within")],
    ),
    "unknown-key": (
        RANGE + 'colour = "red"\n',
        [("rule[0] 'Z101'", "colour",
          "unknown key; expected one of cites, code, example, fields, frameworks, from, kind, max, min, severity, "
          "source, title, to, why")],
    ),
    "missing-title": (RANGE.replace('title = "Counts are never negative"\n', ""),
                      [("rule[0] 'Z101'", "title", "required key is missing")]),
    "missing-kind-parameter": (RANGE.replace('fields = ["populations.*"]\n', ""),
                               [("rule[0] 'Z101'", "fields", "required key is missing")]),
    "missing-code": (RANGE.replace('code = "Z101"\n', ""), [("rule[0]", "code", "required key is missing")]),
    "wrong-type": (RANGE.replace("min = 0", 'min = "zero"'),
                   [("rule[0] 'Z101'", "min", "expected a number between -1e+12 and 1e+12, found text 'zero'")]),
    "bool-is-not-a-number": (RANGE.replace("min = 0", "min = true"),
                             [("rule[0] 'Z101'", "min",
                               "expected a number between -1e+12 and 1e+12, found true/false True")]),
    "date-as-text": (RANGE + 'from = "2020-01-01"\n',
                     [("rule[0] 'Z101'", "from", "expected a date like 2023-01-01, found '2020-01-01'")]),
    "bad-severity": (RANGE.replace('severity = "error"', 'severity = "fatal"'),
                     [("rule[0] 'Z101'", "severity", "expected one of 'error', 'warning', found text 'fatal'")]),
    "bad-code": (RANGE.replace('"Z101"', '"z-1"'),
                 [("rule[0] 'z-1'", "code", "expected a code like 'C101' (letters then digits), found 'z-1'")]),
    "frameworks-not-a-list": (RANGE.replace('["*"]', '"sif"'),
                              [("rule[0] 'Z101'", "frameworks",
                                "expected a non-empty list of framework ids, found text 'sif'")]),
    "unknown-framework": (RANGE.replace('["*"]', '["sif", "slacc"]'),
                          [("rule[0] 'Z101'", "frameworks", "unknown framework(s) 'slacc'")]),
    "unknown-field": (RANGE.replace("populations.*", "populations.foster_cre"),
                      [("rule[0] 'Z101'", "fields", f"unknown field 'populations.foster_cre'; {_FIELD_HINT}")]),
    "empty-field-list": (RANGE.replace('["populations.*"]', "[]"),
                         [("rule[0] 'Z101'", "fields", "expected a non-empty list of field names, found a list")]),
    "unknown-reference-and-grade": (
        RANGE.replace('kind = "range"', 'kind = "implies"').replace(
            'fields = ["populations.*"]\nmin = 0',
            'when = ["@overal"]\ngrade = "great"\nthen = ["judgements.help_and_protection"]'),
        [("rule[0] 'Z101'", "when",
          "unknown reference '@overal'; expected one of @overall, @feeds_overall, @judgements, @counted, "
          "@graded_items"),
         ("rule[0] 'Z101'", "grade", "unknown grade 'great'; expected a canonical grade name of some scale")],
    ),
    "duplicate-code": (RANGE + RANGE, [("rule[1] 'Z101'", "code", "'Z101' is defined twice (also in {path})")]),
    "min-above-max": (RANGE.replace("min = 0", "min = 5\nmax = 1"),
                      [("rule[0] 'Z101'", "max", "'min' 5 is more than 'max' 1: no value could pass")]),
    "neither-min-nor-max": (RANGE.replace("min = 0\n", ""), [("rule[0] 'Z101'", "min", "give 'min', 'max' or both")]),
    "from-after-to": (RANGE + "from = 2020-01-01\nto = 2019-01-01\n",
                      [("rule[0] 'Z101'", "to", "the rule ends (2019-01-01) before it starts (2020-01-01)")]),
    "exact-without-disjoint": (
        WITHIN + "disjoint = false\nexact = true\n",
        [("rule[0] 'Z101'", "exact", "'exact' needs 'disjoint': overlapping parts cannot add up to their whole")],
    ),
    "rule-not-an-array": ("rule = 3\n", [("file", "rule", "expected an array of tables: write [[rule]]")]),
    "unknown-top-level-key": ("rules = []\n",
                              [("file", "rules",
                                "unknown top-level key; expected fields, framework, rule, scale, sources")]),
    "framework-unknown-scale": (
        FRAMEWORK.replace('"ofsted-ri"', '"nope"'),
        [("framework[0] 'x'", "scale", "a graded framework needs a known scale; found 'nope'")],
    ),
    "framework-stray-feed": (FRAMEWORK + 'feeds_overall = ["b"]\n',
                             [("framework[0] 'x' version[0]", "feeds_overall",
                               "names judgements this version does not make: b")]),
    "graded-framework-without-version": (FRAMEWORK.split("[[framework.version]]")[0],
                                         [("framework[0] 'x'", "version",
                                           "a graded framework needs at least one [[framework.version]]")]),
    "scale-alias-clash": (SCALE + 'aliases = ["X"]\n',
                          [("scale[0] 's'", "aliases", "spelling 'X' names both 'a' and 'b'")]),
    "scale-defined-twice": (SCALE + SCALE, [("scale[1] 's'", "id", "'s' is defined twice (also in {path})")]),
}


@pytest.mark.parametrize(("text", "expected"), list(BAD_FILES.values()), ids=list(BAD_FILES))
def test_bad_rule_file(tmp_path, text, expected):
    """A bad rule file is rejected, and each problem names the file, the rule (index and code), the key and why."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([path])
    problems = caught.value.problems
    assert [(str(path), where, key) for where, key, _ in expected] == [(p.path, p.where, p.key) for p in problems]
    for (_, _, reason), problem in zip(expected, problems, strict=True):
        if isinstance(reason, re.Pattern):
            assert reason.search(problem.reason), problem.reason
        else:
            assert reason.format(path=path) == problem.reason


def test_every_problem_listed_at_once(tmp_path):
    """Several problems in several files are all reported in one error, in file and rule order."""
    first = tmp_path / "a.toml"
    first.write_text(
        RANGE.replace('"range"', '"rnage"')
        + RANGE.replace('"Z101"', '"Z102"').replace('title = "Counts are never negative"\n', "") + 'colour = "red"\n'
        + RANGE.replace('"Z101"', '"Z103"').replace('["*"]', '["slacc"]')
    )
    second = tmp_path / "b.toml"
    second.write_text("[[rule]\n")
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([first, second])
    expected = [
        (str(first), "rule[0] 'Z101'", "kind"),
        (str(first), "rule[1] 'Z102'", "colour"),
        (str(first), "rule[1] 'Z102'", "title"),
        (str(first), "rule[2] 'Z103'", "frameworks"),
        (str(second), "file", None),
    ]
    # Files are parsed before any rule is read, so the unparsable file's problem comes first.
    actual = [(p.path, p.where, p.key) for p in caught.value.problems]
    assert sorted(expected, key=str) == sorted(actual, key=str)
    assert expected[-1] == actual[0]


def test_error_text_lists_every_problem(tmp_path):
    """The error's text has a count, then one line per problem: path: rule: key: reason."""
    path = tmp_path / "bad.toml"
    path.write_text(RANGE.replace('title = "Counts are never negative"\n', "").replace('"error"', '"fatal"'))
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([path])
    expected = (
        "2 problems in rule files:\n"
        f"  {path}: rule[0] 'Z101': key 'title': required key is missing\n"
        f"  {path}: rule[0] 'Z101': key 'severity': expected one of 'error', 'warning', found text 'fatal'"
    )
    assert expected == str(caught.value)


def test_problem_without_key():
    """A problem about a whole file names no key."""
    assert str(Problem("x.toml", "file", None, "not valid TOML")) == "x.toml: file: not valid TOML"


def test_rule_file_error_is_value_error():
    """A bad rule file can be caught as a ValueError too."""
    assert issubclass(RuleFileError, ValueError)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda tmp: tmp / "nope.toml", ("file", None, "no such file or directory")),
        (lambda tmp: tmp, ("directory", None, "holds no .toml rule files")),
    ],
    ids=["missing-file", "empty-directory"],
)
def test_bad_path(tmp_path, make, expected):
    """A rule path that holds no rules is a problem, not a silent no-op."""
    path = make(tmp_path)
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([path])
    assert [(str(path), *expected)] == [(p.path, p.where, p.key, p.reason) for p in caught.value.problems]


class TestNeverExecutes:
    EVIL = "__import__('os').system('touch pwned')"

    def test_code_in_a_field_name_is_an_unknown_field(self, tmp_path, monkeypatch):
        """A Python expression where a field name belongs is just a name nobody knows."""
        monkeypatch.chdir(tmp_path)
        path = tmp_path / "evil.toml"
        path.write_text(RANGE.replace("populations.*", self.EVIL))
        with pytest.raises(RuleFileError) as caught:
            load_ruleset([path])
        [problem] = caught.value.problems
        assert ("fields", f"unknown field {self.EVIL!r}; {_FIELD_HINT}") == (problem.key, problem.reason)
        assert not (tmp_path / "pwned").exists()

    def test_code_as_a_kind_is_an_unknown_kind(self, tmp_path, monkeypatch):
        """A Python expression as the kind names no kind."""
        monkeypatch.chdir(tmp_path)
        path = tmp_path / "evil.toml"
        path.write_text(RANGE.replace('"range"', '"' + self.EVIL + '"'))
        with pytest.raises(RuleFileError) as caught:
            load_ruleset([path])
        assert [p.key for p in caught.value.problems] == ["kind"]
        assert not (tmp_path / "pwned").exists()

    def test_internal_parameters_cannot_be_set(self, tmp_path):
        """Parameters the loader supplies itself (a callable) are not rule-file keys."""
        path = tmp_path / "known.toml"
        path.write_text(RANGE.replace('kind = "range"', 'kind = "known"').replace(
            'fields = ["populations.*"]\nmin = 0', 'known_field = "eval"'))
        with pytest.raises(RuleFileError) as caught:
            load_ruleset([path])
        assert [(p.key, p.reason) for p in caught.value.problems] == [
            ("known_field", "unknown key; expected one of cites, code, example, frameworks, from, kind, severity, "
                            "source, title, to, why")]

    def test_loading_calls_no_eval(self, monkeypatch):
        """Loading every built-in rule file needs neither eval nor exec."""

        def refuse(*args, **kwargs):
            raise AssertionError("rule loading must not execute code")

        monkeypatch.setattr(builtins, "eval", refuse)
        monkeypatch.setattr(builtins, "exec", refuse)
        assert load_ruleset().rules


class TestUserRules:
    C101_RELAXED = """
[[rule]]
code = "C101"
title = "Grade counts add up to 23 (local variant)"
kind = "total"
severity = "warning"
frameworks = ["slac"]
parts = ["grade_counts.*"]
equals = 23
source = "a user's own reading"
"""

    def test_replaces_builtin_rule(self, tmp_path, ruleset):
        """A user rule with a built-in code replaces that rule; every other rule stays."""
        path = tmp_path / "local.toml"
        path.write_text(self.C101_RELAXED)
        replaced = load_ruleset([path])
        rule = replaced.rule("C101")
        assert ("warning", 23, str(path)) == (rule.severity, rule.params["equals"], rule.path)
        assert [r.code for r in ruleset.rules] == [r.code for r in replaced.rules]
        record = {"id": "a", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}
        assert [f.rule for f in check([record], ruleset).findings] == ["C101"]
        assert [f.rule for f in check([record], replaced).findings] == []

    def test_adds_new_rule(self, tmp_path, ruleset):
        """A user rule with a new code is added to the built-in ones."""
        path = tmp_path / "extra.toml"
        path.write_text(RANGE)
        assert len(ruleset.rules) + 1 == len(load_ruleset([path]).rules)

    def test_two_user_files_may_not_share_a_code(self, tmp_path):
        """Replacing is for built-in rules: two user rules with one code are a problem."""
        first, second = tmp_path / "a.toml", tmp_path / "b.toml"
        first.write_text(RANGE)
        second.write_text(RANGE)
        with pytest.raises(RuleFileError) as caught:
            load_ruleset([tmp_path])
        expected = [(str(second), "rule[0] 'Z101'", "code", f"'Z101' is defined twice (also in {first})")]
        assert expected == [(p.path, p.where, p.key, p.reason) for p in caught.value.problems]

    def test_without_builtin_rules(self, tmp_path):
        """builtin=False leaves out the built-in rules only: frameworks, scales and fields are the words rules use."""
        path = tmp_path / "only.toml"
        path.write_text(RANGE.replace('["*"]', '["sif"]'))
        ruleset = load_ruleset([path], builtin=False)
        assert ([r.code for r in ruleset.rules], "sif" in ruleset.frameworks) == (["Z101"], True)
        assert ruleset.populations == load_ruleset().populations

    def test_user_file_can_define_a_framework(self, tmp_path):
        """Frameworks are data too: a user file can declare one and rules for it."""
        path = tmp_path / "x.toml"
        path.write_text(FRAMEWORK + RANGE.replace('["*"]', '["x"]'))
        ruleset = load_ruleset([path])
        assert (ruleset.frameworks["x"].id, ruleset.rule("Z101").frameworks) == ("x", ("x",))


class TestBuiltin:
    def test_codes(self, ruleset):
        """Built-in codes are unique, sorted, and look like ruff codes."""
        codes = [r.code for r in ruleset.rules]
        assert sorted(set(codes)) == codes
        assert all(CODE.match(c) for c in codes)

    def test_every_rule_has_a_source(self, ruleset):
        """Every built-in rule says what justifies it."""
        assert [r.code for r in ruleset.rules if not r.source.strip()] == []

    def test_populations_of_design(self, ruleset):
        """The canonical population names of DESIGN.md section 2 are known fields."""
        design = {"children_in_need", "looked_after", "child_protection_plans", "foster_care", "placed_for_adoption",
                  "placed_with_parents", "childrens_homes", "residential_schools", "other_residential",
                  "other_community", "independent_living", "missing", "other_placement"}
        assert design <= ruleset.populations


class TestRuleSet:
    @pytest.mark.parametrize(
        ("select", "ignore", "kept"),
        [
            ((), (), None),
            (("C",), (), lambda c: c.startswith("C")),
            (("C101", "D"), (), lambda c: c == "C101" or c.startswith("D")),
            ((), ("C", "J"), lambda c: not c.startswith(("C", "J"))),
            (("C",), ("C101",), lambda c: c.startswith("C") and c != "C101"),
        ],
        ids=["everything", "prefix", "code-and-prefix", "ignore-prefixes", "select-then-ignore"],
    )
    def test_select(self, ruleset, select, ignore, kept):
        """Rules are kept by code or prefix, then ignored by code or prefix."""
        codes = [r.code for r in ruleset.rules]
        expected = [c for c in codes if kept is None or kept(c)]
        assert expected == [r.code for r in ruleset.select(select, ignore).rules]

    def test_rule_lookup(self, ruleset):
        """A rule is found by its code; an unknown code is a KeyError."""
        assert ruleset.rule("C101").code == "C101"
        with pytest.raises(KeyError):
            ruleset.rule("Q999")

    def test_rule_scope(self, ruleset):
        """A rule covers its frameworks ("*" is all) and its dates, both ends inclusive."""
        f101, d101 = ruleset.rule("F101"), ruleset.rule("D101")
        assert (f101.covers("ilacs"), f101.covers("sif")) == (True, False)
        assert d101.covers("anything")
        assert (f101.in_dates(dt.date(2022, 12, 31)), f101.in_dates(dt.date(2023, 1, 1))) == (True, False)
        assert (f101.dated, d101.dated) == (True, False)


@pytest.mark.parametrize(("direction", "numbers", "ok"), [
    ("highest", (4, 3, 2), True), ("highest", (2, 3, 4), False),
    ("lowest", (1, 2, 3), True), ("lowest", (3, 2, 1), False), ("none", (1, 1, 2), False),
], ids=["highest-falls", "highest-rises", "lowest-rises", "lowest-falls", "none-repeats"])
def test_scale_numbers_follow_best_number(tmp_path, direction, numbers, ok):
    """A scale's grade numbers must run the way best_number says, grades being listed best first."""
    grades = "".join(f'[[scale.grade]]\nname = "g{i}"\nlabel = "G{i}"\nnumber = {n}\n\n' for i, n in enumerate(numbers))
    path = tmp_path / "scale.toml"
    path.write_text(f'[[scale]]\nid = "s"\nname = "S"\nbest_number = "{direction}"\n\n{grades}')
    if ok:
        load_ruleset([path])
    else:
        with pytest.raises(RuleFileError) as info:
            load_ruleset([path])
        [problem] = info.value.problems
        assert (str(path), "scale[0] 's'", "best_number") == (problem.path, problem.where, problem.key)
