"""docs/rules.md: generated from the rule files, fresh, and its examples say what gradecheck really says."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from gradecheck import Origin, check, record_from_mapping
from gradecheck.docs import REGENERATE, docs_command, rules_markdown, without_examples

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "rules.md"


def _sections(text: str) -> dict[str, str]:
    return dict(re.findall(r"^### (\w+)\n(.*?)(?=^### |\Z)", text, flags=re.S | re.M))


def test_rules_md_is_fresh(ruleset):
    """The committed docs/rules.md is what the rule files make now."""
    pytest.importorskip("hypothesis", reason="the examples are drawn with hypothesis (test extra)")
    import hypothesis

    committed = DOC.read_text(encoding="utf-8")
    fresh = rules_markdown(ruleset)
    if committed == fresh:
        return
    if without_examples(committed) == without_examples(fresh) and f"hypothesis {hypothesis.__version__}" not in committed:
        pytest.skip(f"only the examples differ, and they were drawn with another hypothesis version than "
                    f"{hypothesis.__version__}; to refresh them: {REGENERATE}")
    pytest.fail(f"docs/rules.md is stale; run: {REGENERATE}")


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
        assert "Source: " in body and "<!-- examples -->" not in body
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
        assert len(datasets) == 2 and len(said) == 1, f"{code}: expected a passing and a failing example"
        good, bad = datasets
        run = lambda ds: check([record_from_mapping(r, Origin("example.jsonl", i)) for i, r in enumerate(ds, 1)], ruleset)  # noqa: E731
        report = run(good)
        assert report.findings == () and report.stats[code].passed >= 1, code
        lines = [f"{f.source}: {f.rule} [{f.severity}] {f.record}: {f.message}" for f in run(bad).findings]
        assert lines == said[0], code
        assert any(f" {code} [" in line for line in lines)
        checked += 1
    assert checked >= 20


def test_docs_command_check(tmp_path, capsys):
    pytest.importorskip("hypothesis", reason="the examples are drawn with hypothesis (test extra)")
    stale = tmp_path / "rules.md"
    stale.write_text("# old\n", encoding="utf-8")
    assert docs_command(["--check", "--file", str(stale)], io.StringIO()) == 1
    assert f"is stale; run: {REGENERATE}" in capsys.readouterr().err
