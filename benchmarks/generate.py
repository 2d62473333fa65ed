"""
Generate benchmark data: native ILACS inspection histories, or DfE tables in their published layout.

    python benchmarks/generate.py 200000 --out /tmp/gradecheck-bench/ilacs-200000
        # writes ilacs-200000.jsonl and ilacs-200000.csv (the same records) and ilacs-200000.expected.json
    python benchmarks/generate.py 100000 --layout dfe-rates --out /tmp/gradecheck-bench/dfe-rates-100000
        # writes dfe-rates-100000.csv (DfE layout) and dfe-rates-100000.expected.json
    python benchmarks/generate.py 100000 --layout dfe-placements --out /tmp/gradecheck-bench/dfe-placements-100000
    python benchmarks/generate.py 200000 --layout slac --out /tmp/gradecheck-bench/slac-200000    # secondary

Seeded and deterministic: the same arguments give byte-identical files.

Native layout ("native"): records as gradecheck users write them (DESIGN.md section 1), one authority's
dated history after another: graded `ilacs` inspections, `focused-visit` records between them and
`monitoring-visit` records while the latest graded inspection is inadequate. The 153 real authorities
(names and ONS codes from shared/data/real/d2i-ilacs/Provider_data_lookup.csv) come first; a file of
more records than their 2018-2026 histories hold continues with numbered copies ("Barnsley 2", a
made-up code E08100156) of the real ones, so a file is many authorities times nine years, not one
authority inspected every week. The judgements follow the ILACS version in force at the start date
(care leavers judged separately from 2023, no overall judgement from April 2026), the overall grade
follows the habits the built-in warnings check (J102, J104, J106, J107), grade counts agree with the
judgements and placements never exceed the looked-after total. About 1% of records get one planted
fault each; the expected file lists every (rule, record id) pair the built-in rules report for them,
and the clean records give no findings at all.

The JSON Lines and CSV files hold the same records; the CSV names nested fields with dotted headers
(`judgements.overall_effectiveness`, `grade_counts.good`, `populations.looked_after`), and an empty cell is
an absent field.

DfE layouts: the explore-education-statistics tables the built-in profiles recognise by header.
"dfe-rates" is cla_number_and_rate_per_10k_children (profile dfe-cla-ees-rates, framework dfe-cla-rates,
checked by the ratio rule Q102); "dfe-placements" is la_cla_during_year_new_placements (profile
dfe-cla-ees-new-placements, framework dfe-cla-placements, checked by the group rules G101 and Q101).
National and regional counts are rounded to the nearest 10 as DfE publishes them, a few local figures are
suppressed (c) or not available (x, z), and about 0.5% of rows get a planted fault.

"slac": the earlier benchmark's SLAC-like records of the made-up framework in rules.toml (benchmarks/slac.py
has the loop); `records`, `COLUMNS` and `flat` below are also used by tests/test_columnar.py.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOOKUP = HERE.parent.parent / "shared" / "data" / "real" / "d2i-ilacs" / "Provider_data_lookup.csv"
RATE = 0.01  # share of native records with a planted fault
DFE_RATE = 0.005  # share of DfE rows with a planted fault

# ---- authorities --------------------------------------------------------------------------------------

# (name, ONS code, Ofsted region, population aged 0-25): used when the lookup file is not at hand, and as
# its stand-in for anyone running the benchmark outside this workspace (a few of the 153, same shape).
FALLBACK = [
    ("Barking and Dagenham", "E09000002", "London", 85041),
    ("Barnsley", "E08000016", "Yorkshire and the Humber", 69889),
    ("Birmingham", "E08000025", "West Midlands", 432811), ("Blackpool", "E06000009", "North West", 39455),
    ("Cornwall", "E06000052", "South West", 155260), ("Essex", "E10000012", "East of England", 438911),
    ("Kent", "E10000016", "South East", 457880), ("Liverpool", "E08000012", "North West", 163575),
]


def authorities() -> list[tuple[str, str, str, int]]:
    """The real local authorities with an ONS code and a population: (name, code, region, population 0-25)."""
    if not LOOKUP.exists():
        return FALLBACK
    out = []
    with open(LOOKUP, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code, pop = row["la_code_new"].strip(), row["ons_population_0-25"].strip()
            if code[:3] in ("E06", "E08", "E09", "E10") and pop.isdigit():
                out.append((row["local_authority_ons_name"].strip(), code, row["region_name"].strip(), int(pop)))
    return out


# Today's codes that replaced an earlier one during 2018-2026, and the earlier code with the last day it held:
# a record is given the code its authority had on its day (gradecheck's rule A101 reports Dorset Council's code
# on a 2018 inspection of Dorset, when Dorset County Council was the authority; the register's sources).
EARLIER_CODES = {"E06000059": (dt.date(2019, 3, 31), "E10000009"),  # Dorset
                 "E06000065": (dt.date(2023, 3, 31), "E10000023"),  # North Yorkshire
                 "E06000066": (dt.date(2023, 3, 31), "E10000027")}  # Somerset


def code_on(code: str, day: dt.date) -> str:
    earlier = EARLIER_CODES.get(code)
    return earlier[1] if earlier is not None and day <= earlier[0] else code


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def authority(k: int, real: list[tuple[str, str, str, int]]) -> tuple[str, str, str, int]:
    """The k-th authority: the real ones first, then numbered copies with made-up codes (E08 + 100000 + k)."""
    name, code, region, pop = real[k % len(real)]
    copy = k // len(real)
    if copy == 0:
        return name, code, region, pop
    if k >= 900_000:
        raise SystemExit("too many authorities for six-digit codes; ask for fewer records")
    return f"{name} {copy + 1}", f"{code[:3]}{100_000 + k:06d}", region, pop


# ---- ILACS ---------------------------------------------------------------------------------------------

KEYS = ("outstanding", "good", "requires_improvement", "inadequate")  # rank 0 (best) .. 3
LABELS = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
TYPOS = ("Goood", "Requires improvment to be good", "Inadequte", "Outstandng", "to requires improvement")
OVERALL = "overall_effectiveness"
FEEDS_2018 = ("impact_of_leaders", "help_and_protection", "children_in_care")
FEEDS_2023 = (*FEEDS_2018, "care_leavers")
V2023, V2026 = dt.date(2023, 1, 1), dt.date(2026, 4, 1)
FIRST = dt.date(2018, 1, 15)  # ILACS inspections began in January 2018
LAST_START = dt.date(2026, 10, 12)  # so that every report is published before 2026-12-03
PLACEMENTS = ("foster_care", "placed_for_adoption", "placed_with_parents", "childrens_homes", "independent_living")
SHARES = {"foster_care": (0.62, 0.74), "placed_for_adoption": (0.02, 0.05), "placed_with_parents": (0.04, 0.09),
          "childrens_homes": (0.10, 0.16), "independent_living": (0.03, 0.07)}

ILACS_COLUMNS = (
    ["id", "authority", "authority_code", "framework", "start", "end", "published"]
    + [f"judgements.{j}" for j in (OVERALL, *FEEDS_2023, "lscb")]
    + [f"grade_counts.{g}" for g in KEYS]
    + ["populations.children_in_need", "populations.child_protection_plans", "populations.looked_after"]
    + [f"populations.{p}" for p in PLACEMENTS]
    + ["facts.case_files_reviewed", "source"]
)


def rank(label: str) -> int | None:
    return LABELS.index(label) if label in LABELS else None


def feeds_of(start: dt.date) -> tuple[tuple[str, ...], bool]:
    """The judgements that feed the overall one at this date, and whether there is an overall judgement."""
    if start < V2023:
        return FEEDS_2018, True
    return FEEDS_2023, start < V2026


def standing(judgements: dict[str, str], has_overall: bool) -> int | None:
    """What the monitoring-visit rule (V102) reads: the overall grade, else the worst grade on the scale."""
    if has_overall and rank(judgements.get(OVERALL, "")) is not None:
        return rank(judgements[OVERALL])
    ranks = [r for r in map(rank, judgements.values()) if r is not None]
    return max(ranks) if ranks else None


def counts_of(judgements: dict[str, str]) -> dict[str, int]:
    tally = [0, 0, 0, 0]
    for label in judgements.values():
        tally[LABELS.index(label)] += 1
    return {KEYS[r]: n for r, n in enumerate(tally) if n}


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def history(rnd: random.Random) -> list[tuple[str, dt.date, int]]:
    """One authority's events from 2018 on: (kind, start, state) with kind ilacs/focused-visit/monitoring-visit."""
    events = []
    state = rnd.choices(range(4), (0.10, 0.45, 0.33, 0.12))[0]
    day = FIRST + dt.timedelta(days=rnd.randint(0, 900))
    while day <= LAST_START:
        day = monday(day)
        events.append(("ilacs", day, state))
        if state == 3:  # inadequate (when the grades drawn below agree): quarterly monitoring, re-inspection
            after = dt.timedelta(days=rnd.randint(500, 800))
            visit = day + dt.timedelta(days=rnd.randint(110, 150))
            while visit < day + after - dt.timedelta(days=45):
                events.append(("monitoring-visit", monday(visit) + dt.timedelta(days=1), state))
                visit += dt.timedelta(days=rnd.randint(90, 120))
            state = rnd.choices(range(4), (0.0, 0.2, 0.6, 0.2))[0]
        else:
            after = dt.timedelta(days=rnd.randint(900, 1150) if state == 2 else rnd.randint(1100, 1460))
            visit = day + dt.timedelta(days=rnd.randint(360, 700))
            while visit < day + after - dt.timedelta(days=120):
                events.append(("focused-visit", monday(visit) + dt.timedelta(days=1), state))
                visit += dt.timedelta(days=rnd.randint(450, 700))
            state = [rnd.choices(range(4), w)[0] for w in
                     ((0.6, 0.4, 0, 0), (0.15, 0.65, 0.2, 0), (0, 0.4, 0.45, 0.15))][state]
        day += after
    return [e for e in events if e[1] <= LAST_START]


