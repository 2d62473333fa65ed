"""The self-test of a rule set: built-in rules pass it; contradictory and never-firing rules are caught."""

from __future__ import annotations

import io
import json
import textwrap

from gradecheck.cli import main


def _run(*args: str, examples: int = 2) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["selftest", "--examples", str(examples), *args], stdout=out)
    return code, out.getvalue()


def test_builtin_rules_pass_the_selftest():
    """Every built-in rule is silent on consistent records and fires on its own mutant (this runs in CI)."""
    code, text = _run("--format", "json", examples=4)
    verdicts = json.loads(text)
    assert [v for v in verdicts if v["problem"]] == []
    assert code == 0
    assert all(v["caught"] == v["mutants"] > 0 for v in verdicts)


RULES = textwrap.dedent('''
    [[rule]]
    code = "U101"
    title = "No care-leavers judgement at all (contradicts F103 from 2023)"
    kind = "absent"
    severity = "error"
    frameworks = ["ilacs"]
    from = 2023-01-01
    fields = ["judgements.care_leavers"]
    source = "a test"

    [[rule]]
    code = "U102"
    title = "A tautology: it can never fire"
    kind = "implies"
    severity = "warning"
    frameworks = ["ilacs"]
    when = ["judgements.help_and_protection"]
    grade = "inadequate"
    then = ["judgements.help_and_protection"]
    source = "a test"
''')


def test_contradictory_and_never_firing_rules_are_reported(tmp_path):
    """A rule that fights another and a rule that cannot fire both make the self-test fail."""
    path = tmp_path / "bad.toml"
    path.write_text(RULES)
    code, text = _run("--rules", str(path), "--select", "U,F", "--format", "json")
    problems = {v["rule"]: v["problem"] for v in json.loads(text) if v["problem"]}
    assert code == 1
    # U101 and F103 cannot both hold; records built to satisfy U101 make F103 fire, so F103 is named.
    assert {"U102", "F103"} <= set(problems)
    assert problems["U102"].startswith("never fires")
    assert "contradicts" in problems["F103"] or "always fires" in problems["F103"]


def test_table_output_names_each_rule():
    """The table lists every rule with its verdict and ends with a count."""
    code, text = _run("--select", "C,J")
    assert code == 0
    assert "C101" in text
    assert text.rstrip().endswith("0 with problems.")
