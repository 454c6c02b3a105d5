"""Planning introductions at the size of issue 19: 2,000 people who asked,
about 60 topics, about 150 organisations (target: under 5 s).

Built in-process, as the worker plans them: the figures are the time to
build the plan, with the matching's total weight beside a greedy pairing's
(the greedy baseline tries every pair, so it is timed only at the smaller
sizes). Votes and organisations are random but seeded, with popular topics
and big departments, so every run builds the same plan.

    .venv/bin/python -m bench.introductions
"""

from __future__ import annotations

import random
import time

from bot.introductions.matching import BLOCK_SIZE, CANDIDATES, Person, greedy_groups, plan_groups, same_organisation

PHRASES = [
    "open data",
    "bus timetables",
    "payments platform",
    "identity verification",
    "accessibility audits",
    "design system components",
    "cloud hosting migration",
    "case management",
    "api standards",
    "machine learning in casework",
    "legacy mainframe replacement",
    "digital forms",
]


def people_case(people: int = 2000, topics: int = 60, organisations: int = 150, seed: int = 19) -> list[Person]:
    rng = random.Random(seed)
    topic_weights = [1 / (k + 1) ** 0.8 for k in range(topics)]
    organisation_weights = [1 / (k + 1) for k in range(organisations)]
    pool = []
    for n in range(people):
        organisation = rng.choices(range(organisations), weights=organisation_weights)[0]
        chosen = frozenset(rng.choices(range(topics), weights=topic_weights, k=rng.randint(0, 8)))
        wrote = " and ".join(rng.sample(PHRASES, rng.randint(0, 2)))
        pool.append(Person(f"P{n:05d}", f"Organisation {organisation}", None, chosen, wrote))
    return pool


def valid(groups, pool: list[Person]) -> bool:
    by_key = {p.key: p for p in pool}
    seen: list[str] = [key for group in groups for key in group.members]
    same = any(
        same_organisation(by_key[a], by_key[b])
        for group in groups
        for a in group.members
        for b in group.members
        if a < b
    )
    return len(seen) == len(set(seen)) and not same and sum(len(g.members) == 3 for g in groups) <= 1


def measure(people: int, *, greedy: bool) -> dict:
    pool = people_case(people)
    started = time.perf_counter()
    groups = plan_groups(pool)
    seconds = time.perf_counter() - started
    row = {
        "people": people,
        "seconds": seconds,
        "groups": len(groups),
        "introduced": sum(len(g.members) for g in groups),
        "weight": sum(g.weight for g in groups),
        "valid": valid(groups, pool),
        "greedy weight": None,
    }
    if greedy:
        row["greedy weight"] = sum(g.weight for g in greedy_groups(pool))
    return row


def main() -> None:
    print(
        f"Planning introductions: blocks of {BLOCK_SIZE} people, each keeping {CANDIDATES} best partners "
        "as edges; target under 5 s at 2,000"
    )
    print(f"{'people':>7} {'seconds':>8} {'groups':>7} {'introduced':>11} {'weight':>9} {'greedy':>9} {'valid':>6}")
    for size, greedy in ((200, True), (500, True), (1000, False), (2000, False)):
        row = measure(size, greedy=greedy)
        baseline = f"{row['greedy weight']:9.1f}" if row["greedy weight"] is not None else f"{'-':>9}"
        print(
            f"{row['people']:>7} {row['seconds']:8.2f} {row['groups']:>7} {row['introduced']:>11} "
            f"{row['weight']:9.1f} {baseline} {str(row['valid']):>6}"
        )


if __name__ == "__main__":
    main()
