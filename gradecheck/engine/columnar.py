"""
The optional columnar engine (``--engine columnar``; ``pip install 'gradecheck[columnar]'``, which brings polars).

For a large CSV file in gradecheck's own layout (dotted headers, ``id`` and ``framework`` columns), polars
reads the file and decides, column by column, which rows surely pass every record rule: exactly the rows
the fast path (gradecheck/engine/fastpath.py) would pass, by the same tests (gradecheck/engine/columnar_kinds.py).
Those rows are only counted, and folded into the dataset rules' summaries (unique ids, visit histories, group
totals) through a light view of the few fields those rules read. Every other row (a finding, an unknown, an odd
value, an unknown framework) is handed to the row engine as the CSV reader would have built it, in file order with its
line number, so the row engine alone writes every finding, unknown and unreadable entry: the report is
the row engine's, byte for byte (tests/test_columnar.py checks it on generated data). Each file is one dataset:
the row engine's summaries of the rows it checked and the engine's of the passed rows merge before the dataset
rules report. A dataset rule of a kind the engine cannot feed leaves the rows it covers to the row engine.

A file of at least SPLIT_BYTES is judged in shares, one a core, each in a forked process that imports polars
itself and hands its odd rows to the row engine there; the shares' states merge in file order, as the row
engine's workers' do. Nothing is added to the run until the whole file has been read and judged.
Whenever the engine cannot be sure of reading the same rows as the row reader (not UTF-8, a byte-order mark,
a quoted cell spanning lines, a stray carriage return, a header that needs a profile), :func:`check_csv`
returns False having changed nothing, and the file takes the ordinary path. polars is imported here only, and
only when the engine is used.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import os
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..read import read_range
from ..records import Origin, RawRecord
from .columnar_plan import Plan, Result, Unsuitable
from .parallel import can_fork, count_lines, fork_map, split_points

if TYPE_CHECKING:
    from ..read.profiles import ProfileSet
    from ..ruleset import RuleSet

__all__ = ["AUTO_MIN_BYTES", "available", "check_csv"]

#: With ``--engine auto``, CSV files at least this large go to the columnar engine (importing polars costs ~0.3 s).
AUTO_MIN_BYTES = 8 * 1024 * 1024
#: Rows needing the row engine worth splitting over several processes.
PARALLEL_HANDOVER = 5_000
#: Files at least this large are judged in several processes, a share each (each imports polars, ~0.2 s).
SPLIT_BYTES = 16 * 1024 * 1024
EXTRA = "pip install 'gradecheck[columnar]'"


def available() -> bool:
    """Whether polars can be imported (checked without importing it)."""
    return importlib.util.find_spec("polars") is not None


def check_csv(path: str, run: Any, ruleset: RuleSet, *, explicit: bool = False, profiles: ProfileSet | None = None,
              workers: int | None = None) -> bool:
    """
    Check one CSV file column-wise into *run*; False (and *run* untouched) when the row path must do it.

    With *explicit* (``--engine columnar``), why a file goes to the row path is said once on stderr.
    *workers* caps the processes for the rows the row engine checks (default: every core).
    """
    workers = (os.cpu_count() or 1) if workers is None else workers
    try:
        _suitable_run(run, ruleset, profiles)
        plan = Plan(path, ruleset)
        shares = _shares(path, workers) if run.progress is None else None
        if shares:
            states = _split(plan, run, shares)
        else:
            result = _scan(plan, run)
    except Unsuitable as why:
        if explicit:
            _note(run, str(why) if why.every_file else f"{path}: {why}")
        return False
    if shares:
        run.begin()
        run.where = Origin(path, 0)
        run.finish_shares(states)
    else:
        _apply(result, run, path, plan, workers)
    return True


def _scan(plan: Plan, run: Any, start: int = 0, end: int | None = None) -> Result:
    """Judge bytes [start, end) of the file column-wise (the whole file by default)."""
    from .columnar_scan import Scan  # imports polars

    return Scan(plan, run).read(start, end, count_lines(plan.path, 0, start) if start else 0)


def _shares(path: str, workers: int) -> list[tuple[int, int]] | None:
    """
    The byte ranges to judge a file in, one a process, or None to judge it in this one.

    Only before polars is imported here: polars runs a pool of threads, which a forked child would not have,
    and a child that waits on them waits for ever. So the first large CSV file of a run is split, and any later
    one (or a file in a process that uses polars already) is judged in one process.
    """
    if workers < 2 or "polars" in sys.modules or not can_fork():
        return None
    try:
        if os.path.getsize(path) < SPLIT_BYTES:
            return None
    except OSError:
        return None
    # Cut at any newline: a cut inside a quoted cell spanning lines leaves the line that opens it, in the share
    # before, a quote that does not close, which that share's scan finds (Scan._handover): the file is declined,
    # as it would be anyway.
    return split_points(path, workers, quoted=False)


def _split(plan: Plan, run: Any, shares: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """
    Each share's state (see _share), each made in its own process (this one takes the first), in file order.

    What is done in Python (folding the passed rows into the summaries, the row engine's checks of the rows
    handed over) is then done on every core; polars already used both, so the gain is smaller than the
    shares: 200,000 rows took 3.4 s in one process and 3.0 s so (2.3 s with the hand-over in the shares).
    """
    mine: list[dict[str, Any]] = []
    (start, end), rest = shares[0], shares[1:]
    theirs = fork_map([functools.partial(_share, plan, run, a, b) for a, b in rest],
                      meanwhile=lambda: mine.append(_share(plan, run, start, end)))
    return mine + theirs


def _share(plan: Plan, run: Any, start: int, end: int) -> dict[str, Any]:
    """
    One share of a file, judged column-wise, its handed-over rows checked by the row engine in the same process:
    the state a worker of the row engine gives (gradecheck/engine/parallel.py), which *run* merges.
    """
    result = _scan(plan, run, start, end)
    share = type(run)(run.ruleset, run.max_findings)
    share.begin()
    share.fold(_items(result.handover, plan.path, plan))
    share.join(result.summaries)  # as _apply merges them
    share.records += result.passed
    share.checked += result.passed
    for code, n in result.tally.items():
        share.tally[code][0] += n
    return share.state()


def _note(run: Any, message: str) -> None:
    """Say once per run why the columnar engine was not used (asked for by name, so worth knowing)."""
    noted = run.__dict__.setdefault("_columnar_notes", set())
    if message not in noted:
        noted.add(message)
        sys.stderr.write(f"gradecheck: --engine columnar: {message}; using the row engine\n")


def _suitable_run(run: Any, ruleset: RuleSet, profiles: ProfileSet | None) -> None:
    def unsuitable(reason: str) -> Unsuitable:
        return Unsuitable(reason, every_file=True)

    if not available():
        raise unsuitable(f"polars is not installed ({EXTRA})")
    if run.max_events:
        raise unsuitable("the report shows every record (--format html)")
    if profiles is not None:
        raise unsuitable("files are read through profiles (--profile, --profiles)")
    for alias, target in ruleset.field_aliases.items():
        if not (alias.startswith("populations.") and target.startswith("populations.")):
            raise unsuitable(f"the rule files alias a field outside populations ({alias})")


def _apply(result: Result, run: Any, path: str, plan: Plan, workers: int) -> None:
    """
    Add what a file came to into *run*, as one dataset: passed rows counted, the rest checked by the row engine,
    and the dataset rules judged from both's summaries.
    """
    run.records += result.passed
    run.checked += result.passed
    for code, n in result.tally.items():
        run.tally[code][0] += n
    rows = result.handover
    run.begin()
    if result.passed:  # the row engine's fold names the dataset from its first record
        run.where = Origin(path, 0)
    if workers > 1 and len(rows) >= PARALLEL_HANDOVER and run.progress is None and can_fork():
        _handover_parallel(run, rows, path, plan, workers)
    else:
        run.fold(_items(rows, path, plan))
    # Both summaries were folded in file order, each over its own rows; a merge keeps the earlier place of two
    # (UniqueSummary.outcomes, VisitsSummary._code) and outcomes sort by place, so the rows interleave as in the file
    # whichever is merged into which.
    run.join(result.summaries)
    run.finish()


def _items(rows: list[tuple[int, Any]], path: str, plan: Plan) -> Iterator[Any]:
    """The items the CSV reader would have given for these rows."""
    header = plan.header
    for line, what in rows:
        if type(what) is str:
            yield RawRecord(path, line, {n: c for n, c in zip(header, what.split(","), strict=True) if n}, True)
        elif type(what) is list:
            yield RawRecord(path, line, {n: c for n, c in zip(header, what, strict=True) if n}, True)
        else:  # a row whose shape is not the header's: the reader itself says what it makes of it
            yield from read_range(path, what[0], what[1], line, plan.header_bytes, raw=True)


_STATE: dict[str, Any] = {}


def _handover_parallel(run: Any, rows: list[tuple[int, Any]], path: str, plan: Plan, workers: int) -> None:
    """Check the handed-over rows in forked workers (as gradecheck/engine/parallel.py does), merged in file order."""
    parts = min(workers, len(rows) // max(1, PARALLEL_HANDOVER // 2))
    cuts = [len(rows) * k // parts for k in range(parts + 1)]
    _STATE.update(run=run, rows=rows, path=path, plan=plan)
    try:
        states = fork_map([functools.partial(_work, a, b) for a, b in itertools.pairwise(cuts)])
    finally:
        _STATE.clear()
    for state in states:
        run.merge(state)


def _work(start: int, end: int) -> dict[str, Any]:
    """A worker's share of the rows, checked and folded into fresh summaries the parent merges (lines: the file's)."""
    parent = _STATE["run"]
    run = type(parent)(parent.ruleset, parent.max_findings)
    run.begin()
    run.fold(_items(_STATE["rows"][start:end], _STATE["path"], _STATE["plan"]))
    return run.state()
