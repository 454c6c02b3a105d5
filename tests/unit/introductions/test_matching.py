"""The matching of introductions on crafted vote matrices."""

from __future__ import annotations

import random

from bot.introductions.matching import (
    Person,
    content_words,
    greedy_groups,
    normalise_organisation,
    plan_groups,
    same_organisation,
)


def person(key: str, organisation: str, topics: set[int] = frozenset(), working_on: str = "", domain=None) -> Person:
    return Person(key, organisation, domain, frozenset(topics), working_on)


def total(groups) -> float:
    return round(sum(g.weight for g in groups), 6)


def test_the_matching_beats_greedy_on_shared_topic_weight():
    # A and B share the most, so greedy pairs them first and strands C and D,
    # who each share something only with A or B.
    people = [
        person("A", "Org A", {1, 2, 5, 7, 8}),
        person("B", "Org B", {1, 3, 6, 7, 8}),
        person("C", "Org C", {2, 5}),
        person("D", "Org D", {3, 6}),
    ]
    matched = plan_groups(people)
    greedy = greedy_groups(people)
    assert [g.members for g in greedy] == [("A", "B")]
    assert sorted(g.members for g in matched) == [("A", "C"), ("B", "D")]
    assert total(matched) > total(greedy)


def test_never_two_people_from_one_organisation():
    people = [
        person("A", "Home Office", {1, 2}),
        person("B", "the home office", {1, 2}),
        person("C", "HMRC", {1}, domain="HM Revenue & Customs"),
        person("D", "Revenue", {1}, domain="HM Revenue and Customs"),
    ]
    for group in plan_groups(people):
        members = [p for p in people if p.key in group.members]
        assert not any(same_organisation(a, b) for a in members for b in members if a is not b)


def test_random_pools_never_pair_an_organisation_with_itself_and_are_stable():
    rng = random.Random(7)
    people = [
        person(f"U{i:03}", f"Org {rng.randrange(6)}", set(rng.sample(range(12), 3)), "open data and APIs")
        for i in range(61)
    ]
    first = plan_groups(people)
    assert first == plan_groups(list(reversed(people)))
    by_key = {p.key: p for p in people}
    seen: set[str] = set()
    for group in first:
        assert not seen & set(group.members)
        seen |= set(group.members)
        for a in group.members:
            for b in group.members:
                assert a == b or not same_organisation(by_key[a], by_key[b])
    assert sum(len(g.members) == 3 for g in first) <= 1
    assert total(first) >= total(greedy_groups(people))


def test_rarer_shared_topics_weigh_more():
    people = [
        person("A", "Org A", {1, 9}),
        person("B", "Org B", {1}),
        person("C", "Org C", {9}),
        person("D", "Org D", {1}),
        person("E", "Org E", {1}),
    ]
    # Topic 9 has two voters, topic 1 four: A goes with C.
    groups = plan_groups(people)
    assert ("A", "C") in [g.members[:2] for g in groups if "A" in g.members]


def test_words_count_when_no_topic_is_shared_and_nothing_means_no_introduction():
    people = [
        person("A", "Org A", working_on="Publishing open data about bus timetables"),
        person("B", "Org B", working_on="Bus timetables as open data"),
        person("C", "Org C", working_on="Payroll"),
    ]
    groups = plan_groups(people)
    assert [g.members for g in groups] == [("A", "B")]
    assert set(groups[0].shared_words) >= {"bus", "timetables", "data"}


def test_people_already_introduced_are_not_introduced_again():
    people = [person("A", "Org A", {1}), person("B", "Org B", {1}), person("C", "Org C", {1})]
    groups = plan_groups(people, already_met=[frozenset(("A", "B"))])
    for group in groups:
        assert set(group.members) != {"A", "B"} and not {"A", "B"} <= set(group.members)


def test_one_left_over_joins_the_pair_they_add_most_to():
    people = [
        person("A", "Org A", {1, 2}),
        person("B", "Org B", {1, 2}),
        person("C", "Org C", {3}),
        person("D", "Org D", {3}),
        person("E", "Org E", {1, 2}),
    ]
    groups = plan_groups(people)
    assert sorted(len(g.members) for g in groups) == [2, 3]
    trio = next(g for g in groups if len(g.members) == 3)
    assert set(trio.members) == {"A", "B", "E"}


def test_organisations_and_words_are_normalised():
    assert normalise_organisation("The  Home Office") == normalise_organisation("home office")
    assert normalise_organisation("HM Revenue & Customs") == "hm revenue and customs"
    assert content_words("We are working on the open data APIs") == {"open", "data", "apis"}
