"""docs/rules.md: generated from the rule files, fresh, and its examples say what gradecheck really says."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from gradecheck import Origin, check, record_from_mapping
from gradecheck.docs import REGENERATE, docs_command, examples_fingerprint, rules_markdown, without_examples

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "rules.md"


def _sections(text: str) -> dict[str, str]:
    return dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", text, flags=re.S | re.M))


def _check_example(dataset, ruleset):
    """The report on one example from the doc, its records numbered as the lines of example.jsonl."""
    return check([record_from_mapping(r, Origin("example.jsonl", i)) for i, r in enumerate(dataset, 1)], ruleset)


def test_rules_md_is_fresh(ruleset):
    """
    The committed docs/rules.md is what the rule files make now.

    The text from the rule files is compared in full. Examples are drawn deterministically, so the
    document records what they were drawn for (the rule set and this generator) instead of drawing
    them all again here; test_committed_examples_are_true shows they are still true, and
    ``python -m gradecheck docs --check`` draws them all again.
    """
    committed = DOC.read_text(encoding="utf-8")
    assert without_examples(committed) == rules_markdown(ruleset, examples=False), (
        f"docs/rules.md is stale; run: {REGENERATE}")
    assert f"<!-- examples drawn from: {examples_fingerprint(ruleset)} -->" in committed, (
        f"docs/rules.md's examples were drawn for other rule files; run: {REGENERATE}")


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


def test_committed_examples_are_true(ruleset):
    """Each passing example passes every rule; each failing one makes gradecheck print exactly what the doc says."""
    sections = _sections(DOC.read_text(encoding="utf-8"))
    assert sections, "docs/rules.md has no rule sections"
    checked = 0
    for code, body in sections.items():
        if code not in {r.code for r in ruleset.rules}:
            continue  # stale doc: test_rules_md_is_fresh says so
        blocks = re.findall(r"```(json|text)\n(.*?)\n```", body, flags=re.S)
        datasets = [[json.loads(line) for line in b.splitlines()] for kind, b in blocks if kind == "json"]
        said = [b.splitlines() for kind, b in blocks if kind == "text"]
        if "No passing example could be drawn." in body:
            assert len(datasets) == 1, code
            bad = datasets[0]
        else:
            assert len(datasets) == 2, f"{code}: expected a passing and a failing example"
            assert len(said) == 1, f"{code}: expected a passing and a failing example"
            good, bad = datasets
            report = _check_example(good, ruleset)
            assert report.findings == (), code
            assert report.stats[code].passed >= 1, code
        lines = [f"{f.source}: {f.rule} [{f.severity}] {f.record}: {f.message}"
                 for f in _check_example(bad, ruleset).findings]
        assert lines == said[0], code
        assert any(f" {code} [" in line for line in lines)
        checked += 1
    assert checked >= 25


def test_docs_command_check(tmp_path, capsys, monkeypatch):
    import gradecheck.docs

    monkeypatch.setattr(gradecheck.docs, "rules_markdown", lambda: "# rules\n")  # drawing every example is slow
    page = tmp_path / "rules.md"
    page.write_text("# old\n", encoding="utf-8")
    assert docs_command(["--check", "--file", str(page)], io.StringIO()) == 1
    assert f"is stale; run: {REGENERATE}" in capsys.readouterr().err
    page.write_text("# rules\n", encoding="utf-8")
    assert docs_command(["--check", "--file", str(page)], io.StringIO()) == 0
    out = io.StringIO()
    assert docs_command([], out) == 0
    assert out.getvalue() == "# rules\n"
