"""Forked workers end with the process that started them (kill -9 of gradecheck leaves no orphans)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked only where fork exists")

PARENT = textwrap.dedent("""
    import multiprocessing, sys, time
    from gradecheck.engine.parallel import watch_parent

    def worker(path):
        watch_parent()
        with open(path, "w") as handle:
            handle.write(str(__import__("os").getpid()))
        time.sleep(60)  # stands for a long share of a large file

    if __name__ == "__main__":
        process = multiprocessing.get_context("fork").Process(target=worker, args=(sys.argv[1],))
        process.start()
        time.sleep(60)
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie that init has not reaped yet is gone for our purpose
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


def test_a_worker_ends_when_its_parent_is_killed(tmp_path):
    pid_file = tmp_path / "worker.pid"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(pid_file)])
    try:
        deadline = time.monotonic() + 20
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        worker = int(pid_file.read_text())
        assert _alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while _alive(worker) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not _alive(worker), "the worker outlived its killed parent"
    finally:
        parent.kill()
        parent.wait()


SLOW_RUN = textwrap.dedent("""
    import sys, time
    import gradecheck.engine.parallel as parallel
    import gradecheck.engine.run as run
    parallel.MIN_BYTES = 0  # split a small file
    fold = run._Run.fold
    def fold_slowly(self, items):  # stands for a long share of a large file
        fold(self, items)
        time.sleep(60)
    run._Run.fold = fold_slowly
    from gradecheck.cli import run as program
    sys.argv[0] = "gradecheck"
    program()
""")


def test_sigterm_ends_the_run_with_its_workers_and_temporary_files(tmp_path):
    """A CI job that times out sends SIGTERM: the run ends as on Ctrl-C, and leaves nothing in TMPDIR."""
    data = tmp_path / "data.jsonl"
    data.write_text("".join(f'{{"id": "r{i}", "authority": "Leeds", "framework": "sif", "start": "2015-01-01"}}\n'
                            for i in range(400)), encoding="utf-8")
    spill = tmp_path / "tmp"
    spill.mkdir()
    env = {**os.environ, "TMPDIR": str(spill)}
    program = subprocess.Popen([sys.executable, "-c", SLOW_RUN, "--workers", "2", str(data)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not list(spill.glob("gradecheck-*")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list(spill.glob("gradecheck-*")), "the run made no spill directory to leave behind"
        program.send_signal(signal.SIGTERM)
        _, err = program.communicate(timeout=20)
    finally:
        program.kill()
        program.wait()
    assert program.returncode == 143
    assert "gradecheck: terminated" in err
    assert list(spill.iterdir()) == []


def _square(n: int) -> int:
    return n * n


def _fail() -> None:
    raise ValueError("share 2 is broken")


def _vanish() -> None:
    os._exit(3)  # as a worker killed by the out-of-memory killer would, without a word


def test_fork_map_gives_each_childs_result_in_order_while_this_process_works():
    import functools

    from gradecheck.engine.parallel import fork_map

    done = []
    results = fork_map([functools.partial(_square, n) for n in range(5)], meanwhile=lambda: done.append(os.getpid()))
    assert results == [0, 1, 4, 9, 16]
    assert done == [os.getpid()]  # meanwhile ran here, once


def test_fork_map_raises_a_childs_error_here_and_leaves_no_child_behind():
    from gradecheck.engine.parallel import fork_map

    with pytest.raises(ValueError, match="share 2 is broken"):
        fork_map([lambda: 1, _fail, lambda: time.sleep(30)])
    with pytest.raises(RuntimeError, match="ended without its result"):
        fork_map([_vanish])
    started = time.monotonic()
    with pytest.raises(KeyError):  # an error here, while the children work: they are killed, not waited for
        fork_map([lambda: time.sleep(30)], meanwhile=lambda: {}["missing"])
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # every child was reaped


@pytest.mark.parametrize("broken", ["UniqueSummary", "VisitsSummary"])
def test_a_dataset_rule_that_breaks_when_judged_in_a_child_is_reported_as_in_one_process(tmp_path, monkeypatch, broken):
    """
    A large file's dataset rules are judged two processes at a time (the unique ids' in a forked child): a rule
    that breaks there is reported as the single process reports it, and the other rules' findings are the same.
    """
    import gradecheck
    from gradecheck import check_paths
    from gradecheck.engine import parallel
    from gradecheck.kinds import unique, visits_follow

    lines = [f'{{"id": "r{i % 40}", "framework": "monitoring-visit", "start": "2020-01-{1 + i % 28:02}", '
             f'"authority": "Leeds", "authority_code": "E08000035"}}' for i in range(120)]
    path = tmp_path / "visits.jsonl"
    path.write_text("\n".join(lines) + "\n")
    owner = unique.UniqueSummary if broken == "UniqueSummary" else visits_follow.VisitsSummary

    def outcomes(self):
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(owner, "outcomes", outcomes)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    one = check_paths([str(path)], workers=1)
    two = check_paths([str(path)], workers=2)
    assert [e.error for e in two.errors] == [e.error for e in one.errors]
    assert any("planted" in e.error for e in one.errors)
    assert gradecheck.render(two, "json", statistics=True) == gradecheck.render(one, "json", statistics=True)
    assert one.findings or one.undecided  # the other rule still reports (repeated ids; visits with no grade before)


@given(st.integers(1_000, 10**10), st.integers(2, 16), st.sampled_from([0.0, 0.01, 0.03, 0.2]))
def test_parts_are_cut_so_that_each_ends_with_the_lines_it_counts_first(size, parts, counting):
    """A part's work is its length and its count of the lines before it: the same for every part (to a byte)."""
    from gradecheck.engine.parallel import _targets

    starts = _targets(size, parts, counting)
    assert starts[0] == 0
    assert starts == sorted(starts)
    assert starts[-1] < size
    ends = [*starts[1:], size]
    work = [end - start + counting * start for start, end in zip(starts, ends, strict=True)]
    assert max(work) - min(work) <= 2 + counting * 2
