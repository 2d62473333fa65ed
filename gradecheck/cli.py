"""The command line: ``python -m gradecheck [PATH ...]``, ``rules`` and ``explain CODE``; exit codes 0, 1, 2."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

from .config import Setting, load_config, read_config
from .engine import check_paths
from .errors import GradecheckError
from .report.render import FORMATS, render_chunks, render_explain, render_rules
from .ruleset import RuleSet, load_ruleset
from .version import __version__

if TYPE_CHECKING:
    from .read.profiles import ProfileSet

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_CANNOT_RUN = 0, 1, 2
#: Inspections and visits of one authority drawn on its timeline in the HTML report (a real history has tens).
HTML_EVENTS = 1_000


class _Parser(argparse.ArgumentParser):
    """argparse exits with 2 on bad arguments already; this only keeps its message to one clear line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_CANNOT_RUN, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def _codes(text: str) -> list[str]:
    return [c.strip().upper() for c in text.split(",") if c.strip()]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", action="append", default=[], metavar="PATH",
                        help="extra rule file or directory; a rule with a built-in code replaces it (repeatable)")
    parser.add_argument("--no-builtin-rules", action="store_true",
                        help="leave out the built-in rules (their frameworks, scales, fields and profiles stay): "
                             "only the rules given with --rules run")
    parser.add_argument("--select", type=_codes, default=[], metavar="CODES",
                        help="only these rules: codes or prefixes, comma-separated (e.g. C,J101)")
    parser.add_argument("--ignore", type=_codes, default=[], metavar="CODES",
                        help="skip these rules: codes or prefixes")
    parser.add_argument("--debug", action="store_true", help="show a traceback when gradecheck cannot run")
    parser.add_argument("--config", metavar="FILE",
                        help="read settings from FILE (a gradecheck.toml, or a pyproject.toml's [tool.gradecheck]) "
                             "instead of the nearest one from the working directory up")
    parser.add_argument("--isolated", action="store_true", help="read no configuration file")
    parser.add_argument("-v", "--verbose", action="store_true", help="say which configuration file was read")


#: Every command, as --help lists it (tests/test_cli_config.py checks each one is listed and answers --help).
COMMANDS = {
    "rules": "list the rules in force",
    "explain CODE": "what a rule checks, why, its sources and an example",
    "profiles": "list the profiles that read published files (Ofsted, DfE), chosen by header",
    "compare A B": "match inspections across two sources and report where they disagree",
    "web": "a page that checks files in the browser, where gradecheck runs (Pyodide): nothing is uploaded; "
           "serves it on 127.0.0.1 (--build DIR: write the static site)",
    "diff OLD NEW": "what is new and what was fixed between two JSON reports",
    "docs [--check]": "write docs/rules.md from the rule files (or say whether it is stale)",
    "selftest": "check every rule stays silent on consistent records and fires on its own mutant",
}

_INPUTS = {"JSON": (".json",), "JSON Lines": (".jsonl", ".ndjson"), "CSV": (".csv",)}


def _input_help() -> str:
    """Every format discover() reads, from its own list of suffixes, so --help cannot fall behind the readers."""
    from .read import DATA_SUFFIXES, WORKBOOK_SUFFIXES

    named = {s for suffixes in _INPUTS.values() for s in suffixes}
    parts = [f"{name} ({', '.join(s for s in suffixes if s in DATA_SUFFIXES)})" for name, suffixes in _INPUTS.items()]
    parts += [f"workbooks ({', '.join(WORKBOOK_SUFFIXES)})"]
    parts += [s for s in DATA_SUFFIXES if s not in named and s not in WORKBOOK_SUFFIXES]
    return "files or directories: " + ", ".join(parts) + "; - for standard input"


