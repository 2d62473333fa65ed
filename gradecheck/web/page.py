"""
The Python side of the page: check files the browser handed over and give back every form of the report.

It runs inside Pyodide, in a Web Worker: the page writes the chosen files into Pyodide's in-memory file
system (one directory, under their own names) and calls :func:`run`, which checks them exactly as
``python -m gradecheck NAME ...`` would in that directory, and returns, as one JSON text, the report as
``--format html`` gives it, the CSV (formula-safe, with ``--excel``'s byte-order mark and CRLF), the
JSON report, the counts, and the messages the command line writes on stderr. Nothing here knows about
the browser, so it runs and is tested in CPython as well.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from ..engine import check_paths
from ..errors import GradecheckError
from ..read import DATA_SUFFIXES, WORKBOOK_SUFFIXES
from ..report.render import render, report_to_dict
from ..ruleset import RuleSet, load_ruleset
from ..version import __version__

__all__ = ["HTML_EVENTS", "check_codes", "export", "options", "run"]

#: Records summed up for the report's timelines: the command line's own figure for --format html (cli.HTML_EVENTS).
HTML_EVENTS = 20_000
#: Records between two progress messages: the engine calls back every 1,024 records at most.
Progress = Callable[[int, int, int, int], None]


class _Last:
    """The last run's report, kept for the downloads: the JSON report of a large run is megabytes, so it is
    written only when asked for (one page checks one set of files at a time)."""

    report: Any = None
    html: str = ""


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.replace(" ", ",").split(",") if c.strip()]


def check_codes(ruleset: RuleSet, select: str, ignore: str) -> RuleSet:
    """--select and --ignore as the command line takes them: codes or prefixes, and the same refusal of a stray one."""
    chosen = {"select": _codes(select), "ignore": _codes(ignore)}
    codes = [r.code for r in ruleset.rules]
    for option, prefixes in chosen.items():
        unknown = [p for p in prefixes if not any(c.startswith(p) for c in codes)]
        if unknown:
            raise GradecheckError(f"--{option}: no rule code starts with {', '.join(unknown)} "
                                  f"(see 'python -m gradecheck rules')")
    return ruleset.select(chosen["select"], chosen["ignore"])


def options() -> str:
    """What the page offers: the rules (code, severity, title), the profiles, and the file names it reads."""
    from ..read.profiles import load_profiles

    ruleset = load_ruleset()
    profiles = load_profiles([], ruleset=ruleset)
    return json.dumps({
        "version": __version__,
        "rules": [[r.code, r.severity, r.title] for r in ruleset.rules],
        "profiles": [[p.name, p.title] for p in profiles.profiles],
        "suffixes": list(DATA_SUFFIXES),
        "workbooks": list(WORKBOOK_SUFFIXES),
    })


def _lines(directory: str, names: Sequence[str]) -> int:
    """About how many records the text files hold (their line ends), for a progress bar; workbooks count 0."""
    total = 0
    for name in names:
        if name.lower().endswith(WORKBOOK_SUFFIXES):
            continue
        with open(os.path.join(directory, name), "rb") as handle:
            total += sum(block.count(b"\n") for block in iter(lambda h=handle: h.read(1 << 20), b""))
    return total


def _refuse_names(names: Sequence[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not name or name in (".", "..", "-") or "/" in name or "\\" in name:  # "-" would be standard input
            raise GradecheckError(f"{name!r}: not a file name")
        if name in seen:
            raise GradecheckError(f"{name}: two files have this name; rename one (each file is a dataset of its own, "
                                  "named by its file name in the report)")
        seen.add(name)


def run(directory: str, names: Sequence[str], select: str = "", ignore: str = "", fail_on: str = "error",
        profile: str = "", progress: Progress | None = None) -> str:
    """
    Check the files *names* in *directory*, as ``python -m gradecheck NAME ...`` run there would.

    Returns JSON: ``error`` (the message the command line would give before exiting with 2), or
    ``exit_code``, ``summary`` (the JSON report's), ``messages`` (what the command line writes on
    stderr: files it could not read, reports it skipped), ``html`` (``--format html``) and ``files``;
    :func:`export` then gives the CSV and JSON reports. *progress* is called as (records read, files
    done, files in all, about how many records in all).
    """
    names = list(names)
    _Last.report, _Last.html = None, ""
    if fail_on not in ("error", "warning"):
        return json.dumps({"error": f"gradecheck: --fail-on: {fail_on!r} is neither 'error' nor 'warning'"})
    here = os.getcwd()
    try:
        _refuse_names(names)
        os.chdir(directory)
        ruleset = check_codes(load_ruleset(), select, ignore)
        profiles = None
        if profile:
            from ..read.profiles import load_profiles

            try:
                profiles = load_profiles([], ruleset=ruleset).force(profile)
            except KeyError:
                raise GradecheckError(f"--profile: no profile {profile!r}") from None
        hook = None
        if progress is not None:
            estimate = _lines(".", names)

            def hook(records: int, done: int, files: int) -> None:
                progress(records, done, files, estimate)

        report = check_paths(names, ruleset, events=HTML_EVENTS, progress=hook, profiles=profiles, workers=1)
        messages = [f"gradecheck: {u.origin.path}: {u.error}" for u in report.unreadable if u.origin.line == 0]
        messages += [f"gradecheck: {path}: skipped: {what}, not data" for path, what in report.skipped]
        result: dict[str, Any] = {
            "exit_code": 1 if report.failing(fail_on) else 0,
            "summary": report_to_dict(report)["summary"],
            "messages": messages,
            "files": list(report.inputs),
            "html": render(report, "html", ruleset=ruleset, fail_on=fail_on),
        }
        _Last.report, _Last.html = report, result["html"]
    except GradecheckError as err:
        return json.dumps({"error": f"gradecheck: {err}"})
    except Exception as err:  # as the command line says it: a bug to report, not a traceback
        return json.dumps({"error": f"gradecheck: internal error: {type(err).__name__}: {err} (please report it)"})
    finally:
        os.chdir(here)
    return json.dumps(result)


def export(fmt: str) -> str:
    """
    The last run's report as ``--format csv --excel`` (``csv``), ``--format json`` (``json``) or ``--format html``.

    The CSV is formula-safe, as every CSV report is, and has ``--excel``'s byte-order mark and CRLF line ends,
    so that a double-click opens it in Excel as UTF-8 and runs nothing from the data.

    Raises:
        GradecheckError: nothing has been checked yet, or *fmt* is none of those three.
    """
    if _Last.report is None:
        raise GradecheckError("nothing has been checked yet")
    if fmt == "csv":
        return render(_Last.report, "csv", excel=True)
    if fmt == "json":
        return render(_Last.report, "json")
    if fmt == "html":
        return _Last.html
    raise GradecheckError(f"no download in the format {fmt!r} (csv, json or html)")
