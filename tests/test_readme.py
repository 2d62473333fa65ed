"""The README's promises: CI runs exactly its test command, and its examples run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _commands() -> list[str]:
    block = README.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", block)


def test_setup_has_two_commands():
    """The set-up section gives one command to run gradecheck on fixtures/ and one to run the tests."""
    run, tests = _commands()
    assert run.endswith("-m gradecheck fixtures/")
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command():
    """.ci/run runs the README's test command verbatim."""
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _commands()[1] in ci


def test_python_examples_in_the_readme_run(tmp_path, monkeypatch):
    """Every ```python block in the README runs (from the project root, where fixtures/ is)."""
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.+?)\n```", README, flags=re.S)
    assert blocks
    ran = 0
    for block in blocks:
        namespace = {"__name__": "readme"}
        exec(compile(block, f"<README.md block {ran}>", "exec"), namespace)
        for name, value in namespace.items():
            if name.startswith("test_") and callable(value):
                value()
                ran += 1
    assert ran >= 5
