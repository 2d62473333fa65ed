"""Exceptions that mean gradecheck could not run; problems in the data are findings, never exceptions."""

from __future__ import annotations

from collections.abc import Sequence

from attrs import frozen

__all__ = ["GradecheckError", "InputError", "Problem", "RuleFileError"]


class GradecheckError(Exception):
    """gradecheck could not do what was asked (exit code 2 on the command line)."""


class InputError(GradecheckError, OSError):
    """A named input cannot be used at all: it does not exist, or is not a file or directory we can read."""


@frozen
class Problem:
    """One thing wrong with a rule file: which file, which rule (index and code), which key, and what was expected."""

    path: str
    where: str
    key: str | None
    reason: str

    def __str__(self) -> str:
        key = f": key '{self.key}'" if self.key else ""
        return f"{self.path}: {self.where}{key}: {self.reason}"


class RuleFileError(GradecheckError, ValueError):
    """
    A rule or framework file is not valid.

    Every problem found is listed at once: fixing a rule file one error per run is how people give
    up on a tool.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in rule files:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
