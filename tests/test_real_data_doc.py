"""docs/real-data.md's summary is what gradecheck says today on the real published files (skipped without them)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import gradecheck

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real"
DOC = ROOT / "docs" / "real-data.md"
START, END = "<!-- summary: tests/test_real_data_doc.py -->", "<!-- /summary -->"


def _counts(counter: Counter, warnings: set[str] = frozenset()) -> str:
    return ", ".join(f"{code} ×{n}" + (" (warning)" if code in warnings else "")  # noqa: RUF001 (the doc's sign)
                     for code, n in sorted(counter.items())) or "none"


def summary_table(real: Path = REAL) -> str:
    """One row a file: records, checked, unreadable, findings and unknown checks by rule, and the exit code."""
    lines = ["| file | records | checked | unreadable | findings | unknown | exit |", "|---|---|---|---|---|---|---|"]
    for path in gradecheck.discover([str(real)]):
        report = gradecheck.check_paths([path], max_findings=None)
        findings = Counter(f.rule for f in report.findings)
        warnings = {f.rule for f in report.findings if f.severity == "warning"}
        unknown = Counter({code: s.unknown for code, s in report.stats.items() if s.unknown})
        name = Path(path).relative_to(real).as_posix()
        lines.append(f"| `{name}` | {report.records:,} | {report.checked:,} | {len(report.unreadable)} | "
                     f"{_counts(findings, warnings)} | {_counts(unknown)} | {int(report.failing())} |")
    return "\n".join(lines)


@pytest.mark.skipif(not REAL.is_dir(), reason="the real published files are not beside this checkout")
def test_summary_is_todays():
    text = DOC.read_text(encoding="utf-8")
    assert START in text
    assert END in text
    committed = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert committed == summary_table(), "docs/real-data.md's summary is stale: paste summary_table() between the marks"
