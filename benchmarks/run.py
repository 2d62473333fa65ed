"""
Time gradecheck as users run it (the built-in rules) against the hand-written loop, on the same data, in one run.

    python benchmarks/run.py                              # 200,000 and 1,000,000 records, JSON Lines and CSV
    python benchmarks/run.py 200000 --formats jsonl       # one size, one format (about a minute)
    python benchmarks/run.py 200000 --no-dfe --no-startup --slac 200000

For each size and format, each tool runs as its own process (start-up, reading, checking, writing every
finding), timed by wall clock; its peak memory is the largest resident set of the process or any one of
its workers (getrusage RUSAGE_CHILDREN in a wrapper process). The tools:

    gradecheck                     python -m gradecheck --format jsonl DATA        (the headline: built-in rules)
    gradecheck --max-findings 1000 the same, listing at most 1,000 findings (the summary still counts all)
    gradecheck --workers 1         one process
    gradecheck --engine columnar   CSV only (needs polars: pip install 'gradecheck[columnar]')
    hand-written loop              benchmarks/baseline.py DATA (json.loads per line, or the csv module)

and "÷ loop" is each one's wall time over the loop's, taken in the same run. Findings are compared with
the violations the generator planted (rule code and record id): found / missed / extra. The run exits
with 1 if any gradecheck run of the built-in rules misses a planted violation or reports another one
(with --max-findings: if a listed finding was not planted, or the summary counts other than the full run).

Then, unless switched off: start-up (gradecheck on a 300-record file, median of five), the DfE layout
files (rates per 10,000 children, Q102; new placements, G101 and Q101; 100,000 rows each by default),
and with --slac N the earlier, secondary comparison (SLAC-like records, four rules from
benchmarks/rules.toml, gradecheck's own rules off: not what users run).

Data is generated once per size into --dir (default /tmp/gradecheck-bench) and reused; never into the
repository. gradecheck is imported as `python -m gradecheck` sees it: set PYTHONPATH to time another copy.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable
GRADECHECK = [PY, "-m", "gradecheck", "--format", "jsonl"]


def measure(cmd: list[str], out: Path) -> tuple[float, float, int, str]:
    """
    Run *cmd* in a fresh process: (wall seconds, peak MB of it or one of its workers, exit code, stderr).

    It runs in the output's directory, so that `python -m gradecheck` imports the installed gradecheck (or
    PYTHONPATH's), never a ./gradecheck that happens to be in the current directory.
    """
    err = out.with_suffix(out.suffix + ".err")
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"with open({str(out)!r}, 'wb') as f, open({str(err)!r}, 'wb') as e:\n"
        f"    rc = subprocess.call({cmd!r}, stdout=f, stderr=e)\n"
        "wall = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(rc, wall, peak)\n"
    )
    rc, wall, peak = subprocess.check_output([PY, "-c", code], text=True, cwd=out.parent).split()
    return float(wall), float(peak), int(rc), err.read_text(errors="replace").strip()


def gradecheck_output(path: Path) -> tuple[set[tuple[str, str]], int]:
    """The (rule, record) pairs listed in a --format jsonl report, and the summary's count of findings."""
    found, counted = set(), -1
    with open(path) as handle:
        for line in handle:
            item = json.loads(line)
            kind = item.get("type")
            if kind == "finding":
                found.add((item["rule"], item["record"]))
            elif kind == "summary":
                counted = sum(item["findings"].values())
            elif kind not in ("unknown", "unreadable", "rule_error"):
                raise SystemExit(f"unexpected output in {path}: {line[:200]}")
    return found, counted


def loop_output(path: Path) -> set[tuple[str, str]]:
    return {tuple(line.split(" ", 1)) for line in path.read_text().splitlines()}


