"""Acks never wait for anyone's Web API calls: when Slack is slow to answer
the calls the app makes after acking (opening a modal, sending a DM), other
people's requests are still acknowledged."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.app import CHANNEL, start_bot, stop_bot
from tests.support.factories import make_meetup
from tests.support.fakeslack import FakeSlack

PEOPLE = [f"U0SLOW{n:02d}" for n in range(20)]


class HeldSlack(FakeSlack):
    """A fake Slack that holds every users.info call until `release` is set,
    as a slow Slack would."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def _answer_api(self, method, request, query):
        if method == "users.info":
            self.release.wait(timeout=30)
        return super()._answer_api(method, request, query)


@pytest.fixture
def held_slack():
    fake = HeldSlack().start()
    fake.add_channel(CHANNEL, name="open-source-meetups")
    for user in PEOPLE:
        fake.add_user(user, real_name=f"Person {user}", email=f"{user.lower()}@homeoffice.gov.uk")
    yield fake
    fake.release.set()
    fake.stop()
    assert fake.violations == []


def test_twenty_people_are_acknowledged_while_slack_holds_every_call(held_slack, sqlite_url, clock):
    running, server, thread = start_bot(held_slack, sqlite_url, clock)
    try:
        make_meetup(running.db, now=clock(), capacity=100)
        with ThreadPoolExecutor(max_workers=len(PEOPLE)) as pool:
            replies = list(pool.map(lambda user: running.slack.command("signup", user_id=user), PEOPLE))

        # Everyone was acknowledged, though Slack has not answered anyone's
        # profile lookup yet, so no modal has opened.
        assert [(r.status, r.body) for r in replies] == [(200, "")] * len(PEOPLE)
        assert held_slack.calls_to("views.open") == []

        held_slack.release.set()
        opened = held_slack.wait_for("views.open", count=len(PEOPLE), timeout=15)
        assert len(opened) == len(PEOPLE)
    finally:
        held_slack.release.set()
        stop_bot(running, server, thread)
