"""
Check one large JSON Lines or CSV file on several cores: split it at line boundaries, merge the results.

Workers are forked, so the rule set and the register are shared, not pickled; each returns its
findings, counts and dataset summaries (unique ids, visit histories, group totals), which merge in
file order, and the merged report is sorted as always, so the output is byte-identical to a
single-process run.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any, NoReturn

from ..authorities import active_register
from ..kinds import spilling

__all__ = ["MIN_BYTES", "can_fork", "count_lines", "fork_map", "plan", "run_parallel", "split_points", "watch_parent"]

#: Files smaller than this are not worth the cost of starting workers (about 0.1 s).
MIN_BYTES = 16 * 1024 * 1024


#: What counting the lines of a byte of JSON Lines costs, against checking it: each worker first counts the lines
#: before its share (see _work), which took 0.35 s for 227 MB beside 10.4 s checking as many (1M records), and
#: 0.05 s beside 2.05 s (200k). The row engine's later shares are made that much smaller, so that all end together.
COUNTING = 0.03


def split_points(path: str, parts: int, counting: float = 0.0, quoted: bool = True) -> list[tuple[int, int]] | None:
    """
    (start byte, end byte) for each part, cutting only after a newline; with *counting* (see COUNTING), each
    part smaller than the one before by what counting the lines before it costs.

    In CSV a newline inside a quoted cell is not a boundary: a cut is moved on until the number of
    quote characters before it is even (RFC 4180 doubles quotes inside quoted cells, so parity
    tells whether a position is inside a cell). Counting them reads the file up to each cut, before any
    work starts (18 ms of 40 MB); a caller that declines any file with a quoted cell spanning lines (the
    columnar engine) cuts at any newline with *quoted* False: a cut inside such a cell only finds one.
    """
    size = os.path.getsize(path)
    csv = quoted and path.lower().endswith(".csv")
    cuts = [0]
    targets = _targets(size, parts, counting)
    with open(path, "rb") as handle:
        for k in range(1, parts):
            target = max(targets[k], cuts[-1])
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
    # each worker counts the lines before its part, at its start and beside the others (see _work).
    return list(pairwise(cuts))


def _targets(size: int, parts: int, counting: float) -> list[int]:
    """
    Where each part should start. Part k's work is its length plus *counting* times its start (the lines it counts
    first); equal for every part when start(k + 1) = start(k) * (1 - counting) + w, which ends at *size* for
    w = size * counting / (1 - (1 - counting) ** parts).
    """
    if not counting:
        return [size * k // parts for k in range(parts)]
    w = size * counting / (1 - (1 - counting) ** parts)
    starts = [0.0]
    for _ in range(1, parts):
        starts.append(starts[-1] * (1 - counting) + w)
    return [int(s) for s in starts]


def _quotes_before(path: str, position: int) -> int:
    count = 0
    with open(path, "rb") as handle:
        remaining = position
        while remaining > 0:
            block = handle.read(min(remaining, 1 << 22))
            count += block.count(b'"')
            remaining -= len(block)
    return count


def plan(path: str, workers: int) -> list[tuple[int, int]] | None:
    """The ranges to check *path* in parallel, or None when one process is better."""
    if workers < 2 or path == "-" or not path.lower().endswith((".jsonl", ".ndjson", ".csv")):
        return None
    try:
        if os.path.getsize(path) < MIN_BYTES:
            return None
    except OSError:
        return None
    if not can_fork():
        return None
    return split_points(path, workers, COUNTING)


def can_fork() -> bool:
    """
    Whether this platform forks (fork_map's way). Asked of os, not of multiprocessing: importing that to ask took
    9 ms of a columnar run's serial start (of 1.7 s at 200,000 rows).
    """
    return hasattr(os, "fork")


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


def _work(run_factory: Callable[[], Any], path: str, start: int, end: int, header: bytes) -> dict[str, Any]:
    """
    Check a share of a file, its lines numbered as in the whole file: the worker counts the lines before its
    share itself (0.04 s a 45 MB share), while the others work. Its results are then in place as they come,
    with nothing to move down the file when they merge (which took the merging process 0.05 s and 8 MB at
    200,000 records).
    """
    run = run_factory()
    run.check_range(path, start, end, 1 + count_lines(path, 0, start), header)
    return run.state()


def count_lines(path: str, start: int, end: int) -> int:
    """The newlines in bytes [start, end) of a file: the lines before a share that starts at *end*, from 0."""
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


def run_parallel(path: str, points: list[tuple[int, int]], run_factory: Callable[[], Any],
                 meanwhile: Callable[[], None] | None = None) -> list[dict[str, Any]]:
    """
    Check each range in a forked worker and return each worker's state, in file order.

    *meanwhile* runs in this process while the workers run: the caller checks a share of its own
    there, rather than wait idle and then unpickle one more worker's state.
    """
    header = b""
    if path.lower().endswith(".csv"):
        with open(path, "rb") as handle:
            header = handle.readline()
    calls = [functools.partial(_work, run_factory, path, start, end, header if start else b"")
             for start, end in points]
    return fork_map(calls, meanwhile)


def fork_map(calls: list[Callable[[], Any]], meanwhile: Callable[[], None] | None = None) -> list[Any]:
    """
    Each call's result, each made in a forked child of this process; *meanwhile* runs here as they work.

    A child starts at once, with everything it needs inherited, and writes its pickled result into a
    pipe that this process reads when *meanwhile* is done. (concurrent.futures hands a child its
    work through threads of this process, which a busy *meanwhile* held off: the worker started 0.03
    to 1.2 s late, and a two-core run took 3.8 to 4.9 s by that alone.) A child's exception is raised
    here; a child that ends without a result raises RuntimeError; on any error here the children are
    killed.
    """
    # The children number the register's authorities in what they send (see Register.numbered), to be read here:
    # they must have this process's register, not each make the built-in one of its own.
    active_register()
    with spilling():  # the children hand over their summaries' spilled ids by the files' names
        return _fork_map(calls, meanwhile)


def _fork_map(calls: list[Callable[[], Any]], meanwhile: Callable[[], None] | None) -> list[Any]:
    import pickle
    import signal

    from . import wire  # here, not at the top: most runs never fork, and start-up counts

    children: list[tuple[int, int]] = []
    try:
        for call in calls:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: never returns
                os.close(read)
                _child(call, write)
            os.close(write)
            children.append((pid, read))
        if meanwhile is not None:
            meanwhile()
        results = []
        while children:
            pid, read = children[0]
            with os.fdopen(read, "rb") as pipe:
                children[0] = (pid, -1)
                try:
                    ok, value = wire.load(pipe)
                except (EOFError, pickle.UnpicklingError) as err:
                    _, status = os.waitpid(pid, 0)
                    children.pop(0)
                    raise RuntimeError(f"a worker ended without its result (wait status {status})") from err
            os.waitpid(pid, 0)
            children.pop(0)
            if not ok:
                raise value
            results.append(value)
        return results
    finally:
        for pid, read in children:  # only after an error: the rest are not needed
            if read >= 0:
                os.close(read)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass


def _child(call: Callable[[], Any], write: int) -> NoReturn:
    """Make *call*'s result and write it, pickled, to *write*; end the process without unwinding the parent's stack."""
    from . import wire

    code = 0
    try:
        watch_parent()
        try:
            send = wire.prepare((True, call()))  # nothing is written unless all of it can be
        except BaseException as err:  # the parent raises it
            code = 1
            try:
                send = wire.prepare((False, err))
            except Exception:
                send = wire.prepare((False, RuntimeError(f"a worker failed: {type(err).__name__}: {err}")))
        with os.fdopen(write, "wb") as pipe:
            send(pipe)
    except BaseException:
        code = 2
    finally:
        os._exit(code)