def inspection(rnd: random.Random, start: dt.date, state: int, short: bool, size: tuple[float, float]) -> dict:
    """A clean ILACS inspection record (without id and authority)."""
    feeds, has_overall = feeds_of(start)
    grades = {name: min(3, max(0, state + rnd.choices((-1, 0, 1), (0.15, 0.7, 0.15))[0])) for name in feeds}
    if state == 3 and 3 not in grades.values():  # inadequate (monitoring visits follow), or not inadequate
        grades[rnd.choice(feeds)] = 3
    elif state < 3:
        grades = {name: min(g, 2) for name, g in grades.items()}
    judgements = {}
    if has_overall:
        worst, best = max(grades.values()), min(grades.values())
        overall = worst if worst == 3 or best == worst or rnd.random() > 0.3 else worst - 1
        if overall == 0 and grades["impact_of_leaders"] != 0:
            overall = worst  # J107: overall outstanding only with leaders outstanding
        judgements[OVERALL] = LABELS[overall]
    judgements.update((name, LABELS[g]) for name, g in grades.items())
    end = start + dt.timedelta(days=4 if short else 11)
    published = end + dt.timedelta(days=rnd.randint(35, 56))
    pop0_25, rate = size
    looked_after = max(40, round(pop0_25 * rate * rnd.uniform(0.9, 1.1)))
    populations = {"children_in_need": round(looked_after * rnd.uniform(3.0, 5.0))}
    populations["child_protection_plans"] = round(looked_after * rnd.uniform(0.4, 0.9))
    populations["looked_after"] = looked_after
    named = PLACEMENTS if rnd.random() < 0.7 else ("foster_care", "placed_with_parents", "childrens_homes")
    for p in named:
        populations[p] = round(looked_after * rnd.uniform(*SHARES[p]))
    excess = sum(populations[p] for p in named) - looked_after
    if excess > 0:
        populations["foster_care"] -= excess
    return {
        "framework": "ilacs", "start": start.isoformat(), "end": end.isoformat(), "published": published.isoformat(),
        "judgements": judgements, "grade_counts": counts_of(judgements), "populations": populations,
        "facts": {"case_files_reviewed": rnd.randint(30, 60) if short else rnd.randint(60, 120)},
        "source": f"Ofsted ILACS {'short' if short else 'standard'} inspection report",
    }


