"""The timelines' limit is per authority: a long history in one input never crowds out another authority or input."""

from __future__ import annotations

import json

from gradecheck import check_paths, render


def _visit(authority: str, code: str, day: str) -> dict:
    return {"id": f"{authority}-{day}", "authority": authority, "authority_code": code, "framework": "focused-visit",
            "start": day}


def test_every_authority_keeps_its_points(tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text("".join(json.dumps(_visit("Liverpool", "E08000012", f"2020-0{m}-01")) + "\n"
                             for m in range(1, 6)))
    second.write_text(json.dumps(_visit("Wirral", "E08000015", "2021-01-01")) + "\n")
    report = check_paths([str(first), str(second)], events=2)
    drawn = sorted((e.authority, str(e.day)) for e in report.events)
    assert drawn == [("Liverpool", "2020-01-01"), ("Liverpool", "2020-02-01"), ("Wirral", "2021-01-01")]
    assert report.omitted_events == 3
    assert "3 more inspections and visits are counted but not drawn" in render(report, "html")
