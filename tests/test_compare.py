"""`compare A B`: inspections matched across sources by authority, framework and date, and what differs."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradecheck import FORMATS, Origin, Unreadable, record_from_mapping
from gradecheck.cli import main
from gradecheck.comparison import DEFAULT_TOLERANCE_DAYS, compare, compare_records

EXCERPTS = Path(__file__).resolve().parents[1] / "fixtures" / "real-excerpts"

OFSTED = {  # Ofsted's own record of Bristol's 2023 inspection, as its tables spell it
    "id": "ofsted-bristol-2023", "framework": "ilacs", "authority": "Bristol", "authority_code": "E06000023",
    "start": "2023-03-06", "published": "2023-05-02",
    "judgements": {"overall_effectiveness": "Requires improvement to be good",
                   "impact_of_leaders": "Requires improvement to be good", "help_and_protection": "Good",
                   "children_in_care": "Requires improvement to be good", "care_leavers": "Good"},
}
COPY = {  # the same inspection as a compilation spells it: lower case, another name, no code
    "id": "copy-bristol-2023", "framework": "ilacs", "authority": "Bristol, City of",
    "start": "2023-03-06", "published": "2023-05-02",
    "judgements": {"overall_effectiveness": "requires improvement", "impact_of_leaders": "requires_improvement",
                   "help_and_protection": "good", "children_in_care": "Requires Improvement", "care_leavers": "GOOD"},
}


def _records(*mappings: dict[str, Any], path: str = "a.jsonl") -> list[Any]:
    return [record_from_mapping(m, Origin(path, i + 1)) for i, m in enumerate(mappings)]


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {**base, "judgements": dict(base["judgements"])}
    for key, value in changes.items():
        if key.startswith("j_"):
            if value is None:
                out["judgements"].pop(key[2:])
            else:
                out["judgements"][key[2:]] = value
        else:
            out[key] = value
    return out


def _codes(result: Any) -> list[str]:
    return sorted(f.rule for f in result.findings)


def test_spelling_variants_of_names_and_grades_are_one_inspection_in_agreement() -> None:
    result = compare_records(_records(OFSTED), _records(COPY, path="b.jsonl"))
    assert len(result.pairs) == 1
    assert result.pairs[0].authority.id == "bristol"
    assert result.findings == ()
    assert result.counts()["a"] == {"records": 1, "matched": 1, "only_in_a": 0, "not_inspections": 0,
                                    "no_authority": 0, "unreadable": 0}


def test_a_grade_copied_wrongly_is_a_disagreement_with_both_values_and_both_origins() -> None:
    result = compare_records(_records(OFSTED), _records(_with(COPY, j_help_and_protection="inadequate"), path="b.csv"))
    [finding] = result.findings
    assert finding.rule == "M101"
    assert finding.severity == "error"
    assert finding.expected == "good"
    assert finding.actual == "inadequate"
    assert finding.fields["A judgements.help_and_protection"] == "Good"
    assert finding.fields["B judgements.help_and_protection"] == "inadequate"
    assert finding.fields["A source"] == "a.jsonl:1"
    assert finding.fields["B source"] == "b.csv:1"
    assert finding.source == Origin("b.csv", 1)
    assert finding.authority == "Bristol, City of"
    assert "A says 'Good' (a.jsonl:1), B says 'inadequate' (b.csv:1)" in finding.message


def test_the_overall_grade_has_its_own_code() -> None:
    result = compare_records(_records(OFSTED), _records(_with(COPY, j_overall_effectiveness="good")))
    assert _codes(result) == ["M102"]


def test_dates_within_the_tolerance_match_and_are_reported_beyond_it_they_do_not() -> None:
    near = _with(COPY, start="2023-03-13")
    result = compare_records(_records(OFSTED), _records(near))
    assert len(result.pairs) == 1
    assert _codes(result) == ["M103"]
    assert "7 days apart" in result.findings[0].message
    strict = compare_records(_records(OFSTED), _records(near), tolerance_days=6)
    assert strict.pairs == ()
    assert _codes(strict) == ["M110", "M111"]
    assert DEFAULT_TOLERANCE_DAYS == 14


def test_a_judgement_the_framework_did_not_make_that_year_is_reported_as_such() -> None:
    before_2023 = {"start": "2022-06-20", "published": "2022-09-22"}
    a = _with(OFSTED, j_care_leavers=None, **before_2023)
    b = _with(COPY, j_care_leavers="requires improvement", **before_2023)
    result = compare_records(_records(a), _records(b))
    [finding] = result.findings
    assert finding.rule == "M106"
    assert "care_leavers" in finding.message
    assert "did not make on 2022-06-20" in finding.message


def test_a_grade_one_source_leaves_blank_and_a_different_framework() -> None:
    result = compare_records(_records(OFSTED), _records(_with(COPY, j_impact_of_leaders=None)))
    assert _codes(result) == ["M105"]
    other = compare_records(_records(OFSTED), _records(_with(COPY, framework="sif", judgements={})))
    assert "M104" in _codes(other)


def test_matching_goes_through_the_register_across_reorganisations_and_codes() -> None:
    """A compilation that codes Cumberland with Cumbria's old code still means Cumberland (the day decides)."""
    ofsted = {"id": "o", "framework": "ilacs", "authority": "Cumberland", "authority_code": "E06000063",
              "start": "2024-10-07", "judgements": {"overall_effectiveness": "Good"}}
    d2i = {"id": "d", "framework": "ilacs", "authority": "cumberland", "authority_code": "E10000006",
           "start": "2024-10-07", "judgements": {"overall_effectiveness": "good"}}
    result = compare_records(_records(ofsted), _records(d2i))
    assert [p.authority.id for p in result.pairs] == ["cumberland"]
    assert result.findings == ()


