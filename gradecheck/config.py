"""
Settings kept where Python projects keep them: ``[tool.gradecheck]`` in ``pyproject.toml``, or ``gradecheck.toml``.

The search starts in the working directory and goes up to the root, as ruff's does; the first
directory holding ``gradecheck.toml`` (top-level keys), or a ``pyproject.toml`` with a
``[tool.gradecheck]`` table, wins, and ``gradecheck.toml`` wins over ``pyproject.toml`` in the same
directory. A ``pyproject.toml`` without the table is passed over, so a project can keep its settings
at its root while its sub-packages have their own ``pyproject.toml``.

Keys are the command line's long option names without the dashes (``fail-on = "warning"``), so a
user never learns two vocabularies; which options may be set here is decided by the command's own
parser (see :func:`gradecheck.cli.main`), and any other key is an error naming the file and the key.
Paths are relative to the directory of the file that names them, as in ruff and pytest.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen

from .errors import GradecheckError

__all__ = ["CONFIG_FILES", "Config", "Setting", "find_config", "load_config", "read_config"]

#: Looked for in each directory from the working directory up, in this order.
CONFIG_FILES = ("gradecheck.toml", "pyproject.toml")


@frozen
class Setting:
    """
    What one key may hold: ``kind`` is "bool", "int", "str", "list" (strings; a single string is a list of one)
    or "codes" (rule codes or prefixes, as a list or one comma-separated string).

    ``choices`` limits a "str"; ``path`` marks values that name files, resolved against the file's directory;
    ``or_name`` one that may also be a name (``profile = "ofsted-in-year"``), kept as written when no such
    file is there.
    """

    kind: str
    choices: tuple[str, ...] = ()
    path: bool = False
    or_name: bool = False


@frozen
class Config:
    """The settings read from one file, already checked and with paths resolved; ``path`` None when none was found."""

    path: Path | None = None
    table: str = ""
    values: Mapping[str, Any] = field(factory=dict)

    def describe(self) -> str:
        """Where the settings came from, for ``-v``."""
        if self.path is None:
            return "no configuration file (looked for gradecheck.toml and [tool.gradecheck] in pyproject.toml)"
        keys = ", ".join(sorted(self.values)) or "no settings"
        return f"configuration from {self.path} [{self.table}]: {keys}" if self.table else \
            f"configuration from {self.path}: {keys}"


def find_config(start: str | os.PathLike[str] | None = None) -> tuple[Path, str, Mapping[str, Any]] | None:
    """
    The nearest configuration at or above *start* (the working directory): its path, table name and table.

    Raises:
        GradecheckError: a candidate file cannot be read or is not valid TOML (a broken pyproject.toml
        would otherwise be passed over silently, and the settings in it with it).
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            doc = _parse(candidate)
            if name == "gradecheck.toml":
                return candidate, "", doc
            tool = doc.get("tool")
            if isinstance(tool, dict) and "gradecheck" in tool:
                table = tool["gradecheck"]
                if not isinstance(table, dict):
                    raise GradecheckError(f"{candidate}: [tool.gradecheck] must be a table, not {_kind(table)}")
                return candidate, "tool.gradecheck", table
    return None


def read_config(path: str | os.PathLike[str], settings: Mapping[str, Setting]) -> Config:
    """Read the settings in one named file (``--config``): ``[tool.gradecheck]`` of a pyproject.toml, else the whole."""
    p = Path(path)
    if not p.is_file():
        raise GradecheckError(f"--config {path}: no such file")
    doc = _parse(p)
    if p.name == "pyproject.toml":
        table = doc.get("tool", {}).get("gradecheck") if isinstance(doc.get("tool"), dict) else None
        if not isinstance(table, dict):
            raise GradecheckError(f"{p}: has no [tool.gradecheck] table")
        return _checked(p, "tool.gradecheck", table, settings)
    return _checked(p, "", doc, settings)


def load_config(settings: Mapping[str, Setting], start: str | os.PathLike[str] | None = None) -> Config:
    """The nearest configuration at or above *start*, checked against *settings*; an empty Config when none."""
    found = find_config(start)
    if found is None:
        return Config()
    return _checked(*found, settings)


def _parse(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise GradecheckError(f"{path}: cannot read: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise GradecheckError(f"{path}: not valid TOML: {err}") from err


def _kind(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _checked(path: Path, table: str, values: Mapping[str, Any], settings: Mapping[str, Setting]) -> Config:
    where = f"{path} [{table}]" if table else str(path)
    out: dict[str, Any] = {}
    for key, value in values.items():
        setting = settings.get(key)
        if setting is None:
            close = difflib.get_close_matches(key.replace("_", "-"), list(settings), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise GradecheckError(f"{where}: unknown key '{key}'{hint}; keys: {', '.join(sorted(settings))}")
        out[key] = _value(where, key, value, setting, path.parent)
    return Config(path, table, out)


def _value(where: str, key: str, value: Any, setting: Setting, base: Path) -> Any:
    def wrong(expected: str) -> GradecheckError:
        return GradecheckError(f"{where}: {key} = {value!r}: expected {expected}, not {_kind(value)}")

    if setting.kind == "bool":
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if setting.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong("a whole number")
        return value
    if setting.kind == "str":
        if not isinstance(value, str):
            raise wrong("text" + (f" (one of {', '.join(setting.choices)})" if setting.choices else ""))
        if setting.choices and value not in setting.choices:
            raise GradecheckError(f"{where}: {key} = {value!r}: expected one of {', '.join(setting.choices)}")
        return _resolve(value, base, setting.or_name) if setting.path else value
    items: Sequence[Any] = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        raise wrong("a list of text")
    if setting.kind == "codes":
        return [c.strip().upper() for v in items for c in v.split(",") if c.strip()]
    return [_resolve(v, base) for v in items] if setting.path else list(items)


def _resolve(value: str, base: Path, or_name: bool = False) -> str:
    """A relative path is taken from the configuration file's directory (a baseline there may not exist yet)."""
    if value == "-" or os.path.isabs(value):
        return value
    candidate = base / value
    # --profile takes a name or a path: a bare name ('ofsted') that is no file stays a name.
    if or_name and not candidate.exists() and os.sep not in value and "/" not in value and not value.endswith(".toml"):
        return value
    return str(candidate)
