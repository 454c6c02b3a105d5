"""Typed SQLAlchemy 2 models. Times are stored in UTC and come back aware."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, TypeDecorator, UniqueConstraint
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
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
    created_by: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registrations: Mapped[list[Registration]] = relationship(back_populates="meetup")

    @property
    def sectors(self) -> frozenset[str]:
        return frozenset(s for s in self.extra_sectors.split(",") if s)


class Registration(Base):
    __tablename__ = "registrations"
    # One registration per person per meetup: signing up again reuses the row.
    __table_args__ = (
        UniqueConstraint("meetup_id", "slack_user_id", name="uq_registration_person"),
        Index("ix_registrations_meetup_status", "meetup_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meetup_id: Mapped[int] = mapped_column(ForeignKey("meetups.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(30))
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    organisation: Mapped[str] = mapped_column(String(200))
    # What the email domain told us, kept so organisers can see why.
    domain_organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sector: Mapped[str | None] = mapped_column(String(30), nullable=True)
    role: Mapped[str] = mapped_column(String(30))
    government_team: Mapped[str] = mapped_column(String(200), default="")
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    access_needs: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    # Why the bot or an organiser decided what it did, in words for the person.
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(30), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pending_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

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
