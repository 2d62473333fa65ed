"""compare on two editions of one statistical series: implausible changes, shuffled columns, mislabelled columns."""

from __future__ import annotations

import io
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradecheck.cli import main
from gradecheck.editions import MIN_CHANGE, compare_editions
from gradecheck.records import Origin, record_from_mapping

REAL = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "real" / "dfe-cla-sfr-2010-2017"
AREAS = 30
# Shares of looked_after, far apart so that each field has its own level.
FIELDS = {"looked_after": 1.0, "foster_care": 0.7, "childrens_homes": 0.1, "placed_with_parents": 0.04}


@st.composite
def editions(draw):
    """Two editions a year apart: each figure last year's within 10%, so nothing is implausible."""
    # Areas of distinct sizes, as real authorities are: a column's order across them means something.
    sizes = draw(st.permutations([200 + 90 * k for k in range(AREAS)]))
    old, new = [], []
    for size in sizes:
        base = {f: round(size * share) for f, share in FIELDS.items()}
        moved = {f: round(v * draw(st.floats(0.9, 1.1))) for f, v in base.items()}
        old.append(base)
        new.append(moved)
    return old, new


def rows(figures, year):
    out = []
    for i, values in enumerate(figures):
        out.append(record_from_mapping(
            {"id": f"area-{i}-{year}", "framework": "dfe-cla", "geography_level": "LA", "area": f"Area {i}",
             "time_period": str(year), "populations": values}, Origin(f"{year}.csv", i + 2)))
    return out


def found(old, new):
    result = compare_editions(rows(old, 2020), rows(new, 2021))
    return [(f.rule, f.record) for f in result.findings], result


@settings(max_examples=20, deadline=None)
@given(editions())
def test_honest_editions_raise_nothing(pair):
    old, new = pair
    findings, result = found(old, new)
    assert findings == []
    assert result.areas == (0, AREAS, 0)
    assert min(result.tracking.values()) > 0.5


@settings(max_examples=20, deadline=None)
@given(editions(), st.sampled_from(sorted(FIELDS)))
def test_a_shuffled_column_no_longer_tracks(pair, field):
    """The field's figures given to the areas in reverse order: E102 for that field alone."""
    old, new = pair
    values = sorted((v[field] for v in new), reverse=True)
    order = sorted(range(AREAS), key=lambda i: old[i][field])
    for rank, i in enumerate(order):
        new[i] = {**new[i], field: values[rank]}
    findings, _ = found(old, new)
    assert [f for f in findings if f[0] != "E101"] == [("E102", f"populations.{field}")]


@settings(max_examples=20, deadline=None)
@given(editions())
def test_swapped_columns_sit_at_each_others_level(pair):
    """foster_care and childrens_homes swapped in the new edition: E103 names each as the other."""
    old, new = pair
    new = [{**v, "foster_care": v["childrens_homes"], "childrens_homes": v["foster_care"]} for v in new]
    findings, result = found(old, new)
    e103 = sorted((f for f in result.findings if f.rule == "E103"), key=lambda f: f.record)
    assert [(f.record, f.actual) for f in e103] == [("populations.childrens_homes", "populations.foster_care"),
                                                    ("populations.foster_care", "populations.childrens_homes")]
    assert {f[0] for f in findings} <= {"E101", "E103"}  # rank order survives a swap of proportional fields


@settings(max_examples=20, deadline=None)
@given(editions(), st.integers(0, AREAS - 1), st.sampled_from(["looked_after", "foster_care"]),
       st.sampled_from([0.1, 5, 10]))
def test_one_implausible_figure(pair, area, field, factor):
    old, new = pair
    before = old[area][field]
    new[area] = {**new[area], field: round(before * factor)}
    assert abs(new[area][field] - before) >= MIN_CHANGE
    findings, result = found(old, new)
    assert findings == [("E101", f"area-{area}-2021")]
    assert result.findings[0].message.startswith(f"populations.{field} went from {before} to ")


def test_suppressed_and_missing_figures_are_left_out():
    old = [{"looked_after": 100 + i, "foster_care": 70} for i in range(AREAS)]
    new = [{"looked_after": "x" if i % 3 == 0 else 101 + i} for i in range(AREAS)]
    findings, result = found(old, new)
    assert findings == []
    assert result.fields == 1  # looked_after, on the areas with a figure in both


@pytest.mark.skipif(not REAL.is_dir(), reason="the real DfE files are not beside this checkout")
def test_real_2010_headers_out_of_order_are_found():
    """SFR27/2010's placement headers do not follow its data (the profile's note): 2011's foster placements sit
    at the level of what the 2010 headers call other residential placements."""
    out = io.StringIO()
    code = main(["compare", str(REAL / "SFR27_2010_March.csv"), str(REAL / "SFR21_CLA.csv"), "--format", "json"],
                out)
    data = json.loads(out.getvalue())
    e103 = [(f["record"], f["actual"]) for f in data["findings"] if f["rule"] == "E103"]
    assert (code, e103) == (1, [("populations.foster_care", "populations.other_residential")])
    assert data["comparison"]["editions"]["areas_in_both"] >= 150


@pytest.mark.skipif(not REAL.is_dir(), reason="the real DfE files are not beside this checkout")
def test_inspections_stay_inspections(tmp_path):
    """auto mode compares inspection records as inspections, statistical rows as editions."""
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps({"id": "x", "framework": "ilacs", "authority": "Liverpool", "start": "2023-01-10",
                             "judgements": {"overall_effectiveness": "good"}}) + "\n")
    out = io.StringIO()
    main(["compare", str(a), str(a), "--format", "json"], out)
    assert "matched_inspections" in json.loads(out.getvalue())["comparison"]


def real_editions_table() -> str:
    """The table docs/real-data.md gives: each consecutive pair of SFR editions, compared."""
    from gradecheck import read_path
    from gradecheck.records import Record

    def year(path):
        return next(r.get("time_period", None) for r in read_path(str(path)) if isinstance(r, Record))

    files = sorted(REAL.glob("*.csv"), key=year)
    lines = ["| A | B | areas in both | fields judged | lowest rank correlation | E101 | E102 | E103 |",
             "|---|---|---|---|---|---|---|---|"]
    for a, b in itertools.pairwise(files):
        c = compare_editions(read_path(str(a)), read_path(str(b))).counts()["editions"]
        lines.append(f"| `{a.name}` ({year(a)}) | `{b.name}` ({year(b)}) | {c['areas_in_both']} | "
                     f"{c['series_judged']} | {c['lowest_tracking']:.2f} | {c['E101']} | {c['E102']} | {c['E103']} |")
    return "\n".join(lines)


@pytest.mark.skipif(not REAL.is_dir(), reason="the real DfE files are not beside this checkout")
def test_real_data_doc_gives_todays_figures():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "real-data.md").read_text(encoding="utf-8")
    assert real_editions_table() in doc, "docs/real-data.md's editions table is stale"
