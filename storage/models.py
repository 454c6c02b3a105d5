"""Typed SQLAlchemy 2 models. Times are stored in UTC and come back aware."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Stores naive UTC, returns aware UTC: SQLite keeps no time zone, so we
    normalise on the way in and out to treat both databases alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC times")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


# Meetup.audience
AUDIENCES = ("government", "public_sector", "open")
# Meetup.status
MEETUP_OPEN, MEETUP_CLOSED, MEETUP_CANCELLED = "open", "closed", "cancelled"

# Registration.status
CONFIRMED = "confirmed"
WAITLISTED = "waitlisted"
PENDING = "pending_approval"
DECLINED = "declined"
CANCELLED = "cancelled"
STATUSES = (CONFIRMED, WAITLISTED, PENDING, DECLINED, CANCELLED)
ACTIVE_STATUSES = (CONFIRMED, WAITLISTED, PENDING)


class Meetup(Base):
    __tablename__ = "meetups"
    # Every `/meetup signup` and the Home tab list the meetups still to come;
    # the table keeps every meetup of the series, past ones too.
    __table_args__ = (Index("ix_meetups_ends_at", "ends_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300))
    host_organisation: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(20), default="government")
    # Comma-separated extra sectors a "government" meetup admits (nhs, police, ...).
    extra_sectors: Mapped[str] = mapped_column(String(200), default="")
    signup_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=MEETUP_OPEN)
    announcement_channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    announcement_ts: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # The talks, as a JSON list of {"title", "speaker", "organisation"}, with
    # "start" and "end" ("13:30", local time) when the organiser gave them.
    agenda: Mapped[str] = mapped_column(Text, default="")
    # An https:// link to join online: only people with a place are sent it.
    online_link: Mapped[str] = mapped_column(String(500), default="", server_default="")
    created_by: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The meetup's version for storage.meetups.MeetupCopies: set by every
    # UPDATE from the real clock, never given by hand (a fixed clock could
    # give a value again, and a stale copy would pass for current).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # When personal data about this meetup's attendees was removed.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The calendar file's SEQUENCE: raised on every change calendars show, so
    # a calendar that already has the meetup replaces it instead of ignoring it.
    ics_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The closing time whose passing the worker has shown on the card: a
    # closing time moved later is shown again when it passes.
    closed_card_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # When the worker asked the people who came for feedback (once a meetup,
    # however many workers run), and how many it asked: the response rate's
    # denominator, which stays when someone is forgotten or the data purged.
    feedback_asked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    feedback_asked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # When the worker queued the final visitor list to the organisers: once a
    # meetup, however many workers run. Change lists follow it.
    final_list_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The session grid in use (the newest built), set as it is stored, so a
    # sign-up's calendar file knows it from the meetup's row, read under the
    # lock anyway, without another read (bot/meetups/calendar.py).
    current_schedule_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    registrations: Mapped[list[Registration]] = relationship(back_populates="meetup")

    @property
    def sectors(self) -> frozenset[str]:
        return frozenset(s for s in self.extra_sectors.split(",") if s)

    @property
    def talks(self) -> list[dict]:
        return json.loads(self.agenda) if self.agenda else []


class Registration(Base):
    __tablename__ = "registrations"
    # One registration per person per meetup: signing up again reuses the row.
    __table_args__ = (
        UniqueConstraint("meetup_id", "slack_user_id", name="uq_registration_person"),
        Index("ix_registrations_meetup_status", "meetup_id", "status"),
        # A person's registrations across meetups: every `/meetup signup`,
        # the Home tab and `/meetup mydata` read them by Slack user id alone,
        # which uq_registration_person (meetup first) cannot serve.
        Index("ix_registrations_slack_user_id", "slack_user_id"),
        # `/meetup forget` finds the purged sign-ups of a person by this alone.
        Index("ix_registrations_person_key", "person_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(30))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    organisation: Mapped[str] = mapped_column(String(200))
    # What the email domain told us, kept so organisers can see why.
    domain_organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # A keyed hash of the Slack user ID (bot/common/pseudonyms.py PersonKeys),
    # kept after the purge so the series figures still know one person's
    # sign-ups are one person's. None for sign-ups made before it existed,
    # and once the person uses `/meetup forget`.
    person_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    sector: Mapped[str | None] = mapped_column(String(30), nullable=True)
    role: Mapped[str] = mapped_column(String(30))
    government_team: Mapped[str] = mapped_column(String(200), default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    # Dietary and access needs can reveal health or religion: kept only with
    # explicit consent, and this records when it was given.
    needs_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    # Why the bot decided what it did, in words for the person: shown to
    # them while they wait for an organiser, and to the organisers on the
    # request. An organiser's decision leaves it as it was (decided_by).
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pending_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Place in the queue, handed out under the meetup's lock: the waitlist order
    # is the order people reached the lock, whichever server or clock they used.
    waitlist_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Attendance on the day: set once, when the person is checked in at the
    # door by an organiser (checked_in_by is their Slack user ID) or checks
    # themselves in with the venue's code (checked_in_by is the person).
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    checked_in_by: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # True when the person was on the waitlist and let in at the door because
    # there was room, so the figures can tell walk-ins from places.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The person answered the feedback form, so they cannot answer twice. A
    # flag and no time: the answers (FeedbackResponse) hold no one's identity,
    # and a time here could be matched with theirs.
    feedback_given: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Codes tried with `/meetup here`, right or wrong: a few, then no more,
    # so the venue's code cannot be found by trying every one.
    code_tries: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    meetup: Mapped[Meetup] = relationship(back_populates="registrations")

    def set_status(self, status: str, when: datetime) -> None:
        """Change status and record when: each status has its own timestamp."""
        self.status = status
        self.status_changed_at = when
        column = {
            CONFIRMED: "confirmed_at",
            WAITLISTED: "waitlisted_at",
            PENDING: "pending_at",
            DECLINED: "declined_at",
            CANCELLED: "cancelled_at",
        }[status]
        setattr(self, column, when)


# AttendeeMessage.audience
TO_CONFIRMED, TO_WAITLISTED, TO_BOTH = "confirmed", "waitlisted", "both"
MESSAGE_AUDIENCES = (TO_CONFIRMED, TO_WAITLISTED, TO_BOTH)


class AttendeeMessage(Base):
    """A message an organiser sent to a meetup's attendees: who sent it, when,
    to whom and to how many. Not the text: it stays only in the outbox until
    sent, so the record holds nothing an attendee wrote or needs purged."""

    __tablename__ = "attendee_messages"
    __table_args__ = (UniqueConstraint("message_key", name="uq_attendee_message_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Made when the preview is shown: pressing Send twice sends it once.
    message_key: Mapped[str] = mapped_column(String(64))
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), index=True)
    sent_by: Mapped[str | None] = mapped_column(String(30), nullable=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    audience: Mapped[str] = mapped_column(String(20))
    recipient_count: Mapped[int] = mapped_column(Integer)


class FeedbackResponse(Base):
    """One person's answers to the feedback form after a meetup, kept without
    their identity: no user or registration id, and no time, which could be
    matched with the logs. The id is random, so not even the order of the
    answers says anything. Kept after `/meetup forget` and the purge."""

    __tablename__ = "feedback_responses"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), index=True)
    usefulness: Mapped[int] = mapped_column(Integer)  # 1 (not useful) to 5 (very useful)
    worked: Mapped[str] = mapped_column(Text, default="")
    change: Mapped[str] = mapped_column(Text, default="")
    # JSON list of the titles of the sessions that helped, as they were named then.
    sessions: Mapped[str] = mapped_column(Text, default="")

    @property
    def session_titles(self) -> list[str]:
        return json.loads(self.sessions) if self.sessions else []


class MeetupCoOrganiser(Base):
    """Someone an organiser named to help run one meetup (the host
    department's team): they can run its list, export, approvals, edit and
    messages, and nothing of any other meetup."""

    __tablename__ = "meetup_co_organisers"
    __table_args__ = (
        UniqueConstraint("meetup_id", "slack_user_id", name="uq_meetup_co_organiser"),
        # Every organiser-only command by someone who is not an organiser asks
        # which meetups they co-organise, by their user id alone.
        Index("ix_meetup_co_organisers_slack_user_id", "slack_user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(30))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VenueListEntry(Base):
    """One person on the visitor list the organisers were last sent (the
    final list, then each change list): the next change list is the
    difference between this and who has a place now. Deleted with the
    meetup's personal data, and with the person's registration."""

    __tablename__ = "venue_list_entries"
    __table_args__ = (UniqueConstraint("meetup_id", "registration_id", name="uq_venue_list_entry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SeenRequest(Base):
    """Signatures of Slack requests already handled, kept a few minutes: Slack
    signs each delivery afresh (retries too), so a signature seen twice is a
    replay of a captured request. With an SQLite file the rows go to a file
    of their own beside it, in a table made from this model rather than by
    the migrations (storage.seen_requests.seen_requests_database): a
    migration that changes it must change that file's table too. The table
    in the database itself then stays empty."""

    __tablename__ = "seen_requests"

    signature: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Export(Base):
    """One visitor list that left the database: who took it, when, of what."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), index=True)
    # The organiser's Slack user ID; None when exported on the command line.
    exported_by: Mapped[str | None] = mapped_column(String(30), nullable=True)
    via: Mapped[str] = mapped_column(String(20))  # "slack" or "command line"
    row_count: Mapped[int] = mapped_column(Integer)
    exported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where the CSV file was uploaded in Slack, so the purge can delete it
    # there too; file_id is cleared once it is deleted.
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    file_id: Mapped[str | None] = mapped_column(String(30), nullable=True)


class Subscription(Base):
    """Someone who asked for a direct message when a new meetup is announced."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(30), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApprovalRequest(Base):
    """A message asking organisers to approve someone, so it can be updated
    once one of them decides (there is one per organiser when they get DMs)."""

    __tablename__ = "approval_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    # Which wait for approval this message is about: someone who withdraws and
    # asks again gets fresh messages, and the old ones keep saying "withdrawn".
    pending_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(30))
    ts: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignupGuard(Base):
    """What stops approval requests being flooded, per person per meetup,
    kept without the person's Slack user ID so it survives `/meetup forget`:
    `person` is a keyed hash (HMAC-SHA256) of the user ID with the meetup's
    id. Whether an organiser declined them, and how many times they signed
    up in the current day. Deleted with the meetup's personal data."""

    __tablename__ = "signup_guards"
    __table_args__ = (UniqueConstraint("meetup_id", "person", name="uq_signup_guard_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    person: Mapped[str] = mapped_column(String(64))
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signups: Mapped[int] = mapped_column(Integer, default=0)


class ForgottenPerson(Base):
    """Someone who used `/meetup forget`, as a keyed hash of their Slack user
    ID (bot/common/pseudonyms.py) and when: a recount then leaves out the
    reactions they had added before, which Slack still shows."""

    __tablename__ = "forgotten_people"

    person: Mapped[str] = mapped_column(String(64), primary_key=True)
    forgotten_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Unconference topics, votes and the session grid ------------------------------


# Topic.status
TOPIC_OPEN, TOPIC_WITHDRAWN, TOPIC_HIDDEN, TOPIC_CARRIED_OVER = "open", "withdrawn", "hidden", "carried_over"


class Topic(Base):
    """A discussion topic someone proposed, and the card the bot posted for it."""

    __tablename__ = "topics"
    __table_args__ = (
        # Reaction events name the card by channel and timestamp.
        UniqueConstraint("channel", "ts", name="uq_topic_card"),
        # A topic is carried over to the next meetup at most once.
        UniqueConstraint("carried_from_topic_id", name="uq_topic_carried_from"),
        Index("ix_topics_meetup_status", "meetup_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    proposer_user_id: Mapped[str] = mapped_column(String(30))
    proposer_name: Mapped[str] = mapped_column(String(200))
    would_lead: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set once the card is posted; a topic without a card cannot be voted on.
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(30), nullable=True)
    permalink: Mapped[str | None] = mapped_column(String(500), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=TOPIC_OPEN)
    carried_from_topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), nullable=True
    )
    # When it was first proposed (kept when carried over): ties in the ranking go to the earlier one.
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class VoteReaction(Base):
    """One voting reaction one person has (or had) on a topic card.

    A person's vote counts once while any of their voting reactions is
    present, so reacting with :+1: and :+1::skin-tone-2: is one vote, and
    removing one of the two keeps it. Rows are kept when a reaction is removed
    (present=False) so that an event arriving late, after a newer one, can be
    recognised by `changed_at` and ignored.
    """

    __tablename__ = "vote_reactions"
    __table_args__ = (UniqueConstraint("topic_id", "slack_user_id", "reaction", name="uq_vote_reaction"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of its own: uq_vote_reaction starts with topic_id.
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(30))
    reaction: Mapped[str] = mapped_column(String(100))
    present: Mapped[bool] = mapped_column(Boolean)
    # When, by Slack's clock, the reaction last changed (the event's event_ts,
    # or when a recount read it).
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedEvent(Base):
    """Events API deliveries already applied: Slack retries with the same event_id."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Schedule(Base):
    """One run of `/meetup schedule`: the rooms and slots given, and the grid posted.
    The newest one for a meetup is the current grid."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), index=True)
    # JSON: [{"name": ..., "capacity": ...}] and [{"starts_at": iso, "ends_at": iso}]
    rooms: Mapped[str] = mapped_column(Text)
    slots: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    ts: Mapped[str | None] = mapped_column(String(30), nullable=True)

    sessions: Mapped[list[ScheduledSession]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", order_by="ScheduledSession.id"
    )


class ScheduledSession(Base):
    """A topic placed in a room at a time slot."""

    __tablename__ = "schedule_sessions"
    __table_args__ = (UniqueConstraint("schedule_id", "topic_id", name="uq_session_topic"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    room_name: Mapped[str] = mapped_column(String(100))
    room_capacity: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lead_user_id: Mapped[str | None] = mapped_column(String(30), nullable=True)

    schedule: Mapped[Schedule] = relationship(back_populates="sessions")


class DomainList(Base):
    """A public-sector domain list loaded with `meetup-bot domains import`, so
    eligibility can follow a newer list without a release. At most one row:
    an import replaces it, `meetup-bot domains reset` removes it."""

    __tablename__ = "domain_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # New on every import, so each running instance notices the change.
    version: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(Text)
    built: Mapped[str] = mapped_column(String(10))  # ISO date the list was built
    # The shipped list's build date it was layered on; a release with a newer
    # shipped list takes precedence over an import made on an older one.
    based_on: Mapped[str] = mapped_column(String(10))
    domain_count: Mapped[int] = mapped_column(Integer)
    domains: Mapped[str] = mapped_column(Text)  # JSON: {"leeds.gov.uk": {"organisation": ..., "sector": ...}}
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Reminders and the outbox ------------------------------------------------------


# Reminder.kind
WEEK_BEFORE, DAY_BEFORE, MORNING = "week_before", "day_before", "morning"
REMINDER_KINDS = (WEEK_BEFORE, DAY_BEFORE, MORNING)
# Reminder.state. "sent" means its messages are in the outbox (deliveries);
# each delivery records whether it reached Slack.
REMINDER_PENDING, REMINDER_SENT, REMINDER_SKIPPED, REMINDER_CANCELLED = "pending", "sent", "skipped", "cancelled"


class Reminder(Base):
    """One planned reminder of a meetup: a channel post, and for the day
    before also a direct message to each person with a place or on the waitlist."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("meetup_id", "kind", name="uq_reminder_kind"),
        Index("ix_reminders_state_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(20), default=REMINDER_PENDING)
    # Why it was skipped or cancelled, for operators.
    note: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# Delivery.state
DELIVERY_PENDING, DELIVERY_CLAIMED, DELIVERY_SENT = "pending", "claimed", "sent"
DELIVERY_FAILED, DELIVERY_CANCELLED = "failed", "cancelled"


class Delivery(Base):
    """The outbox: one message the bot must post to Slack, exactly once.

    Written in the same transaction as the change it tells someone about, then
    claimed by a worker (a lease in claimed_until), posted, and marked sent.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_delivery_key"),
        Index("ix_deliveries_state_next", "state", "next_attempt_at"),
        Index("ix_deliveries_meetup_state", "meetup_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # What it is, e.g. "signup", "promoted", "reminder_week_before", "reminder_confirmed".
    kind: Mapped[str] = mapped_column(String(40))
    meetup_id: Mapped[int | None] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), nullable=True)
    reminder_id: Mapped[int | None] = mapped_column(ForeignKey("reminders.id", ondelete="CASCADE"), nullable=True)
    # Send only while this registration still has required_status: someone who
    # cancels after the message was queued does not get it.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), nullable=True
    )
    required_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    # A direct message has slack_user_id (channel is filled in with the DM's id
    # once known); a channel post has only channel.
    slack_user_id: Mapped[str | None] = mapped_column(String(30), nullable=True)
    channel: Mapped[str | None] = mapped_column(String(30), nullable=True)
    # {"text", "blocks", "attachment": {"filename", "content", "comment"}}; emptied once sent.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20), default=DELIVERY_PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # True while an attempt may have reached Slack without us recording it
    # (a crash, a timeout, a server error): the next attempt looks in the
    # conversation first instead of posting a second copy.
    unsure: Mapped[bool] = mapped_column(Boolean, default=False)
    message_ts: Mapped[str | None] = mapped_column(String(30), nullable=True)
    file_id: Mapped[str | None] = mapped_column(String(30), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def conversation(self) -> str:
        """The person for a direct message (their user id posts into the DM),
        otherwise the channel; for a group DM not yet opened, its people."""
        target = self.slack_user_id or self.channel or ",".join((self.payload or {}).get("open_users") or []) or None
        # bot.common.outbox queues every delivery with a person or a channel.
        assert target is not None, f"delivery {self.id} has neither a person nor a channel"
        return target


class StaleHome(Base):
    """A person whose Home tab no longer shows their status: one of their
    registrations changed status. The worker publishes it again and removes
    the row (bot/meetups/home.py refresh_stale_homes)."""

    __tablename__ = "stale_homes"
    __table_args__ = (Index("ix_stale_homes_changed_at", "changed_at"),)

    slack_user_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Goes up with every change, so a publish only clears the change it drew:
    # one made while it was drawn stays for the next round.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # A worker publishing it holds it until then; another skips it meanwhile.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class HomeViewer(Base):
    """Someone who has opened the bot's Home tab, and when they last did.
    Only their Home tab is drawn again when their status changes: Slack
    asks for it afresh each time a person opens it (`app_home_opened`), so
    drawing it for anyone else would be work nobody sees. Gone with
    `/meetup forget`, and PURGE_AFTER_DAYS after the last opening."""

    __tablename__ = "home_viewers"

    slack_user_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Introductions ------------------------------------------------------------------


class IntroductionConsent(Base):
    """Someone who asked to be introduced to people from other organisations
    working on similar things, when, and what they said they work on. Kept
    apart from any sign-up: given and withdrawn on its own (`/meetup
    introductions on|off`), erased by `/meetup forget` and by the purge once
    none of the person's sign-ups is left unpurged."""

    __tablename__ = "introduction_consents"

    slack_user_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    working_on: Mapped[str] = mapped_column(Text, default="")


class IntroductionRound(Base):
    """The introductions of one meetup were planned (at most once: the primary
    key stops a second worker), when, and how many groups were made."""

    __tablename__ = "introduction_rounds"

    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"), primary_key=True)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    groups: Mapped[int] = mapped_column(Integer, default=0)


class Introduction(Base):
    """Two or three people introduced at a meetup, by person key
    (bot/common/pseudonyms.py PersonKeys), not Slack user ID: it outlives the
    purge, so nobody is introduced to the same person twice across the series,
    and the series figures count introductions. `/meetup forget` blanks the
    person's key."""

    __tablename__ = "introductions"
    __table_args__ = (Index("ix_introductions_meetup", "meetup_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    first_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    second_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    third_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Whether the organisations differed when it was made (the rule says they
    # always do; the figure shows it held).
    cross_organisation: Mapped[bool] = mapped_column(Boolean, default=True)
    shared_topics: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k in (self.first_key, self.second_key, self.third_key) if k)
