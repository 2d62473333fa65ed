"""
A judgement rule's verdict on a record with judgements missing holds whatever the missing ones are.

DESIGN's promise: a rule fails only when no admissible values could satisfy it, and passes only when all of
them do; otherwise the check is unknown. A judgement the record's framework version makes but the record
does not give could be any grade of the scale, so every completion of the record is admissible.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradecheck import Origin, check, default_ruleset, record_from_mapping

RULESET = default_ruleset()
GRADES = ("outstanding", "good", "requires improvement", "inadequate")
# ILACS from 2023: five judgements, the overall one fed by the other four.
JUDGEMENTS = ("overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care",
              "care_leavers")
RULES = ("J101", "J102", "J104", "J106", "J107")


def outcome(judgements: dict[str, str], code: str) -> str:
    record = record_from_mapping({"id": "r", "framework": "ilacs", "start": "2024-01-10", "judgements": judgements},
                                 Origin("r.jsonl", 1))
    stats = check([record], RULESET).stats[code]
    return "fail" if stats.failed else "unknown" if stats.unknown else "pass" if stats.passed else "n/a"


@pytest.mark.parametrize("code", RULES)
@settings(max_examples=50, deadline=None)
@given(full=st.fixed_dictionaries({j: st.sampled_from(GRADES) for j in JUDGEMENTS}),
       dropped=st.sets(st.sampled_from(JUDGEMENTS), min_size=1, max_size=2))
def test_a_verdict_holds_for_every_completion(full, dropped, code):
    given_ = {j: g for j, g in full.items() if j not in dropped}
    verdict = outcome(given_, code)
    completions = {outcome({**given_, **dict(zip(sorted(dropped), grades, strict=True))}, code)
                   for grades in itertools.product(GRADES, repeat=len(dropped))}
    if verdict in ("pass", "fail"):
        assert completions == {verdict}, (given_, code, verdict, completions)
    else:  # unknown may be cautious (no overall grade, and every grade would pass), never a verdict in disguise
        assert verdict in ("unknown", "n/a"), (given_, code, verdict)
    if len(completions - {"n/a"}) > 1:
        assert verdict == "unknown", (given_, code, verdict, completions)