def visit(rnd: random.Random, kind: str, start: dt.date) -> dict:
    end = start + dt.timedelta(days=1)
    published = end + dt.timedelta(days=rnd.randint(28, 42))
    letter = "Focused visit letter" if kind == "focused-visit" else "Monitoring visit letter"
    return {"framework": kind, "start": start.isoformat(), "end": end.isoformat(), "published": published.isoformat(),
            "source": f"Ofsted {letter}"}


def plant(rnd: random.Random, record: dict, previous_id: str | None, latest: int | None) -> list[str]:
    """Break *record* in one way, chosen at random among those that fit it; return the rules that then fire."""
    kind = record["framework"]
    start = dt.date.fromisoformat(record["start"])
    options = ["D101", "X101"] if previous_id else ["D101"]
    if kind == "ilacs":
        feeds, has_overall = feeds_of(start)
        j = record["judgements"]
        options += ["C101", "C102", "P101", "R101", "S101", "S103"]
        options.append("F101" if start < V2023 else "F102" if not has_overall else "S103")
        if has_overall and max(rank(j[f]) for f in feeds) < 3:
            options.append("J101")
    elif kind == "focused-visit":
        options += ["V101", "V102"] if latest is not None and latest != 3 else ["V101"]
    else:
        options.append("V101")
    fault = rnd.choice(options)
    if fault == "D101":  # fieldwork ends before it starts, or the report is published before fieldwork ends
        end = dt.date.fromisoformat(record["end"])
        if rnd.random() < 0.5 and feeds_of(end) == feeds_of(start):  # the same ILACS version either way
            record["start"], record["end"] = record["end"], record["start"]
        else:
            record["published"] = (dt.date.fromisoformat(record["end"]) - dt.timedelta(days=rnd.randint(1, 20))
                                   ).isoformat()
    elif fault == "X101":  # the id of the authority's previous record, copied
        record["id"] = previous_id
    elif fault == "C101":  # a count too many: the counts add up to more than the graded items
        key = rnd.choice(list(record["grade_counts"]))
        record["grade_counts"][key] += rnd.randint(1, 2)
    elif fault == "C102":  # counts add up but one grade is listed more often than counted
        counts = record["grade_counts"]
        key = rnd.choice(list(counts))
        other = rnd.choice([k for k in KEYS if k != key])
        counts[key] -= 1
        counts[other] = counts.get(other, 0) + 1
        record["grade_counts"] = {k: counts[k] for k in KEYS if counts.get(k)}
    elif fault == "J101":  # overall one grade worse than every judgement feeding it
        feeds, _ = feeds_of(start)
        record["judgements"][OVERALL] = LABELS[max(rank(record["judgements"][f]) for f in feeds) + 1]
        record["grade_counts"] = counts_of(record["judgements"])
    elif fault == "P101":  # placements add up to more than the looked-after total
        pops = record["populations"]
        named = sum(v for k, v in pops.items() if k in PLACEMENTS)
        pops["foster_care"] += pops["looked_after"] - named + rnd.randint(1, 40)
    elif fault == "R101":  # a negative count
        record["populations"]["childrens_homes"] = -rnd.randint(1, 9)
    elif fault == "S101":  # a misspelt grade on a judgement feeding the overall one
        feeds, _ = feeds_of(start)
        record["judgements"][rnd.choice(feeds)] = rnd.choice(TYPOS)
    elif fault == "S103":  # a judgement ILACS never makes (the LSCB was judged under SIF)
        record["judgements"]["lscb"] = rnd.choice(LABELS)
    elif fault == "F101":  # a separate care-leavers judgement before 2023
        record["judgements"]["care_leavers"] = rnd.choice(LABELS)
        if record["judgements"]["care_leavers"] == LABELS[3] != record["judgements"][OVERALL]:
            return ["F101", "J104"]  # J104 reads care_leavers whatever the version (a warning)
    elif fault == "F102":  # an overall judgement from April 2026
        record["judgements"] = {OVERALL: rnd.choice(LABELS), **record["judgements"]}
    elif fault == "V101":  # a grade on a visit
        record["judgements"] = {OVERALL: rnd.choice(LABELS)}
        record.pop("grade_counts", None)
    elif fault == "V102":  # a monitoring visit though the latest graded inspection is not inadequate
        record["framework"] = "monitoring-visit"
        record["id"] = record["id"].replace("focused-visit", "monitoring-visit")
        record["source"] = "Ofsted Monitoring visit letter"
    return [fault]


