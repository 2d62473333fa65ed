"""The seed articles' claims about Liverpool against Ofsted's own record (fixtures/claims), and compare's M108."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import gradecheck
from gradecheck.cli import main

CLAIMS = Path(__file__).resolve().parent.parent / "fixtures" / "claims"
OFSTED = [str(CLAIMS / "ofsted-liverpool-history.csv"), str(CLAIMS / "ofsted-liverpool-in-year.csv")]
ARTICLES = CLAIMS / "liverpool-articles.jsonl"


def _compare(articles):
    return gradecheck.compare(OFSTED, [str(articles)])


def test_the_articles_agree_with_ofsted():
    """Every grade the articles state is Ofsted's; 'four of five inadequate' is what Ofsted's five judgements give."""
    result = _compare(ARTICLES)
    codes = Counter(f.rule for f in result.findings)
    assert (codes["M101"], codes["M102"], codes["M104"], codes["M106"], codes["M108"]) == (0, 0, 0, 0, 0)
    matched = sorted((p.a.framework, p.b.id) for p in result.pairs)
    assert matched == [("ilacs", "echo-2023-ilacs"), ("monitoring-visit", "echo-2024-12-mv")]
    # Before ILACS: Ofsted's ILACS history cannot hold them.
    assert sorted(r.id for r in result.only_b) == ["bbc-2011-slac", "echo-2014-sif",
                                                  "liverpool-confidential-2011-annual"]


def _with(tmp_path, changes):
    rows = [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines()]
    claim = next(r for r in rows if r["id"] == "echo-2023-ilacs")
    for key, value in changes.items():
        claim[key] = {**claim[key], **value}
    path = tmp_path / "claims.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_wrong_count_is_caught(tmp_path):
    """'inadequate in all five areas' would be wrong: children in care was requires improvement."""
    result = _compare(_with(tmp_path, {"grade_counts": {"inadequate": 5}}))
    m108 = [f for f in result.findings if f.rule == "M108"]
    assert [(f.record, f.expected, f.actual) for f in m108] == [("echo-2023-ilacs", 4, 5)]
    assert "care_leavers, help_and_protection, impact_of_leaders, overall_effectiveness" in m108[0].message


def test_a_wrong_grade_is_caught(tmp_path):
    result = _compare(_with(tmp_path, {"judgements": {"help_and_protection": "requires improvement"}}))
    assert [(f.rule, f.expected, f.actual) for f in result.findings if f.rule in ("M101", "M102")] == [
        ("M101", "inadequate", "requires_improvement")]


def test_counts_are_not_judged_without_every_judgement(tmp_path):
    """A side that lists only some judgements cannot say how many got a grade: no M108 either way."""
    result = gradecheck.compare([str(ARTICLES)], [str(ARTICLES)])
    assert not [f for f in result.findings if f.rule == "M108"]


def test_the_readme_command(capsys):
    out = io.StringIO()
    code = main(["compare", OFSTED[0], str(ARTICLES), "--ignore", "M103,M105,M110,M111", "--format", "text"], out)
    # 2 inspections in Ofsted's history and 5 claims; with the dates and the unmatched left out, nothing differs.
    assert (code, out.getvalue().splitlines()[0]) == (
        0, "7 records read, 7 checked, 0 unreadable, 0 errors, 0 warnings, 0 unknown.")
