"""
Hypothesis strategies derived from the rule set: consistent records by construction, and single-fault mutants.

Records come out in the native JSON shape of DESIGN.md section 1 (plain dicts, ready for
``json.dumps``), or as :class:`~gradecheck.Record` objects with ``as_record=True``. Nothing here
filters: parts are drawn and totals derived, judgements are drawn and then an overall grade the rules
allow is chosen, dates are drawn in order. Examples shrink towards the first framework, the earliest
admissible dates, the best grades and zero counts.

This module imports hypothesis; the rest of gradecheck never does.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any

try:
    from hypothesis import strategies as st
except ImportError as err:  # hypothesis is an extra: say which, not just what is missing
    raise ImportError(f"gradecheck.strategies needs hypothesis: pip install 'gradecheck[strategies]' ({err})",
                      name="hypothesis") from err

from .frameworks import Framework, Version
from .kinds.draft import Draft
from .mutants import break_rule, breakable, hold_rule, holdable, why_unbreakable
from .records import Origin, Record, record_from_mapping
from .ruleset import Rule, RuleSet, default_ruleset

__all__ = ["datasets", "records", "satisfying", "violating"]

_EARLIEST = dt.date(2005, 1, 1)
_LATEST = dt.date(2030, 12, 31)
_AUTHORITIES = (
    ("Liverpool", "E08000012"), ("Kent", "E10000016"), ("Barnet", "E09000003"),
    ("Bristol", "E06000023"), ("Norfolk", "E10000020"), ("Wirral", "E08000015"),
)
_THEMES = ("Care leavers", "Front door", "Achieving permanence", "Children in need/subject to a plan")


def _rules(ruleset: RuleSet | None) -> RuleSet:
    return ruleset or default_ruleset()


def _window(
    framework: Framework, version: Version, lo: dt.date | None, hi: dt.date | None,
) -> tuple[dt.date, dt.date] | None:
    starts = [d for d in (framework.start, version.start, lo) if d is not None]
    ends = [d for d in (framework.end, version.end, hi) if d is not None]
    start = max(starts, default=_EARLIEST)
    end = min(ends, default=_LATEST)
    end = min(end, _LATEST) if end >= start else end
    return (start, end) if start <= end else None


@st.composite
def _dates(draw: Any, framework: Framework, lo: dt.date | None, hi: dt.date | None, dated: bool | None,
           need: Callable[[Version], bool] | None = None) -> dict[str, dt.date]:
    windows = [w for v in framework.versions if (need is None or need(v)) and (w := _window(framework, v, lo, hi))]
    if dated is None:
        dated = draw(st.booleans().map(lambda b: not b))  # shrinks towards dated records
    if not windows or not dated:
        return {}
    start_lo, start_hi = draw(st.sampled_from(windows))
    start = draw(st.dates(start_lo, start_hi))
    out = {"start": start}
    if draw(st.booleans().map(lambda b: not b)):
        out["end"] = start + dt.timedelta(days=draw(st.integers(0, 20)))
        if draw(st.booleans().map(lambda b: not b)):
            out["published"] = out["end"] + dt.timedelta(days=draw(st.integers(0, 90)))
    return out


@st.composite
def _draft(
    draw: Any,
    ruleset: RuleSet,
    framework: Framework,
    *,
    full: bool = False,
    lo: dt.date | None = None,
    hi: dt.date | None = None,
    dated: bool | None = None,
    authority: tuple[str, str] | None = None,
    ident: str | None = None,
    grades: Callable[[Sequence[str]], Any] | None = None,
    need: Callable[[Version], bool] | None = None,
) -> Draft:
    """A consistent draft record: everything optional is included when *full*."""
    maybe = (lambda: True) if full else (lambda: draw(st.booleans()))
    dates = draw(_dates(framework, lo, hi, True if full and dated is None else dated, need))
    version = framework.version_at(dates.get("start"))
    draft = Draft(ruleset, framework, version)
    draft.set("id", ident or draw(st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)))
    draft.set("framework", framework.id)
    for name, value in dates.items():
        draft.set(name, value)
    if authority is None and maybe():
        authority = draw(st.sampled_from(_AUTHORITIES))
    if authority is not None:
        draft.set("authority", authority[0])
        draft.set("authority_code", authority[1])
    if framework.graded and framework.scale is not None:
        pick = grades or (lambda names: st.sampled_from(names))
        _judgements(draw, draft, maybe, pick)
        if maybe():
            draft.fill_counts(lambda n, k: draw(_composition(n, k)))
    elif maybe():
        draft.set("theme", draw(st.sampled_from(_THEMES)))
    def number(name: str, lo: int = 0, hi: int = 1000) -> int:
        return draw(st.integers(*draft.bounds_for(name, lo, hi)))

    if maybe():
        draft.fill_populations(number, maybe)
    if maybe():
        draft.set("facts.case_files_reviewed", number("facts.case_files_reviewed", 0, 200))
    if maybe():
        draft.set("facts.seen_within_timescale_percent", number("facts.seen_within_timescale_percent", 0, 100))
    draft.remove_absent()
    return draft


def _judgements(draw: Any, draft: Draft, maybe: Callable[[], bool], pick: Callable[[Sequence[str]], Any]) -> None:
    scale = draft.framework.scale
    version = draft.version
    required = draft.required_judgements()
    forbidden = draft.forbidden_judgements()
    for name in version.judgements:
        if name == version.overall or name in forbidden:
            continue
        if name in required or maybe():
            draft.set("judgements." + name, draw(pick(scale.names)))
    draft.apply_implications()
    if version.overall and version.overall not in forbidden and (version.overall in required or maybe()):
        allowed = draft.overall_candidates()
        if allowed:
            draft.set("judgements." + version.overall, draw(st.sampled_from(allowed)))
    # Any spelling the scale knows is as good as the canonical name: write some that way.
    for name in list(draft.judgement_names()):
        grade = draft.get(name)
        spellings = draft.spellings(grade)
        draft.spell(name, draw(st.sampled_from(spellings)))


@st.composite
def _composition(draw: Any, total: int, parts: int) -> list[int]:
    """*total* split into *parts* non-negative whole numbers: cut points drawn, then differences."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return [b - a for a, b in itertools.pairwise(bounds)]