def ensure(stem: Path, cmd: list[str], marker: str) -> None:
    if not Path(f"{stem}{marker}").exists():
        subprocess.check_call(cmd)


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self.notes: list[str] = []
        self.failed: list[str] = []

    def add(self, what: str, tool: str, n: int, wall: float, peak: float, found: int | str, missed: int | str,
            extra: int | str, ratio: float | None) -> None:
        self.rows.append((what, tool, wall, n / wall, peak, found, missed, extra, ratio))

    def print(self) -> None:
        head = (f"{'data':26}  {'tool':32}  {'wall s':>7}  {'records/s':>10}  {'peak MB':>7}  {'found':>7}  "
                f"{'missed':>6}  {'extra':>5}  {'÷ loop':>6}")
        print(head)
        print("-" * len(head))
        for what, tool, wall, rate, peak, found, missed, extra, ratio in self.rows:
            shown = f"{ratio:6.2f}" if ratio is not None else ""
            print(f"{what:26}  {tool:32}  {wall:7.2f}  {rate:10,.0f}  {peak:7.0f}  {found:>7}  {missed:>6}  "
                  f"{extra:>5}  {shown:>6}")
        for note in self.notes:
            print(note)


def compare(table: Table, what: str, tool: str, n: int, expected: set, out: Path, measured: tuple, *,
            listed_only: int | None = None, loop: bool = False, ratio_to: float | None = None,
            ratio: float | None = None) -> int:
    """
    Add a row for one measured run; return the number of findings its summary counts (-1 for the loop). Its
    ratio is *ratio*, else its wall time over *ratio_to*'s.
    """
    wall, peak, rc, err = measured
    ok_codes = (0, 1)
    if rc not in ok_codes:
        raise SystemExit(f"{tool} on {what} failed with exit code {rc}:\n{err[-2000:]}")
    if err:
        table.notes.append(f"  {what} / {tool}, on stderr: {err.splitlines()[0][:200]}")
    if loop:
        found = loop_output(out)
        missed, extra = len(expected - found), len(found - expected)
        table.add(what, tool, n, wall, peak, len(found), missed, extra, None)
        return -1
    found, counted = gradecheck_output(out)
    if listed_only is not None:
        # at most N listed: each must be planted, and the summary must count as many as the full run did (a
        # record id copied twice is two X101 findings, one planted pair, so the count can exceed the pairs)
        extra = len(found - expected)
        missed = max(0, listed_only - counted)
        shown = counted
        bad = extra or counted != listed_only
    else:
        missed, extra, shown = len(expected - found), len(found - expected), len(found)
        bad = missed or extra
    if bad:
        table.failed.append(f"{what} / {tool}: {missed} planted violations missed, {extra} findings not planted")
    if ratio is None:
        ratio = wall / ratio_to if ratio_to else None
    table.add(what, tool, n, wall, peak, shown, missed, extra, ratio)
    return counted