def ilacs_records(n: int, seed: int):
    """Yield (record, rules its planted fault makes fire) pairs, n of them."""
    rnd = random.Random(seed)
    real = authorities()
    emitted, k = 0, 0
    while emitted < n:
        name, code, _, pop = authority(k, real)
        k += 1
        size = (pop * rnd.uniform(0.6, 1.5) if k > len(real) else pop, rnd.uniform(0.003, 0.009))
        previous_id, latest, last_state = None, None, None
        for kind, start, state in history(rnd):
            if emitted >= n:
                return
            if kind == "ilacs":
                body = inspection(rnd, start, state, short=last_state in (0, 1), size=size)
                last_state = state
            else:
                body = visit(rnd, kind, start)
            record = {"id": f"{slug(name)}-{start.isoformat()}-{kind}", "authority": name,
                      "authority_code": code_on(code, start), **body}
            fired = plant(rnd, record, previous_id, latest) if rnd.random() < RATE else []
            if record["framework"] == "ilacs":
                latest = standing(record["judgements"], feeds_of(start)[1])
            previous_id = record["id"]
            emitted += 1
            yield record, fired


def flat(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def write_native(n: int, stem: Path, seed: int) -> int:
    expected = []
    with open(f"{stem}.jsonl", "w") as jl, open(f"{stem}.csv", "w", newline="") as cf:
        writer = csv.DictWriter(cf, ILACS_COLUMNS)
        writer.writeheader()
        for record, fired in ilacs_records(n, seed):
            jl.write(json.dumps(record) + "\n")
            writer.writerow(flat(record))
            expected.extend([code, record["id"]] for code in fired)
    unique = sorted(set(map(tuple, expected)))  # an id copied twice is one (X101, id) pair
    Path(f"{stem}.expected.json").write_text(json.dumps(unique))
    return len(unique)


# ---- DfE tables ----------------------------------------------------------------------------------------

REGIONS = [("E12000001", "North East"), ("E12000002", "North West"), ("E12000003", "Yorkshire and The Humber"),
           ("E12000004", "East Midlands"), ("E12000005", "West Midlands"), ("E12000006", "East of England"),
           ("E12000007", "London"), ("E12000008", "South East"), ("E12000009", "South West")]
EES = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
       "region_name", "old_la_code", "la_name", "new_la_code"]
