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


def test_kinds_table_lists_every_kind_and_its_keys():
    """The README's table of kinds names every registered kind with exactly the rule-file keys it takes."""
    import attrs

    from gradecheck.kinds import KINDS

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = {}
    for names, keys in re.findall(r"^\| (`\w+`(?: / `\w+`)*) \| .*? \|\s*([^|]*?)\s*\|$", text, flags=re.M):
        for name in re.findall(r"`(\w+)`", names):
            rows[name] = set(re.findall(r"`(\w+)`", keys))
    assert set(KINDS) <= set(rows), f"kinds missing from the README table: {sorted(set(KINDS) - set(rows))}"
    for name, kind in KINDS.items():
        params = {f.name for f in attrs.fields(kind) if "param" in f.metadata}
        assert rows[name] == params, name
