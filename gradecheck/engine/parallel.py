"""
Check one large JSON Lines or CSV file on several cores: split it at line boundaries, merge the results.

Only record-level rules can be split this way; a rule set with dataset rules (unique ids,
monitoring-visit histories, group totals) that cover the file is checked in one process. Workers
are forked, so the rule set is shared, not pickled; each returns its findings and counts, and the
merged report is sorted as always, so the output is byte-identical to a single-process run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

__all__ = ["MIN_BYTES", "plan", "split_points", "watch_parent"]

#: Files smaller than this are not worth the cost of starting workers (about 0.1 s).
MIN_BYTES = 16 * 1024 * 1024

_STATE: dict[str, Any] = {}


def split_points(path: str, parts: int) -> list[tuple[int, int, int]] | None:
    """
    (start byte, end byte, 1) for each part, cutting only after a newline.

    In CSV a newline inside a quoted cell is not a boundary: a cut is moved on until the number of
    quote characters before it is even (RFC 4180 doubles quotes inside quoted cells, so parity
    tells whether a position is inside a cell).
    """
    size = os.path.getsize(path)
    csv = path.lower().endswith(".csv")
    cuts = [0]
    with open(path, "rb") as handle:
        for k in range(1, parts):
            target = max(size * k // parts, cuts[-1])
            handle.seek(target)
            handle.readline()
            position = handle.tell()
            while csv and position < size and _quotes_before(path, position) % 2:
                handle.readline()
                position = handle.tell()
            if position >= size:
                break
            cuts.append(position)
    cuts.append(size)
    if len(cuts) < 3:
        return None
    # Line numbers are not counted here (that would read the whole file before any work starts):
    # each worker numbers its lines from 1 and counts them; the merge shifts them into place.
    return [(start, end, 1) for start, end in pairwise(cuts)]


def _quotes_before(path: str, position: int) -> int:
    count = 0
    with open(path, "rb") as handle:
        remaining = position
        while remaining > 0:
            block = handle.read(min(remaining, 1 << 22))
            count += block.count(b'"')
            remaining -= len(block)
    return count


def plan(path: str, workers: int) -> list[tuple[int, int, int]] | None:
    """The ranges to check *path* in parallel, or None when one process is better."""
    if workers < 2 or path == "-" or not path.lower().endswith((".jsonl", ".ndjson", ".csv")):
        return None
    try:
        if os.path.getsize(path) < MIN_BYTES:
            return None
    except OSError:
        return None
    import multiprocessing  # here, not at the top: most runs never split a file, and start-up counts

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return split_points(path, workers)


def watch_parent() -> None:
    """
    End this worker as soon as the process that forked it is gone.

    A worker killed with its parent is the contract of a command-line tool: ``kill -9`` of gradecheck, a
    closed terminal or a CI job that times out must not leave forked workers reading a large file as
    orphans. Linux can have the kernel send the signal (PR_SET_PDEATHSIG); elsewhere, and in case the
    parent died before the call, a daemon thread sees the parent change and exits.
    """
    import threading

    parent = os.getppid()
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 is PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux (or no libc prctl): the thread below does it
        pass

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="gradecheck-parent-watch", daemon=True).start()


def _init(run_factory: Callable[[], Any]) -> None:
    watch_parent()
    _STATE["factory"] = run_factory


def _work(path: str, start: int, end: int, first_line: int, header: bytes) -> dict[str, Any]:
    run = _STATE["factory"]()
    run.check_range(path, start, end, first_line, header)
    state = run.state()
    state["lines"] = _count_lines(path, start, end)
    return state


def count_lines(path: str, start: int, end: int) -> int:
    """The lines in bytes [start, end) of a file (how far a later share's line numbers move down)."""
    return _count_lines(path, start, end)


def _count_lines(path: str, start: int, end: int) -> int:
    count = 0
    with open(path, "rb") as handle:
        handle.seek(start)
        remaining = end - start
        while remaining > 0:
            block = handle.read(min(remaining, 1 << 22))
            if not block:
                break
            count += block.count(b"\n")
            remaining -= len(block)
    return count


def run_parallel(path: str, points: list[tuple[int, int, int]], run_factory: Callable[[], Any],
                 meanwhile: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """
    Check each range in a forked worker and return each worker's state, in file order.

    *meanwhile* runs in this process while the workers run: the caller checks a share of its own
    there, rather than wait idle and then unpickle one more worker's state.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    header = b""
    if path.lower().endswith(".csv"):
        with open(path, "rb") as handle:
            header = handle.readline()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(len(points), mp_context=context, initializer=_init, initargs=(run_factory,)) as pool:
        futures = [pool.submit(_work, path, start, end, line, header if start else b"") for start, end, line in points]
        if meanwhile is not None:
            meanwhile()
        return [f.result() for f in futures]
