"""The HTML page: self-contained, escaped, strict CSP, with the pictures and groupings the reader needs."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from gradecheck import Origin, check, check_paths, record_from_mapping, render
from gradecheck.cli import main
from gradecheck.records import Unreadable
from gradecheck.report.html import GRADE_COLOURS

ROOT = Path(__file__).resolve().parent.parent
LIVERPOOL = ROOT / "fixtures" / "liverpool.jsonl"
SVG = "{http://www.w3.org/2000/svg}"
C101_23 = "outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items in slac"


def _svgs(page: str) -> list[ET.Element]:
    """Every inline SVG, parsed as XML: a malformed picture fails here."""
    return [ET.fromstring(block) for block in re.findall(r"<svg.*?</svg>", page, flags=re.S)]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.ids += [v for k, v in attrs if k == "id" and v]


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


@pytest.fixture(name="liverpool_page", scope="module")
def _liverpool_page():
    report = check_paths([str(LIVERPOOL)], events=100)
    return report, render(report, "html")


def test_page_is_self_contained(liverpool_page):
    _, page = liverpool_page
    parsed = _tags(page)
    names = {tag for tag, _ in parsed.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "form"}
    for _, attrs in parsed.tags:
        assert "src" not in attrs
        assert not any(k.startswith("on") for k in attrs), attrs  # no event handlers either
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href
        assert "style" not in attrs  # the CSP would refuse inline style attributes
    assert "url(" not in page
    assert "@import" not in page
    # The only absolute URL is the SVG namespace, which is a name, never fetched.
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}


def test_content_security_policy_allows_only_the_page_style(liverpool_page):
    _, page = liverpool_page
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page).group(1)
    assert csp.startswith("default-src 'none'; ")
    styles = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
    assert len(styles) == 1
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    assert "unsafe" not in csp
    assert "script-src" not in csp  # scripts fall back to default-src 'none'


def test_liverpool_timeline(liverpool_page):
    """liverpool.jsonl: 9 records (6 graded, 3 monitoring visits); 2023 inadequate; no findings."""
    report, page = liverpool_page
    assert report.findings == ()
    rows = [svg for svg in _svgs(page) if (svg.get("aria-label") or "").startswith("Liverpool:")]
    assert len(rows) == 1
    row = rows[0]
    assert row.get("aria-label") == "Liverpool: 6 graded inspections, 3 visits, 0 records with findings"
    tips = [t.text for t in row.iter(f"{SVG}title")]
    assert len(tips) == 9
    assert "liverpool-2023-ilacs · ilacs · 2023-03-13 · Inadequate (overall)" in tips
    assert "liverpool-2011-slac · slac · no date · Good (worst judgement)" in tips
    assert sum("ungraded visit" in t for t in tips) == 3
    # Grades as colours and letters: 2023 is red "I", 2014 and 2018 amber "RI".
    letters = {g.find(f"{SVG}title").text.split(" · ")[0]: (g.find(f"{SVG}rect"), g.find(f"{SVG}text"))
               for g in row.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None}
    rect, text = letters["liverpool-2023-ilacs"]
    assert (rect.get("fill"), text.text) == (GRADE_COLOURS[3][0], "I")
    rect, text = letters["liverpool-2014-sif"]
    assert (rect.get("fill"), text.text) == (GRADE_COLOURS[2][0], "RI")
    rect, text = letters["liverpool-2011-annual"]  # 4 = performs excellently, the best of its scale
    assert (rect.get("fill"), text.text) == (GRADE_COLOURS[0][0], "4")
    # Dated markers run left to right in date order; undated ones sit past the dashed rule.
    xs = {g.find(f"{SVG}title").text.split(" · ")[0]: float(g.find(f"{SVG}rect").get("x"))
          for g in row.iter(f"{SVG}g") if g.find(f"{SVG}rect") is not None}
    assert (xs["liverpool-2014-sif"] < xs["liverpool-2018-ilacs"] < xs["liverpool-2023-ilacs"]
            < xs["liverpool-2026-ilacs"])
    assert xs["liverpool-2011-slac"] > xs["liverpool-2026-ilacs"]
    assert "The run passes" in page


@pytest.fixture(name="broken")
def _broken(ruleset):
    """Two C101 errors, one J104 warning, one unreadable record; authorities Wirral and Doncaster."""
    records = [
        {"id": "slac-23", "authority": "Wirral", "framework": "slac", "start": "2011-01-10",
         "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}},
        {"id": "slac-21", "authority": "Wirral", "framework": "slac", "start": "2012-01-10",
         "grade_counts": {"outstanding": 5, "good": 16}},
        {"id": "ilacs-leaders", "authority": "Doncaster", "framework": "ilacs", "start": "2022-02-14",
         "judgements": {"overall_effectiveness": "requires improvement", "impact_of_leaders": "inadequate",
                        "help_and_protection": "requires improvement", "children_in_care": "requires improvement"}},
        {"id": "fine", "authority": "Doncaster", "framework": "focused-visit", "start": "2022-09-01"},
    ]
    items = [record_from_mapping(r, Origin("data.jsonl", i)) for i, r in enumerate(records, start=1)]
    items.append(Unreadable(Origin("data.jsonl", 5), "invalid JSON: Expecting value"))
    return check(items, ruleset, events=100)


def test_findings_chart(broken, ruleset):
    page = render(broken, "html", ruleset=ruleset)
    chart = next(svg for svg in _svgs(page) if (svg.get("aria-label") or "").startswith("Findings per rule"))
    assert chart.get("aria-label") == "Findings per rule: C101 2, J104 1"
    bars = [(r.get("fill"), float(r.get("width"))) for r in chart.iter(f"{SVG}rect")]
    assert bars[0][0] == "#c62828"  # error red,
    assert bars[1][0] == "#b26a00"  # warning amber
    assert bars[1][1] == pytest.approx(bars[0][1] / 2)  # 1 finding is half as long as 2
    labels = [t.text for t in chart.iter(f"{SVG}text")]
    assert "2" in labels
    assert "1 warning" in labels


def test_findings_grouped_by_rule_and_by_authority_with_their_arithmetic(broken, ruleset):
    page = render(broken, "html", ruleset=ruleset)
    by_rule = page.split('id="by-rule"', 1)[1].split('id="by-authority"', 1)[0]
    by_authority = page.split('id="by-authority"', 1)[1]
    assert ("C101</span> Grade counts add up to the framework&#x27;s number of graded items "
            "— 2 findings (error)") in by_rule
    assert C101_23 in by_rule
    assert C101_23 in by_authority
    assert "Wirral — 2 findings in 2 records" in by_authority
    assert "Doncaster — 1 finding in 1 record" in by_authority
    assert by_authority.index("Doncaster") < by_authority.index("Wirral")
    assert '<td class="val">22</td><td class="val">23</td>' in by_rule  # expected, actual
    assert "invalid JSON: Expecting value" in page
    assert "The run fails (exit code 1): 2 errors, 1 unreadable record." in page


def test_timeline_marks_findings_and_links_to_them(broken, ruleset):
    page = render(broken, "html", ruleset=ruleset)
    wirral = next(svg for svg in _svgs(page) if (svg.get("aria-label") or "").startswith("Wirral:"))
    assert wirral.get("aria-label") == "Wirral: 2 graded inspections, 0 visits, 2 records with findings"
    rings = list(wirral.iter(f"{SVG}circle"))
    assert len(rings) == 2
    assert {r.get("stroke") for r in rings} == {"#c62828"}
    links = [a.get("href") for a in wirral.iter(f"{SVG}a")]
    assert len(links) == 2
    ids = set(_tags(page).ids)
    assert all(link[1:] in ids for link in links)  # every link lands on a row of the findings table
    doncaster = next(svg for svg in _svgs(page) if (svg.get("aria-label") or "").startswith("Doncaster:"))
    assert {r.get("stroke") for r in doncaster.iter(f"{SVG}circle")} == {"#b26a00"}  # a warning only


def test_data_is_escaped(ruleset):
    hostile = {"id": "<script>alert(1)</script>", "authority": '"><img src=x onerror=alert(1)>', "framework": "slac",
               "start": "2011-01-01", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}
    report = check_paths_like([hostile], ruleset)
    page = render(report, "html", ruleset=ruleset)
    assert "<script" not in page
    assert "<img" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    _svgs(page)  # still well-formed XML


def check_paths_like(records, ruleset):
    return check([record_from_mapping(r, Origin("x.jsonl", i)) for i, r in enumerate(records, start=1)], ruleset,
                 events=100)


def test_without_events_the_page_says_why_there_is_no_timeline(ruleset):
    page = render(check([], ruleset), "html")
    assert "No timelines: this report carries no record summaries" in page
    assert "No findings, so no chart." in page


def test_cli_writes_html_with_timelines(tmp_path):
    out = tmp_path / "report.html"
    assert main([str(LIVERPOOL), "--format", "html", "--output", str(out)], io.StringIO()) == 0
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Liverpool: 6 graded inspections" in page


def test_fixtures_page_size():
    """The whole fixtures/ directory (207 records, 91 findings) makes a page well under a megabyte."""
    report = check_paths([str(ROOT / "fixtures")], events=20_000)
    page = render(report, "html")
    assert 20_000 < len(page.encode()) < 1_000_000
    assert len(_svgs(page)) >= 10


def test_undated_records_only(ruleset):
    """No dated record at all: no time axis, every marker in the undated zone, and no error."""
    page = render(check_paths_like([{"id": "u1", "authority": "Kent", "framework": "slac"},
                                    {"id": "u2", "authority": "Kent", "framework": "focused-visit"}], ruleset), "html")
    row = next(svg for svg in _svgs(page) if (svg.get("aria-label") or "").startswith("Kent:"))
    assert [t.text for t in row.iter(f"{SVG}text") if t.text and t.text.isdigit()] == []  # no year labels
    assert "undated" in [t.text for t in row.iter(f"{SVG}text")]
    assert len(list(row.iter(f"{SVG}title"))) == 2