def test_unknown_authorities_statistics_and_unreadable_lines_are_counted_not_lost() -> None:
    a = [*_records(OFSTED, {"id": "x", "framework": "ilacs", "authority": "Atlantis", "start": "2023-01-01"}),
         Unreadable(Origin("a.jsonl", 9), "invalid JSON")]
    b = _records(COPY, {"id": "s", "framework": "dfe-cla", "area": "England", "time_period": "2023",
                        "populations": {"looked_after": 83840}})
    result = compare_records(a, b)
    counts = result.counts()
    assert counts["a"] == {"records": 3, "matched": 1, "only_in_a": 0, "not_inspections": 0, "no_authority": 1,
                           "unreadable": 1}
    assert counts["b"]["not_inspections"] == 1
    assert _codes(result) == ["M107"]
    assert "closest" in result.findings[0].message or "Atlantis" in result.findings[0].message
    report = result.report()
    assert report.records == 5
    assert report.records == report.checked + len(report.unreadable)


_AUTHORITIES = ["Liverpool", "liverpool", "E08000012", "Bristol, City of", "bristol", "St Helens", "St. Helens",
                "Nowhere"]


def _random_record(draw: Any, n: int, side: str) -> dict[str, Any]:
    name = draw(st.sampled_from(_AUTHORITIES))
    key = "authority_code" if name.startswith("E0") else "authority"
    day = draw(st.integers(0, 60))
    return {"id": f"{side}{n}", "framework": draw(st.sampled_from(["ilacs", "monitoring-visit"])), key: name,
            "start": f"2023-05-{1 + day % 28:02d}" if day < 56 else None,
            "judgements": {"help_and_protection": draw(st.sampled_from(["good", "Good", "inadequate"]))}}


@st.composite
def _sides(draw: Any) -> tuple[list[Any], list[Any]]:
    out = []
    for side in "ab":
        n = draw(st.integers(0, 12))
        records = _records(*(_random_record(draw, i, side) for i in range(n)), path=f"{side}.jsonl")
        records += [Unreadable(Origin(f"{side}.jsonl", 100 + i), "bad") for i in range(draw(st.integers(0, 2)))]
        out.append(records)
    return out[0], out[1]


@given(_sides())
@settings(max_examples=40)
def test_every_record_ends_in_exactly_one_place(sides: tuple[list[Any], list[Any]]) -> None:
    a, b = sides
    result = compare_records(a, b)
    for i, (items, only) in enumerate(((a, result.only_a), (b, result.only_b))):
        placed = [id(p.a if i == 0 else p.b) for p in result.pairs] + [id(r) for r in only]
        placed += [id(r) for r in result.not_inspections[i]] + [id(r) for r in result.unresolved[i]]
        placed += [id(u) for u in result.unreadable[i]]
        assert sorted(placed) == sorted(id(x) for x in items)
        assert result.counts()["ab"[i]]["records"] == len(items)
    for pair in result.pairs:
        assert pair.days_apart <= DEFAULT_TOLERANCE_DAYS
        assert pair.a.origin.path == "a.jsonl"
        assert pair.b.origin.path == "b.jsonl"


