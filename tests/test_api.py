"""Tests for the public surface: gradecheck.__all__, and what importing gradecheck pulls in."""

from __future__ import annotations
import __future__

import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

import gradecheck

ROOT = Path(gradecheck.__file__).resolve().parent.parent


def test_all_is_exactly_the_public_names():
    """__all__ names every public name of the package and nothing else (submodules are not API)."""
    for name in gradecheck.__all__:  # names are imported on first use: resolve them all first
        getattr(gradecheck, name)
    public = {
        name for name, value in vars(gradecheck).items()
        if not name.startswith("_")
        and not isinstance(value, (types.ModuleType, __future__._Feature))
    }
    assert public | {"__version__"} == set(gradecheck.__all__)


def test_all_has_no_duplicates():
    """Each public name is listed once."""
    assert len(set(gradecheck.__all__)) == len(gradecheck.__all__)


@pytest.mark.parametrize("name", sorted(gradecheck.__all__))
def test_public_name_importable(name):
    """Every name in __all__ can be imported from gradecheck."""
    namespace: dict = {}
    exec(f"from gradecheck import {name}", namespace)  # the import statement itself is what is tested
    assert getattr(gradecheck, name) is namespace[name]


def test_version():
    """The version is a dotted string."""
    assert all(part.isdigit() for part in gradecheck.__version__.split(".")[:2])


@pytest.mark.parametrize(
    "modules",
    [
        ("gradecheck",),
        ("gradecheck", "gradecheck.cli", "gradecheck.engine", "gradecheck.report.render", "gradecheck.read.files",
         "gradecheck.ruleset.load", "gradecheck.kinds", "gradecheck.engine.columnar"),
    ],
    ids=["package", "core-modules"],
)
def test_import_pulls_in_no_test_machinery(modules):
    """Importing gradecheck, or running its command line, never loads hypothesis or pytest, nor the optional polars."""
    code = (
        f"import sys\nimport {', '.join(modules)}\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('hypothesis', 'pytest', '_pytest', 'polars'))\n"
        "print(loaded)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_check_and_render_from_the_top_level():
    """The loaders, check and the renderers are usable from the package alone."""
    report = gradecheck.check([{"id": "a", "framework": "slac", "grade_counts": {"good": 23}}],
                              gradecheck.load_ruleset())
    assert [f.rule for f in report.findings] == ["C101"]
    assert '"rule": "C101"' in gradecheck.render(report, "json")

