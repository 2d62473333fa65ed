"""
The loop of the earlier comparison (issue 6), kept for a secondary figure: SLAC-like records, four checks.

    python benchmarks/generate.py 200000 --layout slac --out /tmp/gradecheck-bench/slac-200000
    python benchmarks/slac.py FILE.jsonl|FILE.csv                              # prints one violation a line: RULE ID
    python -m gradecheck --no-builtin-rules --rules benchmarks/rules.toml FILE  # gradecheck, the same four rules

Not what users run: the records are of a made-up framework (`bench-slac`: 22 graded categories and an
overall grade) and gradecheck's own rules are switched off. rules.toml holds four rules (B101 grade
counts add up to 22, B102 they agree with the category grades, B103 placements within the looked-after
total, B104 overall between the best and the worst category) and this loop makes the same four checks.
With no dataset rule in force, gradecheck may split a file over every core. run.py times it with --slac N.
"""

from __future__ import annotations

import csv
import json
import sys

RANK = {"outstanding": 0, "good": 1, "adequate": 2, "inadequate": 3}
CATEGORIES = [f"c{i:02d}" for i in range(1, 23)]


def check(rid, overall, grades, counts, looked_after, placements, out):
    if sum(counts.values()) != 22:
        out.append(("B101", rid))
    tally = {}
    for g in grades:
        tally[g] = tally.get(g, 0) + 1
    if any(n > counts.get(g, 0) for g, n in tally.items()):
        out.append(("B102", rid))
    if sum(placements) > looked_after:
        out.append(("B103", rid))
    ranks = [RANK[g] for g in grades]
    if not min(ranks) <= RANK[overall] <= max(ranks):
        out.append(("B104", rid))


def main(path: str) -> None:
    found: list[tuple[str, str]] = []
    if path.endswith(".csv"):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                counts = {g: int(row[f"grade_counts.{g}"]) for g in RANK if row[f"grade_counts.{g}"]}
                check(row["id"], row["judgements.overall_effectiveness"], [row[f"judgements.{c}"] for c in CATEGORIES],
                      counts, int(row["populations.looked_after"]),
                      [int(row[f"populations.{p}"]) for p in ("foster_care", "placed_with_parents", "childrens_homes")],
                      found)
    else:
        with open(path) as handle:
            for line in handle:
                r = json.loads(line)
                j, p = r["judgements"], r["populations"]
                check(r["id"], j["overall_effectiveness"], [j[c] for c in CATEGORIES], r["grade_counts"],
                      p["looked_after"], [p["foster_care"], p["placed_with_parents"], p["childrens_homes"]], found)
    sys.stdout.write("".join(f"{rule} {rid}\n" for rule, rid in found))


if __name__ == "__main__":
    main(sys.argv[1])
