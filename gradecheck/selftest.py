"""
Self-test of a rule set: each rule stays silent on generated consistent records and fires on its own mutant.

Run as ``python -m gradecheck selftest [--rules PATH]``. It needs hypothesis (the ``test`` extra).
Reported problems, each of which makes the exit code 1:

- a rule that fires on consistent records (it contradicts the rest of the set, or always fires);
- a rule that never fires on the records built to break it (it can never fire, or its kind's breaker
  misses);
- a rule that could not be exercised at all (no framework in force over its dates, or its kind has no
  ``breaks`` method: the reason the kind states is shown).

Records that break a rule come from its kind's ``breaks(make, choose)``, through
:func:`gradecheck.strategies.violating`.

Overlaps (other rules that fire on a rule's mutant) are listed for information: some are forced by
the rule set (a rule implied by another), and a rule writer wants to know them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from attrs import frozen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .engine import check
from .ruleset import Rule, RuleSet
from .strategies import datasets, records, violating

__all__ = ["RuleVerdict", "selftest"]


@frozen
class RuleVerdict:
    """What the self-test learnt about one rule."""

    code: str
    valid_examples: int
    fired_on_valid: int
    mutants: int
    caught: int
    overlaps: tuple[tuple[str, int], ...]
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


def selftest(ruleset: RuleSet, examples: int = 30) -> Iterator[RuleVerdict]:
    """Judge every rule of *ruleset*, yielding one verdict per rule in code order."""
    fired: Counter[str] = Counter()
    seen: Counter[str] = Counter()

    def consistent(batch: list[dict]) -> None:
        report = check(batch, ruleset)
        for rule in ruleset.rules:
            if any(rule.covers(r["framework"]) for r in batch):
                seen[rule.code] += 1
        for code in {f.rule for f in report.findings}:
            fired[code] += 1

    # Every framework gets its own examples, so a rule about one framework is not starved by the others.
    for framework in sorted(ruleset.frameworks):
        strategy = st.lists(records(framework, ruleset), min_size=1, max_size=3, unique_by=lambda r: r["id"])
        _settings(examples)(given(strategy)(consistent))()
    _settings(examples)(given(datasets(ruleset)))(consistent)()
    for rule in ruleset.rules:
        yield _judge_rule(rule, ruleset, examples, seen[rule.code], fired[rule.code])


def _judge_rule(rule: Rule, ruleset: RuleSet, examples: int, seen: int, fired_valid: int) -> RuleVerdict:
    stats = {"mutants": 0, "caught": 0}
    others: Counter[str] = Counter()
    problem = None
    try:
        strategy = violating(rule.code, ruleset)

        @_settings(examples)
        @given(strategy)
        def broken(dataset: list[dict]) -> None:
            report = check(dataset, ruleset)
            codes = {f.rule for f in report.findings}
            stats["mutants"] += 1
            if rule.code in codes:
                stats["caught"] += 1
            for code in codes - {rule.code}:
                others[code] += 1

        broken()
    except (NotImplementedError, ValueError) as err:
        problem = f"cannot build records that break it: {err}"
    if problem is None:
        if fired_valid and seen and fired_valid == seen:
            problem = f"always fires: on all {seen} consistent datasets"
        elif fired_valid:
            problem = f"fires on {fired_valid} of {seen} consistent datasets: it contradicts other rules"
        elif stats["caught"] == 0:
            problem = f"never fires: not on any of {stats['mutants']} records built to break it"
    return RuleVerdict(
        code=rule.code, valid_examples=seen, fired_on_valid=fired_valid, mutants=stats["mutants"],
        caught=stats["caught"], overlaps=tuple(sorted(others.items())), problem=problem,
    )