def _frameworks(ruleset: RuleSet, names: Sequence[str] | None = None) -> list[Framework]:
    chosen = sorted(ruleset.frameworks.values(), key=lambda f: (not f.graded, f.id))
    if names is not None and "*" not in names:
        chosen = [f for f in chosen if f.id in names]
    return chosen


def _finish(draft: Draft, as_record: bool, index: int = 1) -> Any:
    data = draft.to_json()
    if as_record:
        return record_from_mapping(data, Origin("<hypothesis>", index))
    return data


def records(
    framework: str | None = None, ruleset: RuleSet | None = None, *, as_record: bool = False,
) -> st.SearchStrategy[Any]:
    """
    Records that pass every error and warning rule of *ruleset* (the built-in rules by default).

    *framework* fixes the framework id; otherwise every framework of the rule set is drawn,
    including ILACS before and after 2023 and April 2026, and the ungraded visits. Shrinks towards
    the first framework, early dates, the best grades and zero counts.
    """
    rs = _rules(ruleset)
    fws = _frameworks(rs, None if framework is None else [framework])
    if not fws:
        msg = f"unknown framework {framework!r}; expected one of {', '.join(sorted(rs.frameworks))}"
        raise ValueError(msg)
    return st.sampled_from(fws).flatmap(lambda fw: _draft(rs, fw)).map(lambda d: _finish(d, as_record))


def violating(code: str, ruleset: RuleSet | None = None, *, as_record: bool = False) -> st.SearchStrategy[list[Any]]:
    """
    Datasets (lists of records) that break rule *code* and, where the rule set allows, no other rule.

    Record-level rules give one record; dataset-level rules (unique ids, visits, group totals) give
    the few records it takes. Works for any rule loaded from a rule file, by its kind.
    """
    rs = _rules(ruleset)
    rule = rs.rule(code)
    if not breakable(rule.kind):
        msg = f"no way to break rules of kind {rule.kind!r} (rule {code}): {why_unbreakable(rule.kind)}"
        raise NotImplementedError(msg)
    return _built(rs, rule, break_rule, as_record)


