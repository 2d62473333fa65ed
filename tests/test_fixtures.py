"""
Every data file under fixtures/ against its hand-written expectation.

Beside each data file ``X`` sits ``X.expected.json``::

    {"findings": [{"rule": "C101", "record": "some-id", "line": 1, "note": "why"}, ...],
     "unreadable": [{"line": 3, "note": "why"}],
     "why": "what the file is about"}

The expectations were written by reasoning from the rule files, DESIGN.md and RESEARCH.md, never by
copying gradecheck's output. Where gradecheck disagrees and we believe gradecheck is wrong, the
expectation stays as written and the file is listed in ``XFAIL`` with the reason (strict, so a fix
shows up as an unexpected pass).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import gradecheck

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
EXPECTED_SUFFIX = ".expected.json"

#: Fixture files where we believe gradecheck is wrong (relative to fixtures/), and why.
XFAIL: dict[str, str] = {}


def _data_files() -> list[Path]:
    return [Path(p) for p in gradecheck.discover([str(FIXTURES)])]


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


def _expected_path(path: Path) -> Path:
    return path.with_name(path.name + EXPECTED_SUFFIX)


def _load_expected(path: Path) -> dict[str, Any]:
    expected_path = _expected_path(path)
    assert expected_path.is_file(), f"{_name(path)} has no expected file {expected_path.name}; write one by hand"
    data = json.loads(expected_path.read_text(encoding="utf-8"))
    assert isinstance(data.get("findings"), list), f"{expected_path.name}: 'findings' must be a list"
    assert isinstance(data.get("unreadable"), list), f"{expected_path.name}: 'unreadable' must be a list"
    for entry in data["findings"]:
        assert {"rule", "record", "line"} <= set(entry), f"{expected_path.name}: finding {entry} lacks rule/record/line"
    for entry in data["unreadable"]:
        assert "line" in entry, f"{expected_path.name}: unreadable {entry} lacks line"
    return data


def _params() -> list[Any]:
    params = []
    for path in _data_files():
        name = _name(path)
        marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
        params.append(pytest.param(path, id=name, marks=marks))
    return params


def _show(items: set[tuple[Any, ...]]) -> str:
    return "\n".join(f"    {item}" for item in sorted(items, key=repr)) or "    (none)"


@pytest.mark.parametrize("path", _params())
def test_fixture_matches_expected(path: Path) -> None:
    expected = _load_expected(path)
    report = gradecheck.check_paths([str(path)])

    assert report.records == report.checked + len(report.unreadable), (
        f"records {report.records} != checked {report.checked} + unreadable {len(report.unreadable)}"
    )

    want = {(e["rule"], e["record"], e["line"]) for e in expected["findings"]}
    got = {(f.rule, f.record, f.source.line) for f in report.findings}
    want_unreadable = {e["line"] for e in expected["unreadable"]}
    got_unreadable = {u.origin.line for u in report.unreadable}

    if want != got or want_unreadable != got_unreadable or report.errors:
        pytest.fail(
            f"{_name(path)} differs from {_expected_path(path).name}\n"
            f"  missing findings (expected, not found) as (rule, record, line):\n{_show(want - got)}\n"
            f"  unexpected findings (found, not expected):\n{_show(got - want)}\n"
            f"  missing unreadable lines: {sorted(want_unreadable - got_unreadable)}\n"
            f"  unexpected unreadable lines: {sorted(got_unreadable - want_unreadable)}\n"
            f"  broken rules: {[(e.rule, e.record, e.error) for e in report.errors]}\n"
            f"--- gradecheck's report ---\n{gradecheck.render(report, 'text')}",
            pytrace=False,
        )


def test_every_builtin_rule_is_exercised() -> None:
    """Each rule code fails somewhere in a fixture whose expectation gradecheck meets (xfail files do not count)."""
    codes = {rule.code for rule in gradecheck.default_ruleset().rules}
    seen: set[str] = set()
    for path in _data_files():
        if _name(path) in XFAIL:
            continue
        seen |= {e["rule"] for e in _load_expected(path)["findings"]}
    assert not codes - seen, f"rules no fixture exercises: {sorted(codes - seen)}"


def test_expected_files_name_real_rules_and_data() -> None:
    """No typo in a rule code, and no expected file left behind without its data file."""
    codes = {rule.code for rule in gradecheck.default_ruleset().rules}
    problems = []
    for expected_path in sorted(FIXTURES.rglob("*" + EXPECTED_SUFFIX)):
        data_path = expected_path.with_name(expected_path.name[: -len(EXPECTED_SUFFIX)])
        if not data_path.is_file():
            problems.append(f"{expected_path.relative_to(FIXTURES)}: no data file {data_path.name}")
            continue
        for entry in _load_expected(data_path)["findings"]:
            if entry["rule"] not in codes:
                problems.append(f"{expected_path.relative_to(FIXTURES)}: unknown rule {entry['rule']}")
    assert not problems, "\n".join(problems)


def test_xfail_list_names_existing_fixtures() -> None:
    names = {_name(p) for p in _data_files()}
    assert not set(XFAIL) - names, f"XFAIL names missing fixtures: {sorted(set(XFAIL) - names)}"
