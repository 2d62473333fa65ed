"""
Who a record is about (issue 15, point 2): rules A101 and A102, the canonical name and code on findings, the
visit rule's histories through the register, and --authorities.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradecheck import check, check_paths, load_ruleset
from gradecheck.authorities import Register, default_register, load_register, use_register
from gradecheck.cli import main

RULES = load_ruleset()


def _ilacs(ident: str, authority: str | None, code: str | None, day: str, grade: str = "good", **more) -> dict:
    record = {"id": ident, "framework": "ilacs", "start": day,
              "judgements": {"overall_effectiveness": grade, "impact_of_leaders": grade,
                             "help_and_protection": grade, "children_in_care": grade}, **more}
    if authority is not None:
        record["authority"] = authority
    if code is not None:
        record["authority_code"] = code
    return record


def _visit(ident: str, authority: str | None, code: str | None, day: str) -> dict:
    record = {"id": ident, "framework": "monitoring-visit", "start": day}
    if authority is not None:
        record["authority"] = authority
    if code is not None:
        record["authority_code"] = code
    return record


def _findings(records: list[dict], prefix: str = "") -> list[tuple[str, str]]:
    report = check(records, RULES)
    return [(f.rule, f.record) for f in report.findings if f.rule.startswith(prefix)]


# --- A101 and A102 ---------------------------------------------------------------------------------------------


def test_a_predecessors_code_on_a_successor_is_a101():
    """The data-to-insight case: Cumberland in 2024 given Cumbria's code, which ended on 2023-03-31."""
    report = check([_ilacs("c", "cumberland", "E10000006", "2024-10-07")], RULES)
    (finding,) = [f for f in report.findings if f.rule.startswith("A")]
    assert finding.rule == "A101"
    assert "Cumbria" in finding.message
    assert "E06000063" in finding.message
    assert (finding.expected, finding.actual) == ("E06000063", "E10000006")
    # The record means Cumberland (the authority that existed that day), and says so with its own code.
    assert (finding.authority, finding.authority_code) == ("Cumberland", "E06000063")


def test_two_living_authorities_is_a101_and_a_stale_code_of_the_same_one_is_not():
    assert _findings([_ilacs("l", "Liverpool", "E08000015", "2020-01-01")], "A") == [("A101", "l")]
    # Gateshead's code before 2013, in a 2015 record: the authority is certain; nothing to report.
    assert _findings([_ilacs("g", "Gateshead", "E08000020", "2015-01-01")], "A") == []


def test_an_unknown_name_or_code_is_a102_naming_the_closest():
    report = check([_ilacs("x", "Liverpol", "E08000012", "2020-01-01"),
                    _ilacs("y", "Liverpool", "E08999999", "2020-01-01")], RULES)
    found = {(f.rule, f.record): f for f in report.findings if f.rule.startswith("A")}
    assert set(found) == {("A102", "x"), ("A102", "y")}
    assert "closest: Liverpool" in found["A102", "x"].message
    assert found["A102", "x"].severity == "warning"
    # Either way the other key places the record: its findings carry Liverpool.
    assert {f.authority for f in found.values()} == {"Liverpool"}


def test_old_ons_codes_in_dfes_2010_table_are_not_read_as_la_numbers():
    """England's 921 (the old ONS country code; also the Isle of Wight's LA number), regions' letters A-K."""
    rows = [{"id": "e", "framework": "dfe-cla", "end": "2010-03-31", "area": "England", "area_code": "921"},
            {"id": "ne", "framework": "dfe-cla", "end": "2010-03-31", "area": "North East", "area_code": "A"},
            {"id": "cam", "framework": "dfe-cla", "end": "2010-03-31", "area": "Camden", "area_code": "202"}]
    report = check(rows, RULES)
    assert [f for f in report.findings if f.rule.startswith("A")] == []


