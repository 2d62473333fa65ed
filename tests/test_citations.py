"""Everything cited exists for the user: rules cite public sources with links; nothing shipped names outside paths."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from gradecheck import RuleFileError, load_ruleset
from gradecheck.report.render import render_explain

ROOT = Path(__file__).resolve().parent.parent
# Paths a clone or an installed package does not have: the team's notes and data beside the project.
OUTSIDE = re.compile(r"\.\./shared|(?<![\w-])shared/|RESEARCH\.md|DESIGN\.md|PEERS\.md|STYLE\.md|(?<![\w-])seeds/")
SHIPPED = [*sorted((ROOT / "rules").rglob("*.toml")), *sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_shipped_cites_a_path_outside_the_project(path):
    lines = [f"{n}: {line}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if OUTSIDE.search(line)]
    assert lines == []


def test_the_pattern_catches_what_it_should():
    assert OUTSIDE.search("see ../shared/RESEARCH.md section d")
    assert OUTSIDE.search("(shared/data/real/README.md section 4)")
    assert not OUTSIDE.search("https://csapps.norfolk.gov.uk/csshared/ecourier2/misheet.asp")


def test_every_rule_cites_a_public_source_with_a_link(ruleset):
    """Each rule cites a source; each source has a web link, except gradecheck's own format (a doc in the project)."""
    for rule in ruleset.rules:
        assert rule.cites, rule.code
        for cited in rule.cites:
            assert all((cited.title, cited.publisher, cited.date)), (rule.code, cited.key)
            if cited.publisher == "gradecheck":
                page, _, anchor = cited.doc.partition("#")
                assert f"## {anchor.capitalize()}\n" in (ROOT / page).read_text(encoding="utf-8"), cited.doc
            else:
                assert cited.url.startswith("https://"), (rule.code, cited.key)
        if not {"I102", "X101"} & {rule.code}:  # about gradecheck's own record format, nothing published
            assert any(c.url for c in rule.cites), rule.code


def test_scales_and_frameworks_cite_known_sources(ruleset):
    """Scales and frameworks name their sources too (the loader does not resolve those names: checked here)."""
    doc = tomllib.loads((ROOT / "rules" / "frameworks.toml").read_text(encoding="utf-8"))
    for table in [*doc["scale"], *doc["framework"]]:
        assert table.get("cites"), table["id"]
        assert set(table["cites"]) <= set(ruleset.citations), table["id"]


def test_explain_shows_each_source_with_its_link(ruleset):
    out = render_explain(ruleset.rule("J104"))
    assert "cited:\n  - Ofsted, \"Local authority inspection outcomes as at 31 March 2025" in out
    assert ("\n    https://github.com/dfe-analytical-services/CSC_outcomes_and_enablers/blob/"
            "2f5d11a431050523dab58810083259d3313029ae/data-raw/LA_Inspection_Outcomes_as_at_31_March_2025.ods\n") in out


def test_sarif_rule_links_its_first_source(ruleset):
    import json

    from gradecheck import check
    from gradecheck.report.render import render

    sarif = json.loads(render(check([], ruleset), "sarif", ruleset=ruleset))
    rule = ruleset.rule("F101")
    described = next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "F101")
    assert described["helpUri"] == rule.cites[0].url
    assert described["properties"]["cites"][0]["date"] == "2022-12-02"
    assert "Cited: Ofsted (GOV.UK)" in described["help"]["text"]


BAD = """
[sources.x]
title = "T"
publisher = "P"
date = "{date}"
url = "{url}"

[[rule]]
code = "Z101"
title = "t"
kind = "range"
severity = "error"
frameworks = ["*"]
fields = ["grade_counts.*"]
max = 10
source = "s"
cites = ["{cite}"]
"""


@pytest.mark.parametrize(("date", "url", "cite", "key", "reason"), [
    ("2023", "https://example.org/a", "y", "cites", "unknown source(s) 'y'"),
    ("last year", "https://example.org/a", "x", "date", "expected a date"),
    ("2023", "example.org", "x", "url", "expected a web address"),
])
def test_bad_sources_are_reported(tmp_path, date, url, cite, key, reason):
    path = tmp_path / "mine.toml"
    path.write_text(BAD.format(date=date, url=url, cite=cite), encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_ruleset([path])
    assert [p.key for p in caught.value.problems if reason in p.reason] == [key]