def _parsers() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser]:
    prog = "python -m gradecheck"
    import textwrap

    commands = "\n".join(textwrap.fill(what, 78, initial_indent=f"  {name:<16}", subsequent_indent=" " * 18)
                         for name, what in COMMANDS.items())
    settings = textwrap.fill(
        "Settings: [tool.gradecheck] in pyproject.toml, or gradecheck.toml, found from the working directory up; "
        "keys are the long options above (fail-on = \"warning\"); the command line overrides them.", 78)
    check = _Parser(
        prog=prog,
        description="Check Ofsted children's-services inspection records for internal consistency.",
        epilog=f"other commands ({prog} COMMAND --help):\n{commands}\n\n{settings}\n\n"
               "Exit codes: 0 nothing at or above --fail-on, 1 findings or unreadable records,\n"
               "2 could not run.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("paths", nargs="*", metavar="PATH", help=_input_help())
    check.add_argument("--format", choices=sorted(FORMATS), default=None, metavar="FORMAT",
                       help=f"report format: {', '.join(sorted(FORMATS))} (default: table on a terminal, "
                            "text otherwise)")
    check.add_argument("--fail-on", choices=("error", "warning"), default="error",
                       help="lowest severity that makes the exit code 1 (default: error)")
    check.add_argument("--statistics", action="store_true",
                       help="add a count per rule, and its unknown checks by cause")
    check.add_argument("--show-unknown", action="store_true",
                       help="list the unknown checks (rule, record, where, why), but those only on suppressed values")
    check.add_argument("--show-suppressed", action="store_true",
                       help="list the unknown checks on suppressed values too (implies --show-unknown)")
    check.add_argument("--per-file", action="store_true",
                       help="add each input file's counts: records, unreadable, findings, unknown")
    check.add_argument("--exit-zero", action="store_true",
                       help="exit 0 even when there are findings (2 still means gradecheck could not run)")
    check.add_argument("-q", "--quiet", action="store_true",
                       help="print the findings and nothing else: no summary, no progress, no notes")
    check.add_argument("-s", "--silent", action="store_true", help="print nothing; the exit code tells")
    check.add_argument("--max-findings", type=int, default=-1, metavar="N",
                       help="list at most N findings; the rest are counted in the summary")
    check.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--workers", type=int, default=None, metavar="N",
                       help="processes for one large file (default: one per core; 1 to stay in one process)")
    check.add_argument("--engine", choices=("row", "columnar", "auto"), default="row",
                       help="columnar: check large CSV files in gradecheck's own format column-wise with polars "
                            "(pip install 'gradecheck[columnar]'), same report; auto: for CSV files of 8 MB or more "
                            "when polars is installed (default: row)")
    check.add_argument("--excel", "--bom", action="store_true",
                       help="CSV for Excel: a UTF-8 byte-order mark and CRLF line ends")
    check.add_argument("--raw-cells", action="store_true",
                       help="CSV cells exactly as found: by default text a spreadsheet would run as a formula "
                            "(=, +, -, @ first) is prefixed with '")
    check.add_argument("--baseline", metavar="FILE",
                       help="compare with the findings recorded in FILE (recorded there first if it does not exist): "
                            "only new findings count")
    check.add_argument("--update-baseline", action="store_true", help="record today's findings in the --baseline FILE")
    check.add_argument("--waivers", metavar="FILE", help="TOML file of accepted (rule, record) findings, with reasons")
    check.add_argument("--authorities", action="append", default=[], metavar="FILE",
                       help="extra authority register file (TOML, the shape of gradecheck/data/authorities.toml): "
                            "adds authorities, or replaces those with the same id (repeatable; docs/authorities.md)")
    check.add_argument("--no-progress", action="store_true", help="no progress line on a terminal")
    check.add_argument("--profile", metavar="NAME_OR_PATH",
                       help="read every CSV file or sheet through this profile (a name from 'python -m gradecheck "
                            "profiles', or a .toml file holding one profile) instead of choosing one by its header")
    check.add_argument("--profiles", action="append", default=[], metavar="PATH",
                       help="extra profile file or directory, chosen by header like the built-in ones (repeatable)")
    check.add_argument("--version", action="version", version=f"gradecheck {__version__}")
    _common(check)

    rules = _Parser(prog=f"{prog} rules", description="List the rules in force.")
    rules.add_argument("--format", choices=("table", "json", "jsonl", "csv"), default="table")
    _common(rules)

    explain = _Parser(prog=f"{prog} explain", description="Explain what a rule checks, why, and its source.")
    explain.add_argument("code", help="a rule code, e.g. C101")
    _common(explain)
    return check, rules, explain