def test_records_without_authority_fields_are_out_of_scope():
    report = check([_ilacs("n", None, None, "2020-01-01")], RULES)
    assert report.stats["A101"].passed == report.stats["A102"].passed == 0
    assert all(f.authority is None and f.authority_code is None for f in report.findings)


# --- the canonical identity on findings ------------------------------------------------------------------------

SPELLINGS = ["Liverpool", "liverpool", "LIVERPOOL", " Liverpool City Council ", None]


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(SPELLINGS), code=st.sampled_from(["E08000012", None]))
def test_any_spelling_gives_the_registers_name_and_code(name, code):
    if name is None and code is None:
        return
    # An overall grade two better than the worst judgement: J106 reports it, naming the authority.
    record = _ilacs("r", name, code, "2021-05-01", grade="inadequate")
    record["judgements"]["overall_effectiveness"] = "good"
    report = check([record], RULES)
    assert report.findings
    assert {(f.authority, f.authority_code) for f in report.findings} == {("Liverpool", "E08000012")}


def test_dfe_rows_carry_their_area_and_an_unresolved_name_keeps_its_text(tmp_path):
    rows = [{"id": "eng", "framework": "dfe-cla", "end": "2020-03-31", "area": "ENGLAND", "area_code": "E92000001",
             "populations": {"looked_after": -1}},
            {"id": "odd", "framework": "dfe-cla", "end": "2020-03-31", "area": "Atlantis", "area_code": "E06999999",
             "populations": {"looked_after": -1}}]
    report = check(rows, RULES)
    named = {f.record: (f.authority, f.authority_code) for f in report.findings if f.rule == "R101"}
    assert named == {"eng": ("England", "E92000001"), "odd": ("Atlantis", "E06999999")}


def test_json_and_csv_reports_carry_the_code(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(_ilacs("c", "cumberland", "E10000006", "2024-10-07")) + "\n", encoding="utf-8")
    out = io.StringIO()
    main([str(path), "--format", "json", "--select", "A"], out)
    (finding,) = json.loads(out.getvalue())["findings"]
    assert (finding["authority"], finding["authority_code"]) == ("Cumberland", "E06000063")
    out = io.StringIO()
    main([str(path), "--format", "csv", "--select", "A"], out)
    header, row = out.getvalue().splitlines()[:2]
    assert header.split(",")[2:5] == ["authority", "authority_code", "framework"]
    assert ",Cumberland,E06000063,ilacs,A101," in row


def test_the_fast_path_gives_the_row_engines_report(tmp_path):
    """The same records from a file (fast path: the rules' pass form asks the register) and from memory."""
    records = [_ilacs("a", "cumberland", "E10000006", "2024-10-07"), _ilacs("b", "Liverpol", None, "2020-01-01"),
               _ilacs("c", "Kent", "E10000016", "2020-01-01"), _ilacs("d", None, None, "2020-01-01"),
               _ilacs("e", "Dorset", "E06000059", "2018-02-26"), _visit("f", "westmorland and furness", None,
                                                                        "2024-06-01")]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    from_file = check_paths([str(path)], RULES)
    in_memory = check(records, RULES)
    fields = [(f.rule, f.record, f.message, f.authority, f.authority_code) for f in from_file.findings]
    assert fields == [(f.rule, f.record, f.message, f.authority, f.authority_code) for f in in_memory.findings]
    assert {f.rule for f in from_file.findings} >= {"A101", "A102"}


def test_lookups_are_cached_per_span_of_days():
    """A year of daily records for one authority costs one lookup per span between the register's dates."""
    register = load_register()
    for n in range(366):
        register.identify("Cumberland", "E06000063", dt.date(2023, 1, 1) + dt.timedelta(days=n))
    assert len(register._identities) == 2  # before and from Cumberland's first day, 2023-04-01


# --- --authorities --------------------------------------------------------------------------------------------


