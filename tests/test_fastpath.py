"""The fast path and the parallel split change speed only: findings, unknowns and counts are identical."""

from __future__ import annotations

import datetime
import json

import attrs
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import gradecheck
from gradecheck import check, check_paths, load_ruleset, write_csv, write_jsonl
from gradecheck.engine import parallel
from gradecheck.engine.fastpath import UNSURE, FastPath
from gradecheck.strategies import datasets, records, violating
from gradecheck.writers import flatten

RULESET = load_ruleset()
CODES = [r.code for r in RULESET.rules]
FIXTURE = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
# Each example of the split test forks workers: a sixth of the profile's examples (8 by default, 83 with
# HYPOTHESIS_PROFILE=ci) keeps the suite under a minute on two cores.
FORKING = settings(FIXTURE, max_examples=max(8, settings.default.max_examples // 6))


def _essence(report: gradecheck.Report) -> dict:
    """Everything a user sees, minus nothing: findings in order with their details, unknowns, counts."""
    out = json.loads(gradecheck.render(report, "json", statistics=True))
    for item in out["findings"] + out["unknown"]:
        item["source"] = item["source"].rsplit(":", 1)[1]  # the file names differ, the lines must not
    for item in out["unreadable"]:
        item["source"] = item["source"].rsplit(":", 1)[1]
    out["summary"].pop("files", None)
    out.pop("inputs", None)
    return out


def _both(tmp_path, batch: list[dict], writer, suffix: str) -> tuple[dict, dict]:
    path = tmp_path / f"data{suffix}"
    path.write_text(writer(batch))
    slow = check([r.parse() if hasattr(r, "parse") else r for r in gradecheck.read_path(str(path))], RULESET)
    fast = check_paths([str(path)], RULESET, workers=1)
    return _essence(slow), _essence(fast)


@FIXTURE
@given(st.lists(records(), min_size=1, max_size=6, unique_by=lambda r: r["id"]), st.data())
@pytest.mark.parametrize(("writer", "suffix"), [(write_jsonl, ".jsonl"), (write_csv, ".csv")])
def test_fast_path_agrees_with_the_ordinary_path(tmp_path, writer, suffix, batch, data):
    """Consistent records plus mutants of any rule: the same report whichever path checks them."""
    batch = batch + data.draw(violating(data.draw(st.sampled_from(CODES))))
    slow, fast = _both(tmp_path, batch, writer, suffix)
    assert slow == fast


_FACTS = st.dictionaries(st.sampled_from(["case_files_reviewed", " case_files_reviewed", "pct x ", "x.y", "", "é"]),
                         st.integers(-5, 200) | st.floats(allow_nan=True) | st.none() | st.just("7"), max_size=3)


@FIXTURE
@given(st.lists(st.tuples(records(), _FACTS), min_size=1, max_size=4))
def test_fast_path_agrees_on_facts_of_any_names(tmp_path, pairs):
    """
    Facts whose names the general reading has taken are read as they are, from the second record on: each
    record is written twice, so that the second reads its facts the quick way. Odd names, blanks, markers and
    non-numbers must give the same report as the ordinary path's.
    """
    batch = []
    for n, (record, facts) in enumerate(pairs):
        for copy in range(2):
            batch.append({**record, "id": f"{record['id']}-{n}-{copy}", "facts": facts})
    slow, fast = _both(tmp_path, batch, write_jsonl, ".jsonl")
    assert slow == fast


@FIXTURE
@given(datasets())
def test_fast_path_agrees_on_histories(tmp_path, dataset):
    """Dataset rules see the same records whether they passed the fast path or not."""
    slow, fast = _both(tmp_path, dataset, write_jsonl, ".jsonl")
    assert slow == fast


_RATES_HEADER = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
                 "old_la_code,la_name,new_la_code,population_type,population_estimate,children_count,rate_per_10000")
_FIGURE = st.one_of(st.integers(0, 200_000).map(str), st.sampled_from(["c", "x", "z", "low", "", "1,250", "12.5", "-3",
                                                                       " 40 ", "4e2"]))
# Where a row is about: England, a region, authorities (one given another's code, one a code of the past).
_PLACES = st.sampled_from([
    ("National", "E92000001", "England", "", "", "", "", ""),
    ("Regional", "E92000001", "England", "E12000002", "North West", "", "", ""),
    ("Local authority", "E92000001", "England", "E12000002", "North West", "341", "Liverpool", "E08000012"),
    ("Local authority", "E92000001", "England", "E12000002", "North West", "344", "Wirral", "E08000012"),
    ("Local authority", "E92000001", "England", "E12000009", "South West", "835", "Dorset", "E10000009")])
_RATES_ROW = st.tuples(
    _PLACES,
    st.integers(2010, 2025), st.sampled_from(["Children looked after on 31 March each year",
                                              "Children starting to be looked after each year"]),
    _FIGURE, _FIGURE, _FIGURE)


@FIXTURE
@given(st.lists(_RATES_ROW, min_size=1, max_size=8))
def test_fast_path_agrees_on_a_published_layout(tmp_path, rows):
    """
    Rows of DfE's rates table, read through its profile (typed figures, rounded and suppressed ones, a code and a
    name of two authorities): the same report whichever path checks them.
    """
    lines = [_RATES_HEADER]
    for (level, country, name, region, region_name, old, la, code), year, population, *figures in rows:
        cells = [str(year), "Reporting year", level, country, name, region, region_name, old, la, code, population,
                 *figures]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    slow, fast = _both(tmp_path, [], lambda _: "\n".join(lines) + "\n", ".csv")
    assert slow == fast


_PLACEMENTS_HEADER = ("time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
                      "region_name,old_la_code,la_name,new_la_code,characteristic,breakdown,children_count,"
                      "children_percent")
_SHARE = st.one_of(st.integers(0, 100).map(str), st.sampled_from(["c", "x", "", "12.5", "101", "-1"]))


@FIXTURE
@given(st.lists(st.tuples(_PLACES, st.sampled_from(["Total", "Placed inside LA boundary less than 20 miles from home",
                                                    "Placed outside LA boundary more than 20 miles from home"]),
                          _FIGURE, _SHARE), min_size=1, max_size=9))
def test_fast_path_agrees_on_a_published_layout_with_group_rules(tmp_path, rows):
    """DfE's new placements table (group totals and shares over typed figures): the same report on both paths."""
    lines = [_PLACEMENTS_HEADER]
    for place, breakdown, count, share in rows:
        level, country, name, region, region_name, old, la, code = place
        cells = ["2024", "Reporting year", level, country, name, region, region_name, old, la, code,
                 "Location of new placements during the year", breakdown, count, share]
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    slow, fast = _both(tmp_path, [], lambda _: "\n".join(lines) + "\n", ".csv")
    assert slow == fast


def test_fast_path_decides_consistent_records():
    """A plain consistent record is decided by the fast path (so it is worth having)."""
    fast = FastPath(RULESET)
    record = {"id": "x", "framework": "ilacs", "start": "2019-01-07", "judgements": {
        "overall_effectiveness": "Good", "impact_of_leaders": "good", "help_and_protection": "Good",
        "children_in_care": "Requires improvement to be good"}, "populations": {"looked_after": 10, "foster_care": 7}}
    hit = fast.check(record, False)
    assert hit is not None
    assert {"I101", "J101", "P101", "R101"} <= {r.code for r in hit.passed}
    assert "C102" not in {r.code for r in hit.passed}  # no grade counts: the rule does not apply


@pytest.mark.parametrize("record", [
    {"id": "x", "framework": "ilacs", "start": "2019-01-07", "judgements": {"overall_effectiveness": "Goood"}},
    {"id": "x", "framework": "slac", "populations": {"looked_after": "939"}},
    {"id": "x", "framework": "slac", "populations": {"looked_after": {"value": 940, "rounded_to": 10}}},
    {"id": "x", "framework": "slac", "populations": {"foster_cre": 1}},
    {"id": "x", "framework": "slac", "populations": {"looked_after": 5, "children_looked_after": 5}},
    {"id": "x", "framework": "ILACS", "start": "2019-01-07"},
    {"id": "x", "framework": "ilacs"},
    {"id": "x", "framework": "slac", "start": "2011-02-30"},
    {"id": "x", "framework": "slac", "grade_counts": {"good": True}},
], ids=["unknown-grade", "text-count", "rounded", "unknown-field", "alias-collision", "folded-framework",
        "undated-multi-version", "impossible-date", "bool-count"])
def test_fast_path_leaves_the_unusual_to_the_ordinary_path(record):
    """Anything unusual is 'not sure', so only the ordinary path ever reports."""
    assert FastPath(RULESET).check(record, False) is None


@FORKING
@given(st.lists(records(), min_size=4, max_size=12), datasets(), st.data())
@pytest.mark.parametrize(("writer", "suffix"), [(write_jsonl, ".jsonl"), (write_csv, ".csv")])
def test_parallel_split_gives_the_same_report(tmp_path, monkeypatch, writer, suffix, batch, history, data):
    """
    Split over three workers (forced on a small file), the report is the single-process report.

    Dataset rules included: each worker folds its share into summaries, which merge in file order, so
    a repeated id, an authority's history or a group may span the workers' shares.
    """
    rules = RULESET
    batch = batch + history + data.draw(violating(data.draw(st.sampled_from(CODES))))
    batch = data.draw(st.permutations(batch))
    text = writer(batch)
    if suffix == ".csv":  # a quoted cell with a newline in it must never be split
        lines = text.splitlines()
        header = lines[0].split(",")
        if "source" not in header:
            text = "\n".join([lines[0] + ",source"] + [line + ',"two\nlines, ""quoted"""' for line in lines[1:]]) + "\n"
    path = tmp_path / f"data{suffix}"
    path.write_text(text)
    monkeypatch.setattr(parallel, "MIN_BYTES", 0)
    one = check_paths([str(path)], rules, workers=1)
    three = check_paths([str(path)], rules, workers=3)
    assert gradecheck.render(one, "json", statistics=True) == gradecheck.render(three, "json", statistics=True)
    assert one.records == len(batch)


_ODD_CELLS = st.sampled_from(["", " ", " 7 ", "7.0", "-3", "1,000", "c", "x", "z", "Good", " good", "GOOD", "RI",
                              "Requires improvement to be good", "Goood", "2019-01-07", "2019-02-30", "\u00a0", "0"])


# Keys and values a JSON record's groups may hold besides the canonical: aliases, other spellings, odd types.
_ODD_KEYS = st.sampled_from(["placed_with_family", "cla", "foster_care", "Foster_care", "looked_after ", "good", "Good",
                             "requires_improvement", "goood", "overall_effectiveness", "impact_of_leaders", "x"])
_ODD_VALUES = st.sampled_from([7, 0, -3, "7", 7.0, 7.5, True, None, "Good", " good", "Outstanding", "", [1],
                               {"value": 940, "rounded_to": 10}])


@FIXTURE
@given(st.lists(records(), min_size=1, max_size=4), st.data())
@pytest.mark.parametrize("text", [True, False], ids=["csv-cells", "json"])
def test_reading_by_shape_agrees_with_the_general_reading(text, batch, data):
    """
    Records read and judged by their key shape's generated function give what the general reading and
    the version's plan give (the same record, version and verdicts), or both are unsure.

    Cells are replaced with odd text (blanks, markers, spellings, decimals), and JSON groups given odd
    keys and values (aliases, other spellings, text for numbers), so both readings' edges meet.
    """
    fast, counting = FastPath(RULESET), FastPath(RULESET, counting=True)
    batch = batch + data.draw(violating(data.draw(st.sampled_from(CODES))))  # so that some rule is unsure
    columns = sorted({k for record in batch for k in flatten(record)})  # as in a CSV file: blank where missing
    for record in batch:
        raw = record
        if text:
            flat = flatten(record)
            raw = {k: "" if flat.get(k) is None else str(flat[k]) for k in columns}
            for key in data.draw(st.lists(st.sampled_from(columns), max_size=6)):
                raw[key] = data.draw(_ODD_CELLS)
        else:
            raw = json.loads(json.dumps(record))
            groups = [g for g in ("judgements", "grade_counts", "populations", "facts") if isinstance(raw.get(g), dict)]
            for group in data.draw(st.lists(st.sampled_from(groups), max_size=3)) if groups else ():
                raw[group][data.draw(_ODD_KEYS)] = data.draw(_ODD_VALUES)
        compiled = fast.framework(raw.get("framework"))
        if compiled is None:
            continue
        shaped = fast.check(raw, text)  # the generated reader of this key shape, judging as it reads
        try:
            general = fast._general(raw, text, compiled)  # the general reading, then the version's plan
        except Exception:
            general = None
        assert shaped == general
        # Counting only, a record no rule is unsure of is (plan, verdicts); any other, the same Hit.
        counted = counting.check(raw, text)
        if general is not None and UNSURE not in general.verdicts:
            assert counted == (counting.framework(raw["framework"]).plans[id(general.version)], general.verdicts)
        else:
            assert counted == (general and general._replace(plan=counted.plan))


@pytest.mark.parametrize("line", [
    '{"id": "x", "framework": "slac", "populations": {"looked_after": 5, "looked_after": 6}}',
    '{"id": "x", "framework": "slac", "id": "y"}',
    '{"id": "x", "framework": "ilacs", "start": "2019-01-07", "judgements": {"overall_effectiveness": "Good", '
    '"overall_effectiveness": "Inadequate", "impact_of_leaders": "Good"}}',
], ids=["group", "top", "judgement"])
def test_a_repeated_key_is_never_passed(tmp_path, line):
    """The fast path reads what the C decoder kept (the last value): a record with a repeated key is unreadable."""
    path = tmp_path / "dup.jsonl"
    path.write_text(line + "\n")
    report = check_paths([str(path)], RULESET, workers=1)
    assert (report.records, report.checked, len(report.unreadable)) == (1, 0, 1)
    assert "duplicate key" in report.unreadable[0].error


def test_many_key_shapes_are_read_the_general_way_past_the_cap():
    """Past 64 key shapes no more code is generated, and records are still judged (the general way), alike."""
    import itertools

    fast = FastPath(RULESET)
    record = {"id": "x", "framework": "ilacs", "start": "2019-01-07", "note": "n",
              "judgements": {"overall_effectiveness": "Good", "impact_of_leaders": "Good"}}
    orders = list(itertools.permutations(record))[:100]
    hits = [fast.check({k: record[k] for k in order}, False) for order in orders]
    assert len(fast.frameworks["ilacs"].shapes) == 64
    assert all(h is not None and h.verdicts == hits[0].verdicts for h in hits)


_GROUP_VALUES = st.none() | st.dictionaries(st.sampled_from(["a", "b_pct", "c_pct"]), st.integers(-5, 5), max_size=3)


@given(st.sampled_from(["min", "max"]),
       st.lists(st.sampled_from(["scalar", "g", "h", "g_pct", "h_other"]), max_size=4),
       st.integers(-5, 5) | st.none(), _GROUP_VALUES, _GROUP_VALUES)
@example("min", ["g", "h"], None, {"a": 1}, None)  # one group of two with members: its values count
@example("max", [], None, None, None)  # nothing to take the largest of
@settings(max_examples=300)  # cheap: one small function compiled an example
def test_generated_min_and_max_agree_with_a_plain_model(which, items, scalar, g, h):
    """A Min or Max over present values of scalars and groups (all members, a glob, all but some): None when none."""
    from gradecheck.engine.fastcode import Compiler, Source
    from gradecheck.kinds import forms as f

    forms = {"scalar": f.Field("", "start"), "g": f.Members("g"), "h": f.Members("h"),
             "g_pct": f.Members("g", pattern="*_pct"), "h_other": f.Members("h", exclude={"a"})}
    framework = RULESET.frameworks["ilacs"]
    src = Source()
    compiler = Compiler(framework, framework.versions[0], src)
    node = (f.Min if which == "min" else f.Max)([forms[i] for i in items])
    code, _ = compiler.expr(node)
    binds = [f"{local} = top.get({src.const(name)})" for name, local in src.tops.items()]
    binds += [f"{local} = groups.get({src.const(name)})" for name, local in src.groups.items()]
    run = src.compile(["def run(top, groups):", *[f"    {line}" for line in [*binds, *compiler.lines]],
                       f"    return {code}"], "run")
    groups = {name: members for name, members in (("g", g), ("h", h)) if members}
    values = {"scalar": [scalar] if scalar is not None else [], "g": list((g or {}).values()),
              "h": list((h or {}).values()), "g_pct": [v for k, v in (g or {}).items() if k.endswith("_pct")],
              "h_other": [v for k, v in (h or {}).items() if k != "a"]}
    present = [v for i in items for v in values[i]]
    expected = (min if which == "min" else max)(present, default=None)
    assert run({"start": scalar} if scalar is not None else {}, groups) == expected


@pytest.mark.parametrize("authority_rules", [True, False])
def test_a_record_is_placed_on_its_own_day_when_a_name_and_code_changed_hands(tmp_path, authority_rules):
    """
    Two authorities that had one name and code at different times: each record is placed as the one of its day,
    whether the A rules' pass form placed it just before the fold (which then takes the register's last answer) or
    not.
    Consecutive records of one name and code must not share an answer given for another day: the visit is the later
    authority's, which has no graded inspection before it, not the earlier's good one.
    """
    from gradecheck.authorities import load_register, use_register

    register = tmp_path / "register.toml"
    register.write_text(
        '[[authority]]\nid = "oldtown-a"\nname = "Oldtown"\nto = 2020-03-31\ncodes = [{ code = "E06900021" }]\n\n'
        '[[authority]]\nid = "oldtown-b"\nname = "Oldtown"\nfrom = 2020-04-01\ncodes = [{ code = "E06900021" }]\n',
        encoding="utf-8")
    good = dict.fromkeys(("overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care"),
                         "Good")
    batch = [{"id": "oldtown-2019", "authority": "Oldtown", "authority_code": "E06900021", "framework": "ilacs",
              "start": "2019-05-13", "end": "2019-05-24", "published": "2019-07-01", "judgements": good},
             {"id": "oldtown-2021-mv", "authority": "Oldtown", "authority_code": "E06900021",
              "framework": "monitoring-visit", "start": "2021-06-01", "published": "2021-07-01"}]
    ruleset = RULESET if authority_rules else RULESET.select(ignore=["A101", "A102"])
    path = tmp_path / "data.jsonl"
    path.write_text(write_jsonl(batch))
    use_register(load_register([register]))
    try:
        slow = check(list(gradecheck.read_path(str(path))), ruleset)
        fast = check_paths([str(path)], ruleset, workers=1)
    finally:
        use_register(None)
    assert _essence(fast) == _essence(slow)
    [unknown] = [u for u in fast.undecided if u.rule == "V102"]
    assert unknown.cause == "no_history"
    assert not [f for f in fast.findings if f.rule == "V102"]


def test_a_record_naming_an_authority_and_an_area_is_placed_by_its_authority(tmp_path):
    """
    identify reads ``authority`` before ``area``: the fold takes the register's last answer only for that name, so a
    record whose area is the name the record before it gave is not placed as that one (with the A rules ignored,
    nothing asks the register between the two records).
    """
    good = dict.fromkeys(("overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care"),
                         "Good")
    visit = {"framework": "monitoring-visit", "start": "2021-06-01", "published": "2021-07-01"}
    batch = [{"id": "liverpool-2020", "authority": "Liverpool", "authority_code": "E08000012", "framework": "ilacs",
              "start": "2020-01-13", "end": "2020-01-24", "published": "2020-03-01", "judgements": good},
             {"id": "liverpool-mv", "authority": "Liverpool", **visit},
             {"id": "leeds-mv", "authority": "Leeds", "area": "Liverpool", **visit}]
    ruleset = RULESET.select(ignore=["A101", "A102"])
    path = tmp_path / "data.jsonl"
    path.write_text(write_jsonl(batch))
    slow = check(list(gradecheck.read_path(str(path))), ruleset)
    fast = check_paths([str(path)], ruleset, workers=1)
    assert _essence(fast) == _essence(slow)
    assert [(f.record, f.authority) for f in fast.findings if f.rule == "V102"] == [("liverpool-mv", "Liverpool")]
    assert [u.record for u in fast.undecided if u.rule == "V102"] == ["leeds-mv"]  # Leeds: no inspection before


_GOOD = dict.fromkeys(("overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care"), "Good")
_RULE = ('[[rule]]\ncode = "Z901"\ntitle = "t"\nseverity = "error"\nframeworks = ["ilacs"]\nsource = "s"\n'
         'kind = "{kind}"\nfields = {fields}\n{more}')


@pytest.mark.parametrize(("kind", "fields", "more", "second"), [
    # From a day inside a version: the rule applies to the second record and not the first.
    ("absent", '["judgements.help_and_protection"]', "from = 2020-01-01\n", {}),
    # A top-level field beside the judgements: the second record has the same judgements and no end date.
    ("present", '["judgements.help_and_protection", "end"]', "", {"end": None}),
])
def test_remembered_verdicts_are_only_those_the_judgements_and_counts_decide(tmp_path, kind, fields, more, second):
    """
    The verdicts of rules that read only the judgements and grade counts are remembered by those members
    (fastcode.verdict_lines). Two records with the same judgements and counts: a rule that also reads a date or
    another field must be judged again for the second, which it fails.
    """
    extra = tmp_path / "mine.toml"
    extra.write_text(_RULE.format(kind=kind, fields=fields, more=more), encoding="utf-8")
    ruleset = load_ruleset([extra])
    base = {"authority": "Liverpool", "authority_code": "E08000012", "framework": "ilacs",
            "judgements": _GOOD, "grade_counts": {"good": 4}}
    first = {**base, "id": "first", "start": "2019-06-17", "end": "2019-06-28", "published": "2019-08-05"}
    later = {**base, "id": "later", "start": "2021-06-14", "end": "2021-06-25", "published": "2021-08-02"}
    later = {k: v for k, v in {**later, **second}.items() if v is not None}
    path = tmp_path / "data.jsonl"
    path.write_text(write_jsonl([first, later]))
    slow = check(list(gradecheck.read_path(str(path))), ruleset)
    fast = check_paths([str(path)], ruleset, workers=1)
    assert _essence(fast) == _essence(slow)
    assert [f.record for f in fast.findings if f.rule == "Z901"] == ["later"]


def test_a_rule_reading_a_call_or_a_top_level_field_or_dated_is_not_remembered():
    """What the compiler notes a rule reads: verdict_lines remembers a verdict only when it is a set of groups."""
    from gradecheck.engine.fastcode import Compiler, Source
    from gradecheck.kinds import forms as f

    framework = RULESET.frameworks["ilacs"]
    compiler = Compiler(framework, framework.versions[0], Source())
    template = next(r for r in RULESET.rules if r.code == "J101")

    class Check:
        def __init__(self, form):
            self.form = form

        def passes(self, framework, version):
            return self.form

    def reads(form, **dates):
        compiler.rule(attrs.evolve(template, check=Check(f.Decide([(form, f.PASS)], f.UNSURE)), **dates))
        return compiler.reads

    counts = f.Cmp("<=", f.Sum([f.Members("grade_counts")]), f.Const(5))
    judged = f.Cmp("==", f.Rank("help_and_protection"), f.Const(1))
    assert reads(f.And([counts, judged])) == {"grade_counts", "judgements"}
    assert reads(f.And([counts, f.Not(f.IsNull(f.Field("", "end")))])) is None
    assert reads(f.And([judged, f.Cmp("==", f.Call(len, [f.Field("judgements", "care_leavers")]), f.Const(1))])) is None
    assert reads(judged, start=datetime.date(2020, 1, 1)) is None
    assert reads(judged, end=datetime.date(2020, 1, 1)) is None