def _ruleset(args: argparse.Namespace) -> RuleSet:
    ruleset = load_ruleset(args.rules, builtin=not args.no_builtin_rules)
    codes = [r.code for r in ruleset.rules]
    for option in ("select", "ignore"):
        unknown = [p for p in getattr(args, option) if not any(c.startswith(p) for c in codes)]
        if unknown:
            raise GradecheckError(f"--{option}: no rule code starts with {', '.join(unknown)} "
                                  f"(see 'python -m gradecheck rules')")
    return ruleset.select(args.select, args.ignore)


#: Options that belong to one invocation, never to a project's configuration file.
_NOT_CONFIGURABLE = {"help", "version", "output", "update-baseline", "config", "isolated", "verbose", "debug"}


def _settings(parser: argparse.ArgumentParser) -> dict[str, Setting]:
    """What a configuration file may set: the check command's own long options, typed as the parser types them."""
    settings: dict[str, Setting] = {}
    for action in parser._actions:
        long = next((o[2:] for o in action.option_strings if o.startswith("--")), None)
        if long is None or long in _NOT_CONFIGURABLE or isinstance(action, argparse._AppendConstAction):
            continue
        if isinstance(action, argparse._StoreTrueAction):
            settings[long] = Setting("bool")
        elif isinstance(action, argparse._AppendAction):
            settings[long] = Setting("list", path=action.metavar == "PATH")
        elif action.type is _codes:
            settings[long] = Setting("codes")
        elif action.type is int:
            settings[long] = Setting("int")
        else:
            names_a_file = action.metavar in ("FILE", "NAME_OR_PATH")
            settings[long] = Setting("str", tuple(action.choices or ()), path=names_a_file,
                                     or_name=action.metavar == "NAME_OR_PATH")
    return settings


def _configure(argv: list[str], parsers: Sequence[argparse.ArgumentParser]) -> None:
    """
    Read the project's configuration (``--config FILE``, else the nearest one; none with ``--isolated``)
    and make its settings the parsers' defaults, so that anything on the command line overrides them.

    Lists of files (``rules``, ``profiles``) are the exception, as in ruff's ``extend-``: ``--rules``
    on the command line adds to the configuration's.
    """
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--config")
    early.add_argument("--isolated", action="store_true")
    early.add_argument("-v", "--verbose", action="store_true")
    known, _ = early.parse_known_args(argv)
    if known.isolated:
        if known.verbose:
            sys.stderr.write("gradecheck: --isolated: no configuration file read\n")
        return
    settings = _settings(parsers[0])
    config = read_config(known.config, settings) if known.config else load_config(settings)
    if known.verbose:
        sys.stderr.write(f"gradecheck: {config.describe()}\n")
    for parser in parsers:
        dests = {next((o[2:] for o in a.option_strings if o.startswith("--")), None): a.dest for a in parser._actions}
        parser.set_defaults(**{dests[key]: value for key, value in config.values.items() if key in dests})


def run() -> NoReturn:
    """
    The program (``gradecheck``, ``python -m gradecheck``): :func:`main`, with the garbage collector run less often,
    ending the process when it is done.

    A large file leaves millions of small objects alive (its ids and places, a large register's authorities),
    which CPython's default thresholds scan again and again: reading a register of 138,000 authorities took 4.4 s
    under them and 3.7 s under these, which mypy uses for the same reason. Only the program sets them; a process
    that imports gradecheck keeps its own (and calls :func:`main`). So is the C allocator's handling of large
    blocks (see _large_blocks), and the way the program ends (see _end).
    """
    import gc

    if sys.implementation.name == "cpython":
        gc.set_threshold(200_000, 30, 30)
    _large_blocks()
    _on_terminate()
    _end(main())


