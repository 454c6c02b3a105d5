"""Who to introduce to whom at a meetup: pure, no Slack, no database.

The weight of a pair says how much they have in common:

- each topic both voted for counts log(1 + N / votes), N the people in the
  pool and votes how many of them voted for it, so a rare shared topic says
  more than one nearly everyone chose;
- what they wrote they are working on adds a little per shared word (stop
  words left out), capped below the weight of any one shared topic, so a
  shared topic always comes first and the words break ties and help people
  who voted for nothing.

Pairs with no weight are never made: the series introduces people working on
the same things, and two strangers with nothing in common are better left to
meet by chance. Two people from one organisation are never paired, nor two
people introduced to each other at an earlier meetup.

The pairs are a maximum weight matching (networkx), not a greedy pick: greed
takes the best pair first and can leave both partners' next best stranded.
networkx's matching takes time of the order of n³ (pure Python: about 10 s
for 500 people with every edge), so for thousands of people the graph is
kept small: people are sorted so that those who voted for the same rare
topics (then wrote the same words) sit together, and matched in blocks of
BLOCK_SIZE, each person keeping only their CANDIDATES best partners in the
block as edges; those left over are matched again, in new blocks, until a
round pairs nobody more. The matching is the best within each block, and
close to it overall (bench/introductions.py compares it with greedy). With
someone left over, at most one pair becomes a three, where a left-over
person adds the most weight.

Same inputs, same pairs: people are sorted by key and ties broken by key.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

# Each person's best partners kept as edges of the graph, and how many people
# are matched at once (see the module's doc).
CANDIDATES = 5
BLOCK_SIZE = 50
# Per shared word of what people wrote, and at most this many words: the most
# it adds (0.4) stays under the least one shared topic weighs (log 2).
WORD_WEIGHT = 0.1
MAX_WORDS = 4

STOP_WORDS = frozenset(
    word
    for line in (
        "a about above after again all also am an and any are as at be been being but by can could did do does",
        "doing for from had has have having he her here hers him his how i if in into is it its itself just me",
        "more most my no nor not now of off on once only or other our ours out over own same she should so some",
        "such than that the their theirs them then there these they this those through to too under until up",
        "very was we were what when where which while who whom why will with would you your yours",
        # Words nearly everyone here would write: they say nothing about what.
        "work working team teams project projects government department new using use way ways looking",
    )
    for word in line.split()
)


@dataclass(frozen=True)
class Person:
    """Someone who asked for an introduction and has a place."""

    key: str  # stable and unique: ties are broken by it
    organisation: str
    domain_organisation: str | None = None
    topics: frozenset[int] = frozenset()
    working_on: str = ""


@dataclass(frozen=True)
class Group:
    """Two (or three) people to introduce, and what they share."""

    members: tuple[str, ...]
    weight: float
    # Topics at least two of them voted for, and words at least two wrote.
    shared_topics: tuple[int, ...]
    shared_words: tuple[str, ...]


def normalise_organisation(name: str | None) -> str:
    """ "The Home Office" and "home  office" are one organisation."""
    words = re.findall(r"[a-z0-9]+", (name or "").casefold().replace("&", " and "))
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def same_organisation(a: Person, b: Person) -> bool:
    if normalise_organisation(a.organisation) == normalise_organisation(b.organisation):
        return True
    first, second = normalise_organisation(a.domain_organisation), normalise_organisation(b.domain_organisation)
    return bool(first) and first == second


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.casefold()) if len(w) > 2 and w not in STOP_WORDS)


class _Pool:
    """The people, with what the weights need worked out once."""

    def __init__(self, people: Iterable[Person], already_met: Iterable[frozenset[str]]):
        self.people = {p.key: p for p in sorted(people, key=lambda p: p.key)}
        self.words = {key: content_words(p.working_on) for key, p in self.people.items()}
        self.met = {frozenset(pair) for pair in already_met}
        # Both names of each person's organisation, normalised once.
        self.organisations = {
            key: {normalise_organisation(p.organisation), normalise_organisation(p.domain_organisation)} - {""}
            for key, p in self.people.items()
        }
        votes: dict[int, int] = defaultdict(int)
        for person in self.people.values():
            for topic in person.topics:
                votes[topic] += 1
        count = len(self.people)
        self.topic_weight = {topic: math.log(1 + count / n) for topic, n in votes.items()}

    def can_meet(self, a: str, b: str) -> bool:
        return a != b and not self.organisations[a] & self.organisations[b] and frozenset((a, b)) not in self.met

    def weight(self, a: str, b: str) -> float:
        topics = self.people[a].topics & self.people[b].topics
        words = len(self.words[a] & self.words[b])
        return sum(self.topic_weight[t] for t in topics) + WORD_WEIGHT * min(words, MAX_WORDS)

    def anchor(self, key: str, turn: int = 0) -> tuple:
        """Sorts people with the same rare topics (then the same words) next
        to each other, so each block holds most of a person's best partners.
        With `turn`, from their turn-th rarest topic on: another grouping."""
        topics = sorted(self.people[key].topics, key=lambda t: (-self.topic_weight[t], t))
        topics = topics[turn:] + topics[:turn]
        return (not topics, topics, sorted(self.words[key]), key)


class _Block:
    """Some of the pool, with who voted for what and who wrote which word among them."""

    def __init__(self, pool: _Pool, keys: list[str]):
        self.pool = pool
        self.keys = keys
        self.voters: dict[int, list[str]] = defaultdict(list)
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            for topic in pool.people[key].topics:
                self.voters[topic].append(key)
            for word in pool.words[key]:
                self.by_word[word].append(key)

    def best_partners(self, key: str, limit: int) -> list[tuple[float, str]]:
        """This person's `limit` heaviest possible partners in the block,
        found through what they share rather than by trying everyone."""
        pool = self.pool
        scores: dict[str, float] = defaultdict(float)
        for topic in pool.people[key].topics:
            weight = pool.topic_weight[topic]
            for other in self.voters[topic]:
                scores[other] += weight
        word_counts: dict[str, int] = defaultdict(int)
        for word in pool.words[key]:
            for other in self.by_word[word]:
                word_counts[other] += 1
        for other, count in word_counts.items():
            scores[other] += WORD_WEIGHT * min(count, MAX_WORDS)
        usable = ((round(score, 9), other) for other, score in scores.items() if pool.can_meet(key, other))
        # Heaviest first; among equals the smaller key, so the choice is stable.
        return heapq.nsmallest(limit, ((-score, other) for score, other in usable))

    def matching(self, candidates: int, keep: Iterable[tuple[str, str]] = ()) -> list[tuple[str, str]]:
        """The best pairs in the block; `keep`: pairs whose edge is in the
        graph whatever the candidates, so the result weighs at least as much."""
        # Imported here, not with the module: networkx takes about 20 MB,
        # which every server process would keep for a matching that only the
        # worker runs, once per meetup (docs/performance.md).
        import networkx as nx

        graph: nx.Graph[str] = nx.Graph()
        graph.add_nodes_from(self.keys)
        edges = {(a, b): self.pool.weight(a, b) for a, b in keep}
        for key in self.keys:
            for negative, other in self.best_partners(key, candidates):
                if -negative > 0:
                    a, b = sorted((key, other))
                    edges[a, b] = -negative
        # Sorted edges: the matching then depends only on the inputs.
        graph.add_weighted_edges_from((a, b, weight) for (a, b), weight in sorted(edges.items()))
        return sorted((a, b) if a < b else (b, a) for a, b in nx.max_weight_matching(graph, weight="weight"))


def plan_groups(
    people: Iterable[Person],
    *,
    already_met: Iterable[frozenset[str]] = (),
    candidates: int = CANDIDATES,
    block_size: int = BLOCK_SIZE,
) -> list[Group]:
    """The introductions to make, heaviest first."""
    pool = _Pool(people, already_met)
    waiting = sorted(pool.people, key=pool.anchor)
    pairs: list[list[str]] = []
    # Blocks of people with the same rare topics, matched each; then those
    # left over, in new blocks, until a round pairs nobody more.
    while len(waiting) > 1:
        found = [
            pair
            for start in range(0, len(waiting), block_size)
            for pair in _Block(pool, waiting[start : start + block_size]).matching(candidates)
        ]
        if not found:
            break
        pairs += [list(pair) for pair in found]
        paired = {key for pair in found for key in pair}
        waiting = [key for key in waiting if key not in paired]
    pairs = _second_look(pool, pairs, waiting, candidates, block_size)
    _add_one_left_over(pool, pairs)
    groups = [_group(pool, tuple(sorted(m))) for m in pairs]
    return sorted(groups, key=lambda g: (-g.weight, g.members))


def _second_look(
    pool: _Pool, pairs: list[list[str]], waiting: list[str], candidates: int, block_size: int
) -> list[list[str]]:
    """Match again in other blocks (grouped by each pair's second rarest
    topic), each pair's own edge kept: no block comes out lighter, and
    partners the first blocks kept apart can meet."""
    units = [sorted(pair) for pair in pairs] + [[key] for key in waiting]
    units.sort(key=lambda unit: min(pool.anchor(key, turn=1) for key in unit))
    improved: list[list[str]] = []
    block: list[list[str]] = []
    for index, unit in enumerate(units):
        block.append(unit)
        if sum(map(len, block)) >= block_size or index == len(units) - 1:
            keys = sorted(key for part in block for key in part)
            kept = [(part[0], part[1]) for part in block if len(part) == 2]
            improved += [list(pair) for pair in _Block(pool, keys).matching(candidates, keep=kept)]
            block = []
    return sorted(improved)


def _add_one_left_over(pool: _Pool, pairs: list[list[str]]) -> None:
    """With someone left over (an odd number, or no one left they could
    meet), make one pair a three: the left-over person who adds most to a pair."""
    pair_of = {key: index for index, pair in enumerate(pairs) for key in pair}
    shared = _Block(pool, sorted(pair_of))
    best: tuple[float, str, int] | None = None
    for key in pool.people:
        if key in pair_of:
            continue
        # Only the pairs of people this person shares something with can gain.
        near = {pair_of[other] for _, other in shared.best_partners(key, len(pair_of))}
        for index in sorted(near):
            a, b = pairs[index]
            if not (pool.can_meet(key, a) and pool.can_meet(key, b)):
                continue
            added = pool.weight(key, a) + pool.weight(key, b)
            if added > 0 and (best is None or (-added, key, index) < (-best[0], best[1], best[2])):
                best = (added, key, index)
    if best is not None:
        pairs[best[2]].append(best[1])


def _group(pool: _Pool, members: tuple[str, ...]) -> Group:
    topics: set[int] = set()
    words: set[str] = set()
    weight = 0.0
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            topics |= pool.people[a].topics & pool.people[b].topics
            words |= pool.words[a] & pool.words[b]
            weight += pool.weight(a, b)
    return Group(members, round(weight, 9), tuple(sorted(topics)), tuple(sorted(words)))


def greedy_groups(people: Iterable[Person], *, already_met: Iterable[frozenset[str]] = ()) -> list[Group]:
    """The heaviest pair first, then the heaviest left, and so on: what the
    matching is measured against in the tests and the benchmark."""
    pool = _Pool(people, already_met)
    keys = list(pool.people)
    edges = sorted((-pool.weight(a, b), a, b) for i, a in enumerate(keys) for b in keys[i + 1 :] if pool.can_meet(a, b))
    taken: set[str] = set()
    groups = []
    for negative, a, b in edges:
        if -negative > 0 and a not in taken and b not in taken:
            taken |= {a, b}
            groups.append(_group(pool, (a, b)))
    return groups
