"""
The hand-written loop gradecheck is compared with: the checks an analyst would write for these ILACS records.

    python benchmarks/baseline.py FILE.jsonl|FILE.csv [--authorities REGISTER.toml]...

It prints one violation a line: RULE ID. The authority checks read gradecheck's built-in register
(gradecheck/data/authorities.toml) and each --authorities file with tomllib, as gradecheck does.

JSON Lines are read with json.loads, a line at a time; CSV with csv.DictReader (dotted headers such as
`judgements.overall_effectiveness`, an empty cell meaning "not there"). Each record gets the checks the
built-in rules make on records like these, under the same codes so that run.py can compare the output
with the planted violations:

    D101 start <= end <= published           R101 no negative count
    P101 placements <= looked_after          P102 looked_after, child_protection_plans <= children_in_need
    S101 every grade is a known spelling     S103 every judgement is one ILACS makes
    F101 no care_leavers before 2023         F102 no overall judgement from April 2026
    F103 care_leavers from 2023 (warning)    C101 grade counts add up to 4 (5 in 2023 to March 2026)
    C102 no grade listed more often than its count
    J101 overall between the best and the worst feeding judgement
    J102, J104, J106, J107 the ILACS habits (warnings): an inadequate judgement means overall inadequate;
         overall at most one grade better than the worst; overall outstanding only with leaders outstanding
    V101 visits carry no grades
    A101 the authority's name and code are one authority's (a plain lookup in the register: no dates, no
         reorganisations)                A102 the name and the code are ones the register has

and across the file X101 (ids unique) and V102 (per authority, in date order, a monitoring visit only
while the latest graded inspection is inadequate). It is a plain loop: no validation of value types
(a count written as "939" would crash it), no check for unknown field names, no suppressed or rounded
values, no other frameworks, no report beyond the codes.
"""

from __future__ import annotations

import csv
import json
import sys
import tomllib
from collections import defaultdict
from datetime import date
from pathlib import Path

REGISTER = Path(__file__).resolve().parent.parent / "gradecheck" / "data" / "authorities.toml"

GRADES = {  # spelling, folded -> rank (0 outstanding .. 3 inadequate)
    "outstanding": 0, "good": 1, "requires improvement to be good": 2, "requires improvement": 2,
    "require improvement to be good": 2, "require improvement": 2, "ri": 2, "inadequate": 3,
}
KEYS = ("outstanding", "good", "requires_improvement", "inadequate")
ILACS = {"overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"}
PLACEMENTS = ("foster_care", "placed_for_adoption", "placed_with_parents", "childrens_homes", "residential_schools",
              "other_residential", "other_community", "independent_living", "missing", "other_placement")
FEEDS_2018 = ("impact_of_leaders", "help_and_protection", "children_in_care")
FEEDS_2023 = (*FEEDS_2018, "care_leavers")
NUMBERS = ("grade_counts", "populations", "facts")


def grade(label):
    return GRADES.get(" ".join(label.lower().replace("_", " ").replace("-", " ").split()))


def register(paths):
    """name (folded) -> the register ids that have had it ("Dorset": the county, then the unitary council), and
    GSS code -> register id, from the register files."""
    names, codes = {}, {}
    for path in paths:
        with open(path, "rb") as handle:
            doc = tomllib.load(handle)
        for entry in (*doc.get("area", ()), *doc.get("authority", ())):
            for name in (entry["name"], *entry.get("spellings", ())):
                names.setdefault(" ".join(name.lower().split()), set()).add(entry["id"])
            for code in entry.get("codes", ()):
                codes[code["code"].upper()] = entry["id"]
    return names, codes


