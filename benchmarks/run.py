"""
Time gradecheck end to end against the hand-written loops, on the same generated data, in one run.

    python benchmarks/run.py                 # 1,000,000 records, JSON Lines and CSV
    python benchmarks/run.py 100000 --formats jsonl

Each tool runs as its own process (start-up, parsing, checking, writing violations), timed by wall
clock; peak memory is the largest resident set of the process or any of its workers. gradecheck's
findings are compared with the generator's list of the violations it planted: the run fails if any
is missed or any other is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


def _measure(cmd: list[str], out: Path) -> tuple[float, float]:
    """Run *cmd* in a fresh process; return (wall seconds, peak MB of it and its workers)."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"with open({str(out)!r}, 'wb') as f: rc = subprocess.call({cmd!r}, stdout=f)\n"
        "wall = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(rc, wall, peak)\n"
    )
    rc, wall, peak = subprocess.check_output([PY, "-c", code], text=True).split()
    if int(rc) not in (0, 1):
        raise SystemExit(f"{cmd} failed with exit code {rc}")
    return float(wall), float(peak)


def _violations_gradecheck(path: Path) -> set[tuple[str, str]]:
    found = set()
    with open(path) as handle:
        for line in handle:
            item = json.loads(line)
            if item.get("type") == "finding":
                found.add((item["rule"], item["record"]))
            elif item.get("type") != "summary":
                raise SystemExit(f"unexpected output: {line[:200]}")
    return found


def _violations_baseline(path: Path) -> set[tuple[str, str]]:
    return {tuple(line.split()) for line in path.read_text().splitlines()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv"], choices=["jsonl", "csv"])
    parser.add_argument("--dir", default="/tmp/gradecheck-bench")
    args = parser.parse_args()
    stem = Path(args.dir) / f"bench-{args.n}"
    if not Path(f"{stem}.expected.json").exists():
        subprocess.check_call([PY, str(HERE / "generate.py"), str(args.n), "--out", str(stem)])
    expected = {tuple(v) for v in json.loads(Path(f"{stem}.expected.json").read_text())}
    rows = []
    for fmt in args.formats:
        data = f"{stem}.{fmt}"
        out = Path(f"{stem}.{fmt}.out")
        tools = {
            "gradecheck": [PY, "-m", "gradecheck", "--no-builtin-rules", "--rules", str(HERE / "rules.toml"),
                           "--format", "jsonl", data],
            "gradecheck (1 process)": [PY, "-m", "gradecheck", "--no-builtin-rules", "--rules", str(HERE / "rules.toml"),
                                       "--format", "jsonl", "--workers", "1", data],
            f"hand-written loop ({'json.loads' if fmt == 'jsonl' else 'csv module'})": [PY, str(HERE / "baseline.py"), data],
        }
        if fmt == "csv":  # the optional columnar engine (pip install 'gradecheck[columnar]')
            tools["gradecheck --engine columnar"] = [*tools["gradecheck"][:-1], "--engine", "columnar", data]
        for name, cmd in tools.items():
            wall, peak = _measure(cmd, out)
            found = _violations_gradecheck(out) if name.startswith("gradecheck") else _violations_baseline(out)
            missed, extra = len(expected - found), len(found - expected)
            rows.append((fmt, name, wall, args.n / wall, peak, len(found), missed, extra))
    print(f"{args.n:,} records, {len(expected):,} planted violations, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'format':6}  {'tool':38}  {'wall s':>7}  {'records/s':>10}  {'peak MB':>7}  {'found':>6}  {'missed':>6}  {'extra':>5}")
    for fmt, name, wall, rate, peak, found, missed, extra in rows:
        print(f"{fmt:6}  {name:38}  {wall:7.2f}  {rate:10,.0f}  {peak:7.0f}  {found:6}  {missed:6}  {extra:5}")
    if any(r[6] or r[7] for r in rows if r[1].startswith("gradecheck")):
        raise SystemExit("gradecheck's findings differ from the planted violations")


if __name__ == "__main__":
    main()