def test_the_same_inspections_in_two_published_layouts_agree() -> None:
    """Ofsted's history as CSV and as the original ODS sheet: the rows both hold match, with nothing to report."""
    result = compare(str(EXCERPTS / "ofsted-ilacs-history.csv"), str(EXCERPTS / "ofsted-la-outcomes.ods"))
    assert len(result.pairs) == 2
    assert {p.authority.id for p in result.pairs} == {"barking-and-dagenham", "bournemouth"}
    assert result.disagreements() == 0
    counts = result.counts()
    assert counts["a"]["records"] == 6
    assert counts["b"]["records"] == 3


def test_ofsted_and_a_compilation_agree_on_slough_whatever_the_case_of_its_grades() -> None:
    result = compare(str(EXCERPTS / "ofsted-ilacs-history.csv"), str(EXCERPTS / "d2i-ilacs-overview.xlsx"))
    assert [(p.authority.name, p.a.get("start").isoformat()) for p in result.pairs] == [("Slough", "2023-01-23")]
    assert result.disagreements() == 0


def _write(tmp_path: Path, name: str, *records: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def test_the_command_line_exit_codes_and_json_summary(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.jsonl", OFSTED)
    agree = _write(tmp_path, "agree.jsonl", COPY)
    differ = _write(tmp_path, "differ.jsonl", _with(COPY, j_care_leavers="inadequate"))
    out = io.StringIO()
    assert main(["compare", a, agree, "--format", "json"], stdout=out) == 0
    data = json.loads(out.getvalue())
    assert data["comparison"]["matched_inspections"] == 1
    assert data["comparison"]["a"]["matched"] == 1
    assert data["summary"]["records"] == 2
    out = io.StringIO()
    assert main(["compare", a, differ, "--format", "text"], stdout=out) == 1
    assert "M101" in out.getvalue()
    assert "1 inspections matched (dates within 14 days), 1 disagreements" in out.getvalue()
    assert main(["compare", a, str(tmp_path / "missing.jsonl")], stdout=io.StringIO()) == 2
    assert main(["compare", a], stdout=io.StringIO()) == 2


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_output_format_renders_a_comparison(tmp_path: Path, fmt: str) -> None:
    a = _write(tmp_path, "a.jsonl", OFSTED)
    b = _write(tmp_path, "b.jsonl", _with(COPY, j_care_leavers="inadequate"))
    out = io.StringIO()
    assert main(["compare", a, b, "--format", fmt], stdout=out) == 1
    assert out.getvalue().strip()


def test_ignore_leaves_out_the_unmatched(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.jsonl", OFSTED)
    b = _write(tmp_path, "b.jsonl", _with(COPY, start="2024-01-01"))
    out = io.StringIO()
    assert main(["compare", a, b, "--format", "json", "--ignore", "M110,M111", "--fail-on", "warning"],
                stdout=out) == 0
    assert json.loads(out.getvalue())["findings"] == []


REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
DOC = Path(__file__).resolve().parents[1] / "docs" / "real-data.md"


def _doc_table() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Ofsted's history against the compilations"):]
    section = section[: section.find("\n## ", 3) if "\n## " in section[3:] else len(section)]
    return [[c.strip().strip("`") for c in line.strip("|").split("|")]
            for line in section.splitlines() if line.startswith("| `")]


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the shared real files are not beside this clone ({REAL})")
def test_the_figures_in_docs_real_data_are_what_compare_finds() -> None:
    rows = _doc_table()
    assert len(rows) == 4
    ofsted = str(REAL / "ofsted-la-outcomes-2025" / "ILACS_inspection_history.csv")
    for name, records, matched, disagreements, only_a, only_b in rows:
        result = compare(ofsted, str(REAL / name))
        counts = result.counts()
        assert counts["a"]["records"] == 271
        assert (counts["b"]["records"], len(result.pairs), result.disagreements(), counts["a"]["only_in_a"],
                counts["b"]["only_in_b"]) == (int(records), int(matched), int(disagreements), int(only_a),
                                              int(only_b)), name
        assert counts["b"]["unreadable"] == counts["b"]["no_authority"] == 0
