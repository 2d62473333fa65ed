"""Progress on stderr: only on a terminal, never when the report is piped, quiet for short runs, cleared at the end."""

from __future__ import annotations

import functools
import io
import json
import os

import pytest

import gradecheck.cli
import gradecheck.report.progress
from gradecheck.cli import main
from gradecheck.report.progress import Progress, should_show


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_should_show(tmp_path):
    with open(tmp_path / "report.json", "w") as regular:
        assert should_show(_Terminal(), regular, None)  # > report.json: a person watches the terminal
        assert not should_show(io.StringIO(), regular, None)  # stderr is not a terminal
    read, write = os.pipe()
    with os.fdopen(read) as _, os.fdopen(write, "w") as piped:
        assert not should_show(_Terminal(), piped, None)  # | jq, | less
        assert should_show(_Terminal(), piped, "report.html")  # the report goes to a file, not down the pipe
    assert not should_show(_Terminal(), io.StringIO(), None)  # no file behind stdout: say nothing


def test_progress_line_rate_and_clearing():
    stream, clock = _Terminal(), _Clock()
    progress = Progress(stream, delay=0.5, every=0.2, clock=clock)
    clock.now += 0.4
    progress(1024, 0, 3)
    assert stream.getvalue() == ""  # short runs stay silent
    clock.now += 0.6  # one second in
    progress(20_480, 1, 3)
    assert stream.getvalue() == "\r\x1b[Kgradecheck: 20,480 records, 20,480 records/s, 1/3 files"
    clock.now += 0.1
    progress(22_528, 1, 3)  # too soon to redraw
    assert stream.getvalue().count("gradecheck:") == 1
    clock.now += 0.9  # two seconds in
    progress(40_000, 3, 3)
    assert stream.getvalue().endswith("\r\x1b[Kgradecheck: 40,000 records, 20,000 records/s, 3/3 files")
    progress.close()
    assert stream.getvalue().endswith("\r\x1b[K")
    progress.close()
    assert stream.getvalue().count("\r\x1b[K") == 3  # cleared once


@pytest.fixture(name="data")
def _data(tmp_path):
    for n in range(3):
        (tmp_path / f"d{n}.jsonl").write_text(json.dumps({"id": f"r{n}", "framework": "slac"}) + "\n", encoding="utf-8")
    return tmp_path


def test_cli_shows_progress_on_a_terminal(data, tmp_path, monkeypatch):
    err = _Terminal()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr(gradecheck.report.progress, "Progress", functools.partial(Progress, delay=0, every=0))
    with open(tmp_path / "out.txt", "w") as out:
        assert main([str(data)], out) == 0
    text = err.getvalue()
    assert "gradecheck: 3 records" in text
    assert "3/3 files" in text
    assert "records/s" in text
    assert text.endswith("\r\x1b[K")  # cleared before the report
    err.seek(0)
    err.truncate()
    with open(tmp_path / "out.txt", "w") as out:
        assert main([str(data), "--no-progress"], out) == 0
    assert err.getvalue() == ""


def test_cli_never_shows_progress_when_piped(data, monkeypatch):
    err = _Terminal()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr(gradecheck.report.progress, "Progress", functools.partial(Progress, delay=0, every=0))
    read, write = os.pipe()
    with os.fdopen(read) as _, os.fdopen(write, "w") as piped:
        assert main([str(data)], piped) == 0
    assert err.getvalue() == ""