POPULATION_TYPES = (("Children looked after on 31 March each year", 0.0070),
                    ("Children starting to be looked after each year", 0.0026),
                    ("Children ceasing to be looked after each year", 0.0027))
LOCATION = ("Location of new placements during the year", "Total new placements", (
    ("Distance not known or not recorded", 0.13), ("Placed inside LA boundary less than 20 miles from home", 0.46),
    ("Placed inside LA boundary more than 20 miles from home", 0.05),
    ("Placed outside LA boundary less than 20 miles from home", 0.20),
    ("Placed outside LA boundary more than 20 miles from home", 0.16)))
REASONS = ("Reason for placement change during the year", "Total placements changing", (
    ("Allegation (s47)", 0.01), ("Approval removed", 0.01),
    ("Carer requests placement end other than due to child's behaviour", 0.05),
    ("Carer requests placement ends due to child's behaviour", 0.09),
    ("Change in the status of a placement only", 0.25),
    ("Change to/implementation of care plan", 0.25), ("Child requests placement to end", 0.04),
    ("Placement closed", 0.03), ("Resignation/closure of provider", 0.02), ("Responsible/area authority change", 0.01),
    ("Standards of care concern", 0.02), ("Other", 0.22)))


def areas(real: list[tuple[str, str, str, int]]):
    """Endless (level, region code, region name, old code, LA name, LA code, child population) per table year."""
    regions = dict((name.lower(), code) for code, name in REGIONS)
    k = 0
    while True:
        name, code, region, pop = authority(k, real)
        k += 1
        yield (name, code, regions.get(region.lower(), "E12000002"), region, f"{300 + k % 600}", round(pop * 0.72))