def satisfying(code: str, ruleset: RuleSet | None = None, *, as_record: bool = False) -> st.SearchStrategy[list[Any]]:
    """
    Datasets that rule *code* applies to and passes, with no finding from any rule.

    For most rules a consistent record of a framework the rule covers will do (:func:`records`); the
    kinds whose rules need a shape no single drawn record has (a table's Total row beside its
    breakdown, a rate beside its count and population) build one (their ``holds`` method).
    """
    rs = _rules(ruleset)
    rule = rs.rule(code)
    if holdable(rule.kind):
        return _built(rs, rule, hold_rule, as_record)
    from .engine import check

    def passes(rows: list[Any]) -> bool:
        report = check(rows if as_record else [record_from_mapping(r, Origin("-", i)) for i, r in enumerate(rows, 1)],
                       rs)
        return not report.findings and report.stats[code].passed > 0

    if rule.dataset:  # unique ids, visit histories: whole authority histories engage them
        return datasets(rs, as_record=as_record).filter(passes)
    frameworks = [f.id for f in _frameworks(rs, rule.frameworks) if _in_force(f, rule)]
    return st.sampled_from(frameworks).flatmap(lambda f: records(f, rs, as_record=as_record)).map(
        lambda r: [r]).filter(passes)


def _built(rs: RuleSet, rule: Rule, how: Callable[..., list[Draft]], as_record: bool) -> st.SearchStrategy[list[Any]]:
    """Datasets a rule's kind builds for it (*how* is break_rule or hold_rule), drafted under the rule's dates."""
    fws = [f for f in _frameworks(rs, rule.frameworks) if _in_force(f, rule)]
    if not fws:
        msg = f"rule {rule.code} covers no framework in force over its dates"
        raise ValueError(msg)

    @st.composite
    def build(draw: Any) -> list[Any]:
        chosen = draw(st.sampled_from(fws))

        def make(framework: str | None = None, **kw: Any) -> Draft:
            fw = rs.frameworks[framework] if framework else chosen
            kw.setdefault("lo", rule.start)
            kw.setdefault("hi", rule.end)
            return draw(_draft(rs, fw, full=True, **kw))

        drafts = how(rule, make, _Choices(draw))
        return [_finish(d, as_record, i) for i, d in enumerate(drafts, start=1)]

    return build()


class _Choices:
    """A breaker's free choices (``gradecheck.kinds.draft.Chooser``), drawn by hypothesis so they shrink and replay."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]) -> None:
        self._draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return self._draw(st.integers(lo, hi))


def _in_force(framework: Framework, rule: Rule) -> bool:
    return any(_window(framework, v, rule.start, rule.end) for v in framework.versions)


@st.composite
def datasets(draw: Any, ruleset: RuleSet | None = None, *, authorities: int = 3, as_record: bool = False) -> list[Any]:
    """
    Several authorities' inspection histories, consistent with every rule, dataset rules included.

    Each authority gets graded inspections a few years apart under whichever framework was in force,
    monitoring visits only while its latest graded inspection is inadequate, and focused visits
    otherwise. Ids are unique.
    """
    rs = _rules(ruleset)
    count = draw(st.integers(1, max(1, authorities)))
    chosen = draw(st.lists(st.sampled_from(_AUTHORITIES), min_size=count, max_size=count, unique=True))
    graded = [f for f in rs.frameworks.values() if f.graded and f.start is not None]
    out: list[Draft] = []
    for name, code in chosen:
        slug = name.lower()
        day = draw(st.dates(dt.date(2009, 4, 1), dt.date(2024, 12, 31)))
        for step in range(draw(st.integers(1, 4))):
            in_force = sorted((f for f in graded if f.start <= day and (f.end is None or day <= f.end)),
                              key=lambda f: f.id)
            if not in_force:
                break
            fw = draw(st.sampled_from(in_force))
            draft = draw(_draft(rs, fw, full=True, lo=day, hi=day, authority=(name, code),
                                ident=f"{slug}-{step}-{fw.id}"))
            out.append(draft)
            standing = draft.standing()
            gap = dt.timedelta(days=draw(st.integers(400, 1200)))
            visit_kind = "monitoring-visit" if standing == "inadequate" else "focused-visit"
            if visit_kind in rs.frameworks:
                vday = day + dt.timedelta(days=30)
                for v in range(draw(st.integers(0, 3))):
                    vday += dt.timedelta(days=draw(st.integers(60, 200)))
                    if vday >= day + gap:
                        break
                    visit = draw(_draft(rs, rs.frameworks[visit_kind], full=False, lo=vday, hi=vday, dated=True,
                                        authority=(name, code), ident=f"{slug}-{step}-visit-{v}"))
                    out.append(visit)
            day += gap
    return [_finish(d, as_record, i) for i, d in enumerate(out, start=1)]


def _register() -> None:
    st.register_type_strategy(Record, records(as_record=True))


_register()
