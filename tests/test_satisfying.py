"""strategies.satisfying: datasets each rule applies to and passes, with no finding from any rule."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gradecheck import Origin, check, default_ruleset, record_from_mapping
from gradecheck.mutants import holdable
from gradecheck.strategies import satisfying

RULESET = default_ruleset()


# Rules whose kinds build their datasets, the dataset rules, and one of each other sort (docs/rules.md's
# passing examples, checked by test_docs.py, cover every rule).
@pytest.mark.parametrize("code", [r.code for r in RULESET.rules if holdable(r.kind) or r.dataset]
                         + ["C101", "P101", "J101", "D101"])
def test_satisfying_passes_its_rule_and_every_other(code):
    @settings(max_examples=3, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        rows = data.draw(satisfying(code, RULESET))
        report = check([record_from_mapping(r, Origin("s.jsonl", i)) for i, r in enumerate(rows, 1)], RULESET)
        assert report.findings == ()
        assert report.stats[code].passed > 0

    run()


def test_kinds_that_build_their_passing_datasets():
    """The group and ratio kinds say how to meet them: no drawn record has their shape."""
    assert {k for k in ("group_total", "group_share", "ratio") if holdable(k)} == {"group_total", "group_share",
                                                                                    "ratio"}
