"""The organiser user group: read from Slack in the background, the last good
list kept while Slack fails, and no request waits on Slack (issue 16, item 5)."""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.runtime.organisers import Organisers
from tests.support.app import CHANNEL, start_bot, stop_bot
from tests.support.factories import make_meetup
from tests.support.fakeslack import FakeSlack
from tests.support.organising import eventually

GROUP = "S0ORGANISERS"


class StubClient:
    """usergroups.users.list as a test scripts it: each call takes the next
    answer (a list of users, or an exception to raise), after `hold` is set."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0
        self.hold = threading.Event()
        self.hold.set()

    def usergroups_users_list(self, *, usergroup):
        self.calls += 1
        self.hold.wait(30)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return {"ok": True, "users": answer}


def slack_error(code: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=200,
    )
    return SlackApiError(code, response)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def settle(organisers: Organisers) -> None:
    """Wait until no refresh is running."""
    eventually(lambda: not organisers._refreshing)


def test_the_last_good_list_stands_while_slack_fails_and_each_failure_is_logged(caplog):
    clock = Clock()
    client = StubClient(
        ["U0A"], slack_error("ratelimited"), ConnectionResetError("reset"), TimeoutError("timed out"), ["U0B"]
    )
    organisers = Organisers(frozenset(), GROUP, client, clock=clock)
    assert organisers.is_organiser("U0A")
    for failure in ("ratelimited", "ConnectionResetError", "TimeoutError"):
        clock.now += Organisers.CACHE_SECONDS + Organisers.RETRY_SECONDS + 1
        assert organisers.is_organiser("U0A")  # answered from the last good list
        settle(organisers)
        assert organisers.is_organiser("U0A") and not organisers.is_organiser("U0B")
        assert any(failure in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records), failure
    clock.now += Organisers.RETRY_SECONDS + 1
    organisers.is_organiser("U0A")
    settle(organisers)
    assert organisers.is_organiser("U0B") and not organisers.is_organiser("U0A")


def test_after_a_failure_slack_is_asked_again_only_after_a_pause():
    clock = Clock()
    client = StubClient(slack_error("ratelimited"))
    organisers = Organisers(frozenset(), GROUP, client, clock=clock)
    assert not organisers.is_organiser("U0A")
    settle(organisers)
    for _ in range(20):
        organisers.is_organiser("U0A")
    settle(organisers)
    assert client.calls == 1
    clock.now += Organisers.RETRY_SECONDS + 1
    organisers.is_organiser("U0A")
    settle(organisers)
    assert client.calls == 2


def test_a_slow_slack_holds_up_no_request_once_there_is_a_list():
    clock = Clock()
    client = StubClient(["U0A"])
    organisers = Organisers(frozenset({"U0LISTED"}), GROUP, client, clock=clock)
    assert organisers.is_organiser("U0A")
    settle(organisers)

    client.hold.clear()  # Slack stops answering, for 30 seconds a call
    clock.now += Organisers.CACHE_SECONDS + 1
    with ThreadPoolExecutor(max_workers=20) as pool:
        asked = [pool.submit(organisers.is_organiser, user) for user in ["U0A", "U0LISTED", "U0NOBODY"] * 20]
        # Every answer comes while Slack is still silent: none waited for it.
        # (The bound is for a busy machine, far below Slack's 30 seconds.)
        _, waiting = wait(asked, timeout=10)
        assert not waiting
        assert client.calls == 2  # one refresh in flight, not one a request
        client.hold.set()
    assert [future.result() for future in asked] == [True, True, False] * 20


def test_before_the_first_answer_a_request_waits_briefly_then_is_answered():
    client = StubClient(["U0A"])
    client.hold.clear()
    organisers = Organisers(frozenset({"U0LISTED"}), GROUP, client)
    started = time.perf_counter()
    assert organisers.is_organiser("U0LISTED")  # a listed id needs no answer from Slack
    assert not organisers.is_organiser("U0A")
    # It gave up on Slack after FIRST_ANSWER_SECONDS, not Slack's 30 seconds
    # (the margin is for a busy machine).
    assert time.perf_counter() - started < Organisers.FIRST_ANSWER_SECONDS + 10
    client.hold.set()
    settle(organisers)
    assert organisers.is_organiser("U0A")


class SlowGroupSlack(FakeSlack):
    """A fake Slack that holds usergroups.users.list until `release` is set."""

    def __init__(self):
        super().__init__()
        self.release = threading.Event()

    def _answer_api(self, method, request, query):
        if method == "usergroups.users.list":
            self.release.wait(timeout=30)
        return super()._answer_api(method, request, query)


@pytest.fixture
def slow_group_slack():
    from bot.runtime.check import manifest_scopes

    fake = SlowGroupSlack()
    fake.scopes = list(manifest_scopes())
    fake.start()
    fake.add_channel(CHANNEL, name="open-source-meetups")
    fake.add_user("U0GROUP", real_name="Grace Group", email="grace@gds.gov.uk")
    fake.add_usergroup(GROUP, ["U0GROUP"])
    yield fake
    fake.release.set()
    fake.stop()
    assert fake.violations == []


def test_help_answers_at_once_and_list_plainly_while_slack_holds_the_group(slow_group_slack, sqlite_url, clock):
    running, server, thread = start_bot(slow_group_slack, sqlite_url, clock, ORGANISER_USERGROUP_ID=GROUP)
    try:
        make_meetup(running.db, now=clock())
        with ThreadPoolExecutor(max_workers=10) as pool:
            replies = list(pool.map(lambda _: running.slack.command("help", user_id="U0GROUP"), range(10)))
        assert all(r.status == 200 and "`/meetup signup`" in r.body for r in replies)
        assert max(r.elapsed for r in replies) < 2.5  # within Slack's 3 seconds
        # Not yet known to be an organiser: told so plainly, not a 500.
        refused = running.slack.command("list", user_id="U0GROUP")
        assert refused.status == 200 and "Only organisers" in refused.body

        slow_group_slack.release.set()
        eventually(lambda: "0 of 10 places taken" in running.slack.command("list", user_id="U0GROUP").body)
    finally:
        slow_group_slack.release.set()
        stop_bot(running, server, thread)


def test_a_failing_slack_keeps_the_last_group_and_never_gives_a_500(fake_slack, sqlite_url, clock):
    fake_slack.add_user("U0GROUP", real_name="Grace Group", email="grace@gds.gov.uk")
    fake_slack.add_usergroup(GROUP, ["U0GROUP"])
    running, server, thread = start_bot(fake_slack, sqlite_url, clock, ORGANISER_USERGROUP_ID=GROUP)
    try:
        make_meetup(running.db, now=clock())
        assert "0 of 10 places taken" in running.slack.command("list", user_id="U0GROUP").body
        organisers = running.deps.organisers
        fake_slack.fail_next("usergroups.users.list", status=500, times=100)
        organisers._next_refresh_at = float("-inf")  # the cache has aged
        for _ in range(5):
            reply = running.slack.command("list", user_id="U0GROUP")
            assert reply.status == 200 and "0 of 10 places taken" in reply.body
        eventually(lambda: fake_slack.failures)
    finally:
        stop_bot(running, server, thread)