def test_a_users_register_adds_authorities(tmp_path):
    data = tmp_path / "r.jsonl"
    data.write_text(json.dumps(_ilacs("x", "Liverpool 2", "E08100152", "2020-01-01")) + "\n", encoding="utf-8")
    extra = tmp_path / "extra.toml"
    extra.write_text('[[authority]]\nid = "liverpool-2"\nname = "Liverpool 2"\ncodes = [{ code = "E08100152" }]\n',
                     encoding="utf-8")
    out = io.StringIO()
    main([str(data), "--format", "json", "--select", "A"], out)
    assert [f["rule"] for f in json.loads(out.getvalue())["findings"]] == ["A102", "A102"]
    out = io.StringIO()
    assert main([str(data), "--format", "json", "--select", "A", "--authorities", str(extra)], out) == 0
    assert json.loads(out.getvalue())["findings"] == []
    # and from the configuration file, as every check option
    (tmp_path / "gradecheck.toml").write_text(f'authorities = ["{extra}"]\n', encoding="utf-8")
    out = io.StringIO()
    assert main([str(data), "--format", "json", "--select", "A", "--config", str(tmp_path / "gradecheck.toml")],
                out) == 0
    # the run's register does not outlive it
    out = io.StringIO()
    main([str(data), "--format", "json", "--select", "A", "--isolated"], out)
    assert len(json.loads(out.getvalue())["findings"]) == 2


def test_a_bad_register_file_is_a_clear_error(tmp_path, capsys):
    data = tmp_path / "r.jsonl"
    data.write_text(json.dumps(_ilacs("x", "Kent", None, "2020-01-01")) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[authority]]\nid = "x"\n', encoding="utf-8")
    assert main([str(data), "--authorities", str(bad)], io.StringIO()) == 2
    assert "bad.toml" in capsys.readouterr().err


# --- histories through the register (docs/authorities.md) -------------------------------------------------------


def test_spellings_and_codes_are_one_history():
    records = [_ilacs("i", "LIVERPOOL", None, "2020-01-06", grade="inadequate"),
               _visit("v1", "Liverpool", "E08000012", "2020-05-01"), _visit("v2", None, "E08000012", "2020-09-01")]
    assert _findings(records, "V") == []


def test_a_text_the_register_does_not_know_is_never_a_known_authoritys_history():
    """
    Liverpool's register id is "liverpool": a visit whose only code is that text, which is no ONS code, is its own
    history, with no inspection before it (undecided), not Liverpool's. Nor is a visit coded "northamptonshire" one
    to Northamptonshire.
    """
    records = [_ilacs("i", "Liverpool", "E08000012", "2020-01-06", grade="inadequate"),
               _visit("v", None, "liverpool", "2020-05-01"),
               _ilacs("n", "Northamptonshire", "E10000021", "2019-06-17", grade="inadequate"),
               _visit("w", None, "northamptonshire", "2019-09-01")]
    report = check(records, RULES)
    assert not report.findings
    assert sorted((u.rule, u.record) for u in report.undecided) == [("V102", "v"), ("V102", "w")]
    # The same visits given the authorities' own codes follow their inadequate inspections.
    records[1], records[3] = _visit("v", None, "E08000012", "2020-05-01"), _visit("w", None, "E10000021", "2019-09-01")
    report = check(records, RULES)
    assert not report.findings
    assert not report.undecided


def test_a_code_of_digits_int_refuses_is_no_la_number_and_breaks_no_rule():
    """'¹' and '²' are digits to str.isdigit but not numbers to int: found by the fuzz test (a V102 error)."""
    records = [_ilacs("i", "x", "²", "2020-01-06", grade="inadequate"), _visit("v", None, "¹", "2020-05-01")]
    report = check(records, RULES)
    assert report.errors == ()
    assert {f.rule for f in report.findings} == {"A102"}
    assert not default_register().resolve("¹", by="la_number")


