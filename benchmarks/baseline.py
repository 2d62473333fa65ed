"""
The hand-written loops gradecheck is compared with (issue 6): the same four checks, written the way
an analyst would, reading JSON Lines with json.loads or CSV with the csv module.

    python benchmarks/baseline.py FILE.jsonl|FILE.csv     # prints one violation a line: RULE ID
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
