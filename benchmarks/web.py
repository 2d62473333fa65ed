"""
The page in the browser (python -m gradecheck web), timed in headless Chromium against the command line.

    python benchmarks/web.py                                   # the real files in ../shared/data/real, 3 runs each
    python benchmarks/web.py --data DIR --runs 5
    python benchmarks/web.py --screenshot docs/web.png         # also the README's picture of the page after a check

Prints: the size of the built site (and of its parts); the time from asking for the page to "Ready" (Pyodide
started, gradecheck loaded, its rules read) on a fresh browser profile and on reloads (the browser's cache
and its compiled-WebAssembly cache warm), with the worker's own steps; and the time to check every data file
under --data in the page (from the click to the report shown, and gradecheck's own time in the worker) against
``python -m gradecheck FILES --format html`` in a subprocess (start-up included) on the same files, in the
same directory. Page and command line must agree on the counts, or the run stops.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gradecheck.read import DATA_SUFFIXES  # noqa: E402
from gradecheck.web.browser import Chromium, find_chromium, served  # noqa: E402
from gradecheck.web.build import build_site  # noqa: E402

READY = "document.body && document.body.dataset.state === 'ready' && window.gradecheck.ready"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _sizes(root: Path) -> dict[str, int]:
    parts = {"pyodide runtime": root / "pyodide", "wheels": root / "wheels"}
    sizes = {name: sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) for name, folder in parts.items()}
    sizes["page (html, js, css, site.json)"] = sum(p.stat().st_size for p in root.iterdir() if p.is_file())
    return sizes


def _flat_copy(data: Path, into: Path) -> list[str]:
    """Every data file under *data*, copied into one directory (the page takes files, not folders)."""
    names = []
    for path in sorted(data.rglob("*")):
        if path.is_file() and path.name.lower().endswith(DATA_SUFFIXES):
            if (into / path.name).exists():
                raise SystemExit(f"two data files are named {path.name}: the page would refuse them")
            shutil.copy(path, into / path.name)
            names.append(path.name)
    return names


def _load(tab, address: str, timeout: float = 120) -> dict:
    tab.go(address)
    return tab.wait(READY, timeout)


def _check_in_page(tab, folder: Path, names: list[str]) -> tuple[float, dict]:
    tab.evaluate("window.gradecheck.result = null")
    tab.choose_files("#files", [folder / n for n in names])
    began = time.perf_counter()
    tab.evaluate("document.getElementById('check').click()")
    tab.wait("window.gradecheck.result || window.gradecheck.error", 600, every=0.01)
    result = tab.evaluate("(() => { const r = window.gradecheck.result; "
                          "return r ? {error: r.error, summary: r.summary, seconds: r.seconds} "
                          ": {error: window.gradecheck.error}; })()")
    if result.get("error"):
        raise SystemExit(f"the page could not check the files: {result['error']}")
    # Shown: the report's frame has loaded.
    tab.wait("(() => { const d = document.getElementById('report').contentDocument; "
             "return !!(d && d.readyState === 'complete' && d.querySelector('h1')); })()", 60, every=0.01)
    seconds = time.perf_counter() - began
    return seconds, result


def _check_on_command_line(folder: Path, names: list[str]) -> tuple[float, dict]:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gradecheck", *names, "--isolated", "--format", "html", "--output",
                    "out.html"], cwd=folder, capture_output=True, check=False)
    seconds = time.perf_counter() - began
    done = subprocess.run([sys.executable, "-m", "gradecheck", *names, "--isolated", "--format", "json"],
                          cwd=folder, capture_output=True, text=True, check=False)
    (folder / "out.html").unlink(missing_ok=True)
    return seconds, json.loads(done.stdout)["summary"]


def _summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "real")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--screenshot", type=Path, help="save a PNG of the page after checking some fixture files")
    args = parser.parse_args()
    browser = find_chromium()
    if browser is None:
        raise SystemExit("no Chromium here (Debian: apt-get install chromium)")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory(prefix="gradecheck-web-bench-") as work:
        work_path = Path(work)
        began = time.perf_counter()
        site = build_site(work_path / "site", say=lambda text: print(f"  {text}"))
        print(f"build: {time.perf_counter() - began:.1f} s (Pyodide and wheels from the cache)")
        print(f"site: {_mb(site.size())} in all")
        for name, size in _sizes(site.root).items():
            print(f"  {name}: {_mb(size)}")
        for wheel in site.manifest["wheels"]:
            print(f"    {wheel}: {(site.root / 'wheels' / wheel).stat().st_size / 1e3:.0f} KB")
        data = work_path / "data"
        data.mkdir()
        names = _flat_copy(args.data, data) if args.data.is_dir() else []
        total = sum((data / n).stat().st_size for n in names)
        with served(site.root) as address:
            cold, cold_steps = [], []
            for run in range(args.runs):  # a fresh profile each time: nothing cached
                with Chromium(browser, work_path / f"cold-{run}") as chromium:
                    ready = _load(chromium.tab(), address)
                    cold.append(ready["seconds"])
                    cold_steps.append(ready["steps"])
            print(f"ready, fresh browser profile: {_summary(cold)}")
            steps = {k: statistics.median(s[k] for s in cold_steps) for k in cold_steps[0]}
            print("  worker steps (median): " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
            with Chromium(browser, work_path / "warm") as chromium:
                tab = chromium.tab()
                _load(tab, address)
                warm, warm_steps = [], []
                for _ in range(args.runs):
                    ready = _load(tab, address)
                    warm.append(ready["seconds"])
                    warm_steps.append(ready["steps"])
                print(f"ready, reloaded (browser cache warm): {_summary(warm)}")
                steps = {k: statistics.median(s[k] for s in warm_steps) for k in warm_steps[0]}
                print("  worker steps (median): " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
                if names:
                    print(f"checking {len(names)} files ({_mb(total)}) from {args.data}:")
                    page_times, worker_times, cli_times = [], [], []
                    for _ in range(args.runs):
                        _load(tab, address)
                        seconds, result = _check_in_page(tab, data, names)
                        page_times.append(seconds)
                        worker_times.append(result["seconds"])
                        cli_seconds, cli_summary = _check_on_command_line(data, names)
                        cli_times.append(cli_seconds)
                        if cli_summary != result["summary"]:
                            raise SystemExit(f"page and command line disagree:\n{result['summary']}\n{cli_summary}")
                    s = result["summary"]
                    print(f"  {s['records']:,} records, {s['findings']['error']:,} errors, "
                          f"{s['findings']['warning']:,} warnings, {s['unknown']:,} unknown (page = command line)")
                    print(f"  page, click to report shown: {_summary(page_times)}")
                    print(f"    of which gradecheck in the worker (check and HTML report): {_summary(worker_times)}")
                    print(f"  command line, --format html, start-up included: {_summary(cli_times)}")
                    print(f"  page / command line: {statistics.median(page_times) / statistics.median(cli_times):.2f}x")
            if args.screenshot:
                with Chromium(browser, work_path / "shot-profile", size=(1280, 1900)) as chromium:
                    _screenshot(chromium.tab(), address, work_path, args.screenshot)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


def _screenshot(tab, address: str, work: Path, target: Path) -> None:
    shots = work / "shot"
    shots.mkdir()
    for source in ("fixtures/liverpool.jsonl", "fixtures/broken/slac-counts.jsonl",
                   "fixtures/real-excerpts/ofsted-ilacs-history.csv"):
        shutil.copy(ROOT / source, shots)
    _load(tab, address)
    _check_in_page(tab, shots, sorted(os.listdir(shots)))
    tab.evaluate("window.scrollTo(0, 0)")
    time.sleep(0.3)
    tab.screenshot(target, full=False)
    print(f"screenshot: {target}")


if __name__ == "__main__":
    main()
