"""The package's layout keeps its promises: no module takes another module's private names, nor another package's
private modules.

The layers themselves (which package may import which) are import-linter's contract in pyproject.toml,
run by .ci/run.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gradecheck"


def _private_imports(path: Path) -> list[str]:
    """``from .X import _name`` statements in *path*: a private name taken from another gradecheck module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level and node.module is not None:
            found += [f"{path.name}:{node.lineno}: {node.module}.{a.name}"
                      for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_another_modules_private_names():
    """A name with a leading underscore is its module's own business; a shared one gets a public name."""
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _private_imports(path)]
    assert found == []


def test_a_private_import_is_seen(tmp_path):
    """
    The check above is not vacuous: it sees a planted private import, and passes a dunder and the standard library.
    """
    planted = tmp_path / "planted.py"
    planted.write_text("from .fastcode import PASS, _secret\n"
                       "from .version import __version__\n"
                       "from collections import _x\n")
    assert _private_imports(planted) == ["planted.py:1: fastcode._secret"]


def _private_modules(path: Path) -> list[str]:
    """``from ..package._module import`` statements in *path*: a private module of another gradecheck package."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level > 1 and node.module is not None:
            parts = node.module.split(".")
            if any(p.startswith("_") and not p.startswith("__") for p in parts[1:]):
                found.append(f"{path.name}:{node.lineno}: {node.module}")
    return found


def test_no_module_imports_another_packages_private_modules():
    """A module with a leading underscore serves its own package; what others need, the package exports."""
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _private_modules(path)]
    assert found == []


def test_a_private_module_import_is_seen(tmp_path):
    """The check above sees a planted import of another package's private module, and passes its own package's."""
    planted = tmp_path / "planted.py"
    planted.write_text("from ..kinds._summary import Rows\nfrom ._summary import Names\nfrom ..kinds import View\n")
    assert _private_modules(planted) == ["planted.py:1: kinds._summary"]