def made_up_authorities(stem: Path) -> list[str]:
    """
    ``--authorities FILE`` naming the authorities the generator makes up past the real ones ("Liverpool 2",
    E08100152), written once beside the data: without it each of their records is an A102 warning (a name no
    authority has), which the planted violations do not include. Read from the JSON Lines file, else the CSV
    (gradecheck's columns, or DfE's la_name and new_la_code).
    """
    register = Path(f"{stem}.authorities.toml")
    if not register.exists():
        seen: dict[str, str] = {}
        jsonl = Path(f"{stem}.jsonl")
        if jsonl.exists():
            with open(jsonl, encoding="utf-8") as handle:
                rows = [json.loads(line) for line in handle]
        else:
            with open(f"{stem}.csv", encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        for r in rows:
            name = r.get("authority") or r.get("la_name") or ""
            code = r.get("authority_code") or r.get("new_la_code") or ""
            if name.rsplit(" ", 1)[-1].isdigit():
                seen.setdefault(name, code)
        register.write_text("".join(f'[[authority]]\nid = "made-up-{i}"\nname = {json.dumps(name)}\n'
                                    f'codes = [{{ code = "{code}" }}]\n\n'
                                    for i, (name, code) in enumerate(sorted(seen.items()))), encoding="utf-8")
    return ["--authorities", str(register)]


def ilacs(table: Table, n: int, formats: list[str], workdir: Path, rounds: int = 1) -> None:
    """
    Each format's loop and gradecheck runs, *rounds* times over: the loop, then each gradecheck run, round after
    round. A ratio is taken within a round (this machine's speed drifts by up to 1.5 times within minutes), and the
    table gives each tool's median wall time and median ratio, its peak the largest of its rounds.
    """
    stem = workdir / f"ilacs-{n}"
    ensure(stem, [PY, str(HERE / "generate.py"), str(n), "--out", str(stem)], ".expected.json")
    made_up = made_up_authorities(stem)
    expected = {tuple(v) for v in json.loads(Path(f"{stem}.expected.json").read_text())}
    table.notes.append(f"  ilacs-{n}: {len(expected):,} planted violations")
    for fmt in formats:
        data = f"{stem}.{fmt}"
        loop_out = workdir / f"out-{n}-{fmt}-loop"
        what = f"{n:,} {'JSON Lines' if fmt == 'jsonl' else 'CSV'}"
        loop_name = f"hand-written loop ({'json.loads' if fmt == 'jsonl' else 'csv module'})"
        runs = [("gradecheck", [*GRADECHECK, *made_up, data]),
                ("gradecheck --max-findings 1000", [*GRADECHECK, *made_up, "--max-findings", "1000", data]),
                ("gradecheck --workers 1", [*GRADECHECK, *made_up, "--workers", "1", data])]
        if fmt == "csv" and importlib.util.find_spec("polars"):
            runs.append(("gradecheck --engine columnar", [*GRADECHECK, *made_up, "--engine", "columnar", data]))
        elif fmt == "csv":
            table.notes.append("  --engine columnar not timed: no polars (pip install 'gradecheck[columnar]')")
        outs = {tool: workdir / f"out-{n}-{fmt}-{k}" for k, (tool, _) in enumerate(runs)}
        loops: list[tuple] = []
        taken: dict[str, list[tuple]] = {tool: [] for tool, _ in runs}
        for _ in range(rounds):
            loops.append(measure([PY, str(HERE / "baseline.py"), data, *made_up], loop_out))
            for tool, cmd in runs:
                taken[tool].append(measure(cmd, outs[tool]))
        counted = None
        for tool, _ in runs:
            ratios = [m[0] / loop[0] for m, loop in zip(taken[tool], loops, strict=True)]
            if rounds > 1:
                table.notes.append(f"  {what} / {tool}: ÷ loop by round {', '.join(f'{r:.2f}' for r in ratios)}")
            found = compare(table, what, tool, n, expected, outs[tool], _median_of(taken[tool]),
                            listed_only=counted if "--max-findings" in tool else None, ratio=statistics.median(ratios))
            if tool == "gradecheck":
                counted = found
        compare(table, what, loop_name, n, expected, loop_out, _median_of(loops), loop=True)


def _median_of(measured: list[tuple]) -> tuple[float, float, int, str]:
    """Rounds of one command as one: the median wall time, the largest peak, the first failing round's exit code."""
    failed = next((m for m in measured if m[2] not in (0, 1)), measured[-1])
    return statistics.median(m[0] for m in measured), max(m[1] for m in measured), failed[2], failed[3]


def startup(table: Table, workdir: Path, runs: int = 5) -> None:
    source = workdir / "ilacs-200000.jsonl"
    small = workdir / "ilacs-300.jsonl"
    if not small.exists():
        if source.exists():
            with open(source) as handle:
                small.write_text("".join(next(handle) for _ in range(300)))
        else:
            subprocess.check_call([PY, str(HERE / "generate.py"), "300", "--out", str(workdir / "ilacs-300")])
    out = workdir / "out-300"
    walls, peaks = [], []
    for _ in range(runs):
        wall, peak, rc, err = measure([PY, "-m", "gradecheck", str(small)], out)
        if rc not in (0, 1):
            raise SystemExit(f"gradecheck on {small} failed with exit code {rc}:\n{err[-2000:]}")
        walls.append(wall)
        peaks.append(peak)
    table.add("300 JSON Lines", f"start-up, text report (median of {runs})", 300, statistics.median(walls),
              max(peaks), "", "", "", None)
    table.notes.append(f"  start-up: {', '.join(f'{w:.2f}' for w in walls)} s")


def dfe(table: Table, rows: int, workdir: Path) -> None:
    for layout in ("dfe-rates", "dfe-placements"):
        stem = workdir / f"{layout}-{rows}"
        ensure(stem, [PY, str(HERE / "generate.py"), str(rows), "--layout", layout, "--out", str(stem)],
               ".expected.json")
        expected = {tuple(v) for v in json.loads(Path(f"{stem}.expected.json").read_text())}
        out = workdir / f"out-{layout}-{rows}"
        compare(table, f"{rows:,} {layout} CSV", "gradecheck", rows, expected, out,
                measure([*GRADECHECK, *made_up_authorities(stem), f"{stem}.csv"], out))


def slac(table: Table, n: int, formats: list[str], workdir: Path) -> None:
    stem = workdir / f"slac-{n}"
    ensure(stem, [PY, str(HERE / "generate.py"), str(n), "--layout", "slac", "--out", str(stem)], ".expected.json")
    expected = {tuple(v) for v in json.loads(Path(f"{stem}.expected.json").read_text())}
    rules = ["--no-builtin-rules", "--rules", str(HERE / "rules.toml")]
    for fmt in formats:
        data = f"{stem}.{fmt}"
        out = workdir / f"out-slac-{n}-{fmt}"
        what = f"SLAC-like {n:,} {fmt}"
        loop_out = workdir / f"out-slac-{n}-{fmt}-loop"
        loop = measure([PY, str(HERE / "slac.py"), data], loop_out)
        for tool, extra in (("gradecheck, rules.toml only", []), ("... --workers 1", ["--workers", "1"])):
            compare(table, what, tool, n, expected, out, measure([*GRADECHECK, *rules, *extra, data], out),
                    ratio_to=loop[0])
        compare(table, what, "hand-written loop (4 checks)", n, expected, loop_out, loop, loop=True)


def clean(workdir: Path, *, everything: bool) -> None:
    """Remove the reports every run writes (out-*); with *everything*, the directory and its generated data too."""
    if everything:
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"removed {workdir}")
        return
    for report in workdir.glob("out-*"):
        report.unlink()
    data = sum(f.stat().st_size for f in workdir.iterdir() if f.is_file())
    print(f"kept the generated data in {workdir} ({data / 1e6:.0f} MB) for the next run; --clean removes it")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("sizes", type=int, nargs="*", default=[200_000, 1_000_000], metavar="N",
                        help="numbers of records (default: 200000 1000000)")
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv"], choices=["jsonl", "csv"])
    parser.add_argument("--dir", default="/tmp/gradecheck-bench", help="where data and outputs go (%(default)s)")
    parser.add_argument("--dfe-rows", type=int, default=100_000, help="rows of each DfE layout file (%(default)s)")
    parser.add_argument("--rounds", type=int, default=1, metavar="R",
                        help="run each ILACS loop and gradecheck run R times, in turn, and give the medians: each "
                             "ratio is taken within a round (default %(default)s)")
    parser.add_argument("--no-dfe", action="store_true", help="skip the DfE layout files")
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up figure")
    parser.add_argument("--slac", type=int, metavar="N", help="also the secondary SLAC-like comparison at N records")
    parser.add_argument("--clean", action="store_true",
                        help="remove --dir at the end, generated data too (by default the data is kept for the next "
                             "run and only the reports are removed)")
    args = parser.parse_args()
    workdir = Path(args.dir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    where = subprocess.run([PY, "-c", "import gradecheck; print(gradecheck.__version__, gradecheck.__file__)"],
                           capture_output=True, text=True, check=True, cwd=workdir).stdout.strip()
    print(f"gradecheck {where}; Python {sys.version.split()[0]}; {os.cpu_count()} cores")
    # An installed gradecheck has its bytecode (pip compiles it). A source tree run with PYTHONDONTWRITEBYTECODE (as
    # on the project's machine) compiled the modules without it on every run: 15-20 ms of each columnar process.
    package = Path(where.split(" ", 1)[1]).parent
    compiled = subprocess.run([PY, "-m", "compileall", "-q", str(package)], cwd=workdir).returncode == 0
    print(f"bytecode compiled in {package}" if compiled else f"bytecode could not be written in {package}")
    print(f"writing generated data and reports in {workdir}")
    table = Table()
    try:
        for n in args.sizes:
            ilacs(table, n, args.formats, workdir, max(1, args.rounds))
        if not args.no_startup:
            startup(table, workdir)
        if not args.no_dfe:
            dfe(table, args.dfe_rows, workdir)
        if args.slac:
            slac(table, args.slac, args.formats, workdir)
    finally:
        clean(workdir, everything=args.clean)
    table.print()
    if table.failed:
        print("gradecheck's findings differ from the planted violations:", *table.failed, sep="\n  ")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
