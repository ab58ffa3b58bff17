"""Write a seeded synthetic dataset in reminder's own import formats.

    python bench/generate.py --actions 100000 --focal-points 5000 --out bench/data/100k

Writes `tracker.csv` (one row per key action: ~20 recommendations per evaluation, joint and
unknown responsible parties, every deadline precision, ~10% closed, deadlines from 60 days
before to 30 days after --as-of) and `directory.csv` (the parties and focal points: one primary
each, plus escalation contacts and alternates, some primaries away, one catch-all party).
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

STATUSES = ["Not initiated", "Initiated", "Initiated", "Overdue", "Over due", "Ongoing"]
VERBS = ["Map", "Draft", "Agree", "Publish", "Train", "Review", "Hand over", "Survey", "Brief"]
OBJECTS = [
    "referral services",
    "the monitoring plan",
    "district protocols",
    "the curricula",
    "partner agreements",
    "the data-sharing policy",
    "the budget revision",
]


def parties_for(focal_points: int) -> int:
    return max(focal_points // 2, 10)


def write_directory(path: Path, focal_points: int, rng: random.Random, as_of: date) -> list[str]:
    party_count = parties_for(focal_points)
    names = [f"Agency {n:05d}" for n in range(party_count)]
    rows = []
    extra = focal_points - party_count - 1
    for n, name in enumerate(names):
        code = f"P{n:05d}"
        away = n < extra // 2 and n % 5 == 0  # some primaries are away, with an alternate
        rows.append(
            [
                code,
                name,
                f"AG{n:05d}",
                "",
                f"Primary {n}",
                f"primary{n}@p{n}.example.org",
                "primary",
                "ru" if n % 7 == 0 else "en",
                (as_of + timedelta(days=10)).isoformat() if away else "",
                f"alternate{n}@p{n}.example.org" if away else "",
            ]
        )
    for k in range(extra):
        n = k % party_count
        role = "alternate" if k < extra // 2 and n % 5 == 0 else "escalation"
        rows.append(
            [
                f"P{n:05d}",
                names[n],
                "",
                "",
                f"{role.title()} {k}",
                f"{role}{n}@p{n}.example.org"
                if role == "alternate"
                else f"escalation{k}@p{n}.example.org",
                role,
                "en",
                "",
                "",
            ]
        )
    rows.append(
        [
            "MEU",
            "M&E Unit",
            "",
            "yes",
            "M&E focal point",
            "me@meu.example.org",
            "primary",
            "en",
            "",
            "",
        ]
    )
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "party",
                "party_name",
                "aliases",
                "catch_all",
                "name",
                "email",
                "role",
                "locale",
                "away_until",
                "alternate",
            ]
        )
        writer.writerows(rows)
    return names


def deadline_label(rng: random.Random, due: date) -> str:
    roll = rng.random()
    if roll < 0.5:
        return due.isoformat()
    if roll < 0.75:
        return f"{due.year}/{due.month:02d}"
    if roll < 0.85:
        return f"Q{(due.month - 1) // 3 + 1} {due.year}"
    if roll < 0.90:
        return str(due.year)
    return rng.choice(["No due date", "Ongoing", ""])


def write_tracker(
    path: Path, actions: int, names: list[str], rng: random.Random, as_of: date
) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(
            [
                "Evaluation ID",
                "Evaluation",
                "Office",
                "Recommendation number",
                "Recommendation",
                "Key action",
                "Responsible",
                "Deadline",
                "Status",
                "Comments",
                "Last updated",
            ]
        )
        written = evaluation = 0
        while written < actions:
            evaluation += 1
            for rec in range(1, 21):
                for _ in range(rng.choice((2, 2, 3))):
                    if written >= actions:
                        break
                    roll = rng.random()
                    if roll < 0.75:
                        responsible = rng.choice(names)
                    elif roll < 0.95:
                        first, second = rng.sample(names, 2)
                        responsible = f"{first} and {second}"
                    else:
                        responsible = "Programme Specialist"
                    due = as_of + timedelta(days=rng.randint(-60, 30))
                    status = "Completed" if rng.random() < 0.10 else rng.choice(STATUSES)
                    updated = as_of - timedelta(days=rng.randint(0, 200))
                    writer.writerow(
                        [
                            f"EV{evaluation:06d}",
                            f"Evaluation {evaluation} of programme {evaluation % 97}",
                            f"Office {evaluation % 40}",
                            str(rec),
                            f"Recommendation {rec} of evaluation {evaluation}",
                            f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({written})",
                            responsible,
                            deadline_label(rng, due),
                            status,
                            "Progress reported at the last meeting." if rng.random() < 0.3 else "",
                            updated.isoformat(),
                        ]
                    )
                    written += 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--focal-points", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2027, 1, 15))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    names = write_directory(args.out / "directory.csv", args.focal_points, rng, args.as_of)
    write_tracker(args.out / "tracker.csv", args.actions, names, rng, args.as_of)
    print(
        f"wrote {args.out}/directory.csv ({args.focal_points} focal points, "
        f"{parties_for(args.focal_points)} parties) and "
        f"{args.out}/tracker.csv ({args.actions} key actions)"
    )


if __name__ == "__main__":
    main()
