"""
Generate SLAC-like records for the benchmark: seeded, any size, about 1% of each violation.

    python benchmarks/generate.py 1000000 --out /tmp/bench    # writes bench.jsonl, bench.csv, bench.expected.json

The expected file lists every (rule, id) violation the generator put in, so the runner can prove that
gradecheck reports all of them and nothing else.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

GRADES = ("outstanding", "good", "adequate", "inadequate")
CATEGORIES = [f"c{i:02d}" for i in range(1, 23)]
RATE = 0.01


def records(n: int, seed: int = 2026):
    """Yield (record, expected violations) pairs."""
    rnd = random.Random(seed)
    for i in range(n):
        centre = rnd.randrange(4)
        grades = [GRADES[min(3, max(0, centre + rnd.choice((-1, 0, 0, 1))))] for _ in CATEGORIES]
        ranks = sorted(GRADES.index(g) for g in grades)
        overall = GRADES[rnd.randint(ranks[0], ranks[-1])]
        counts = {g: grades.count(g) for g in GRADES if grades.count(g)}
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
            other = rnd.choice([x for x in GRADES if x != g])
            counts[g] -= 1
            counts[other] = counts.get(other, 0) + 1
            if not counts[g]:
                del counts[g]
            broken.add("B102")
        elif roll < 3 * RATE:  # placements exceed the looked-after total
            foster = looked_after - parents - homes + rnd.randint(1, 50)
            broken.add("B103")
        elif roll < 4 * RATE and ranks[0] > 0:  # overall better than every category
            overall = GRADES[rnd.randrange(ranks[0])]
            broken.add("B104")
        record = {
            "id": f"r{i}",
            "authority": f"Authority {i % 152}",
            "framework": "bench-slac",
            "start": "2011-01-10",
            "end": "2011-01-21",
            "published": "2011-03-04",
            "judgements": {"overall_effectiveness": overall, **dict(zip(CATEGORIES, grades))},
            "grade_counts": counts,
            "populations": {"looked_after": looked_after, "foster_care": foster,
                            "placed_with_parents": parents, "childrens_homes": homes},
        }
        yield record, broken


COLUMNS = (["id", "authority", "framework", "start", "end", "published", "judgements.overall_effectiveness"]
           + [f"judgements.{c}" for c in CATEGORIES] + [f"grade_counts.{g}" for g in GRADES]
           + ["populations.looked_after", "populations.foster_care", "populations.placed_with_parents",
              "populations.childrens_homes"])


def flat(record: dict) -> dict:
    out = {}
    for key, value in record.items():
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("n", type=int)
    parser.add_argument("--out", default="/tmp/gradecheck-bench", help="output stem (default /tmp/gradecheck-bench)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    stem = Path(args.out)
    stem.parent.mkdir(parents=True, exist_ok=True)
    expected = []
    with open(f"{stem}.jsonl", "w") as jl, open(f"{stem}.csv", "w", newline="") as cf:
        writer = csv.DictWriter(cf, COLUMNS)
        writer.writeheader()
        for record, broken in records(args.n, args.seed):
            jl.write(json.dumps(record) + "\n")
            writer.writerow(flat(record))
            expected.extend([code, record["id"]] for code in sorted(broken))
    Path(f"{stem}.expected.json").write_text(json.dumps(expected))
    print(f"wrote {args.n} records to {stem}.jsonl and {stem}.csv; {len(expected)} violations in {stem}.expected.json")


if __name__ == "__main__":
    main()