def test_a_visit_to_a_successor_follows_its_inadequate_predecessor():
    """Northamptonshire inadequate in 2019; a monitoring visit to North Northamptonshire in 2021, before its own."""
    records = [_ilacs("n", "Northamptonshire", "E10000021", "2019-06-17", grade="inadequate"),
               _visit("v", "North Northamptonshire", "E06000061", "2021-09-01")]
    assert _findings(records, "V") == []


def test_a_predecessors_latest_inspection_is_found_by_date_not_by_its_place_in_the_file():
    """The predecessor's inadequate 2019 inspection comes before its 2018 one in the file: the 2019 one stands."""
    records = [_ilacs("n2", "Northamptonshire", "E10000021", "2019-06-17", grade="inadequate"),
               _ilacs("n1", "Northamptonshire", "E10000021", "2018-02-05", grade="requires_improvement"),
               _visit("v", "North Northamptonshire", "E06000061", "2021-09-01")]
    assert _findings(records, "V") == []


def test_a_successors_own_inspection_starts_its_history_afresh():
    records = [_ilacs("n", "Northamptonshire", "E10000021", "2019-06-17", grade="inadequate"),
               _ilacs("own", "North Northamptonshire", "E06000061", "2022-10-03", grade="requires_improvement"),
               _visit("v", "North Northamptonshire", "E06000061", "2023-02-01")]
    report = check(records, RULES)
    (finding,) = [f for f in report.findings if f.rule == "V102"]
    assert "(own, 2022-10-03) was requires_improvement" in finding.message


def test_a_predecessor_that_was_not_inadequate_is_named():
    records = [_ilacs("c", "Cumbria", "E10000006", "2022-09-20", grade="requires_improvement"),
               _visit("v", "Cumberland", "E06000063", "2023-09-01")]
    report = check(records, RULES)
    (finding,) = [f for f in report.findings if f.rule == "V102"]
    assert "predecessor Cumbria" in finding.message
    assert "2023-04-01" in finding.message
    assert (finding.authority, finding.authority_code) == ("Cumberland", "E06000063")


def test_with_several_predecessors_any_inadequate_one_explains_the_visit():
    """BCP from Bournemouth, Poole and Dorset County Council (2019): one inadequate predecessor is enough."""
    records = [_ilacs("b", "Bournemouth", "E06000028", "2018-07-16", grade="requires_improvement"),
               _ilacs("p", "Poole", "E06000029", "2018-03-01", grade="inadequate"),
               _visit("v", "Bournemouth, Christchurch & Poole", "E06000058", "2019-09-01")]
    assert _findings(records, "V") == []


@pytest.fixture(autouse=True)
def _builtin_register():
    use_register(None)
    yield
    use_register(None)
    assert default_register() is not None


# --- the HTML report per authority (issue 15, point 3, part) ---------------------------------------------------


def _timeline_rows(records: list[dict]) -> dict[str, list[str]]:
    """Each timeline row's label and its points' tooltips, from the HTML page."""
    import re
    import xml.etree.ElementTree as ET

    from gradecheck import Origin, record_from_mapping, render

    report = check([record_from_mapping(r, Origin(r.pop("_file", "x.jsonl"), i)) for i, r in enumerate(records, 1)],
                   RULES, events=1000)
    svg = "{http://www.w3.org/2000/svg}"
    rows = {}
    for block in re.findall(r"<svg.*?</svg>", render(report, "html"), flags=re.S):
        tree = ET.fromstring(block)
        label = tree.get("aria-label") or ""
        if ": " in label and "graded inspection" in label:
            rows[label.split(":")[0]] = [t.text or "" for t in tree.iter(f"{svg}title")]
    return rows


def test_timelines_are_keyed_by_the_registers_name():
    rows = _timeline_rows([_ilacs("a", "barking and dagenham", None, "2019-01-07"),
                           _ilacs("b", "Barking & Dagenham", "E09000002", "2022-01-10"),
                           _visit("c", None, "E09000002", "2022-06-01")])
    assert list(rows) == ["Barking and Dagenham"]
    assert len(rows["Barking and Dagenham"]) == 3


