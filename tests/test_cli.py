"""Tests for gradecheck.cli: the command line of DESIGN.md section 5, its formats and its exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import gradecheck
from gradecheck import GradecheckError
from gradecheck.cli import main

CLEAN = {"id": "liverpool-2011-slac", "authority": "Liverpool", "authority_code": "E08000012", "framework": "slac",
         "grade_counts": {"outstanding": 5, "good": 17},
         "populations": {"looked_after": 939, "foster_care": 643, "placed_with_family": 139, "childrens_homes": 15}}
C101 = {"id": "slac-23", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}
D101 = {"id": "late", "framework": "sif", "start": "2014-05-20", "end": "2014-06-11", "published": "2014-06-01"}
WARNING_ONLY = {"id": "typo", "framework": "sif", "populations": {"foster_cre": 3}}
C101_MESSAGE = "outstanding 5 + good 17 + adequate 1 = 23, expected 22, the number of graded items in slac"


def run(*argv: str) -> tuple[int, str]:
    """Run the command line in-process; return its exit code and standard output."""
    out = io.StringIO()
    code = main(list(argv), stdout=out)
    return code, out.getvalue()


@pytest.fixture(name="data")
def _data(tmp_path):
    """Write records as a JSON Lines file and return its path."""

    def write(*records, name="data.jsonl") -> str:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        return str(path)

    return write


class TestExitCodes:
    def test_clean(self, data):
        """Nothing found: exit 0, and the summary says so."""
        code, out = run(data(CLEAN))
        assert (code, out) == (0, "1 record read, 1 checked, 0 unreadable, 0 errors, 0 warnings, 0 unknown.\n")

    def test_error_found(self, data):
        """An error finding: exit 1, and the finding in flake8 style."""
        path = data(CLEAN, C101)
        code, out = run(path)
        assert code == 1
        assert f"{path}:2: C101 [error] slac-23: {C101_MESSAGE}\n" == out.splitlines(keepends=True)[0]

    @pytest.mark.parametrize(("fail_on", "expected"), [((), 0), (("--fail-on", "error"), 0),
                                                       (("--fail-on", "warning"), 1)],
                             ids=["default", "error", "warning"])
    def test_fail_on(self, data, fail_on, expected):
        """Warnings fail the run only with --fail-on warning."""
        code, out = run(data(WARNING_ONLY), *fail_on)
        assert expected == code
        assert "I102 [warning]" in out

    def test_unreadable_record_fails(self, tmp_path):
        """An unreadable record is reported with its place, and fails the run."""
        path = tmp_path / "bad.jsonl"
        path.write_text(json.dumps(CLEAN) + "\n{oops\n")
        code, out = run(str(path))
        assert code == 1
        assert f"{path}:2: unreadable: invalid JSON: Expecting property name enclosed in double quotes" in out

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (("{missing}",), "gradecheck: {missing}: no such file or directory\n"),
            (("{data}", "--select", "Q9"), "gradecheck: --select: no rule code starts with Q9 (see 'python -m "
                                           "gradecheck rules')\n"),
            (("{data}", "--ignore", "C101,Q9"), "gradecheck: --ignore: no rule code starts with Q9 (see 'python -m "
                                                "gradecheck rules')\n"),
            (("{data}", "--rules", "{bad_rules}"), "gradecheck: 1 problem in rule files:\n  {bad_rules}: rule[0] "
                                                   "'Z101': key 'title': required key is missing\n"),
            (("{data}", "--rules", "{missing}"), "gradecheck: 1 problem in rule files:\n  {missing}: file: no such "
                                                 "file or directory\n"),
            ((), "gradecheck: no input: give files or directories to check, or - for stdin (see --help)\n"),
            (("explain", "Q1"), "gradecheck: no rule 'Q1' (see 'python -m gradecheck rules')\n"),
            (("{data}", "--output", "{tmp}"), "gradecheck: --output {tmp}: Is a directory\n"),
        ],
        ids=["missing-file", "bad-select", "bad-ignore", "bad-rule-file", "missing-rule-file", "no-input",
             "explain-unknown", "output-is-a-directory"],
    )
    def test_cannot_run(self, tmp_path, data, capsys, argv, message):
        """When the run cannot happen: exit 2, nothing on stdout, one clear message on stderr."""
        bad_rules = tmp_path / "bad.toml"
        bad_rules.write_text('[[rule]]\ncode = "Z101"\nkind = "range"\nseverity = "error"\nframeworks = ["*"]\n'
                             'fields = ["populations.*"]\nmin = 0\nsource = "test"\n')
        names = {"missing": str(tmp_path / "nope.jsonl"), "data": data(C101), "bad_rules": str(bad_rules),
                 "tmp": str(tmp_path)}
        code, out = run(*(a.format(**names) for a in argv))
        assert (2, "", message.format(**names)) == (code, out, capsys.readouterr().err)

    @pytest.mark.parametrize(
        ("argv", "complaint"),
        [
            (("{data}", "--format", "yaml"), "argument --format: invalid choice: 'yaml'"),
            (("{data}", "--fail-on", "info"), "argument --fail-on: invalid choice: 'info'"),
            (("{data}", "--max-findings", "many"), "argument --max-findings: invalid int value: 'many'"),
            (("rules", "--format", "text"), "argument --format: invalid choice: 'text'"),
            (("explain",), "the following arguments are required: code"),
        ],
        ids=["format", "fail-on", "max-findings", "rules-format", "explain-without-code"],
    )
    def test_bad_arguments(self, data, capsys, argv, complaint):
        """Bad arguments exit 2 with argparse's complaint and a pointer to --help."""
        path = data(CLEAN)
        with pytest.raises(SystemExit) as caught:
            run(*(a.format(data=path) for a in argv))
        err = capsys.readouterr().err
        assert caught.value.code == 2
        assert complaint in err
        assert err.endswith("--help')\n")

    def test_debug_raises(self, tmp_path):
        """With --debug, a run that cannot happen raises instead of exiting 2."""
        with pytest.raises(GradecheckError):
            run(str(tmp_path / "nope.jsonl"), "--debug")

    def test_version(self, capsys):
        """--version prints the version and exits 0."""
        with pytest.raises(SystemExit) as caught:
            run("--version")
        assert (0, f"gradecheck {gradecheck.__version__}\n") == (caught.value.code, capsys.readouterr().out)


