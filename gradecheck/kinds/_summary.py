"""What every dataset kind's summary promises: records folded in one at a time, merged and moved in file order."""

from __future__ import annotations

from typing import Any, Protocol

from ._base import Failure, Subject, Unknown, View

__all__ = ["Outcomes", "Summary"]

Outcomes = list[tuple[Subject, Failure | Unknown]]


class Summary(Protocol):
    """
    What a dataset rule keeps of a file while it is read: records are folded in one at a time.

    A summary holds only what the rule needs to judge and to name the records it reports on, never
    the records. Summaries of consecutive parts of a file (chunks, or the shares of several
    processes) merge, in file order, into the summary of the whole; the rule's outcomes come from
    that, and are the same however the file was split.
    """

    def add(self, view: View) -> None: ...

    def merge(self, later: Any) -> None: ...

    def move(self, lines: int) -> None:
        """Move every record it names *lines* further down the file (see Subject.moved)."""
        ...

    def outcomes(self) -> tuple[int, Outcomes]:
        """How many records (or groups) the rule applied to, and its outcomes, in file order."""
        ...
