"""docs/rules.md: generated from the rule files, fresh, and its examples say what gradecheck really says."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from gradecheck.docs import REGENERATE, _sections, check_document, docs_command, rules_markdown

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "rules.md"


def test_rules_md_is_fresh(ruleset):
    """
    The committed docs/rules.md is what the rule files make now, and its examples still hold.

    ``docs --check`` draws nothing: the text from the rule files is compared in full, the examples'
    fingerprint names these rule files, and every example is run (tests below show each part bites).
    """
    assert check_document(DOC.read_text(encoding="utf-8"), ruleset) == [], f"docs/rules.md is stale; run: {REGENERATE}"


def test_every_rule_is_documented_with_its_facts(ruleset):
    text = rules_markdown(ruleset, examples=False)
    sections = _sections(text)
    assert set(sections) == {r.code for r in ruleset.rules}
    for rule in ruleset.rules:
        body = sections[rule.code]
        assert f"- severity: {rule.severity}\n" in body
        assert f"- kind: `{rule.kind}`" in body
        assert "every framework" in body if "*" in rule.frameworks else all(f"`{f}`" in body for f in rule.frameworks)
        assert f"- defined in: `rules/{Path(rule.path).name}`" in body
        assert "Source: " in body
        assert "<!-- examples -->" not in body
        assert f"| [{rule.code}](#{rule.code.lower()}) | {rule.severity} |" in text


def test_markdown_escapes_rule_text():
    from gradecheck.docs import _md

    assert _md("a *b* <c> [d] `e`") == r"a \*b\* \<c\> \[d\] \`e\`"
    assert _md("the ``field`` key") == "the `field` key"


def test_every_rule_has_both_examples(ruleset):
    """Every rule, group and ratio rules too, shows a passing and a failing example (none 'could not be drawn')."""
    text = DOC.read_text(encoding="utf-8")
    assert "could be drawn" not in text
    for code, body in _sections(text).items():
        assert body.count("```json") == 2, code


def test_a_wrong_example_is_caught(ruleset):
    """An example that no longer does what the page says, or a missing one, makes the page stale."""
    text = DOC.read_text(encoding="utf-8")
    sections = _sections(text)
    c101 = sections["C101"]
    changed_message = c101.replace("expected 22", "expected 21", 1) if "expected 22" in c101 else c101 + "x"
    assert check_document(text.replace(c101, changed_message), ruleset) != []
    first_json = re.search(r"```json\n.*?\n```\n", c101, flags=re.S).group(0)
    problems = check_document(text.replace(c101, c101.replace(first_json, "", 1)), ruleset)
    assert any(p.startswith("C101: expected a passing and a failing example") for p in problems)
    assert check_document(text.replace("<!-- examples drawn from: ", "<!-- examples drawn from: 0"), ruleset) == [
        "the examples were drawn for other rule files"]
    assert check_document(text.replace("**Grade counts add up", "**Grade counts add", 1), ruleset) == [
        "the text from the rule files has changed"]


def test_check_draws_nothing(tmp_path):
    """docs --check runs without hypothesis, so its answer cannot depend on hypothesis's version."""
    blocker = "import sys; sys.modules['hypothesis'] = None\n"
    script = blocker + "from gradecheck.cli import main; raise SystemExit(main(['docs', '--check']))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.endswith("is up to date.\n")


def test_docs_command_check(tmp_path, capsys):
    page = tmp_path / "rules.md"
    page.write_text("# old\n", encoding="utf-8")
    assert docs_command(["--check", "--file", str(page)], io.StringIO()) == 1
    err = capsys.readouterr().err
    assert f"is stale; run: {REGENERATE}" in err
    assert "the text from the rule files has changed" in err
    page.write_text(DOC.read_text(encoding="utf-8"), encoding="utf-8")
    assert docs_command(["--check", "--file", str(page)], io.StringIO()) == 0
    assert docs_command(["--check", "--file", str(tmp_path / "nope.md")], io.StringIO()) == 1