def half_up(x: float) -> int:
    return int(x + 0.5)


def dfe_rates(n: int, seed: int):
    """Yield (row, rules its planted fault makes fire): a national row, regional rows, then LAs, per year."""
    rnd = random.Random(seed)
    years = list(range(2010, 2026))
    las = areas(authorities())
    emitted, first = 0, True
    while True:
        # 150 areas at a time, every year; England and its regions once (their ids are unique per year)
        block = [next(las) for _ in range(150)]
        for year in years:
            rows = []
            total_pop = sum(a[5] for a in block)
            for (pt, rate) in POPULATION_TYPES if first else ():
                national = total_pop * rate * rnd.uniform(0.9, 1.1)
                rows.append(("National", "", "", "", "", "", pt, total_pop, national))
            for code, region in REGIONS if first else ():
                reg_pop = sum(a[5] for a in block if a[2] == code) or 250_000
                for (pt, rate) in POPULATION_TYPES:
                    count = reg_pop * rate * rnd.uniform(0.8, 1.2)
                    rows.append(("Regional", code, region, "", "", "", pt, reg_pop, count))
            for name, la_code, reg_code, region, old, pop in block:
                pop = round(pop * rnd.uniform(0.97, 1.03))
                la_code = code_on(la_code, dt.date(year, 3, 31))  # the code it had on the table's day
                for (pt, rate) in POPULATION_TYPES:
                    rows.append(("Local authority", reg_code, region, old, name, la_code, pt, pop,
                                 max(0, round(pop * rate * rnd.uniform(0.5, 1.8)))))
            for level, reg_code, region, old, name, la_code, pt, pop, count in rows:
                if emitted >= n:
                    return
                emitted += 1
                exact = round(count)
                shown = exact if level == "Local authority" else round(exact, -1)
                rate_shown = half_up(10000 * exact / pop)
                row = dict(zip(EES, (year, "Reporting year", level, "E92000001", "England", reg_code, region, old,
                                     name, la_code), strict=True))
                row.update(population_type=pt, population_estimate=pop, children_count=shown,
                           rate_per_10000=rate_shown)
                fired = []
                roll = rnd.random()
                if level == "Local authority" and 0 < exact <= 5:
                    row["children_count"] = row["rate_per_10000"] = "c"  # DfE suppresses 1 to 5
                elif roll < 0.002 and level == "Local authority":
                    row["population_estimate"], row["children_count"], row["rate_per_10000"] = "x", "z", "z"
                elif roll < 0.002 + DFE_RATE and level == "Local authority" and rate_shown >= 12:
                    # digits swapped, or a rate typed one ten off
                    digits = str(rate_shown)
                    swapped = int(digits[::-1]) if digits[::-1] != digits and digits[-1] != "0" else rate_shown + 10
                    row["rate_per_10000"] = swapped
                    fired = ["Q102"]
                area_code = la_code or reg_code or "E92000001"
                yield row, f"{year}-{slug(area_code)}-{slug(pt)}", fired  # the profile's id, slugged piece by piece
        first = False


def split(total: int, shares: tuple[tuple[str, float], ...], rnd: random.Random) -> list[int]:
    weights = [s * rnd.uniform(0.6, 1.4) for _, s in shares]
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[rnd.randrange(len(parts))] += total - sum(parts)
    return parts


