"""
One self-contained HTML page for people: summary, pictures (inline SVG drawn here), findings by rule and by authority.

No script, no network, no external file: a strict Content-Security-Policy says so to the browser
(everything refused but the page's one style sheet, allowed by its hash). Every text from the data
is escaped. The pictures are a chart of findings per rule and, when the report carries events
(``check(..., events=N)``, ``check_paths(..., events=N)``; the command line asks for them), a
timeline per authority of its graded inspections (grade as colour and letter) and visits, with the
records that have findings marked and linked.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ..ruleset import Rule, RuleSet
from ..values import jsonable
from .model import Event, Finding, Report
from .unknowns import CAUSE_WORDS, listed, not_listed

__all__ = ["GRADE_COLOURS", "render_html"]

#: Fill and text colours from the best grade to the worst (scales with more or fewer steps are spread over them).
GRADE_COLOURS = (("#1a7f37", "#ffffff"), ("#8fd18f", "#0b2e13"), ("#f2b134", "#2b1d00"), ("#c62828", "#ffffff"))
_ERROR, _WARNING, _VISIT, _INK, _GRID = "#c62828", "#b26a00", "#6e7781", "#1f2328", "#d0d7de"
#: Findings listed on the page in each grouping, and rows per group: the rest are counted, the page stays openable.
MAX_LISTED, MAX_PER_GROUP = 5000, 300
_MAX_LANES = 6

_CSS = """
:root{color-scheme:light}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;\
color:#1f2328;margin:0;background:#f6f8fa}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px;background:#fff}
h1{font-size:26px;margin:8px 0 4px}\
h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:16px;margin:18px 0 6px}
nav a{margin-right:14px}a{color:#0550ae}
.meta{color:#57606a;font-size:13px;overflow-wrap:anywhere}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.tile{border:1px solid #d0d7de;border-radius:6px;padding:8px 14px;min-width:92px}
.tile b{display:block;font-size:22px}.tile span{color:#57606a;font-size:13px}
.tile.bad b{color:#c62828}.tile.warn b{color:#b26a00}
.status{padding:10px 14px;border-radius:6px;font-weight:600;margin:12px 0}
.status.fail{background:#ffebe9;border:1px solid #ff8182}.status.pass{background:#dafbe1;border:1px solid #4ac26b}
svg.chart{width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;margin:6px 0 14px;font-size:13.5px}
th,td{border:1px solid #d0d7de;padding:4px 7px;text-align:left;vertical-align:top}
td.id,td.msg,td.val{overflow-wrap:anywhere}td.id{min-width:9em}
th{background:#f6f8fa}tbody tr:nth-child(even){background:#fbfcfd}
td.msg{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
td.num{text-align:right}
.sev-error{color:#c62828;font-weight:600}.sev-warning{color:#b26a00;font-weight:600}
details{margin:6px 0}summary{cursor:pointer;font-weight:600}
.note{color:#57606a;font-style:italic}
:target{outline:3px solid #f2b134}
@media print{nav{display:none}details{display:block}}
""".strip()


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _cell(value: Any) -> str:
    value = jsonable(value)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return _e(json.dumps(value, ensure_ascii=False))
    return _e(value)


def _anchor(prefix: str, key: str) -> str:
    return f"{prefix}-{hashlib.sha256(key.encode()).hexdigest()[:12]}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _grade_colour(event: Event) -> tuple[str, str]:
    if event.rank is None or event.steps < 2:
        return ("#ffffff", _INK)
    i = round(event.rank * (len(GRADE_COLOURS) - 1) / (event.steps - 1))
    return GRADE_COLOURS[max(0, min(i, len(GRADE_COLOURS) - 1))]


def _grade_letter(event: Event) -> str:
    grade = event.grade or ""
    if grade.isdigit():
        return grade
    if grade == "requires_improvement":
        return "RI"
    return grade[:1].upper() or "?"


# --- pictures -----------------------------------------------------------------------------------

def _rule_chart(report: Report, titles: dict[str, str]) -> str:
    """Horizontal bars: findings per rule, most first; errors red, warnings amber, and labelled so."""
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in report.findings:
        per_rule[f.rule][0 if f.severity == "error" else 1] += 1
    if report.omitted and report.triage is None:  # findings left out of the listing (--max-findings) still count
        for code, s in report.stats.items():
            listed = sum(per_rule[code]) if code in per_rule else 0
            if s.findings > listed:
                per_rule[code][0 if _severity(report, code) == "error" else 1] += s.findings - listed
    rows = sorted(((sum(v), code, v) for code, v in per_rule.items() if sum(v)), key=lambda t: (-t[0], t[1]))
    if not rows:
        return '<p class="note">No findings, so no chart.</p>'
    width, label_w, row_h, top = 1000, 430, 24, 8
    bar_w = width - label_w - 70
    most = rows[0][0]
    height = top + row_h * len(rows) + 10
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="Findings per rule: {_e(", ".join(f"{c} {n}" for n, c, _ in rows))}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="13">']
    for i, (n, code, (errors, warnings)) in enumerate(rows):
        y = top + i * row_h
        title = titles.get(code, "")
        label = f"{code}  {title}"
        short = label if len(label) <= 58 else label[:56] + "…"
        severity = "error" if errors else "warning"
        parts.append(f'<g><title>{_e(label)}: {n} finding{"s" if n != 1 else ""} ({severity})</title>')
        parts.append(f'<a href="#{_anchor("rule", code)}"><text x="{label_w - 8}" y="{y + 16}" text-anchor="end" '
                     f'fill="{_INK}">{_e(short)}</text></a>')
        x = label_w
        for count, colour in ((errors, _ERROR), (warnings, _WARNING)):
            if count:
                w = max(2.0, bar_w * count / most)
                parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                             f'fill="{colour}" rx="2"/>')
                x += w
        tag = "" if errors and not warnings else (" warning" if not errors else f" ({warnings} warning)")
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 16}" fill="{_INK}">{n}{_e(tag)}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts)


def _severity(report: Report, code: str) -> str:
    return next((f.severity for f in report.findings if f.rule == code), "error")


def _legend() -> str:
    items = [("Outstanding", "O", *GRADE_COLOURS[0]), ("Good", "G", *GRADE_COLOURS[1]),
             ("Adequate / Requires improvement", "A RI", *GRADE_COLOURS[2]), ("Inadequate", "I", *GRADE_COLOURS[3])]
    parts = ['<svg class="chart" viewBox="0 0 1000 34" role="img" '
             'aria-label="Legend: grade colours, visits and findings" '
             'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="13">']
    x = 4
    for name, letter, fill, ink in items:
        parts.append(f'<rect x="{x}" y="6" width="22" height="22" rx="3" fill="{fill}" stroke="{_INK}" '
                     'stroke-width="0.6"/>'
                     f'<text x="{x + 11}" y="21" text-anchor="middle" font-size="10" font-weight="700" fill="{ink}">'
                     f'{_e(letter.split()[-1])}</text><text x="{x + 28}" y="22" fill="{_INK}">{_e(name)}</text>')
        x += 40 + 7 * len(name)
    parts.append(f'<path d="M{x + 8} 8 L{x + 16} 17 L{x + 8} 26 L{x} 17 Z" fill="{_VISIT}"/>'
                 f'<text x="{x + 22}" y="22" fill="{_INK}">visit (ungraded)</text>')
    x += 140
    parts.append(f'<circle cx="{x + 9}" cy="17" r="9" fill="none" stroke="{_ERROR}" stroke-width="3"/>'
                 f'<text x="{x + 24}" y="22" fill="{_INK}">has findings (count above)</text>')
    x += 200
    parts.append(f'<text x="{x}" y="22" fill="{_ERROR}" font-weight="700">≠3</text>'
                 f'<text x="{x + 24}" y="22" fill="{_INK}">in 3 inputs, which disagree</text>')
    parts.append("</svg>")
    return "".join(parts)


def _year_range(events: Sequence[Event]) -> tuple[int, int] | None:
    days = [e.day for e in events if e.day is not None]
    if not days:
        return None
    first, last = min(days).year, max(days).year
    return first, max(last + 1, first + 1)


def _timeline(authority: str, events: Sequence[Event], years: tuple[int, int] | None,
              marks: dict[Any, list[Finding]], link: dict[Any, str], undated_w: int) -> str:
    """
    One authority's history on a time axis shared by every row; undated records right of a dashed rule.

    Markers closer than their width go to a lane below, so dates stay where they are and nothing
    overlaps; a row has at most _MAX_LANES lanes, and what does not fit is counted.
    """
    width, label_w, lane_h, top, marker_w = 1000, 170, 40, 30, 20
    seen = _seen_in(events)
    events = list(seen)
    undated = [e for e in events if e.day is None]
    x0, x1 = label_w, width - 16 - undated_w
    lo, hi = years or (2000, 2001)  # no dated record: the axis is not drawn
    span = (dt.date(hi, 1, 1) - dt.date(lo, 1, 1)).days or 1

    def xpos(day: dt.date) -> float:
        return x0 + (x1 - x0) * (day - dt.date(lo, 1, 1)).days / span

    placed: list[tuple[Event, float, int]] = []
    ends: list[float] = []
    left_out = 0
    for e in sorted((e for e in events if e.day is not None), key=lambda e: (e.day, e.record)):
        x = xpos(e.day)  # type: ignore[arg-type]
        lane = next((i for i, end in enumerate(ends) if x - end >= marker_w), None)
        if lane is None and len(ends) < _MAX_LANES:
            lane = len(ends)
            ends.append(-1e9)
        if lane is None:
            left_out += 1
            continue
        ends[lane] = x
        placed.append((e, x, lane))
    ux = width - undated_w
    per_lane = max(1, (undated_w - 12) // 26)
    for i, e in enumerate(undated[: per_lane * _MAX_LANES]):
        placed.append((e, ux + 12 + 26 * (i % per_lane), i // per_lane))
    left_out += max(0, len(undated) - per_lane * _MAX_LANES)
    lanes = max([lane + 1 for _, _, lane in placed], default=1)
    axis_y = top + lane_h * (lanes - 1) + 30
    height = axis_y + 6
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'aria-label="{_e(_timeline_label(authority, seen, marks))}" xmlns="http://www.w3.org/2000/svg" '
             f'font-family="system-ui,sans-serif" font-size="12">',
             f'<text x="4" y="{top + 4}" fill="{_INK}" font-weight="600">{_e(_shorten(authority, 22))}</text>',
             f'<line x1="{x0}" y1="{top}" x2="{x1}" y2="{top}" stroke="{_GRID}" stroke-width="2"/>']
    if left_out:
        parts.append(f'<text x="4" y="{top + 22}" fill="#57606a" font-size="11">+{left_out} not drawn</text>')
    if years:
        step = 1 if hi - lo <= 12 else (2 if hi - lo <= 24 else 5)
        for year in range(lo, hi + 1, step):
            x = xpos(dt.date(year, 1, 1))
            parts.append(f'<line x1="{x:.1f}" y1="10" x2="{x:.1f}" y2="{axis_y}" stroke="{_GRID}" stroke-width="0.8"/>')
            if x < x1 - 24:
                parts.append(f'<text x="{x + 2:.1f}" y="{axis_y}" fill="#57606a" font-size="10">{year}</text>')
    if undated_w:
        parts.append(f'<line x1="{ux - 6}" y1="8" x2="{ux - 6}" y2="{axis_y}" stroke="#8c959f" stroke-dasharray="3 3"/>'
                     f'<text x="{ux}" y="{axis_y}" fill="#57606a" font-size="10">undated</text>')
    for event, x, lane in placed:
        sources = seen[event]
        found = [f for e in sources for f in marks.get(e.source, [])]
        href = next((link[e.source] for e in sources if e.source in link), None)
        parts.append(_marker(event, x, top + lane_h * lane, found, href, sources))
    parts.append("</svg>")
    return "\n".join(parts)


def _seen_in(events: Sequence[Event]) -> dict[Event, tuple[Event, ...]]:
    """
    One inspection seen in several inputs is one point: an authority's events on one day, of one kind (graded
    or a visit), each with the events it stands for (in input order). Undated events stay apart.
    """
    groups: dict[Any, list[Event]] = {}
    for i, e in enumerate(events):
        groups.setdefault((e.day, e.graded) if e.day is not None else i, []).append(e)
    # The point shows a source that gives a grade, where one does (a scraper's blank stands for nothing).
    return {next((e for e in group if e.grade), group[0]): tuple(group) for group in groups.values()}


def _disagree(sources: Sequence[Event]) -> bool:
    """
    Whether the inputs give one inspection different headline grades: their overall grades, or where none gives
    one, their worst judgements. A source that gives no grade does not disagree; it says nothing.
    """
    graded = [e for e in sources if e.graded and e.grade]
    overall = {e.grade for e in graded if e.overall}
    return len(overall) > 1 if overall else len({e.grade for e in graded}) > 1


#: Line colours for the input files a chart of figures draws (cycled past the last).
_SERIES = ("#0969da", "#bc4c00", "#1a7f37", "#8250df", "#bf3989", "#57606a")


def _figure_charts(report: Report) -> str:
    """One small chart per authority of its children looked after on 31 March, a line per input file."""
    by_authority: dict[str, list[Any]] = defaultdict(list)
    for fig in report.figures:
        if fig.day is not None and fig.authority:
            by_authority[fig.authority].append(fig)
    if not by_authority:
        return '<p class="note">No dated figure names an authority.</p>'
    files = sorted({fig.series for figs in by_authority.values() for fig in figs})
    colour = {path: _SERIES[i % len(_SERIES)] for i, path in enumerate(files)}
    days = [fig.day for figs in by_authority.values() for fig in figs]
    lo, hi = min(days).year, max(days).year + 1
    width, label_w, height, top = 1000, 170, 64, 8
    x0, x1 = label_w, width - 60

    def xpos(day: dt.date) -> float:
        return x0 + (x1 - x0) * (day - dt.date(lo, 1, 1)).days / max(1, (dt.date(hi, 1, 1) - dt.date(lo, 1, 1)).days)

    legend = [f'<svg class="chart" viewBox="0 0 {width} 24" role="img" aria-label="Legend: one colour per table" '
              'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="12">']
    for i, name in enumerate(files):  # the style sheet's policy allows no inline style: colours are SVG fills
        legend.append(f'<rect x="{4 + 200 * i}" y="6" width="12" height="12" fill="{colour[name]}"/>'
                      f'<text x="{22 + 200 * i}" y="16" fill="{_INK}">{_e(name)}</text>')
    out = ["".join(legend) + "</svg>"]
    for authority in sorted(by_authority, key=str.lower):
        figs = by_authority[authority]
        peak = max(f.value for f in figs) or 1.0

        def ypos(value: float, peak: float = peak) -> float:
            return top + (height - top - 14) * (1 - value / (peak * 1.1))

        parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
                 f'aria-label="{_e(authority)}: children looked after on 31 March, {_plural(len(figs), "figure")}" '
                 f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="11">',
                 f'<text x="4" y="{top + 14}" fill="{_INK}" font-weight="600">{_e(_shorten(authority, 22))}</text>',
                 f'<text x="4" y="{top + 30}" fill="#57606a">up to {_e(f"{peak:,.0f}")}</text>',
                 f'<line x1="{x0}" y1="{height - 14}" x2="{x1}" y2="{height - 14}" stroke="{_GRID}"/>']
        for year in range(lo, hi + 1, 1 if hi - lo <= 12 else 2):
            x = xpos(dt.date(year, 1, 1))
            parts.append(f'<text x="{x + 2:.1f}" y="{height - 2}" fill="#57606a" font-size="9">{year}</text>')
        for path in files:
            series = sorted((f for f in figs if f.series == path), key=lambda f: f.day)
            if not series:
                continue
            points = " ".join(f"{xpos(f.day):.1f},{ypos(f.value):.1f}" for f in series)
            if len(series) > 1:
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour[path]}" stroke-width="1.5"/>')
            for f in series:
                tip = f"{authority} · {f.day.isoformat()} · {f.what}: {f.shown} · {f.source}"
                parts.append(f'<circle cx="{xpos(f.day):.1f}" cy="{ypos(f.value):.1f}" r="3" fill="{colour[path]}">'
                             f"<title>{_e(tip)}</title></circle>")
        parts.append("</svg>")
        out.append("".join(parts))
    return "\n".join(out)


def _shorten(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _timeline_label(authority: str, seen: dict[Event, tuple[Event, ...]], marks: dict[Any, list[Finding]]) -> str:
    """Its points: graded inspections and visits (each once, however many inputs give it), and those with findings."""
    events = list(seen)
    graded = sum(1 for e in events if e.graded)
    flagged = sum(1 for e in events if any(marks.get(s.source) for s in seen[e]))
    return (f"{authority}: {_plural(graded, 'graded inspection')}, {_plural(len(events) - graded, 'visit')}, "
            f"{_plural(flagged, 'record')} with findings")


def _marker(event: Event, x: float, y: float, findings: Sequence[Finding], href: str | None,
            sources: Sequence[Event] = ()) -> str:
    when = event.day.isoformat() if event.day else "no date"

    def what(e: Event) -> str:
        if e.graded:
            return (f"{e.label or e.grade} ({'overall' if e.overall else 'worst judgement'})"
                    if e.grade else "no grade given")
        return "ungraded visit"

    rules = ", ".join(sorted({f.rule for f in findings}))
    tip = f"{event.record} · {event.framework} · {when} · {what(event)}" + (f" · findings: {rules}" if rules else "")
    disagree = _disagree(sources)
    if len(sources) > 1:
        tip += (f" · seen in {len(sources)} inputs" + (", which disagree" if disagree else "") + ": "
                + "; ".join(f"{e.source} ({what(e)})" for e in sources))
    out = [f"<g><title>{_e(tip)}</title>"]
    if href:
        out.append(f'<a href="#{href}">')
    if event.graded:
        fill, ink = _grade_colour(event)
        out.append(f'<rect x="{x - 9:.1f}" y="{y - 11}" width="18" height="22" rx="3" fill="{fill}" stroke="{_INK}" '
                   f'stroke-width="0.6"/><text x="{x:.1f}" y="{y + 4}" text-anchor="middle" font-size="10" '
                   f'font-weight="700" fill="{ink}">{_e(_grade_letter(event))}</text>')
    else:
        out.append(f'<path d="M{x:.1f} {y - 8} L{x + 8:.1f} {y} L{x:.1f} {y + 8} L{x - 8:.1f} {y} Z" fill="{_VISIT}"/>')
    if len(sources) > 1:
        out.append(f'<text x="{x + 11:.1f}" y="{y + 15}" font-size="9" fill="{_ERROR if disagree else "#57606a"}" '
                   f'font-weight="{700 if disagree else 400}">{"≠" if disagree else ""}{len(sources)}</text>')
    if findings:
        colour = _ERROR if any(f.severity == "error" for f in findings) else _WARNING
        out.append(f'<circle cx="{x:.1f}" cy="{y}" r="14" fill="none" stroke="{colour}" stroke-width="3"/>'
                   f'<text x="{x:.1f}" y="{y - 17}" text-anchor="middle" font-size="11" font-weight="700" '
                   f'fill="{colour}">{len(findings)}</text>')
    if href:
        out.append("</a>")
    out.append("</g>")
    return "".join(out)


def _timelines(report: Report, by_source: dict[Any, list[Finding]], link: dict[Any, str]) -> str:
    if not report.events:
        return ('<p class="note">No timelines: this report carries no record summaries (the command line adds them '
                'for --format html; from Python, pass events=N to check or check_paths).</p>')
    groups: dict[str, list[Event]] = defaultdict(list)
    for event in report.events:
        groups[event.authority or "(no authority)"].append(event)
    years = _year_range(report.events)
    out = [_legend()]
    if len(report.events) < report.checked:
        left_out = (f" {report.omitted_events:,} more inspections and visits are counted but not drawn: an "
                    "authority's timeline draws its first ones up to a limit (1,000 from the command line), so "
                    "no authority or input crowds out another." if report.omitted_events else "")
        out.append(f'<p class="note">Timelines show {len(report.events):,} inspections and visits of the '
                   f"{report.checked:,} checked records: statistical rows are not points on them.{left_out} "
                   "One inspection in several inputs is one point, numbered with how many; ≠ where they give "
                   "different grades.</p>")
    # Every row has the same axis: an "undated" zone on each when any record has no date.
    undated_w = 190 if any(e.day is None for e in report.events) else 0
    for authority in sorted(groups, key=lambda a: (a == "(no authority)", a.lower())):
        out.append(_timeline(authority, groups[authority], years, by_source, link, undated_w))
    return "\n".join(out)


# --- tables -------------------------------------------------------------------------------------

def _finding_rows(findings: Iterable[Finding], columns: Sequence[str], anchors: dict[Any, str] | None = None) -> str:
    rows = []
    for f in findings:
        cells = {
            "rule": f'<td class="sev-{_e(f.severity)}">{_e(f.rule)}</td>',
            "record": f'<td class="id">{_e(f.record)}</td>',
            "authority": f"<td>{_e(f.authority)}</td>",
            "where": f'<td class="id">{_e(f.source)}</td>',
            "message": f'<td class="msg">{_e(f.message)}</td>',
            "expected": f'<td class="val">{_cell(f.expected)}</td>',
            "actual": f'<td class="val">{_cell(f.actual)}</td>',
        }
        anchor = anchors.pop(f.source, None) if anchors is not None else None
        rows.append(f'<tr{f" id={chr(34)}{anchor}{chr(34)}" if anchor else ""}>'
                    + "".join(cells[c] for c in columns) + "</tr>")
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"


def _grouped(findings: Sequence[Finding], key: Any, order: Any) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[key(f)].append(f)
    return sorted(groups.items(), key=order)


def _by_rule(findings: Sequence[Finding], rules: dict[str, Rule]) -> str:
    out = []
    for code, items in _grouped(findings, lambda f: f.rule, lambda kv: kv[0]):
        rule = rules.get(code)
        title = rule.title if rule else items[0].title
        severity = items[0].severity
        out.append(f'<details open id="{_anchor("rule", code)}">'
                   f'<summary><span class="sev-{_e(severity)}">{_e(code)}</span> '
                   f"{_e(title)} — {_plural(len(items), 'finding')} ({_e(severity)})</summary>")
        if rule is not None:
            out.append(f'<p class="meta">{_e(rule.why + " " if rule.why else "")}Source: {_e(rule.source)}</p>')
        out.append(_finding_rows(items[:MAX_PER_GROUP],
                                 ("record", "authority", "where", "message", "expected", "actual")))
        if len(items) > MAX_PER_GROUP:
            out.append(f'<p class="note">{len(items) - MAX_PER_GROUP:,} more not shown here (see --format csv).</p>')
        out.append("</details>")
    return "\n".join(out) or '<p class="note">No findings.</p>'


def _by_authority(findings: Sequence[Finding], anchors: dict[Any, str]) -> str:
    out = []
    groups = _grouped(findings, lambda f: f.authority or "(no authority)",
                      lambda kv: (kv[0] == "(no authority)", kv[0].lower()))
    for authority, items in groups:
        records = len({f.source for f in items})
        out.append(f'<details open id="{_anchor("la", authority)}"><summary>{_e(authority)} — '
                   f"{_plural(len(items), 'finding')} in {_plural(records, 'record')}</summary>")
        out.append(_finding_rows(items[:MAX_PER_GROUP], ("record", "rule", "where", "message", "expected", "actual"),
                                 anchors))
        if len(items) > MAX_PER_GROUP:
            out.append(f'<p class="note">{len(items) - MAX_PER_GROUP:,} more not shown here (see --format csv).</p>')
        out.append("</details>")
    return "\n".join(out) or '<p class="note">No findings.</p>'


def _simple_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    body = "\n".join("<tr>" + "".join(f'<td class="val">{_e(c)}</td>' for c in row) + "</tr>" for row in rows)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _tiles(report: Report) -> str:
    tiles = [("records read", report.records, ""), ("checked", report.checked, ""),
             ("unreadable", len(report.unreadable), "bad" if report.unreadable else ""),
             ("errors", report.count("error"), "bad" if report.count("error") else ""),
             ("warnings", report.count("warning"), "warn" if report.count("warning") else ""),
             ("unknown", report.unknown, ""), ("files", report.files, "")]
    if report.errors:
        tiles.append(("rule errors", len(report.errors), "bad"))
    if report.triage:
        tiles += [("known (baseline)", len(report.triage.baselined), ""), ("waived", len(report.triage.waived), ""),
                  ("stale waivers", len(report.triage.problems), "warn" if report.triage.problems else "")]
    return '<div class="tiles">' + "".join(
        f'<div class="tile {cls}"><b>{n:,}</b><span>{_e(label)}</span></div>' for label, n, cls in tiles) + "</div>"


def _triage_section(report: Report) -> str:
    t = report.triage
    if t is None:
        return ""
    out = ['<h2 id="triage">Baseline and waivers</h2>']
    if t.baseline:
        out.append(f"<p>Baseline <code>{_e(t.baseline)}</code> (rule set {_e(t.baseline_ruleset or 'unknown')}): "
                   f"{_plural(len(t.baselined), 'finding')} known before, "
                   f"{_plural(len(report.findings), 'new finding')}, "
                   f"{len(t.fixed):,} fixed since.</p>")
        if t.fixed:
            out.append(_simple_table(("rule", "record"), t.fixed[:MAX_PER_GROUP]))
    if t.waived:
        out.append("<h3>Waived findings</h3>")
        out.append(_simple_table(("rule", "record", "where", "reason", "expires"),
                                 ((w.finding.rule, w.finding.record, w.finding.source, w.waiver.reason,
                                   w.waiver.expires or "") for w in t.waived[:MAX_PER_GROUP])))
    if t.problems:
        out.append("<h3>Stale waivers</h3>")
        out.append(_simple_table(("waiver", "rule", "record", "problem"),
                                 ((p.waiver.where, p.waiver.rule, p.waiver.record, p.problem) for p in t.problems)))
    return "\n".join(out)


def _unknown_section(report: Report, show_unknown: bool, show_suppressed: bool) -> list[str]:
    """Unknown checks: per rule by cause always (with the first one's reason); one by one with --show-unknown."""
    quiet = report.unknown_causes.get("suppressed", 0)
    out = ['<h2 id="unknown">Unknown checks</h2>',
           f"<p>{_plural(report.unknown, 'check')} could be neither passed nor failed"
           + (f", {quiet:,} of them only because of suppressed values" if quiet else "") + ".</p>",
           _simple_table(("rule", "cause", "checks", "the first one's reason"),
                         ((code, CAUSE_WORDS.get(cause, cause), f"{n:,}", reason) for code, s in report.stats.items()
                          for cause, (n, reason) in s.reasons.items()))]
    shown = listed(report, show_unknown, show_suppressed)
    if shown:
        out += ["<details open><summary>Each unknown check</summary>",
                _simple_table(("where", "rule", "record", "why"),
                              ((u.source, u.rule, u.record, u.reason) for u in shown[:MAX_LISTED])), "</details>"]
        if len(shown) > MAX_LISTED:
            out.append(f'<p class="note">{len(shown) - MAX_LISTED:,} more not shown here (see --format csv).</p>')
    elif not (show_unknown or show_suppressed):
        out.append('<p class="note">--show-unknown lists them one by one.</p>')
    if not_listed(report, show_unknown, show_suppressed):
        out.append(f'<p class="note">{_e(not_listed(report, show_unknown, show_suppressed))}</p>')
    return out


def render_html(report: Report, *, ruleset: RuleSet | None = None, fail_on: str = "error",
                title: str = "gradecheck report", show_unknown: bool = False, show_suppressed: bool = False,
                **_: Any) -> str:
    """The report as one self-contained HTML page (inline SVG and CSS, no script, no network)."""
    from ..version import __version__

    rules: dict[str, Rule] = {r.code: r for r in ruleset.rules} if ruleset is not None else {}
    titles = {**{f.rule: f.title for f in report.findings}, **{c: r.title for c, r in rules.items()}}
    listed = report.findings[:MAX_LISTED]
    by_source: dict[Any, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_source[f.source].append(f)
    link = {src: _anchor("rec", str(src)) for src in by_source}
    failing = report.failing(fail_on)
    status = (f'<div class="status fail">The run fails (exit code 1): {_e(_why_failing(report, fail_on))}.</div>'
              if failing
              else f'<div class="status pass">The run passes: nothing at or above --fail-on {_e(fail_on)}.</div>')
    sections = [
        '<h2 id="summary">Summary</h2>', status, _tiles(report),
        f'<p class="meta">Rule set {_e(report.ruleset or "unknown")} · gradecheck {_e(__version__)}'
        + (f" · {_plural(len(report.inputs), 'file')}: {_e(', '.join(report.inputs[:5]))}"
           f"{f' and {len(report.inputs) - 5:,} more' if len(report.inputs) > 5 else ''}" if report.inputs else "")
        + "</p>",
        '<h2 id="chart">Findings per rule</h2>', _rule_chart(report, titles),
        '<h2 id="timelines">Timelines</h2>',
        '<p class="meta">Each row is one authority: graded inspections coloured by grade (the overall judgement, or '
        "the worst judgement where there is no overall one), visits as grey diamonds; a ring marks a record with "
        "findings and links to them. Hover for details.</p>",
        _timelines(report, by_source, link),
    ]
    if report.figures:
        sections += ['<h2 id="figures">Children looked after on 31 March</h2>',
                     '<p class="meta">From the statistical rows (DfE tables), one chart per authority on a shared '
                     "axis of years; one line per kind of table (its framework), so two tables' figures for one year "
                     "sit side by side. A rounded figure is drawn at the middle of its range. Hover for the figure "
                     "as published and the file and line it is on.</p>",
                     _figure_charts(report)]
    if len(report.findings) > MAX_LISTED or report.omitted:
        sections.append(f'<p class="note">The lists below show {len(listed):,} of '
                        f"{len(report.findings) + report.omitted:,} findings.</p>")
    sections += ['<h2 id="by-rule">Findings by rule</h2>', _by_rule(listed, rules),
                 '<h2 id="by-authority">Findings by authority</h2>', _by_authority(listed, dict(link))]
    if report.unreadable:
        sections += ['<h2 id="unreadable">Unreadable records</h2>',
                     _simple_table(("where", "why"), ((u.origin, u.error) for u in report.unreadable[:MAX_LISTED]))]
    if report.errors:
        sections += ['<h2 id="rule-errors">Rules that broke (please report this)</h2>',
                     _simple_table(("where", "rule", "record", "error"),
                                   ((e.source, e.rule, e.record, e.error) for e in report.errors[:MAX_LISTED]))]
    if report.unknown:
        sections += _unknown_section(report, show_unknown, show_suppressed)
    sections.append(_triage_section(report))
    nav = " ".join(f'<a href="#{a}">{_e(t)}</a>' for a, t in (
        ("summary", "Summary"), ("chart", "Per rule"), ("timelines", "Timelines"), ("by-rule", "By rule"),
        ("by-authority", "By authority"), *((("unreadable", "Unreadable"),) if report.unreadable else ()),
        *((("unknown", "Unknown"),) if report.unknown else ()),
        *((("triage", "Baseline and waivers"),) if report.triage else ())))
    digest = base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    errors, warnings = report.count("error"), report.count("warning")
    head_title = (f"{title}: {_plural(errors, 'error')}, {_plural(warnings, 'warning')} "
                  f"in {_plural(report.records, 'record')}")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="gradecheck {_e(__version__)}">',
        f"<title>{_e(head_title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body><main>",
        f"<h1>{_e(title)}</h1>",
        f"<nav>{nav}</nav>",
        *sections,
        "</main></body>",
        "</html>",
    ]) + "\n"


def _why_failing(report: Report, fail_on: str) -> str:
    reasons = []
    if report.count("error"):
        reasons.append(_plural(report.count("error"), "error"))
    if fail_on == "warning" and report.count("warning"):
        reasons.append(_plural(report.count("warning"), "warning"))
    if report.unreadable:
        reasons.append(_plural(len(report.unreadable), "unreadable record"))
    if report.errors:
        reasons.append(_plural(len(report.errors), "rule error"))
    if fail_on == "warning" and report.triage and report.triage.problems:
        reasons.append(_plural(len(report.triage.problems), "stale waiver"))
    return ", ".join(reasons)