class _Terminated(KeyboardInterrupt):
    """The program was sent SIGTERM (see _on_terminate)."""


def _on_terminate() -> None:
    """
    End on SIGTERM as on Ctrl-C: the exception unwinds the run, so its forked workers are killed and its temporary
    files removed (a large file's spilled ids, hundreds of MB at a million records), where the signal's default
    ended the process at once and left them in TMPDIR. A CI job that times out sends it first. Only where the
    signal has its default handling: a parent that ignores it keeps that.
    """
    import signal

    def terminated(_signum: int, _frame: object) -> None:
        raise _Terminated

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, terminated)


def _end(code: int) -> NoReturn:
    """
    End the process with *code* once its output is flushed, without the interpreter's own ending, which frees what
    the run built one object at a time only to hand the memory back: 0.1 s after a million records, 0.04 s after
    200,000 (mypy ends so, for the same reason). Every file the run writes is closed by then (``with`` blocks).
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):  # the reader went away (``| head``), or it is closed
            stream.flush()
    os._exit(code)


def _large_blocks() -> None:
    """
    Have glibc map every block of 128 KiB or more on its own, and give it back to the system when it is freed.

    A summary's columns are arrays that grow block by block, and a merge frees a worker's columns as it takes
    them. glibc raises its threshold for mapping a block each time a mapped one is freed, so later blocks go to
    the heap, where freed space stays with the process: a 200,000-record run peaked 11 MB higher (113 MB
    against 102 MB, in the same time). The threshold set, glibc keeps it. Elsewhere (musl, macOS) nothing is done.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD (glibc's malloc.h): fixed, no longer raised as blocks are freed
    except (OSError, AttributeError):  # no glibc mallopt
        pass


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    """Run the command line and return its exit code (testable without a subprocess)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    out = stdout or sys.stdout
    if argv and argv[0] in ("diff", "docs"):
        return _more_commands(argv[0], argv[1:], out)
    if argv and argv[0] == "compare":
        from .comparison import compare_command

        return compare_command(argv[1:], out)
    if argv and argv[0] == "web":
        from .web.command import web_command

        return web_command(argv[1:], out)
    if argv and argv[0] == "profiles":
        return _profiles_command(argv[1:], out)
    check, rules, explain = _parsers()
    command = argv[0] if argv and argv[0] in ("rules", "explain", "selftest") else "check"
    parser = {"check": check, "rules": rules, "explain": explain, "selftest": _selftest_parser()}[command]
    try:
        # rules, explain and selftest take only the rule-set keys (rules, select, ignore...) of the file.
        _configure(argv, [check] if parser is check else [check, parser])
    except GradecheckError as err:
        sys.stderr.write(f"gradecheck: {err}\n")
        return EXIT_CANNOT_RUN
    args = parser.parse_args(argv[1:] if command != "check" else argv)
    width = shutil.get_terminal_size((80, 24)).columns
    try:
        ruleset = _ruleset(args)
        if command == "rules":
            out.write(render_rules(ruleset, args.format, width))
            return EXIT_OK
        if command == "selftest":
            return _selftest(args, ruleset, out, width)
        if command == "explain":
            try:
                rule = ruleset.rule(args.code.upper())
            except KeyError:
                raise GradecheckError(f"no rule {args.code!r} (see 'python -m gradecheck rules')") from None
            out.write(render_explain(rule, width))
            return EXIT_OK
        return _check(args, ruleset, out, width)
    except GradecheckError as err:
        if args.debug:
            raise
        sys.stderr.write(f"gradecheck: {err}\n")
        return EXIT_CANNOT_RUN
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, as other command-line tools do.
        sys.stderr.close()
        return EXIT_FINDINGS
    except KeyboardInterrupt as err:
        if isinstance(err, _Terminated):
            sys.stderr.write("gradecheck: terminated\n")
            return 143  # 128 + SIGTERM, as a shell reports a process the signal ended
        sys.stderr.write("gradecheck: interrupted\n")
        return 130
    except Exception as err:
        if args.debug:
            raise
        sys.stderr.write(f"gradecheck: internal error: {type(err).__name__}: {err} "
                         "(run with --debug for a traceback, and please report it)\n")
        return EXIT_CANNOT_RUN


def _selftest_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m gradecheck selftest",
                     description="Check that every rule stays silent on consistent records "
                                 "and fires on its own mutant.")
    parser.add_argument("--examples", type=int, default=30, metavar="N", help="mutants per rule (default 30)")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    _common(parser)
    return parser


def _selftest(args: argparse.Namespace, ruleset: RuleSet, out: TextIO, width: int) -> int:
    try:
        from .selftest import selftest
    except ImportError as err:  # hypothesis is in the 'test' extra, not a runtime dependency
        raise GradecheckError(f"selftest needs hypothesis: pip install 'gradecheck[strategies]' ({err})") from err
    import json

    from tabulate import tabulate

    verdicts = list(selftest(ruleset, max(1, args.examples)))
    if args.format == "json":
        out.write(json.dumps([{"rule": v.code, "consistent_datasets": v.valid_examples,
                               "fired_on_consistent": v.fired_on_valid, "mutants": v.mutants, "caught": v.caught,
                               "overlaps": dict(v.overlaps), "problem": v.problem} for v in verdicts], indent=2) + "\n")
    else:
        rows = [[v.code, v.valid_examples, v.fired_on_valid, f"{v.caught}/{v.mutants}",
                 ", ".join(f"{c} x{n}" for c, n in v.overlaps) or "-", v.problem or "ok"] for v in verdicts]
        headers = ["rule", "consistent", "fired", "caught", "also fired on mutant", "verdict"]
        out.write(tabulate(rows, headers=headers) + "\n")
        bad = sum(not v.ok for v in verdicts)
        out.write(f"{len(verdicts)} rules, {bad} with problems.\n")
    return EXIT_FINDINGS if any(not v.ok for v in verdicts) else EXIT_OK


def _more_commands(command: str, argv: list[str], out: TextIO) -> int:
    """``diff OLD.json NEW.json`` (baseline.py) and ``docs [--check]`` (docs.py): each parses its own arguments."""
    if command == "diff":
        from .report.baseline import diff_command

        return diff_command(argv, out)
    from .docs import docs_command

    return docs_command(argv, out)


def _profile_set(paths: Sequence[str], forced: str | None, ruleset: RuleSet | None) -> ProfileSet | None:
    """
    The built-in profiles plus --profiles, with --profile forced; every field and framework checked against the rules.

    Without either option, None: the readers load the built-in profiles only if a file needs one,
    so checking native records never pays for them. The built-in frameworks and fields stay loaded
    under --no-builtin-rules, so every profile is checked against the rule set in force.
    """
    if not paths and not forced:
        return None
    from .read.profiles import load_profiles

    profiles = load_profiles(paths, ruleset=ruleset)
    if forced:
        try:
            profiles = profiles.force(forced)
        except KeyError:
            names = ", ".join(p.name for p in profiles.profiles)
            raise GradecheckError(f"--profile: no profile {forced!r} and no such file; profiles: {names}") from None
    return profiles


def _profiles_command(argv: Sequence[str], out: TextIO) -> int:
    parser = _Parser(prog="python -m gradecheck profiles",
                     description="List the profiles: how published files (Ofsted, DfE) are read, "
                                 "chosen by their header.")
    parser.add_argument("--profiles", action="append", default=[], metavar="PATH",
                        help="extra profile file or directory")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(list(argv))
    try:
        from .read.profiles import load_profiles

        profiles = load_profiles(args.profiles, ruleset=load_ruleset())
    except GradecheckError as err:
        sys.stderr.write(f"gradecheck: {err}\n")
        return EXIT_CANNOT_RUN
    rows = [{"name": p.name, "title": p.title,
             "framework": p.framework or (p.framework_column and f"from {p.framework_column}") or "by date",
             "needs columns": [m.text for m in p.match], "file": p.path, "source": p.source}
            for p in profiles.profiles]
    if args.format == "json":
        import json

        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    from tabulate import tabulate

    table = [[r["name"], r["framework"], r["title"]] for r in rows]
    out.write(tabulate(table, headers=["profile", "framework", "what it reads"], maxcolwidths=[None, 24, 70]) + "\n")
    return EXIT_OK


def _refuse_overwriting(args: argparse.Namespace) -> None:
    """--output (or a baseline to be written) naming an input would replace data with a report: refuse first."""
    import os

    from .read import discover

    targets = [("--output", args.output)]
    if args.baseline and (args.update_baseline or not os.path.exists(args.baseline)):
        targets.append(("--baseline", args.baseline))
    targets = [(option, path) for option, path in targets if path and path != "-"]
    if not targets:
        return
    inputs = {os.path.realpath(p) for p in discover(args.paths) if p != "-"}
    for option, path in targets:
        if os.path.realpath(path) in inputs:
            raise GradecheckError(f"{option} {path} is one of the files to check: writing the report there would "
                                  "replace the data (choose another file)")


def _check(args: argparse.Namespace, ruleset: RuleSet, out: TextIO, width: int) -> int:
    if not args.paths:
        raise GradecheckError("no input: give files or directories to check, or - for stdin (see --help)")
    if args.update_baseline and not args.baseline:
        raise GradecheckError("--update-baseline needs --baseline FILE")
    _refuse_overwriting(args)
    quiet = args.quiet or args.silent
    to_terminal = args.output is None and out.isatty()
    fmt = args.format or ("table" if to_terminal else "text")
    # A baseline is compared with every finding, so none are dropped early.
    triaging = bool(args.baseline or args.waivers)
    from .report.progress import Progress, should_show

    show_progress = not (args.no_progress or quiet) and should_show(sys.stderr, out, args.output)
    progress = Progress(sys.stderr) if show_progress else None
    try:
        max_findings = args.max_findings if args.max_findings >= 0 and not triaging else None
        profiles = _profile_set(args.profiles, args.profile, ruleset)
        if args.authorities:
            from .authorities import load_register, use_register

            use_register(load_register(args.authorities))
        report = check_paths(args.paths, ruleset, max_findings=max_findings, events=HTML_EVENTS if fmt == "html" else 0,
                             progress=progress, profiles=profiles, workers=args.workers, engine=args.engine)
    finally:
        if args.authorities:
            from .authorities import use_register

            use_register(None)  # the next run in this process (a test, a notebook) starts from the built-in one
        if progress is not None:
            progress.close()
    note = (lambda _text: None) if quiet else sys.stderr.write
    if triaging:
        from .report.baseline import apply_baseline_options

        report = apply_baseline_options(report, baseline=args.baseline, update=args.update_baseline,
                                        waivers=args.waivers, note=note).truncate(args.max_findings)
    for item in report.unreadable:
        if item.origin.line == 0 and not quiet:  # a whole file, not one record: say so where people look first
            sys.stderr.write(f"gradecheck: {item.origin.path}: {item.error}\n")
    for path, what in report.skipped if not quiet else ():
        sys.stderr.write(f"gradecheck: {path}: skipped: {what}, not data\n")
    exit_code = EXIT_FINDINGS if report.failing(args.fail_on) and not args.exit_zero else EXIT_OK
    if args.silent:
        return exit_code
    # COLUMNS, else the terminal's width, else 80 (shutil.get_terminal_size): tables fit where they are read.
    chunks = render_chunks(report, fmt, statistics=args.statistics, width=width, ruleset=ruleset,
                           fail_on=args.fail_on, excel=args.excel, raw_cells=args.raw_cells, quiet=args.quiet,
                           show_unknown=args.show_unknown, show_suppressed=args.show_suppressed,
                           per_file=args.per_file)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8", newline="") as handle:
                handle.writelines(chunks)
        except OSError as err:
            raise GradecheckError(f"--output {args.output}: {err.strerror or err}") from err
    else:
        out.writelines(chunks)
    return exit_code
