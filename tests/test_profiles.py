"""
Profiles for published files, the spreadsheet readers, and the kinds the DfE rules use (ratio, group_share,
group_total).
"""

from __future__ import annotations

import io
import itertools
import math
import re
import sys
import textwrap
from pathlib import Path

import pytest

import gradecheck
from gradecheck import Interval, Invalid, RuleFileError, check, default_ruleset, read_path
from gradecheck.cli import main
from gradecheck.read.files import _read_csv
from gradecheck.read.profiles import ProfileSet, default_profiles, load_profiles
from gradecheck.read.workbooks import EXCEL_EXTRA

ROOT = Path(__file__).resolve().parent.parent
EXCERPTS = ROOT / "fixtures" / "real-excerpts"


def _profile(tmp_path: Path, text: str) -> ProfileSet:
    path = tmp_path / "mine.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_profiles([path], builtin=False, ruleset=default_ruleset())


def _records(text: str, profiles: ProfileSet | None = None) -> list:
    return list(_read_csv(io.StringIO(textwrap.dedent(text).lstrip(), newline=""), "t.csv", profiles))


WIDE = """
    [[profile]]
    name = "wide"
    title = "a wide table"
    source = "test"
    match = ["level", "Total_{year}"]
    framework = "dfe-cla"
    [profile.columns]
    "level" = "geography_level"
    "Total_{year}" = "populations.looked_after"
    "Boys" = "populations.male"
    "Girls" = "populations.female"
    "Foster_A_{year}" = "populations.foster_care"
    "Foster_B_{year}" = "populations.foster_care"
    "Pct" = "facts.percent"
    "Published" = "published"
    [profile.dates]
    "Published" = "%d/%m/%y"
    [profile.markers]
    k = { min = 0, max = 0.5 }
    [[profile.rounding]]
    when = { column = "level", values = ["National"] }
    step = 10
    [[profile.rounding]]
    when = { column = "level", values = ["National"] }
    step = 100
    above = 1000
    [profile.set]
    id = "{Code|Name}-{year}"
    end = "{year}-03-31"
"""


class TestProfileRows:
    def test_columns_captures_dates_and_ids(self, tmp_path):
        """
        {year} is taken from a column name; dd/mm/yy dates become ISO; the id template falls back to the next column.
        """
        rows = _records("""
            level,Name,Code,Total_2011,Boys,Girls,Published
            LA,Liverpool,,941,482,459,04/03/11
        """, _profile(tmp_path, WIDE))
        [record] = rows
        assert record.id == "liverpool-2011"
        assert record.framework == "dfe-cla"
        assert record.get("end").isoformat() == "2011-03-31"
        assert record.get("published").isoformat() == "2011-03-04"
        assert (record.get("populations.looked_after"), record.get("populations.male")) == (941, 482)

    def test_national_figures_are_intervals_and_la_figures_exact(self, tmp_path):
        """Rounding applies only where the condition column says so; above 1,000 the wider step applies too."""
        national, la = _records("""
            level,Code,Total_2010,Boys,Foster_A_2010,Foster_B_2010
            National,E92,64400,170,x,1000
            LA,E08,911,482,0,x
        """, _profile(tmp_path, WIDE))
        looked_after = national.get("populations.looked_after")
        assert (looked_after.lo, looked_after.hi) == (64350, 64450)
        assert (national.get("populations.male").lo, national.get("populations.male").hi) == (165, 175)
        foster = national.get("populations.foster_care")  # x + 1000: suppressed plus a figure that may be 950..1050
        assert isinstance(foster, Interval)
        assert (foster.lo, foster.hi) == (950, math.inf)
        assert "x" in foster.text
        assert "1000" in foster.text
        assert la.get("populations.looked_after") == 911
        assert la.get("populations.foster_care").lo == 0

    def test_markers_bad_dates_and_spreadsheet_errors(self, tmp_path):
        """k is a range, a date in the wrong format and '#VALUE!' stay as written and are reported (I101)."""
        [record] = _records("""
            level,Code,Total_2013,Pct,Published,Boys
            LA,E08,957,k,2013-03-04,#VALUE!
        """, _profile(tmp_path, WIDE))
        pct = record.get("facts.percent")
        assert (pct.lo, pct.hi) == (0, 0.5)
        assert isinstance(record.get("published"), Invalid)
        assert "dd/mm/yy" in record.get("published").expected
        report = check([record])
        assert {"I101"} == {f.rule for f in report.findings}

    def test_unknown_framework_value_makes_the_row_unreadable(self, tmp_path):
        """A row whose type the profile does not know is reported, not guessed."""
        profiles = _profile(tmp_path, """
            [[profile]]
            name = "types"
            title = "t"
            source = "s"
            match = ["Code", "Type", "Date"]
            framework = { column = "Type", values = { "Standard" = "ilacs", "Visit" = "focused-visit" } }
            [profile.columns]
            "Date" = "start"
            [profile.set]
            id = "{Code}-{Date}"
        """)
        good, bad = _records("""
            Code,Type,Date
            E1,Visit,2024-01-02
            E1,Pilot,2017-01-02
        """, profiles)
        assert good.framework == "focused-visit"
        assert isinstance(bad, gradecheck.Unreadable)
        assert "Pilot" in bad.error
        assert "Standard" in bad.error


