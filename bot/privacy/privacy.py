"""Personal data: the privacy notice, what we hold about someone, erasing it
on request, and removing it a set time after each meetup (UK GDPR)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.common.pseudonyms import PersonKeys, Pseudonyms
from bot.introductions import introductions
from bot.settings import Settings
from bot.signups import approvals
from bot.signups.approvals import PostedCopy
from bot.signups.export import venue_list_holds
from bot.signups.signups import fill_places
from bot.signups.venue_lists import CHANGE_LIST_KIND, FINAL_LIST_KIND
from storage import erasure, stale_homes
from storage import exports as export_store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage import signup_guards as guard_store
from storage import subscriptions as subscription_store
from storage import topics as topic_store
from storage import venue_lists as venue_list_store
from storage.db import Database
from storage.models import CONFIRMED, IntroductionConsent, Meetup, Registration, Topic, VenueListEntry

ICO_COMPLAINTS = "https://ico.org.uk/make-a-complaint/"
# The outbox's deliveries that carry a visitor list file.
LIST_KINDS = (FINAL_LIST_KIND, CHANGE_LIST_KIND)
VIA_WORKER = "final list"


def privacy_notice(settings: Settings) -> str:
    """The full notice, in mrkdwn. Organisers set who they are and how to
    reach them; the rest follows from how the bot works."""
    days = settings.purge_after_days
    text = (
        "*Privacy notice*\n"
        f"*Who we are:* {settings.organiser_name}. Contact: {settings.organiser_contact}.\n"
        "*Why we ask:* to run the meetup you sign up for: to check you work in government, to keep "
        "the list of places and the waitlist, to give the host building's security team a visitor list, "
        "and to tell you about your place.\n"
        "*What we keep:* your Slack user ID, your name, your email address and organisation, how you work "
        "in government and, if you choose to tell us, your dietary and access needs. We also keep the "
        "discussion topics you propose, your votes, when you were checked in at a meetup, and when you last "
        "opened the bot's Home tab, so that it stays up to date while you use it. "
        "If you ask for introductions, we keep that you asked, "
        "when, and what you wrote about your work, and share your name, organisation, what you wrote and the "
        "topics you both voted for with the people we introduce you to. "
        "So that organisers are not flooded with requests, "
        "and a decision to decline someone stands, we also keep, for each meetup you sign up for, a coded "
        "form of your Slack user ID that cannot be turned back into it, whether an organiser declined you, "
        "and how many times you signed up that day. `/meetup forget` does not remove this, as it holds no "
        "name or contact details; it is deleted with the rest of the meetup's data. When you use "
        "`/meetup forget`, we keep the same kind of coded form of your Slack user ID and the date, so that "
        "recounting the votes does not count your earlier reactions to topics again.\n"
        "*Feedback:* the morning after a meetup, we ask the people who checked in what they thought. "
        "Your answers are anonymous: we keep them without your name or Slack user ID, with only the meetup "
        "they are about, so nobody can tell which answers are yours. We keep a note that you answered, so "
        "that you cannot answer twice; `/meetup forget` and the deletion after the meetup remove the note, "
        "and the answers stay.\n"
        "*Lawful basis:* legitimate interests, in running a work event you asked to attend. For dietary "
        "and access needs, which can reveal your health or religion, we rely on your explicit consent, "
        "which you can withdraw at any time.\n"
        f"*How long:* we delete your personal data {days} days after the meetup, including the visitor "
        "lists sent to organisers in Slack, and we change the bot's messages so that they no longer show "
        "who asked to join or who proposed a topic. For each sign-up we keep only the organisation, whether you "
        "had a place and came, and a coded form of your Slack user ID that cannot be turned back into it, "
        "so that we can "
        "report how many people and organisations the series reached, and how many people came back. "
        "`/meetup forget` removes this coded form too. We delete the record of when you last opened the "
        f"bot's Home tab {days} days after that.\n"
        "*Who sees it:* the organisers, including the host department's co-organisers of the meetup. The host "
        f"building's security desk gets the venue list: {venue_list_holds(settings.venue_list_columns)} of "
        "each person with a place, and changes to it. Your dietary and access needs go only to the organisers, "
        "who see them as counts for catering and access, with no names. We share your data with nobody else.\n"
        "*Your rights:* you can see your data with `/meetup mydata`, correct it by cancelling and signing "
        "up again, and delete it with `/meetup forget`. This also changes the bot's messages in Slack that "
        "show you: your topics stay, without your name, and your requests to join a meetup say only that "
        "a request was withdrawn. If the building's security desk already has your name, the organisers are told "
        "to remove it. You can also object to how we use it or ask us to "
        "limit it: contact us.\n"
        f"*Complaints:* contact us first. You can also complain to the Information Commissioner's Office: "
        f"<{ICO_COMPLAINTS}|ico.org.uk/make-a-complaint>."
    )
    if settings.privacy_notice_url:
        text += f"\n<{settings.privacy_notice_url}|Read the full privacy notice>"
    return text


@dataclass(frozen=True)
class HeldData:
    registrations: list[tuple[Meetup, Registration]]
    subscribed: bool
    votes: int = 0
    topics: int = 0
    # Their consent to introductions, and what they wrote they work on.
    introductions: IntroductionConsent | None = None
    home_opened_at: datetime | None = None  # when they last opened the Home tab

    @property
    def empty(self) -> bool:
        held = (self.registrations, self.subscribed, self.votes, self.topics, self.introductions, self.home_opened_at)
        return not any(held)


def data_held(db: Database, user_id: str) -> HeldData:
    with db.read() as session:
        rows = registration_store.list_registrations_for_user(session, user_id)
        return HeldData(
            [(r.meetup, r) for r in rows],
            subscribed=subscription_store.get_subscription(session, user_id) is not None,
            introductions=introductions.consent_in(session, user_id),
            home_opened_at=stale_homes.opened_at(session, user_id),
            **erasure.has_person(session, user_id),
        )


@dataclass(frozen=True)
class Forgotten:
    meetup_ids: list[int]  # meetups whose sign-ups changed
    promoted: list[tuple[Meetup, Registration]]
    other_data: bool  # a subscription, votes, topics or queued messages

    @property
    def anything(self) -> bool:
        return bool(self.meetup_ids) or self.other_data


@dataclass(frozen=True)
class TopicCard:
    """A topic's card that showed its proposer's name; the topic no longer has it."""

    topic: Topic
    meetup: Meetup
    carried_from: str | None = None  # the title of the meetup it came from, which the card names


@dataclass(frozen=True)
class ShownInSlack:
    """The bot's messages in Slack that show someone whose data is gone, to
    change in the same transaction, so they change if and only if it goes."""

    cards: list[TopicCard] = field(default_factory=list)
    requests: list[tuple[Meetup, PostedCopy]] = field(default_factory=list)  # approval requests' copies
    # The person as they were on a visitor list sent for a meetup not yet
    # over: the organisers are told to remove them, so the building's copy
    # goes too (UK GDPR article 19: tell those the data was given to).
    lists: list[tuple[Meetup, VenueListEntry]] = field(default_factory=list)


def forget(
    db: Database,
    user_id: str,
    now: datetime,
    then: Callable[[object, Meetup, Registration], None] | None = None,
    *,
    clear: Callable[[object, ShownInSlack], None] | None = None,
    pseudonyms: Pseudonyms | None = None,
    people: PersonKeys | None = None,
) -> Forgotten:
    """Erase everything held about a person. A place they held goes to the
    longest-waiting person, in the same transaction, as if they cancelled;
    `then(session, meetup, promoted)` runs in it for each, to queue their message.
    `clear(session, shown)` runs in it once, to change the messages in Slack
    that show the person (their topics' cards, their approval requests).
    With `pseudonyms`, a keyed hash of their user ID is kept, so that a
    recount does not bring back their votes (bot/topics/votes.py).
    With `people`, their person key comes off the purged sign-ups that still
    have it: the series figures then count those as nobody in particular."""
    promoted: list[tuple[Meetup, Registration]] = []
    with db.transaction() as session:
        rows = registration_store.list_registrations_for_user(session, user_id)
        meetup_ids = [r.meetup_id for r in rows]
        cards = erasure.cards_naming(session, user_id)
        unsubscribed = subscription_store.delete_subscription(session, user_id)
        others = erasure.forget_person(session, user_id)
        introduced = introductions.forget_person(session, user_id, people)
        unkeyed = registration_store.drop_person_key(session, people.of(user_id)) if people is not None else 0
        requests: list[tuple[Meetup, PostedCopy]] = []
        on_lists: list[tuple[Meetup, VenueListEntry]] = []
        for registration in rows:
            meetup = meetup_store.lock_meetup(session, registration.meetup_id)
            # registrations.meetup_id is a non-null foreign key and meetups are
            # never deleted, so the row this registration points to is there.
            assert meetup is not None, f"registration {registration.id} has no meetup"
            # Read before the registration goes: where its requests were
            # posted is recorded in rows deleted with it.
            requests += [(meetup, copy) for copy in approvals.posted_copies(session, meetup.id, registration.id)]
            approvals.drop_updates_of_unposted(session, registration)
            held_place = registration.status == CONFIRMED
            if meetup.ends_at > now:
                on_lists += [
                    (meetup, _copy(entry))
                    for entry in venue_list_store.entries_of_registration(session, registration.id)
                ]
            venue_list_store.delete_for_registration(session, registration.id)
            registration_store.delete_registration(session, registration)
            if held_place and meetup.starts_at > now:
                for person in fill_places(session, meetup, now):
                    promoted.append((meetup, person))
                    if then is not None:
                        then(session, meetup, person)
        if clear is not None:
            clear(session, ShownInSlack([_card(session, topic) for topic in cards], requests, on_lists))
        other_data = unsubscribed or introduced or bool(unkeyed) or any(others.values())
        forgotten = Forgotten(meetup_ids, promoted, other_data)
        if pseudonyms is not None and forgotten.anything:
            erasure.remember_forgotten(session, pseudonyms.of(user_id), now)
        return forgotten


def _copy(entry: VenueListEntry) -> VenueListEntry:
    """Kept apart from the session, which deletes the row."""
    return VenueListEntry(
        meetup_id=entry.meetup_id,
        registration_id=entry.registration_id,
        full_name=entry.full_name,
        organisation=entry.organisation,
        sent_at=entry.sent_at,
    )


def _card(session, topic: Topic) -> TopicCard:
    meetup = meetup_store.get_meetup(session, topic.meetup_id)
    assert meetup is not None, f"topic {topic.id} has no meetup"  # a non-null foreign key
    earlier = topic_store.get_topic(session, topic.carried_from_topic_id) if topic.carried_from_topic_id else None
    came_from = meetup_store.get_meetup(session, earlier.meetup_id) if earlier is not None else None
    return TopicCard(topic, meetup, came_from.title if came_from is not None else None)


def purge_due(
    db: Database,
    now: datetime,
    days: int,
    clear: Callable[[object, ShownInSlack], None] | None = None,
    people: PersonKeys | None = None,
) -> list[tuple[Meetup, int]]:
    """Anonymise the attendees of every meetup that ended more than `days` ago.
    Safe to run from several instances: each meetup is locked while purged.
    `clear(session, shown)` runs in the same transaction for each meetup whose
    topic cards or approval requests were posted, to take the people out of them.
    With `people`, sign-ups made before person keys existed get one first, so
    the series figures still count their people once."""
    purged = []
    with db.transaction() as session:
        for meetup in meetup_store.list_meetups_to_purge(session, now - timedelta(days=days)):
            # Read first: anonymise_meetup deletes the deliveries that say where they are.
            requests = [(meetup, copy) for copy in approvals.posted_copies(session, meetup.id)]
            cards = erasure.cards_naming(session, meetup_id=meetup.id)
            purged.append(
                (meetup, registration_store.anonymise_registrations(session, meetup.id, people.of if people else None))
            )
            # Before anonymise_meetup deletes the deliveries that know the files.
            export_store.keep_delivery_files(session, meetup.id, LIST_KINDS, via=VIA_WORKER, now=now)
            erasure.anonymise_meetup(session, meetup.id)
            venue_list_store.delete_for_meetup(session, meetup.id)
            guard_store.delete_guards(session, meetup.id)
            meetup.purged_at = now
            if clear is not None and (requests or cards):
                session.flush()
                for topic in cards:
                    session.refresh(topic)  # as anonymise_meetup left it: no name
                clear(session, ShownInSlack([_card(session, topic) for topic in cards], requests))
        session.flush()
        # Consent to introductions outlives no sign-up: once the person's
        # meetups are all purged, it goes too.
        introductions.purge_consents(session, now, days)
        stale_homes.purge_viewers(session, now - timedelta(days=days))
    return purged