def check(r, line, out, seen, histories, names, codes):
    rid = r["id"]
    if rid in seen:
        out.append(("X101", rid))
    seen.add(rid)
    by_name = names.get(" ".join(r["authority"].lower().split()))
    by_code = codes.get(r["authority_code"].upper())
    if by_name is None or by_code is None:
        out.append(("A102", rid))
    elif by_code not in by_name:
        out.append(("A101", rid))
    start = date.fromisoformat(r["start"])
    end = date.fromisoformat(r["end"])
    published = date.fromisoformat(r["published"])
    if not start <= end <= published:
        out.append(("D101", rid))
    pops = r.get("populations", {})
    counts = r.get("grade_counts", {})
    if any(v < 0 for v in pops.values()) or any(v < 0 for v in counts.values()):
        out.append(("R101", rid))
    if "looked_after" in pops and sum(pops.get(p, 0) for p in PLACEMENTS) > pops["looked_after"]:
        out.append(("P101", rid))
    if "children_in_need" in pops and (pops.get("looked_after", 0) > pops["children_in_need"]
                                       or pops.get("child_protection_plans", 0) > pops["children_in_need"]):
        out.append(("P102", rid))
    judgements = r.get("judgements", {})
    framework = r["framework"]
    if framework != "ilacs":
        if judgements or counts:
            out.append(("V101", rid))
        histories[r.get("authority_code") or r["authority"]].append((start, line, framework, None, rid))
        return
    # ILACS: the version in force at the start date
    if start < date(2023, 1, 1):
        feeds, has_overall, items = FEEDS_2018, True, 4
        if "care_leavers" in judgements:
            out.append(("F101", rid))
    else:
        feeds, has_overall = FEEDS_2023, start < date(2026, 4, 1)
        items = 5 if has_overall else 4
        if "care_leavers" not in judgements:
            out.append(("F103", rid))
        if not has_overall and "overall_effectiveness" in judgements:
            out.append(("F102", rid))
    ranks = {}
    for name, label in judgements.items():
        if name not in ILACS:
            out.append(("S103", rid))
        g = grade(label)
        if g is None:
            out.append(("S101", rid))
        else:
            ranks[name] = g
    if sum(counts.values()) != items:
        out.append(("C101", rid))
    made = (*feeds, "overall_effectiveness") if has_overall else feeds
    listed = [0, 0, 0, 0]
    for name in made:
        if name in ranks:
            listed[ranks[name]] += 1
    if any(listed[g] > counts.get(KEYS[g], 0) for g in range(4)):
        out.append(("C102", rid))
    overall = ranks.get("overall_effectiveness") if has_overall else None
    if overall is not None:
        fed = [ranks[f] for f in feeds if f in ranks]
        if len(fed) == len(feeds) == len([f for f in feeds if f in judgements]):
            if not min(fed) <= overall <= max(fed):
                out.append(("J101", rid))
            if overall < max(fed) - 1:
                out.append(("J106", rid))
        if ranks.get("help_and_protection") == 3 and overall != 3:
            out.append(("J102", rid))
        if 3 in (ranks.get("impact_of_leaders"), ranks.get("children_in_care"), ranks.get("care_leavers")) \
                and overall != 3:
            out.append(("J104", rid))
        if overall == 0 and ranks.get("impact_of_leaders", 0) != 0:
            out.append(("J107", rid))
        standing = overall
    else:
        standing = max(ranks.values()) if ranks else None
    histories[r.get("authority_code") or r["authority"]].append((start, line, framework, standing, rid))


def monitoring_visits(histories, out):
    """V102: per authority, in date order (the line breaks ties), each monitoring visit after an inadequate."""
    for events in histories.values():
        latest = None
        for _, _, framework, standing, rid in sorted(events):
            if framework == "monitoring-visit":
                if latest is not None and latest != 3:
                    out.append(("V102", rid))
            elif framework == "ilacs" and standing is not None:
                latest = standing


def main(path: str, authorities: list[str]) -> None:
    names, codes = register([REGISTER, *authorities])
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    histories: dict[str, list] = defaultdict(list)
    if path.endswith(".csv"):
        with open(path, newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), 2):
                r = {"judgements": {}, "grade_counts": {}, "populations": {}, "facts": {}}
                for key, value in row.items():
                    if value == "":
                        continue
                    group, dot, name = key.partition(".")
                    if not dot:
                        r[key] = value
                    else:
                        r[group][name] = int(value) if group in NUMBERS else value
                check(r, line, found, seen, histories, names, codes)
    else:
        with open(path) as handle:
            for line, text in enumerate(handle, 1):
                check(json.loads(text), line, found, seen, histories, names, codes)
    monitoring_visits(histories, found)
    sys.stdout.write("".join(f"{rule} {rid}\n" for rule, rid in found))


if __name__ == "__main__":
    args = sys.argv[1:]
    extra = [args[i + 1] for i, a in enumerate(args) if a == "--authorities"]
    main(args[0], extra)
