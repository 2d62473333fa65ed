"""The library cannot be misused silently (issue 14, point 6): paths where records go, one path alone, no extra."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import gradecheck
from gradecheck import check, check_paths

ROOT = Path(__file__).resolve().parent.parent
DATA = "fixtures/broken/slac-counts.jsonl"
RECORD = {"id": "a", "framework": "ilacs", "start": "2019-01-07"}


@pytest.mark.parametrize("path", [DATA, DATA.encode(), Path(DATA)])
def test_check_on_a_path_names_check_paths(path):
    """check("data.jsonl") would read the name's characters as records; it says to use check_paths instead."""
    with pytest.raises(TypeError, match=r"check\(\) takes records, not a path: to check files, use check_paths\("):
        check(path)


@pytest.mark.parametrize("one", [RECORD, gradecheck.record_from_mapping(RECORD, gradecheck.Origin("<x>", 1))])
def test_check_on_one_record_says_to_pass_a_list(one):
    with pytest.raises(TypeError, match=r"not one record: check\(\[record\]\)"):
        check(one)


def test_check_on_a_frame_names_check_frame():
    with pytest.raises(TypeError, match=r"not a DataFrame: use check_frame\(df\)"):
        check(pd.DataFrame([RECORD]))


def _report(report: gradecheck.Report) -> str:
    return json.dumps(gradecheck.report_to_dict(report, statistics=True), sort_keys=True)


@pytest.mark.parametrize("path", [DATA, Path(DATA), DATA.encode(), "fixtures/broken"])
def test_check_paths_takes_one_path_alone(path):
    """check_paths("one/path") is check_paths(["one/path"]), for str, bytes and Path, file or directory."""
    alone = check_paths(path)
    assert alone.records > 0
    assert _report(alone) == _report(check_paths([str(path.decode() if isinstance(path, bytes) else path)]))


def test_check_paths_takes_a_mix_of_path_types():
    assert _report(check_paths([Path(DATA), DATA.encode()])) == _report(check_paths([DATA, DATA]))


def test_check_paths_on_records_or_a_frame_names_the_right_function():
    with pytest.raises(TypeError, match=r"not dict \(records in memory: use check\(records\)\)"):
        check_paths([RECORD])
    with pytest.raises(TypeError, match=r"not a DataFrame: use check_frame\(df\)"):
        check_paths(pd.DataFrame([RECORD]))
    with pytest.raises(TypeError, match="takes file or directory paths, not int"):
        check_paths([3])


def _extras() -> dict[str, list[str]]:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["optional-dependencies"]


def _without(module: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run *code* in a fresh interpreter where importing *module* fails, as where it is not installed."""
    script = f"import sys; sys.modules[{module!r}] = None\n{code}"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False)


def test_strategies_without_hypothesis_names_the_extra_and_the_extra_exists():
    done = _without("hypothesis", "import gradecheck.strategies")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: gradecheck.strategies needs hypothesis: pip install 'gradecheck[strategies]'")
    assert any(req.startswith("hypothesis") for req in _extras()["strategies"])


def test_the_library_runs_without_hypothesis_pandas_or_polars():
    """The core, check_frame's module and gradecheck.testing import none of the optional libraries."""
    code = ("import gradecheck, gradecheck.testing, gradecheck.read.frames\n"
            "r = gradecheck.check_paths('fixtures/broken/slac-counts.jsonl')\n"
            "print(r.records, gradecheck.check_frame)")
    blocked = "; ".join(f"sys.modules[{m!r}] = None" for m in ("hypothesis", "pandas", "polars", "numpy"))
    done = subprocess.run([sys.executable, "-c", f"import sys; {blocked}\n{code}"], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    records, function = done.stdout.split(" ", 1)
    assert int(records) > 0
    assert function.startswith("<function check_frame")


def test_the_frames_extra_holds_pandas():
    assert any(req.startswith("pandas") for req in _extras()["frames"])
    assert any(req.startswith("polars") for req in _extras()["columnar"])