class TestChoosing:
    def test_the_most_specific_profile_wins(self):
        """Ofsted's history table also fits the 'as at 31 March' profile; the one needing more columns is chosen."""
        header = (EXCERPTS / "ofsted-ilacs-history.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
        binding, why = default_profiles().choose(header)
        assert why is None
        assert binding.profile.name == "ofsted-ilacs-history"

    def test_native_headers_need_no_profile(self):
        assert default_profiles().choose(["id", "framework", "start"]) == (None, None)

    def test_an_unknown_header_is_one_unreadable_for_the_file(self):
        items = _records("""
            urn,la_code,name
            1,2,a
            3,4,b
        """)
        assert len(items) == 1
        assert items[0].origin.line == 0
        assert "no profile matches this header" in items[0].error

    def test_forcing_a_profile_that_does_not_fit_says_why(self):
        items = _records("""
            a,b
            1,2
        """, default_profiles().force("dfe-cla-ees-rates"))
        assert len(items) == 1
        assert "the header lacks" in items[0].error

    def test_builtin_profiles_name_only_known_fields_and_frameworks(self):
        assert len(load_profiles(ruleset=default_ruleset()).profiles) >= 10


class TestLoading:
    def test_every_problem_is_listed(self, tmp_path):
        path = tmp_path / "bad.toml"
        path.write_text(textwrap.dedent("""
            [[profile]]
            name = "Bad Name"
            title = "t"
            match = []
            framework = "no-such-framework"
            colour = "red"
            [profile.columns]
            "A" = "populations.no_such_population"
            "B" = "nonsense"
            [profile.dates]
            "A" = "%Q"
            [profile.set]
            id = "{unclosed"
        """), encoding="utf-8")
        with pytest.raises(RuleFileError) as err:
            load_profiles([path], builtin=False, ruleset=default_ruleset())
        keys = {p.key for p in err.value.problems}
        assert {"name", "source", "match", "framework", "colour", "columns.A", "columns.B", "dates.A", "set.id"} <= keys

    def test_templates_are_never_formatted_or_evaluated(self, tmp_path):
        """Braces that str.format would interpret are text here; '{{' is a literal brace."""
        profiles = _profile(tmp_path, """
            [[profile]]
            name = "t"
            title = "t"
            source = "s"
            match = ["Code"]
            framework = "ilacs"
            [profile.set]
            id = "{Code}"
            note = "{{{Code}}} {Name|Code} {__class__|Code}"
        """)
        [record] = _records("""
            Code
            E1
        """, profiles)
        assert record.get("note") == "{E1} E1 E1"


class TestCommandLine:
    def test_profile_by_name_and_listing(self, tmp_path, capsys):
        path = tmp_path / "rates.csv"
        path.write_bytes((EXCERPTS / "dfe-ees-rates.csv").read_bytes())
        assert main([str(path), "--profile", "dfe-cla-ees-rates", "--format", "json"], stdout=io.StringIO()) == 0
        assert main([str(path), "--profile", "no-such-profile"], stdout=io.StringIO()) == 2
        out = io.StringIO()
        assert main(["profiles"], stdout=out) == 0
        assert "dfe-cla-ees-rates" in out.getvalue()

    def test_a_profile_file_written_by_a_user(self, tmp_path):
        """The README's example profile, as written there, reads the README's example file."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        section = readme.split("## Real published files and profiles", 1)[1]
        profile_text = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
        data_text = re.search(r"```csv\n(.*?)```", section, re.S).group(1)
        (tmp_path / "council.toml").write_text(profile_text, encoding="utf-8")
        (tmp_path / "council.csv").write_text(data_text, encoding="utf-8")
        out = io.StringIO()
        code = main([str(tmp_path / "council.csv"), "--profiles", str(tmp_path / "council.toml"), "--format", "text"],
                    stdout=out)
        assert code == 1, out.getvalue()
        assert "L101" in out.getvalue()
        assert "0 unreadable" in out.getvalue()


class TestReaders:
    def test_csv_rows_stream(self):
        """Rows are read one at a time: an endless file still yields its first records."""
        header = ("time_period,time_identifier,geographic_level,country_code,population_type,population_estimate,"
                  "children_count,rate_per_10000\n")
        row = "2025,Reporting year,National,E92000001,Children looked after on 31 March each year,12183016,81770,67\n"
        endless = itertools.chain([header], itertools.repeat(row))
        first = list(itertools.islice(_read_csv(endless, "endless.csv"), 3))
        assert len(first) == 3
        assert all(isinstance(r, gradecheck.Record) for r in first)

    def test_ods_is_read_without_extras_and_title_rows_are_skipped(self):
        items = list(read_path(str(EXCERPTS / "ofsted-la-outcomes.ods")))
        assert [i.origin.line for i in items] == [4, 5, 6]
        assert all(i.origin.path.endswith("[ILACS_inspection_history]") for i in items)
        assert items[1].get("start").isoformat() == "2018-07-16"

    def test_xlsx_without_the_reader_names_the_extra(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "python_calamine", None)
        [item] = list(read_path(str(EXCERPTS / "d2i-ilacs-overview.xlsx")))
        assert isinstance(item, gradecheck.Unreadable)
        assert EXCEL_EXTRA in item.error

    def test_xlsx(self):
        items = list(read_path(str(EXCERPTS / "d2i-ilacs-overview.xlsx")))
        assert len(items) == 5
        assert all(isinstance(i, gradecheck.Record) for i in items)
        assert items[4].get("judgements.overall_effectiveness") is gradecheck.MISSING  # 'nan' is no grade


def _row(ident, framework, **fields):
    return {"id": ident, "framework": framework, **fields}


class TestShareKinds:
    def test_rate_per_10000(self):
        """1416 of 97802 is 144.78 per 10,000: 145 passes, 154 fails; a rounded count near the edge is unknown."""
        ok = _row("a", "dfe-cla-rates", populations={"children": 1416, "child_population": 97802},
                  facts={"rate_per_10000": 145})
        bad = _row("b", "dfe-cla-rates", populations={"children": 1416, "child_population": 97802},
                   facts={"rate_per_10000": 154})
        edge = _row("c", "dfe-cla-rates",
                    populations={"children": {"value": 1420, "rounded_to": 10}, "child_population": 97802},
                    facts={"rate_per_10000": 145})
        report = check([ok, bad, edge])
        assert [f.record for f in report.findings if f.rule == "Q102"] == ["b"]
        assert [u.record for u in report.undecided if u.rule == "Q102"] == ["c"]

    def test_group_percentages_and_nested_totals(self):
        """Whole-number percentages of the Total row; outline-numbered rows nest (1. = 1a + 1b)."""
        group = {"time_period": "2023", "area_code": "E92000001", "group": "Placement"}
        rows = [
            _row("t", "dfe-cla", **group, breakdown="Total children", populations={"children": 100},
                 facts={"percent": 100}),
            _row("1", "dfe-cla", **group, breakdown="1. Total foster", populations={"children": 70},
                 facts={"percent": 70}),
            _row("1a", "dfe-cla", **group, breakdown="1a Inside", populations={"children": 40}, facts={"percent": 40}),
            _row("1b", "dfe-cla", **group, breakdown="1b Outside", populations={"children": 31}, facts={"percent": 31}),
            _row("2", "dfe-cla", **group, breakdown="2. Total other", populations={"children": 30},
                 facts={"percent": 33}),
        ]
        report = check(rows)
        found = sorted((f.rule, f.record) for f in report.findings)
        # 1a + 1b = 71 against 70 (on the parent row); 30 of 100 is not 33%. The total (70 + 30) is right.
        assert found == [("G101", "1"), ("Q101", "2")]

    def test_subsets_never_exceed_their_total(self):
        group = {"time_period": "2025", "area_code": "E1", "group": "CLA on 31 March"}
        rows = [
            _row("t", "dfe-cla-subgroups", **group, breakdown="Total children", populations={"children": 100}),
            _row("s", "dfe-cla-subgroups", **group, breakdown="With 3 or more placements",
                 populations={"children": 120}),
            _row("r", "dfe-cla-subgroups", **group, breakdown="Rounded",
                 populations={"children": {"value": 100, "rounded_to": 10}}),
        ]
        report = check(rows)
        assert [(f.rule, f.record) for f in report.findings] == [("G102", "s")]
        assert [u.record for u in report.undecided if u.rule == "G102"] == ["r"]
