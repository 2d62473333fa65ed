"""Progress of a long run on stderr (records read, records/s, files done), only where a person is watching."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from typing import TextIO

__all__ = ["Progress", "should_show"]


def _is_pipe(stream: TextIO) -> bool:
    """Whether *stream* is a pipe (``| less``, ``| jq``); a stream with no file behind it counts as one."""
    try:
        return stat.S_ISFIFO(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, OSError, ValueError):
        return True


def should_show(stderr: TextIO, stdout: TextIO, output: str | None) -> bool:
    """
    Progress goes to stderr when it is a terminal, and never when the report is piped.

    Piped output is read by a program or a pager that shares the terminal, where a progress line
    would be in the way; a report written to a file (``--output``, ``> report.json``) or to the
    terminal itself leaves room for it (the line is cleared before the report is written).
    """
    try:
        if not stderr.isatty():
            return False
    except (AttributeError, ValueError):
        return False
    return output is not None or not _is_pipe(stdout)


class Progress:
    """
    A one-line progress display: ``gradecheck: 120,000 records, 41,000 records/s, 3/12 files``.

    Called as ``progress(records, files_done, files_total)`` (the engine's progress hook). Nothing is
    shown for the first *delay* seconds, so short runs stay silent, and the line is redrawn at most
    every *every* seconds. :meth:`close` clears it.
    """

    def __init__(self, stream: TextIO, *, delay: float = 0.5, every: float = 0.2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.delay = delay
        self.every = every
        self.clock = clock
        self.start = clock()
        self.last = float("-inf")
        self.shown = False

    def __call__(self, records: int, files_done: int, files_total: int) -> None:
        now = self.clock()
        elapsed = now - self.start
        if elapsed < self.delay or now - self.last < self.every:
            return
        self.last = now
        rate = records / elapsed if elapsed > 0 else 0.0
        self.stream.write(f"\r\x1b[Kgradecheck: {records:,} records, {rate:,.0f} records/s, "
                          f"{files_done}/{files_total} files")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the line, so whatever is written next starts clean."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
