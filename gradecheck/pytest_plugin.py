"""
The pytest plugin (entry point ``pytest11``): a rule-set fixture, and ``pytest --gradecheck DATA``.

``--gradecheck DATA`` collects each data file as a test file whose items are its rules, plus
``readable`` for records that cannot be read: ``data/x.jsonl::C101``, ``data/x.jsonl::readable``. They
are ordinary pytest items, so ``-k C101``, ``--collect-only``, ``--lf``, ``--junitxml`` and re-running one
of them by its node id (``pytest --gradecheck data data/x.jsonl::C101``) work as for any test. What
fails an item is what fails ``python -m gradecheck``, through the same option names with a
``--gradecheck-`` prefix: error findings, rule errors and unreadable records always; warning findings only
with ``--gradecheck-fail-on warning`` (otherwise they are listed in a summary section, and the item
passes); findings a ``--gradecheck-baseline`` records or ``--gradecheck-waivers`` accept never.

This module is imported by every pytest run wherever gradecheck is installed, so it imports nothing
of gradecheck at the top, and its hooks beyond the options and the fixture are registered only when
``--gradecheck`` is given. Bad options (no such file, a bad rule or waivers file, an unknown rule
code) are pytest usage errors: exit code 4 and one line saying what is wrong.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .report import Report
    from .ruleset import RuleSet

#: The item name of a file's unreadable records, and of the waivers file's own check.
READABLE, WAIVERS = "readable", "waivers"
_PROPERTY = "gradecheck_warnings"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gradecheck", "check inspection datasets with gradecheck")
    group.addoption("--gradecheck", action="append", default=[], metavar="DATA",
                    help="a data file or directory: each file is collected, with one item per rule and "
                         "'readable' for its unreadable records (repeatable)")
    group.addoption("--gradecheck-rules", action="append", default=[], metavar="PATH",
                    help="extra rule file or directory; a rule with a built-in code replaces it (repeatable)")
    group.addoption("--gradecheck-no-builtin-rules", action="store_true",
                    help="use only the rules given with --gradecheck-rules")
    group.addoption("--gradecheck-select", action="append", default=[], metavar="CODES",
                    help="only these rules: codes or prefixes, comma-separated (e.g. C,J101)")
    group.addoption("--gradecheck-ignore", action="append", default=[], metavar="CODES",
                    help="skip these rules: codes or prefixes")
    group.addoption("--gradecheck-fail-on", choices=("error", "warning"), default="error",
                    help="lowest finding severity that fails an item (default: error; warnings are listed)")
    group.addoption("--gradecheck-baseline", metavar="FILE",
                    help="only findings not recorded in FILE fail (recorded there first if it does not exist)")
    group.addoption("--gradecheck-update-baseline", action="store_true",
                    help="record today's findings in the --gradecheck-baseline FILE")
    group.addoption("--gradecheck-waivers", metavar="FILE",
                    help="TOML file of accepted (rule, record) findings, with reasons; collected as FILE::waivers")
    group.addoption("--gradecheck-authorities", action="append", default=[], metavar="FILE",
                    help="extra authority register file (docs/authorities.md), in force for the session (repeatable)")


@pytest.fixture(name="gradecheck_ruleset", scope="session")
def _gradecheck_ruleset() -> RuleSet:
    """The built-in rule set, loaded once for the session."""
    from .ruleset import default_ruleset

    return default_ruleset()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gradecheck: a gradecheck check of a data file (pytest --gradecheck DATA)")
    if config.getoption("gradecheck"):
        config.pluginmanager.register(_Run.from_config(config), "gradecheck-run")


def _codes(values: Sequence[str]) -> list[str]:
    return [c.strip().upper() for v in values for c in v.split(",") if c.strip()]


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _usage(option: str, err: Exception) -> pytest.UsageError:
    """One line naming the option and what is wrong; a rule file with several problems lists them below it."""
    from .errors import RuleFileError

    if isinstance(err, RuleFileError) and len(err.problems) == 1:
        return pytest.UsageError(f"{option}: {err.problems[0]}")
    text = str(err)
    for cli_name in ("--waivers ", "--baseline "):  # the command line's option names, in baseline.py's messages
        text = text.removeprefix(cli_name)
    return pytest.UsageError(f"{option}: {text}")


class _Run:
    """
    What ``--gradecheck`` asked for, and the reports made so far: a plugin object, one per process.

    Each process (each pytest-xdist worker too) checks a file the first time one of its items runs and
    keeps the report, so a file is read once however many of its rules run there. With a baseline or
    waivers the whole run is checked at once instead, as the command line does: a waiver that matches
    no finding, or a finding recorded twice, can only be told from every file's findings.
    """

    def __init__(self, config: pytest.Config, files: dict[Path, str], ruleset: RuleSet,
                 baseline_ruleset: str | None) -> None:
        self.config, self.files, self.ruleset = config, files, ruleset
        self.fail_on: str = config.getoption("gradecheck_fail_on")
        self.baseline: str | None = config.getoption("gradecheck_baseline")
        self.waivers: str | None = config.getoption("gradecheck_waivers")
        self.baseline_ruleset = baseline_ruleset
        self.waivers_path = Path(os.path.abspath(self.waivers)) if self.waivers else None
        # Positional arguments inside a --gradecheck path (data/x.jsonl::C101) choose what runs, and pytest
        # collects them through pytest_collect_file. Otherwise every file is added to the session.
        roots = [Path(os.path.abspath(g)) for g in config.getoption("gradecheck")]
        if self.waivers_path is not None:
            roots.append(self.waivers_path)
        named = [Path(os.path.abspath(str(arg).split("::")[0])) for arg in config.args]
        self.by_args = any(_inside(a, r) for a in named for r in roots)
        self.reports: dict[str, Report] = {}
        self.whole: Report | None = None
        self.notes: list[str] = []
        self.warned: list[tuple[str, int]] = []

    @classmethod
    def from_config(cls, config: pytest.Config) -> _Run:
        from .errors import GradecheckError

        given: list[str] = config.getoption("gradecheck")
        option = "--gradecheck"
        try:
            if "-" in given:
                raise GradecheckError("standard input (-) cannot be collected; give a file or directory")
            for g in given:
                path = g.split("::")[0]
                if path != g and Path(path).exists():  # a node id where the data path belongs
                    raise GradecheckError(f"{g}: give the data to --gradecheck and the node id as an argument: "
                                          f"pytest --gradecheck {path} {g}")
            from .read import discover

            files = {Path(os.path.abspath(f)): f for f in discover(given)}
            option = "--gradecheck-rules"
            from .ruleset import load_ruleset

            ruleset = load_ruleset(config.getoption("gradecheck_rules"),
                                   builtin=not config.getoption("gradecheck_no_builtin_rules"))
            picked: dict[str, list[str]] = {}
            for name in ("select", "ignore"):
                option = f"--gradecheck-{name}"
                picked[name] = _codes(config.getoption(f"gradecheck_{name}"))
                unknown = [p for p in picked[name] if not any(r.code.startswith(p) for r in ruleset.rules)]
                if unknown:
                    raise GradecheckError(f"no rule code starts with {', '.join(unknown)} "
                                          "(see 'python -m gradecheck rules')")
            ruleset = ruleset.select(picked["select"], picked["ignore"])
            from .report.baseline import load_waivers, read_baseline

            option = "--gradecheck-authorities"
            if config.getoption("gradecheck_authorities"):
                from .authorities import load_register, use_register

                use_register(load_register(config.getoption("gradecheck_authorities")))
            option = "--gradecheck-waivers"
            if config.getoption("gradecheck_waivers"):
                load_waivers(config.getoption("gradecheck_waivers"))
            option = "--gradecheck-update-baseline"
            baseline = config.getoption("gradecheck_baseline")
            if config.getoption("gradecheck_update_baseline") and not baseline:
                raise GradecheckError("needs --gradecheck-baseline FILE")
            option = "--gradecheck-baseline"
            known = None
            if baseline and Path(baseline).exists() and not config.getoption("gradecheck_update_baseline"):
                known = read_baseline(baseline).ruleset
        except GradecheckError as err:
            raise _usage(option, err) from None
        return cls(config, files, ruleset, known)

    # --- hooks, registered only with --gradecheck -----------------------------------------------------

    def pytest_report_header(self) -> str:
        n, rules = len(self.files), len(self.ruleset.rules)
        parts = [f"gradecheck: {n} data file{'s' if n != 1 else ''}, {rules} rule{'s' if rules != 1 else ''} "
                 f"(rule set {self.ruleset.version}), failing on {self.fail_on}"]
        if self.waivers:
            parts.append(f"waivers {self.waivers}")
        if self.baseline:
            parts.append(f"baseline {self.baseline}")
            if self.baseline_ruleset and self.baseline_ruleset != self.ruleset.version:
                parts.append(f"recorded under rule set {self.baseline_ruleset}: findings matched by rule and record id")
        return "; ".join(parts)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Record the baseline, once, before any worker starts, where it does not exist or an update is asked."""
        config = session.config
        if (not self.baseline or hasattr(config, "workerinput") or config.option.collectonly
                or not (config.getoption("gradecheck_update_baseline") or not Path(self.baseline).exists())):
            return
        from .errors import GradecheckError

        try:
            self.whole = self._triaged(update=True)
        except GradecheckError as err:
            raise _usage("--gradecheck-baseline", err) from None

    def pytest_collect_file(self, file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
        if not self.by_args:
            return None
        if file_path in self.files:
            return GradecheckFile.from_parent(parent, path=file_path)
        if file_path == self.waivers_path:
            return WaiversFile.from_parent(parent, path=file_path)
        return None

    @pytest.hookimpl(hookwrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Iterator[None]:
        outcome: Any = yield
        report = outcome.get_result()
        if not isinstance(collector, pytest.Session) or self.by_args or not report.passed:
            return
        for path in self.files:
            report.result.append(GradecheckFile.from_parent(collector, path=path, nodeid=self._nodeid(path)))
        if self.waivers_path is not None:
            report.result.append(WaiversFile.from_parent(collector, path=self.waivers_path,
                                                         nodeid=self._nodeid(self.waivers_path)))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and report.passed:
            self.warned += [(report.nodeid, int(v)) for k, v in report.user_properties if k == _PROPERTY]

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not (self.warned or self.notes):
            return
        terminalreporter.write_sep("=", "gradecheck")
        for note in self.notes:
            terminalreporter.write_line(note.rstrip("\n"))
        for nodeid, count in self.warned:
            terminalreporter.write_line(f"{nodeid}: {count} warning finding{'s' if count != 1 else ''}")
        if self.warned:
            terminalreporter.write_line("Warnings pass; --gradecheck-fail-on warning makes them fail "
                                        "(pytest -rP shows them).")

    # --- checking -------------------------------------------------------------------------------------

    def _nodeid(self, path: Path) -> str | None:
        """pytest's own node id where the file is under the rootdir; the path as given where it is not."""
        try:
            path.relative_to(self.config.rootpath)
        except ValueError:
            return self.files.get(path) or self.waivers
        return None

    def _workers(self) -> int | None:
        # pytest-xdist already runs a process a core: one file's check stays in its worker.
        return 1 if hasattr(self.config, "workerinput") else None

    def _triaged(self, *, update: bool = False) -> Report:
        from .engine import check_paths
        from .report.baseline import apply_baseline_options

        report = check_paths(list(self.files.values()), self.ruleset, workers=self._workers())
        return apply_baseline_options(report, baseline=self.baseline, update=update, waivers=self.waivers,
                                      note=self.notes.append)

    def report(self, path: Path | None) -> Report:
        """The report on one file (findings that count after a baseline and waivers), or on all (*path* None)."""
        if self.baseline or self.waivers:
            if self.whole is None:
                self.whole = self._triaged()
            return self.whole if path is None else _part(self.whole, self.files[path])
        assert path is not None
        shown = self.files[path]
        if shown not in self.reports:
            from .engine import check_paths

            self.reports[shown] = check_paths([shown], self.ruleset, workers=self._workers())
        return self.reports[shown]


def _from(origin_path: str, path: str) -> bool:
    return origin_path == path or origin_path.startswith(f"{path}[")  # a workbook's sheet: book.xlsx[Sheet]


def _part(report: Report, path: str) -> Report:
    """The findings, unreadable records and broken rules of one file in a report on several."""
    import attrs

    triage = report.triage and attrs.evolve(
        report.triage, baselined=tuple(f for f in report.triage.baselined if _from(f.source.path, path)),
        waived=tuple(w for w in report.triage.waived if _from(w.finding.source.path, path)), fixed=(), problems=())
    return attrs.evolve(
        report, findings=tuple(f for f in report.findings if _from(f.source.path, path)),
        unreadable=tuple(u for u in report.unreadable if _from(u.origin.path, path)),
        errors=tuple(e for e in report.errors if _from(e.source.path, path)),
        undecided=tuple(u for u in report.undecided if _from(u.source.path, path)), triage=triage,
        more_undecided=0, omitted=0, hidden={})


def _rule_part(report: Report, code: str) -> Report:
    import attrs

    triage = report.triage and attrs.evolve(
        report.triage, baselined=tuple(f for f in report.triage.baselined if f.rule == code),
        waived=tuple(w for w in report.triage.waived if w.finding.rule == code))
    return attrs.evolve(
        report, findings=tuple(f for f in report.findings if f.rule == code), unreadable=(),
        errors=tuple(e for e in report.errors if e.rule == code),
        undecided=tuple(u for u in report.undecided if u.rule == code), triage=triage, more_undecided=0)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


class GradecheckFailure(Exception):
    """What failed an item: its first line for the short summary, then every finding."""


class GradecheckFile(pytest.File):
    """A data file given with ``--gradecheck``: one item for its readability, one per rule."""

    def collect(self) -> Iterator[GradecheckItem]:
        run = self.config.pluginmanager.get_plugin("gradecheck-run")
        yield GradecheckItem.from_parent(self, name=READABLE)
        for rule in run.ruleset.rules:
            yield GradecheckItem.from_parent(self, name=rule.code)


class GradecheckItem(pytest.Item):
    """One rule over one data file, or (named ``readable``) the file's unreadable records."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.add_marker("gradecheck")

    @property
    def run(self) -> _Run:
        return self.config.pluginmanager.get_plugin("gradecheck-run")

    def runtest(self) -> None:
        from .report.render import render_text

        report = self.run.report(self.path)
        if self.name == READABLE:
            if report.unreadable:
                first = report.unreadable[0]
                head = f"{_plural(len(report.unreadable), 'unreadable record')}: {first.error} ({first.origin})"
                raise GradecheckFailure(head + "\n" + "\n".join(f"{u.origin}: {u.error}" for u in report.unreadable))
            return
        mine = _rule_part(report, self.name)
        failing = [f for f in mine.findings if f.severity == "error" or self.run.fail_on == "warning"]
        if failing or mine.errors:
            if failing:
                first = failing[0]
                more = " and others" if len(failing) > 1 else ""
                head = f"{_plural(len(failing), f'{first.severity} finding')}: {first.message} ({first.record}{more})"
            else:
                head = f"the rule broke: {mine.errors[0].record}: {mine.errors[0].error}"
            raise GradecheckFailure(f"{head}\n{render_text(mine, width=120)}")
        if mine.findings:
            self.user_properties.append((_PROPERTY, len(mine.findings)))
            self.add_report_section("call", "gradecheck warnings", render_text(mine, width=120))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, GradecheckFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, None, str]:
        if self.name == READABLE:
            return self.path, None, f"{READABLE}: every record of {self.path.name} can be read"
        rule = self.run.ruleset.rule(self.name)
        return self.path, None, f"{rule.code} [{rule.severity}]: {rule.title}"


class WaiversFile(pytest.File):
    """The ``--gradecheck-waivers`` file: one item, failing on stale waivers with ``--gradecheck-fail-on warning``."""

    def collect(self) -> Iterator[WaiversItem]:
        yield WaiversItem.from_parent(self, name=WAIVERS)


class WaiversItem(GradecheckItem):
    """Expired waivers, and waivers that match no finding: warnings, as on the command line."""

    def runtest(self) -> None:
        report = self.run.report(None)
        problems = report.triage.problems if report.triage else ()
        if not problems:
            return
        lines = [f"{p.waiver.where}: waiver {p.waiver.rule} {p.waiver.record}: {p.problem}" for p in problems]
        if self.run.fail_on == "warning":
            raise GradecheckFailure(f"{_plural(len(problems), 'stale waiver')}: {problems[0].problem} "
                                    f"({problems[0].waiver.where})\n" + "\n".join(lines))
        self.user_properties.append((_PROPERTY, len(problems)))
        self.add_report_section("call", "gradecheck warnings", "\n".join(lines))

    def reportinfo(self) -> tuple[Path, None, str]:
        return self.path, None, f"{WAIVERS}: no waiver in {self.path.name} has expired or matches nothing"