def test_statistical_rows_are_not_timeline_points():
    stats = {"id": "s", "framework": "dfe-cla", "end": "2020-03-31", "area": "Kent", "area_code": "E10000016",
             "populations": {"looked_after": 10}}
    rows = _timeline_rows([stats, _ilacs("k", "Kent", "E10000016", "2020-01-06")])
    assert len(rows["Kent"]) == 1


def test_one_inspection_in_several_inputs_is_one_point_marked_where_they_disagree():
    rows = _timeline_rows([
        {**_ilacs("a", "Bexley", None, "2023-02-06"), "_file": "ofsted.csv"},
        {**_ilacs("b", "bexley", None, "2023-02-06"), "_file": "d2i.csv"},
        {**_ilacs("c", "Liverpool", None, "2023-03-06"), "_file": "ofsted.csv"},
        {**_ilacs("d", "Liverpool", None, "2023-03-06", grade="inadequate"), "_file": "article.jsonl"}])
    (bexley,) = rows["Bexley"]
    assert "seen in 2 inputs: ofsted.csv:1" in bexley
    assert "d2i.csv:2" in bexley
    (liverpool,) = rows["Liverpool"]
    assert "seen in 2 inputs, which disagree" in liverpool
    assert "Inadequate" in liverpool


def test_a_users_register_from_python(tmp_path):
    import gradecheck

    extra = tmp_path / "extra.toml"
    extra.write_text('[[authority]]\nid = "anytown"\nname = "Anytown"\ncodes = [{ code = "E06999999" }]\n',
                     encoding="utf-8")
    record = _ilacs("x", "Anytown", "E06999999", "2020-01-01")
    assert _findings([record], "A") == [("A102", "x"), ("A102", "x")]
    gradecheck.use_register(gradecheck.load_register([extra]))
    assert _findings([record], "A") == []
    gradecheck.use_register(None)
    assert _findings([record], "A") == [("A102", "x"), ("A102", "x")]


_REGISTER = default_register()
_NAMES = [*sorted({n for a in _REGISTER.authorities for n in a.names()}), "Liverpol", "Atlantis", "Dorset"]
_CODES = [*sorted({c.code for a in _REGISTER.authorities for c in a.codes}), "921", "909", "A", "E06999999"]


@settings(max_examples=150, deadline=None)
@given(name=st.none() | st.sampled_from(_NAMES), code=st.none() | st.sampled_from(_CODES),
       day=st.none() | st.dates(dt.date(2005, 1, 1), dt.date(2027, 12, 31)),
       earlier=st.dates(dt.date(2005, 1, 1), dt.date(2027, 12, 31)))
def test_the_cache_never_changes_an_answer(name, code, day, earlier):
    """Whatever was asked before (another day for the same keys), the cached answer is the one worked out afresh."""
    register = Register(_REGISTER.authorities, _REGISTER.reorganisations)  # empty caches
    register.identify(name, code, earlier)
    cached, fresh = register.identify(name, code, day), register._identify(name, code, day)
    assert (cached.label, cached.status, cached.conflict) == (fresh.label, fresh.status, fresh.conflict)


@settings(max_examples=150, deadline=None)
@given(name=st.none() | st.sampled_from(_NAMES), code=st.none() | st.sampled_from(_CODES),
       day=st.none() | st.dates(dt.date(2005, 1, 1), dt.date(2027, 12, 31)),
       earlier=st.none() | st.dates(dt.date(2005, 1, 1), dt.date(2027, 12, 31)))
def test_placed_is_the_identity_worked_out_afresh(name, code, day, earlier):
    """The compact answer a passing record gets, after any other question, is the full one's label and status."""
    register = Register(_REGISTER.authorities, _REGISTER.reorganisations)
    register.placed(name, code, earlier)
    register.placed("Kent", "E10000016", earlier)  # another record's question between: the one kept at hand moves on
    fresh = register._identify(name, code, day)
    assert register.placed(name, code, day) == (fresh.label, fresh.status)
    assert register.dated(name, code) == bool(register._changes(name, code))  # a plain answer's span is the only one


