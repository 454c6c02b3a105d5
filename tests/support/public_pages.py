"""The public website under test: the bot started with its settings, sign-ups
with personal data to look for, and a plain HTTP client."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message

from storage.models import CONFIRMED, Registration
from tests.support.app import start_bot, stop_bot

CONTACT = "meetups@digital.cabinet-office.gov.uk"
JOIN = "https://join.example.test/slack"

# (Slack user id, name, email, organisation): none may appear on a page.
PEOPLE = [
    ("U0GRACEHOPPER", "Grace Hopper", "grace.hopper@justice.gov.uk", "Ministry of Justice"),
    ("U0ALANTURING", "Alan Turing", "alan.turing@hmrc.gov.uk", "HMRC"),
    ("U0KATHERINEJ", "Katherine Johnson", "katherine.johnson@dwp.gov.uk", "DWP"),
]


def running_site(fake_slack, database_url, clock, **settings):
    """For a fixture: yields the running bot with the pages' settings."""
    env = {"ORGANISER_CONTACT": CONTACT, "SLACK_JOIN_URL": JOIN, **settings}
    running, server, thread = start_bot(fake_slack, database_url, clock, **env)
    try:
        yield running
    finally:
        stop_bot(running, server, thread)


@dataclass
class Answer:
    status: int
    headers: Message  # names in any case
    body: str


def get(url: str, **headers: str) -> Answer:
    request = urllib.request.Request(url, headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Answer(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read().decode())


def add_people(db, meetup_id: int, people: list[tuple[str, str, str, str]], status: str = CONFIRMED) -> None:
    """Sign-ups straight into the database."""
    with db.transaction() as session:
        for user_id, name, email, organisation in people:
            session.add(
                Registration(
                    meetup_id=meetup_id,
                    slack_user_id=user_id,
                    full_name=name,
                    email=email,
                    organisation=organisation,
                    role="civil_servant",
                    status=status,
                )
            )