class TestFormats:
    def test_json(self, data):
        """--format json prints one object with DESIGN.md section 5's keys."""
        path = data(CLEAN, C101)
        code, out = run(path, "--format", "json")
        report = json.loads(out)
        assert (code, report["summary"]["findings"]) == (1, {"error": 1, "warning": 0})
        assert tuple(report["summary"][k] for k in ("records", "checked", "unreadable", "unknown")) == (2, 2, 0, 0)
        [finding] = report["findings"]
        assert ("C101", "error", "slac-23", f"{path}:2", C101_MESSAGE, 22, 23) == tuple(
            finding[k] for k in ("rule", "severity", "record", "source", "message", "expected", "actual"))
        assert report["unreadable"] == []

    def test_jsonl(self, data):
        """--format jsonl prints one object a line, the summary last."""
        code, out = run(data(C101, D101), "--format", "jsonl")
        lines = [json.loads(line) for line in out.splitlines()]
        assert (code, [line["type"] for line in lines]) == (1, ["finding", "finding", "summary"])
        assert [line["rule"] for line in lines[:2]] == ["C101", "D101"]

    def test_csv(self, data):
        """--format csv prints a header and a row per finding."""
        code, out = run(data(C101), "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(out)))
        assert code == 1
        assert [(r["record"], r["rule"], r["severity"], r["message"]) for r in rows] == [
            ("slac-23", "C101", "error", C101_MESSAGE)]

    def test_table(self, data):
        """--format table prints the findings table and the summary."""
        code, out = run(data(C101), "--format", "table")
        assert code == 1
        assert out.splitlines()[0].split() == ["where", "record", "rule", "message"]
        assert out.endswith("1 record read, 1 checked, 0 unreadable, 1 error, 0 warnings, 0 unknown.\n")

    def test_default_is_text_when_not_a_terminal(self, data):
        """Piped output defaults to the grep-friendly text format."""
        assert run(data(C101))[1] == run(data(C101), "--format", "text")[1]

    def test_statistics(self, data):
        """--statistics adds a count per rule."""
        _, text = run(data(C101, CLEAN), "--statistics")
        assert "Per rule" in text
        _, out = run(data(C101, CLEAN), "--statistics", "--format", "json")
        stats = json.loads(out)["statistics"]
        assert stats["C101"] == {"passed": 1, "failed": 1, "unknown": 0, "errors": 0, "findings": 1,
                                 "unknown_reasons": {}}

    def test_max_findings(self, data):
        """--max-findings lists that many findings; the summary still counts them all, and the run still fails."""
        code, out = run(data(C101, D101, {**C101, "id": "slac-23b"}), "--max-findings", "1", "--format", "json")
        report = json.loads(out)
        assert (code, len(report["findings"]), report["summary"]["omitted_findings"]) == (1, 1, 2)
        assert report["summary"]["findings"] == {"error": 3, "warning": 0}

    def test_output_file(self, data, tmp_path):
        """--output writes the report to a file instead of standard output."""
        target = tmp_path / "report.json"
        code, out = run(data(C101), "--format", "json", "--output", str(target))
        assert (code, out) == (1, "")
        assert json.loads(target.read_text())["summary"]["findings"]["error"] == 1


class TestSelection:
    @pytest.mark.parametrize(
        ("options", "rules"),
        [
            ((), ["C101", "D101", "I102"]),
            (("--select", "C"), ["C101"]),
            (("--select", "c101"), ["C101"]),
            (("--select", "C101,D"), ["C101", "D101"]),
            (("--select", "D", "--select", "I"), ["I102"]),
            (("--ignore", "C"), ["D101", "I102"]),
            (("--ignore", "C101,I102"), ["D101"]),
            (("--select", "C,D", "--ignore", "D101"), ["C101"]),
        ],
        ids=["all", "prefix", "lower-case", "comma-list", "last-select-wins", "ignore-prefix", "ignore-codes",
             "select-then-ignore"],
    )
    def test_select_ignore(self, data, options, rules):
        """--select and --ignore take codes or prefixes, comma-separated, in any case."""
        _, out = run(data(C101, D101, WARNING_ONLY), "--format", "json", *options)
        assert rules == sorted({f["rule"] for f in json.loads(out)["findings"]})

    def test_user_rules_replace_builtin(self, data, tmp_path):
        """--rules with a built-in code replaces that rule."""
        rules = tmp_path / "c101.toml"
        rules.write_text('[[rule]]\ncode = "C101"\ntitle = "23 items"\nkind = "total"\nseverity = "warning"\n'
                         'frameworks = ["slac"]\nparts = ["grade_counts.*"]\nequals = 23\nsource = "test"\n')
        assert (run(data(C101), "--rules", str(rules))[0], run(data(C101))[0]) == (0, 1)

    def test_only_user_rules(self, data, tmp_path):
        """--no-builtin-rules with --rules runs only the given rules, on the built-in frameworks and fields."""
        rules = tmp_path / "mine.toml"
        rules.write_text('[[rule]]\ncode = "Z101"\ntitle = "t"\nkind = "range"\nseverity = "error"\n'
                         'frameworks = ["slac"]\nfields = ["grade_counts.*"]\nmax = 10\nsource = "test"\n')
        code, out = run(data(C101), "--no-builtin-rules", "--rules", str(rules), "--format", "json")
        assert (code, [f["rule"] for f in json.loads(out)["findings"]]) == (1, ["Z101"])
        # the rules command lists only the user's rule; the built-in profiles still read published files
        assert run("rules", "--no-builtin-rules", "--rules", str(rules), "--format", "json")[1].count('"code"') == 1


class TestInputs:
    def test_stdin(self, monkeypatch):
        """'-' reads standard input; records are placed at -:LINE."""
        text = json.dumps(CLEAN) + "\n" + json.dumps(C101) + "\n"
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        code, out = run("-")
        assert (1, f"-:2: C101 [error] slac-23: {C101_MESSAGE}") == (code, out.splitlines()[0])

    def test_stdin_csv(self, monkeypatch):
        """CSV on standard input is recognised from its content."""
        text = "id,framework,grade_counts.outstanding,grade_counts.good\na,slac,5,18\n"
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
        code, out = run("-", "--format", "json")
        assert (code, [f["rule"] for f in json.loads(out)["findings"]]) == (1, ["C101"])

    def test_directory(self, data, tmp_path):
        """A directory is checked file by file; each file is its own dataset."""
        data(CLEAN, name="a.jsonl")
        data(CLEAN, name="b.jsonl")
        code, out = run(str(tmp_path), "--format", "json")
        assert (code, json.loads(out)["summary"]["files"], json.loads(out)["summary"]["records"]) == (0, 2, 2)

    def test_several_paths(self, data, tmp_path):
        """Several paths are checked in one run."""
        first, second = data(CLEAN, name="a.jsonl"), data(C101, name="b.jsonl")
        code, out = run(first, second, "--format", "json")
        assert (code, json.loads(out)["summary"]["records"]) == (1, 2)


class TestRulesCommand:
    def test_table(self, ruleset):
        """'rules' lists every rule in force."""
        code, out = run("rules")
        codes = [line.split()[0] for line in out.splitlines()[2:] if line and not line.startswith(" ")]
        assert (0, [r.code for r in ruleset.rules]) == (code, codes)

    def test_json_with_select(self):
        """'rules --format json --select C' lists the C rules as data."""
        code, out = run("rules", "--format", "json", "--select", "C")
        rules = json.loads(out)
        assert code == 0
        assert rules
        assert all(r["code"].startswith("C") for r in rules)

    def test_with_user_rules(self, tmp_path):
        """'rules --rules FILE' lists a user rule beside the built-in ones."""
        rules = tmp_path / "mine.toml"
        rules.write_text('[[rule]]\ncode = "Z101"\ntitle = "mine"\nkind = "range"\nseverity = "error"\n'
                         'frameworks = ["*"]\nfields = ["grade_counts.*"]\nmax = 10\nsource = "test"\n')
        code, out = run("rules", "--rules", str(rules), "--format", "csv")
        assert (code, any(row[0] == "Z101" for row in csv.reader(io.StringIO(out)))) == (0, True)


class TestExplainCommand:
    @pytest.mark.parametrize("code", ["C101", "c101"], ids=["upper", "lower"])
    def test_explain(self, code):
        """'explain CODE' (any case) says what the rule checks, why, its source and an example."""
        exit_code, out = run("explain", code)
        assert exit_code == 0
        assert out.splitlines()[0] == "C101  Grade counts add up to the framework's number of graded items"
        for heading in ("severity:", "applies to:", "kind:", "parameters:", "why:", "source:", "example finding:"):
            assert heading in out


def test_python_m_gradecheck(data):
    """python -m gradecheck runs the same command line, and its exit code is the process's."""
    root = Path(gradecheck.__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    path = data(C101)
    done = subprocess.run([sys.executable, "-m", "gradecheck", path], capture_output=True, text=True, env=env,
                          check=False)
    assert (1, f"{path}:1: C101 [error] slac-23: {C101_MESSAGE}") == (done.returncode, done.stdout.splitlines()[0])


@pytest.mark.parametrize("libc", ["mallopt", "no mallopt", "no libc"])
def test_the_programs_allocator_setting_is_made_where_glibc_has_it_and_skipped_elsewhere(monkeypatch, libc):
    """The program asks glibc to map large blocks on their own (mallopt); a C library without it is left alone."""
    import ctypes

    from gradecheck import cli

    calls = []

    class Libc:
        def mallopt(self, option, value):
            calls.append((option, value))
            return 1

    def fake(_name):
        if libc == "no libc":
            raise OSError("no C library")
        return Libc() if libc == "mallopt" else object()

    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(ctypes, "CDLL", fake)
    cli._large_blocks()
    assert calls == ([(-3, 128 * 1024)] if libc == "mallopt" else [])


@pytest.mark.parametrize("form", ["text", "json"])
def test_the_program_ends_with_all_its_output_written(form):
    """The program ends the process itself (cli._end): its report arrives whole, with main's exit code."""
    root = Path(gradecheck.__file__).resolve().parent.parent
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": str(root)}  # buffered
    fixtures = str(root / "fixtures")
    done = subprocess.run([sys.executable, "-m", "gradecheck", fixtures, "--format", form], capture_output=True,
                          text=True, env=env, check=False)
    out = io.StringIO()
    code = main([fixtures, "--format", form], stdout=out)
    assert len(done.stdout) > 8192  # more than a pipe's buffered writer holds
    assert (done.returncode, done.stdout, done.stderr) == (code, out.getvalue(), "")
