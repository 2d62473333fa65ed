"""
The command line as ruff's users expect it: settings in pyproject.toml or gradecheck.toml, --exit-zero,
--quiet and --silent, reports that never overwrite data, CSV safe to open, tables that fit the terminal,
and a --help that names every input format and command.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gradecheck.cli import COMMANDS, main
from gradecheck.read import DATA_SUFFIXES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
C101 = {"id": "slac-23", "framework": "slac", "grade_counts": {"outstanding": 5, "good": 17, "adequate": 1}}
# A warning only: I102 (a field gradecheck does not know).
WARNING_ONLY = {"id": "w", "framework": "slac", "populations": {"foster_cre": 1}}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out), out.getvalue()


@pytest.fixture(name="project")
def _project(tmp_path, monkeypatch):
    """A project directory with a data file and a sub-directory to run from; no configuration yet."""
    (tmp_path / "data.jsonl").write_text(json.dumps(C101) + "\n" + json.dumps(WARNING_ONLY) + "\n")
    (tmp_path / "warn.jsonl").write_text(json.dumps(WARNING_ONLY) + "\n")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sub" / "deeper")
    return tmp_path


def rules_of(out: str) -> list[str]:
    return sorted({f["rule"] for f in json.loads(out)["findings"]})


class TestConfiguration:
    def test_pyproject_found_from_a_subdirectory(self, project):
        """[tool.gradecheck] two directories up is read; its format and select apply."""
        (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.gradecheck]\nformat = "json"\n'
                                                'select = ["I"]\n')
        code, out = run(str(project / "data.jsonl"))
        assert (code, rules_of(out)) == (0, ["I102"])

    def test_command_line_overrides(self, project):
        """Options on the command line win over the file's; --select replaces the file's list."""
        (project / "pyproject.toml").write_text('[tool.gradecheck]\nformat = "json"\nselect = "I"\n'
                                                'fail-on = "warning"\n')
        assert run(str(project / "warn.jsonl"))[0] == 1
        assert run(str(project / "warn.jsonl"), "--fail-on", "error")[0] == 0
        assert rules_of(run(str(project / "data.jsonl"), "--select", "C")[1]) == ["C101"]

    def test_gradecheck_toml_wins_in_the_same_directory(self, project):
        (project / "pyproject.toml").write_text('[tool.gradecheck]\nformat = "json"\nselect = ["I"]\n')
        (project / "gradecheck.toml").write_text('format = "json"\nselect = ["C"]\n')
        assert rules_of(run(str(project / "data.jsonl"))[1]) == ["C101"]

    def test_pyproject_without_the_table_is_passed_over(self, project):
        """A sub-package's own pyproject.toml (no [tool.gradecheck]) does not hide the project's settings."""
        (project / "pyproject.toml").write_text('[tool.gradecheck]\nformat = "json"\nselect = ["I"]\n')
        (project / "sub" / "pyproject.toml").write_text('[project]\nname = "inner"\n')
        assert rules_of(run(str(project / "data.jsonl"))[1]) == ["I102"]

    def test_paths_are_relative_to_the_file_and_rules_add_up(self, project):
        """rules = ["mine.toml"] is found beside the configuration, wherever gradecheck runs from."""
        (project / "mine.toml").write_text('[[rule]]\ncode = "Z101"\ntitle = "t"\nkind = "range"\n'
                                           'severity = "error"\nframeworks = ["slac"]\nfields = ["grade_counts.*"]\n'
                                           'max = 10\nsource = "test"\n')
        (project / "gradecheck.toml").write_text('rules = ["mine.toml"]\nno-builtin-rules = true\nformat = "json"\n')
        assert rules_of(run(str(project / "data.jsonl"))[1]) == ["Z101"]
        assert run("rules", "--format", "json")[1].count('"code"') == 1  # the subcommands read it too

    def test_a_new_baseline_goes_beside_the_configuration(self, project):
        """A baseline not there yet is recorded beside the file that names it, not where gradecheck runs."""
        (project / "gradecheck.toml").write_text('baseline = "baseline.json"\nprofile = "ofsted-in-year"\n')
        from gradecheck.cli import _parsers, _settings
        from gradecheck.config import load_config

        values = load_config(_settings(_parsers()[0])).values
        assert values == {"baseline": str(project / "baseline.json"), "profile": "ofsted-in-year"}
        (project / "gradecheck.toml").write_text('baseline = "baseline.json"\n')
        run(str(project / "data.jsonl"))
        assert (project / "baseline.json").is_file()

    @pytest.mark.parametrize(("text", "expected"), [
        ('fail_on = "warning"\n', "unknown key 'fail_on' (did you mean 'fail-on'?)"),
        ('output = "x.json"\n', "unknown key 'output'"),
        ('fail-on = "sometimes"\n', "fail-on = 'sometimes': expected one of error, warning"),
        ("statistics = 1\n", "statistics = 1: expected true or false"),
        ('max-findings = "ten"\n', "max-findings = 'ten': expected a whole number"),
        ("select = [1]\n", "select = [1]: expected a list of text"),
        ('format = "json\n', "not valid TOML"),
    ])
    def test_bad_settings_name_the_file_and_key(self, project, capsys, text, expected):
        (project / "gradecheck.toml").write_text(text)
        assert run(str(project / "data.jsonl"))[0] == 2
        err = capsys.readouterr().err
        assert f"gradecheck: {project / 'gradecheck.toml'}" in err
        assert expected in err

    def test_verbose_names_the_file_and_isolated_reads_none(self, project, capsys):
        (project / "pyproject.toml").write_text('[tool.gradecheck]\nfail-on = "warning"\n')
        assert run(str(project / "warn.jsonl"), "-v", "--format", "json")[0] == 1
        assert f"configuration from {project / 'pyproject.toml'} [tool.gradecheck]: fail-on" in capsys.readouterr().err
        assert run(str(project / "warn.jsonl"), "--isolated", "-v", "--format", "json")[0] == 0
        assert "no configuration file read" in capsys.readouterr().err

    def test_explicit_config_file(self, project, tmp_path_factory):
        other = tmp_path_factory.mktemp("elsewhere") / "settings.toml"
        other.write_text('format = "json"\nselect = ["I"]\n')
        assert rules_of(run(str(project / "data.jsonl"), "--config", str(other))[1]) == ["I102"]
        assert run(str(project / "data.jsonl"), "--config", str(other.parent / "nope.toml"))[0] == 2

    def test_no_configuration_is_fine(self, project, capsys):
        assert run(str(project / "data.jsonl"), "-v")[0] == 1
        assert "no configuration file" in capsys.readouterr().err


class TestExitAndQuiet:
    def test_exit_zero(self, project):
        assert run(str(project / "data.jsonl"), "--exit-zero")[0] == 0
        assert run(str(project / "nope.jsonl"), "--exit-zero")[0] == 2  # could not run is still 2

    def test_quiet_prints_findings_only(self, project):
        code, out = run(str(project / "data.jsonl"), "--quiet", "--format", "text")
        loud = run(str(project / "data.jsonl"), "--format", "text")[1]
        assert code == 1
        assert out.splitlines() == loud.splitlines()[:-1]  # the summary line is the last
        assert "records read" in loud.splitlines()[-1]
        assert run(str(project / "data.jsonl"), "-q", "--format", "table")[1].count("records read") == 0

    def test_silent_prints_nothing(self, project, capsys):
        assert run(str(project / "data.jsonl"), "--silent") == (1, "")
        assert capsys.readouterr().err == ""


class TestNothingOverwritten:
    def test_output_naming_an_input_is_refused(self, project):
        data = project / "data.jsonl"
        before = data.read_bytes()
        assert run(str(data), "--output", str(data))[0] == 2
        assert run(str(project), "--output", "../../data.jsonl")[0] == 2  # inside a checked directory, relative
        assert data.read_bytes() == before

    def test_baseline_naming_an_input_is_refused(self, project, capsys):
        data = project / "data.jsonl"
        before = data.read_bytes()
        assert run(str(data), "--baseline", str(data), "--update-baseline")[0] == 2
        assert "--baseline" in capsys.readouterr().err
        assert data.read_bytes() == before

    def test_output_elsewhere_is_written(self, project):
        target = project / "report.json"
        assert run(str(project / "data.jsonl"), "--format", "json", "--output", str(target)) == (1, "")
        assert rules_of(target.read_text()) == ["C101", "I102"]


HOSTILE = ['=HYPERLINK("http://example.com/x","click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
           "-2+3+cmd|' /C calc'!A0", "=1+1"]


class TestSpreadsheetSafeCsv:
    @pytest.fixture(name="hostile")
    def _hostile(self, tmp_path):
        path = tmp_path / "hostile.jsonl"
        path.write_text("".join(json.dumps({**C101, "id": f"r{i}", "authority": name}) + "\n"
                                for i, name in enumerate(HOSTILE)))
        return path

    def test_formulas_are_neutralised_by_default(self, hostile):
        rows = list(csv.DictReader(io.StringIO(run(str(hostile), "--format", "csv")[1])))
        # A102 also reports each (a name no authority has): those rows carry the names too, and are checked below
        assert sorted(r["authority"] for r in rows if r["rule"] != "A102") == sorted("'" + h for h in HOSTILE)
        for row in rows:
            assert all(not cell.startswith(("=", "+", "@", "\t")) for cell in row.values())

    def test_raw_cells_on_request(self, hostile):
        rows = list(csv.DictReader(io.StringIO(run(str(hostile), "--format", "csv", "--raw-cells")[1])))
        assert sorted(r["authority"] for r in rows if r["rule"] != "A102") == sorted(HOSTILE)

    def test_numbers_stay_numbers(self, tmp_path):
        path = tmp_path / "neg.jsonl"
        path.write_text(json.dumps({"id": "n", "framework": "slac", "populations": {"looked_after": -1}}) + "\n")
        rows = list(csv.DictReader(io.StringIO(run(str(path), "--format", "csv")[1])))
        assert [r["actual"] for r in rows if r["rule"] == "R101"] == ["-1"]


class TestReadableOutput:
    @pytest.mark.parametrize("columns", [80, 100])
    @pytest.mark.parametrize("where", ["broken", "real-excerpts"])
    def test_table_fits_the_columns(self, monkeypatch, columns, where):
        """With COLUMNS set (as a terminal sets it), every line of the table and statistics fits."""
        monkeypatch.setenv("COLUMNS", str(columns))
        _, out = run(str(FIXTURES / where), "--format", "table", "--statistics", "--no-progress")
        assert out.count("\n") > 10
        too_wide = [line for line in out.splitlines() if len(line) > columns]
        assert too_wide == []

    def test_help_lists_every_input_format_and_command(self, monkeypatch):
        monkeypatch.setenv("COLUMNS", "80")
        with pytest.raises(SystemExit) as done:
            run("--help")
        assert done.value.code == 0

    def test_help_text(self):
        text = subprocess.run([sys.executable, "-m", "gradecheck", "--help"], capture_output=True, text=True,
                              check=True, env={"COLUMNS": "80", "PATH": ""}).stdout
        assert all(suffix in text for suffix in DATA_SUFFIXES)
        assert all(f"  {name.split()[0]} " in text for name in COMMANDS)
        assert max(len(line) for line in text.splitlines()) <= 80

    @pytest.mark.parametrize("command", [name.split()[0] for name in COMMANDS])
    def test_every_command_answers_help(self, command, capsys):
        try:
            code = main([command, "--help"], io.StringIO())
        except SystemExit as done:  # argparse's own exit, where the command lets it through
            code = done.code
        assert code == 0
        assert f"gradecheck {command}" in capsys.readouterr().out


def test_readme_settings_example_is_valid(tmp_path):
    """The [tool.gradecheck] example in the README is read without complaint, with every key it shows."""
    from gradecheck.cli import _parsers, _settings
    from gradecheck.config import read_config

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("```toml\n[tool.gradecheck]\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.gradecheck]\n" + block)
    config = read_config(path, _settings(_parsers()[0]))
    assert config.values["fail-on"] == "warning"
    assert config.values["rules"] == [str(tmp_path / "checks" / "local-rules.toml")]
    assert len(config.values) == block.count(" = ")