def dfe_placements(n: int, seed: int):
    """Yield (row, id, rules its planted fault makes fire) in the new-placements layout: group by group."""
    rnd = random.Random(seed)
    years = list(range(2010, 2026))
    las = areas(authorities())
    emitted, first = 0, True
    while True:
        block = [next(las) for _ in range(150)]  # as in dfe_rates: England's rows in the first block only
        for year in years:
            groups = []
            for group, total_label, shares in (LOCATION, REASONS):
                scale = 0.0060 if group == LOCATION[0] else 0.0055
                la_rows = []
                for name, la_code, reg_code, region, old, pop in block:
                    total = max(8, round(pop * scale * rnd.uniform(0.6, 1.5)))
                    la_rows.append((("Local authority", reg_code, region, old, name,
                                      code_on(la_code, dt.date(year, 3, 31))), total,
                                    split(total, shares, rnd)))
                national = [sum(r[2][i] for r in la_rows) for i in range(len(shares))]
                if first:
                    groups.append((("National", "", "", "", "", ""), sum(national), national, group, total_label,
                                   shares))
                groups.extend((*r, group, total_label, shares) for r in la_rows)
            for place, total, parts, group, total_label, shares in groups:
                level = place[0]
                area_code = place[5] or "E92000001"
                suppress = level == "Local authority" and any(0 < p <= 5 for p in parts)
                # one planted fault per group at most: a breakdown count typed wrong (G101 on the Total row, and
                # Q101 on that row when its percentage no longer fits), or a percentage typed wrong (Q101)
                fault = None
                if level == "Local authority" and not suppress and rnd.random() < DFE_RATE * (len(parts) + 1):
                    fault = (rnd.randrange(len(parts)), rnd.choice(("count", "percent")))
                labels = [label for label, _ in shares]
                for i, (label, count) in enumerate([*zip(labels, parts, strict=True), (total_label, total)]):
                    if emitted >= n:
                        return
                    emitted += 1
                    values = (year, "Reporting year", place[0], "E92000001", "England", *place[1:])
                    row = dict(zip(EES, values, strict=True))
                    exact_pct = 100 * count / total
                    shown = count if level == "Local authority" else round(count, -1)
                    pct = half_up(exact_pct) if exact_pct >= 0.5 or count == 0 else "k"
                    row.update(characteristic=group, breakdown=label, children_count=shown, children_percent=pct)
                    rid = f"{year}-{slug(area_code)}-{slug(group)}-{slug(label)}"
                    fired = []
                    if suppress and 0 < count <= 5:
                        row["children_count"] = row["children_percent"] = "c"
                    if fault and fault[0] == i:
                        if fault[1] == "count":
                            row["children_count"] = count + rnd.randint(20, 60)
                            fired = ["Q101"] if abs(100 * row["children_count"] / total - pct) > 0.5 else []
                            fault = (None, "total")  # G101 reports on the Total row, written last
                        else:
                            wrong = (pct if isinstance(pct, int) else 0) + rnd.choice((-1, 1)) * rnd.randint(3, 9)
                            row["children_percent"] = wrong if wrong >= 0 else -wrong
                            fired = ["Q101"]
                    if fault and fault[0] is None and label == total_label:
                        fired = ["G101"]
                    yield row, rid, fired
        first = False


def write_dfe(layout: str, n: int, stem: Path, seed: int) -> int:
    rows = dfe_rates(n, seed) if layout == "dfe-rates" else dfe_placements(n, seed)
    measures = (["population_type", "population_estimate", "children_count", "rate_per_10000"] if layout == "dfe-rates"
                else ["characteristic", "breakdown", "children_count", "children_percent"])
    expected = []
    with open(f"{stem}.csv", "w", newline="") as cf:
        writer = csv.DictWriter(cf, EES + measures)
        writer.writeheader()
        for row, rid, fired in rows:
            writer.writerow(row)
            expected.extend([code, rid] for code in fired)
    unique = sorted(set(map(tuple, expected)))  # an id copied twice is one (X101, id) pair
    Path(f"{stem}.expected.json").write_text(json.dumps(unique))
    return len(unique)


# ---- SLAC-like records (the secondary comparison, benchmarks/slac.py; tests/test_columnar.py uses them too) ------

SLAC_GRADES = ("outstanding", "good", "adequate", "inadequate")
CATEGORIES = [f"c{i:02d}" for i in range(1, 23)]
COLUMNS = (["id", "authority", "framework", "start", "end", "published", "judgements.overall_effectiveness"]
           + [f"judgements.{c}" for c in CATEGORIES] + [f"grade_counts.{g}" for g in SLAC_GRADES]
           + ["populations.looked_after", "populations.foster_care", "populations.placed_with_parents",
              "populations.childrens_homes"])


