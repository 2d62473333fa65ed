"""Shared test set-up: Hypothesis profiles and the built-in rule set."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

import gradecheck

# "dev" keeps a local run quick (the suite must stay under a minute on 2 cores, and it has grown to 1,300 tests);
# "ci" looks twenty times harder. Pick one with HYPOTHESIS_PROFILE=ci.
# No deadline: the first example of a test pays for imports and caches, which is not slowness.
settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=500, deadline=None, print_blob=True)
# The long fuzz run of tests/test_fuzz.py (benchmarks/README.md): many more examples, no database reuse.
settings.register_profile("fuzz", max_examples=5_000, deadline=None, print_blob=True, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(name="ruleset", scope="session")
def _ruleset() -> gradecheck.RuleSet:
    """The built-in rules, loaded once for the whole session."""
    return gradecheck.load_ruleset()