def test_placed_for_each_authoritys_own_names_and_codes():
    """Every name and code of every authority, together, on days around its dates: placed is the full answer."""
    register = Register(_REGISTER.authorities, _REGISTER.reorganisations)
    days = [None, dt.date(2005, 1, 1), dt.date(2019, 4, 1), dt.date(2023, 4, 1), dt.date(2027, 12, 31)]
    for a in _REGISTER.authorities:
        for name in a.names():
            for code in (None, *(c.code for c in a.codes)):
                for day in days + [d for c in (a, *a.codes) for d in (c.start, c.end) if d]:
                    fresh = register._identify(name, code, day)
                    assert register.placed(name, code, day) == (fresh.label, fresh.status), (name, code, day)
            assert register.dated(name, code) == bool(register._changes(name, code)), (name, code)


def test_the_status_any_day_is_the_status_on_every_day():
    """
    The columnar engine asks status_any_day once per name and code: wherever it answers, every day's status and
    the status without a day are that answer. Every name and code of the register, paired every way that shares
    a word or a code prefix, and the odd ones, on days either side of every date the register holds.
    """
    from gradecheck.kinds.authority import status, status_any_day

    days = sorted({d for a in _REGISTER.authorities for c in (a, *a.codes) for d in (c.start, c.end) if d})
    probes = [None, dt.date(2005, 1, 1), dt.date(2027, 12, 31), *days,
              *(d - dt.timedelta(days=1) for d in days), *(d + dt.timedelta(days=1) for d in days)]
    pairs = {(n, c) for a in _REGISTER.authorities for n in a.names() for c in [None, *(x.code for x in a.codes)]}
    pairs |= {(n, c) for n in ("Liverpool", "Dorset", "Cumbria", "Liverpol", None) for c in _CODES}
    answered = 0
    for name, code in sorted(pairs, key=str):
        use_register(None)
        whenever = status_any_day(name, None, code, None)
        if whenever is None:
            continue
        answered += 1
        assert {status(name, None, code, None, day, None, None) for day in probes} == {whenever}, (name, code)
    assert answered > len(pairs) // 2  # most pairs are undated: the engine's saving is real


def test_statistical_rows_are_charts_per_authority():
    """Children looked after on 31 March, from an LA table and a rates table, charted under the register's name."""
    import re

    from gradecheck import Origin, record_from_mapping, render

    rows = [{"id": "sfr", "framework": "dfe-cla", "end": "2017-03-31", "area": "LIVERPOOL", "area_code": "E08000012",
             "populations": {"looked_after": 1121}},
            {"id": "ees", "framework": "dfe-cla-rates", "end": "2025-03-31", "area": "Liverpool",
             "area_code": "E08000012", "group": "Children looked after on 31 March each year",
             "populations": {"children": 1416}},
            {"id": "other", "framework": "dfe-cla-rates", "end": "2025-03-31", "area": "Liverpool",
             "area_code": "E08000012", "group": "Children starting to be looked after each year",
             "populations": {"children": 500}}]
    report = check([record_from_mapping(r, Origin("x.csv", i)) for i, r in enumerate(rows, 1)], RULES, events=100)
    assert report.events == ()
    assert [(f.authority, f.value, f.series) for f in report.figures] == [("Liverpool", 1121, "dfe-cla"),
                                                                          ("Liverpool", 1416, "dfe-cla-rates")]
    page = render(report, "html")
    assert 'aria-label="Liverpool: children looked after on 31 March, 2 figures"' in page
    assert re.search(r"<title>Liverpool · 2017-03-31 · children looked after on 31 March: 1121 · x.csv:1</title>", page)