def records(n: int, seed: int = 2026):
    """
    SLAC-like records of the made-up framework in rules.toml, with about 1% of each of its four violations.

    Yields (record, set of the rules it breaks). These are the earlier benchmark's records, unchanged.
    """
    rnd = random.Random(seed)
    for i in range(n):
        centre = rnd.randrange(4)
        grades = [SLAC_GRADES[min(3, max(0, centre + rnd.choice((-1, 0, 0, 1))))] for _ in CATEGORIES]
        ranks = sorted(SLAC_GRADES.index(g) for g in grades)
        overall = SLAC_GRADES[rnd.randint(ranks[0], ranks[-1])]
        counts = {g: grades.count(g) for g in SLAC_GRADES if grades.count(g)}
        looked_after = rnd.randint(50, 2000)
        foster = rnd.randint(0, looked_after * 3 // 4)
        parents = rnd.randint(0, (looked_after - foster) // 2)
        homes = rnd.randint(0, looked_after - foster - parents)
        broken = set()
        roll = rnd.random()
        if roll < RATE:  # counts do not add up to 22 (one count too high; agreement still holds)
            g = rnd.choice(list(counts))
            counts[g] += rnd.randint(1, 3)
            broken.add("B101")
        elif roll < 2 * RATE:  # counts add up but disagree with the listed grades
            g = rnd.choice(list(counts))
            other = rnd.choice([x for x in SLAC_GRADES if x != g])
            counts[g] -= 1
            counts[other] = counts.get(other, 0) + 1
            if not counts[g]:
                del counts[g]
            broken.add("B102")
        elif roll < 3 * RATE:  # placements exceed the looked-after total
            foster = looked_after - parents - homes + rnd.randint(1, 50)
            broken.add("B103")
        elif roll < 4 * RATE and ranks[0] > 0:  # overall better than every category
            overall = SLAC_GRADES[rnd.randrange(ranks[0])]
            broken.add("B104")
        record = {
            "id": f"r{i}", "authority": f"Authority {i % 152}", "framework": "bench-slac",
            "start": "2011-01-10", "end": "2011-01-21", "published": "2011-03-04",
            "judgements": {"overall_effectiveness": overall, **dict(zip(CATEGORIES, grades, strict=True))},
            "grade_counts": counts,
            "populations": {"looked_after": looked_after, "foster_care": foster,
                            "placed_with_parents": parents, "childrens_homes": homes},
        }
        yield record, broken


def write_slac(n: int, stem: Path, seed: int) -> int:
    expected = []
    with open(f"{stem}.jsonl", "w") as jl, open(f"{stem}.csv", "w", newline="") as cf:
        writer = csv.DictWriter(cf, COLUMNS)
        writer.writeheader()
        for record, broken in records(n, seed):
            jl.write(json.dumps(record) + "\n")
            writer.writerow(flat(record))
            expected.extend([code, record["id"]] for code in sorted(broken))
    Path(f"{stem}.expected.json").write_text(json.dumps(expected))
    return len(expected)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("n", type=int, help="how many records (rows)")
    parser.add_argument("--out", default="/tmp/gradecheck-bench/ilacs", help="output stem (default %(default)s)")
    parser.add_argument("--layout", default="native", choices=["native", "dfe-rates", "dfe-placements", "slac"])
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    stem = Path(args.out)
    stem.parent.mkdir(parents=True, exist_ok=True)
    if args.layout == "native":
        planted = write_native(args.n, stem, args.seed)
        print(f"wrote {args.n} records to {stem}.jsonl and {stem}.csv; {planted} violations in {stem}.expected.json")
    elif args.layout == "slac":
        planted = write_slac(args.n, stem, args.seed)
        print(f"wrote {args.n} SLAC-like records to {stem}.jsonl and {stem}.csv; {planted} violations planted")
    else:
        planted = write_dfe(args.layout, args.n, stem, args.seed)
        print(f"wrote {args.n} {args.layout} rows to {stem}.csv; {planted} violations in {stem}.expected.json")


if __name__ == "__main__":
    main()
