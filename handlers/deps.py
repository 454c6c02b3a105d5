"""What every listener needs, built once by the app factory
(bot/runtime/app.py) and handed to each feature's `register(app, deps)`.

The handlers never import the runtime: what they use of it (who is an
organiser, the outbox's sender) is described here as Protocols, which the
runtime's classes satisfy. Nothing here holds state at import time: the
subcommands, the hooks and the throttle are built per app, so two apps in
one process (the tests start many) never share them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.common.pseudonyms import PersonKeys, Pseudonyms
from bot.domains.lookup import DomainTable
from bot.meetups.calendar import CalendarUser, calendar_organiser
from bot.organising.co_organisers import can_run
from bot.settings import Settings
from bot.signups.limits import SignupLimits
from handlers.throttle import Throttle
from storage.db import Database
from storage.meetups import MeetupCopies
from storage.models import Delivery, Registration

log = logging.getLogger(__name__)


class OrganiserCheck(Protocol):
    """Who counts as an organiser (bot/runtime/organisers.py)."""

    def is_organiser(self, user_id: str) -> bool: ...

    def all(self) -> Iterable[str]: ...


class MessageSender(Protocol):
    """The outbox's sender (bot/runtime/sender.py): messages are queued in the
    transaction (bot/common/outbox.py), then handed over to be sent once."""

    def deliver_soon(self, ids: Iterable[int]) -> None: ...

    # callback(session, delivery) when a delivery of this kind fails for good,
    # in the transaction that records it; returns what it queued instead.
    def on_failed(self, kind: str, callback: Callable[[Any, Delivery], Iterable[int]]) -> None: ...


# Called after the ack as hook(client, deps, meetup_id, user_id, body,
# registration), where body is the request's payload and registration the
# person's as just committed, when the caller has it (None: read it if needed).
RegistrationHook = Callable[[WebClient, "Deps", int, str, dict, "Registration | None"], None]


class RegistrationHooks:
    """Other features follow changes to who is signed up: the announcement
    card's places left, the organisers' approval messages, the App Home. Each
    adds its hook in its `register`; one failing hook never stops the others."""

    def __init__(self) -> None:
        self._hooks: list[RegistrationHook] = []

    def add(self, hook: RegistrationHook) -> None:
        self._hooks.append(hook)

    def run(
        self,
        client: WebClient,
        deps: Deps,
        meetup_id: int,
        user_id: str,
        body: dict,
        registration: Registration | None = None,
    ) -> None:
        for hook in self._hooks:
            try:
                hook(client, deps, meetup_id, user_id, body, registration)
            except Exception:
                log.exception("A hook after a sign-up change failed")


@dataclass(frozen=True)
class CommandRequest:
    """One `/meetup` invocation, as a subcommand sees it."""

    ack: Ack
    client: WebClient
    deps: Deps
    user_id: str
    args: list[str]
    command: dict
    respond: Respond


@dataclass(frozen=True)
class Subcommand:
    name: str
    summary: str
    organiser_only: bool
    run: Callable[[CommandRequest], None]
    usage: str = ""
    # Organiser-only, but also for a meetup's co-organisers, for that meetup:
    # the subcommand's first argument is then the meetup's ID.
    co_organisers: bool = False


class Subcommands:
    """`/meetup NAME` handlers with their one-line help, in the order they
    were added (the help lists them in that order). Each feature adds its own
    in its `register`; handlers/commands.py dispatches."""

    def __init__(self) -> None:
        self._by_name: dict[str, Subcommand] = {}

    def add(
        self,
        name: str,
        summary: str,
        run: Callable[[CommandRequest], None],
        *,
        organiser_only: bool = False,
        usage: str = "",
        co_organisers: bool = False,
    ) -> None:
        if name in self._by_name:
            raise ValueError(f"`/meetup {name}` is added twice")
        self._by_name[name] = Subcommand(name, summary, organiser_only, run, usage, co_organisers)

    def get(self, name: str) -> Subcommand | None:
        return self._by_name.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Subcommand]:
        return iter(list(self._by_name.values()))


@dataclass(frozen=True, kw_only=True)
class Deps:
    """What every listener needs, handed over once at registration."""

    settings: Settings
    db: Database
    organisers: OrganiserCheck
    clock: Callable[[], datetime]
    # Messages go through the outbox: queued in the transaction, then sent once.
    outbox: MessageSender
    # Eligibility follows a list imported with `meetup-bot domains import`.
    domains: DomainTable
    # Repeat sign-ups and declines, kept as keyed hashes.
    limits: SignupLimits
    # Keyed hashes of user IDs, for what outlives `/meetup forget`.
    pseudonyms: Pseudonyms
    # The person key each sign-up keeps for the series figures (PSEUDONYM_KEY).
    person_keys: PersonKeys | None
    subcommands: Subcommands
    registration_hooks: RegistrationHooks
    # Refreshes of the announcement card, at most one a second per meetup.
    card_throttle: Throttle
    # The meetups open for sign-up, as last read (the sign-up form's choices).
    meetup_copies: MeetupCopies = field(default_factory=MeetupCopies)

    def can_run(self, user_id: str, meetup_id: int | None) -> bool:
        """Whether this person may run organiser actions on this meetup:
        organisers, and the meetup's co-organisers (bot.organising.co_organisers)."""
        return can_run(self.db, user_id, meetup_id, is_organiser=self.organisers.is_organiser)

    @property
    def calendar_organiser(self) -> CalendarUser | None:
        """The ORGANIZER of the calendar files (bot.meetups.calendar): the
        organising team, when ORGANISER_CONTACT is an email address."""
        return calendar_organiser(self.settings.organiser_name, self.settings.organiser_contact)


# A modal's submission as the features handle it: submit(ack, body, view, client, deps).
ViewSubmission = Callable[[Ack, dict, dict, WebClient, Deps], None]


def on_view_submission(app: App, callback_id: str, submit: ViewSubmission, deps: Deps) -> None:
    """Hand the modal `callback_id`'s submissions to `submit`, with deps."""

    # Bolt passes a listener the arguments its parameters name: spelt out here.
    @app.view(callback_id)
    def listener(ack: Ack, body: dict, view: dict, client: WebClient) -> None:
        submit(ack, body, view, client, deps)
