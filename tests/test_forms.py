"""Every kind says when a record surely passes (its pass form) and how to break it, or says why not."""

from __future__ import annotations

import pytest

from gradecheck import load_ruleset
from gradecheck.kinds import KINDS, RECORD_KINDS
from gradecheck.kinds import forms as f

RULESET = load_ruleset()

#: Kinds with no pass form, and why: a test pins each reason, so that none goes missing unnoticed.
NO_PASS_FORM = {
    "unique": "judged from the dataset's summary, not record by record",
    "visits_follow": "judged from the dataset's summary, not record by record",
    "group_total": "judged from the dataset's summary, not record by record",
    "group_share": "judged from the dataset's summary, not record by record",
}


def missing_pass_forms(kinds: dict[str, type]) -> dict[str, str | None]:
    """Kinds without a ``passes`` method, with the reason each states (None when it states none)."""
    return {name: getattr(kind, "no_pass_form", None) for name, kind in kinds.items() if not hasattr(kind, "passes")}


def test_every_kind_has_a_pass_form_or_says_why():
    """A kind without a pass form states why, and the reason is the one pinned here."""
    assert missing_pass_forms(KINDS) == NO_PASS_FORM


def test_the_check_above_sees_a_kind_without_a_form():
    """A kind with neither a form nor a reason is caught (the test above is not vacuous)."""

    class Silent:
        kind = "silent"

    assert missing_pass_forms({"silent": Silent}) == {"silent": None}


@pytest.mark.parametrize("code", [r.code for r in RULESET.rules if r.kind in RECORD_KINDS])
def test_every_built_in_record_rule_has_a_fast_form(code):
    """Each built-in record rule compiles to a form under every version of the frameworks it covers."""
    rule = RULESET.rule(code)
    covered = [fw for fid, fw in RULESET.frameworks.items() if rule.covers(fid)]
    assert covered
    for framework in covered:
        for version in framework.versions:
            assert isinstance(rule.check.passes(framework, version), f.Decide), (framework.id, version)


def test_ratio_has_a_fast_form():
    """The rates framework's ratio rule (Q102) is decided on the fast path, not sent the slow way."""
    [q102] = [r for r in RULESET.rules if r.kind == "ratio"]
    framework = next(fw for fid, fw in RULESET.frameworks.items() if q102.covers(fid))
    assert isinstance(q102.check.passes(framework, framework.versions[0]), f.Decide)
