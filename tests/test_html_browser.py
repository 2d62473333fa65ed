"""
The HTML page in a real browser: Debian's headless Chromium loads it with no console message and takes a screenshot.

The page has no script, so any console message at all is a problem: a refused style or load (the
Content-Security-Policy), a missing resource, a parse error. Chromium logs console messages to
stderr as ``INFO:CONSOLE`` lines with ``--enable-logging=stderr``; a control page with a deliberate
CSP violation shows the check sees them. Skipped, saying why, where no Chromium is installed
(.ci/run installs it with apt-get where it can).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from gradecheck import check_paths, render
from gradecheck.web.browser import find_chromium

ROOT = Path(__file__).resolve().parent.parent


BROWSER = find_chromium()
pytestmark = pytest.mark.skipif(
    BROWSER is None,
    reason="no Chromium browser here (Debian: apt-get install chromium; .ci/run does this where apt-get works)",
)


def _load(page: Path, out: Path, size: str = "1200,2000") -> tuple[list[str], Path]:
    """Load *page* headless; return the console lines Chromium logged and the screenshot's path."""
    shot = out / f"{page.stem}.png"
    command = [
        BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--mute-audio",
        f"--user-data-dir={out / ('profile-' + page.stem)}", f"--screenshot={shot}", f"--window-size={size}",
        "--enable-logging=stderr", "--v=0", page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert shot.is_file(), f"no screenshot (exit {done.returncode}):\n{done.stderr[-2000:]}"
    return console, shot


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_page_loads_without_console_messages_and_is_drawn(tmp_path):
    report = check_paths([str(ROOT / "fixtures")], events=20_000)
    page = tmp_path / "report.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    console, shot = _load(page, tmp_path)
    assert console == []
    assert _png_size(shot) == (1200, 2000)
    assert shot.stat().st_size > 30_000  # a page with pictures, not a blank one
    if os.environ.get("GRADECHECK_SCREENSHOT"):  # keep it for a person to look at
        shutil.copy(shot, os.environ["GRADECHECK_SCREENSHOT"])


def test_the_console_check_sees_violations(tmp_path):
    """Control: the same page with an inline style attribute, which its CSP refuses, is caught."""
    report = check_paths([str(ROOT / "fixtures" / "liverpool.jsonl")], events=100)
    page = tmp_path / "refused.html"
    page.write_text(render(report, "html").replace("<main>", '<main style="color:red">', 1), encoding="utf-8")
    console, _ = _load(page, tmp_path, "800,600")
    assert any("Content Security Policy" in line for line in console), console
