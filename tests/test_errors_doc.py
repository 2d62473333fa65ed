"""docs/errors.md lists every unreadable-record reason, and each crafted bad input gets the documented message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gradecheck import check, read_path

DOC = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text()
SIF = '{"id": "a", "framework": "sif"}'

CASES = [
    ("x.jsonl", b"", "empty file: no records"),
    ("x.jsonl", b"\x00\x01binary", "not a text file"),
    ("x.jsonl", b'{"id": "a" "framework": "sif"}\n', "invalid JSON: Expecting ',' delimiter (column"),
    ("x.jsonl", (SIF + " {}\n").encode(), "invalid JSON: more than one value on the line"),
    ("x.json", (SIF + "\n" + SIF).encode(), "invalid JSON: text after the top-level value"),
    ("x.json", ("[" + SIF + " " + SIF + "]").encode(),
     "invalid JSON: expected ',' or ']' after a record (file truncated?)"),
    ("x.json", ("[" + SIF + ",").encode(), "invalid JSON: file ends before the closing ']'"),
    ("x.json", ("[" + SIF + "] []").encode(), "invalid JSON: text after the closing ']'"),
    ("x.json", b'[{"id": "a", "fr', "the rest of the file cannot be read"),
    ("x.jsonl", b"[" * 50_000 + b"\n", "JSON nested too deeply to read"),
    ("x.jsonl", b'{"id": "a", "framework": "sif", "framework": "ilacs"}\n',
     "duplicate key 'framework' in one object (which value is meant?)"),
    ("x.jsonl", b"[1, 2]\n", "expected a JSON object for a record, found a list"),
    ("x.jsonl", b'{"framework": "sif"}\n', "field 'id': required, but missing or empty"),
    ("x.jsonl", b'{"id": "a", "framework": ["ilacs"]}\n', "field 'framework': expected text, found a list"),
    ("x.jsonl", b'{"id": "a", "framework": "ofsted"}\n',
     "field 'framework': unknown framework 'ofsted'; expected one of"),
    ("x.jsonl", b'{"id": "a", "framework": "sif", "grade_counts": {"requires_improvement": 4, "RI": 2}}\n',
     "both mean 'grade_counts.requires_improvement'; which value is meant?"),
    ("x.csv", b"id,framework,start,start\na,sif,,\n", "header repeats column(s) start; file not read"),
    ("x.csv", b"id,framework,start\na,sif\n", "row has 2 cells but the header has 3 columns"),
]


@pytest.mark.parametrize(("name", "data", "stem"), CASES, ids=[c[2][:40] for c in CASES])
def test_each_reason_is_documented(tmp_path, name, data, stem):
    """The reader's message for a crafted bad input starts as documented in docs/errors.md."""
    path = tmp_path / name
    path.write_bytes(data)
    report = check(list(read_path(str(path))))
    errors = [u.error for u in report.unreadable]
    assert any(stem in e for e in errors), errors
    assert _shape(stem.split(" (")[0].split(";")[0]) in _shape(DOC.replace("`", ""))


def _shape(text: str) -> str:
    """Messages differ in names and numbers from the documented examples; compare their shape."""
    return re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", text))
