"""Participation across the series: the rules, without a database, then once
through it on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.meetups.stats import compute, series_stats
from bot.meetups.stats_text import stats_text
from bot.organising.organising import cancel_meetup
from bot.signups.signups import cancel, sign_up
from storage.models import (
    CANCELLED,
    CONFIRMED,
    MEETUP_CANCELLED,
    MEETUP_OPEN,
    PENDING,
    WAITLISTED,
    Meetup,
    Registration,
)
from tests.support.factories import make_form, make_meetup

NOW = datetime(2027, 6, 1, tzinfo=UTC)


def meetup(id, days, status=MEETUP_OPEN):
    starts = NOW + timedelta(days=days)
    return Meetup(
        id=id,
        title=f"Meetup {id}",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        capacity=10,
        status=status,
        venue="x",
    )


def reg(meetup_id, user, organisation, status=CONFIRMED):
    return Registration(meetup_id=meetup_id, slack_user_id=user, organisation=organisation, status=status)


def test_the_series_in_numbers():
    meetups = [meetup(1, -60), meetup(2, -30), meetup(3, 30), meetup(4, -10, MEETUP_CANCELLED)]
    registrations = [
        reg(1, "U1", "Home Office"),
        reg(1, "U2", "GCHQ"),
        reg(1, "U3", "home office ", WAITLISTED),
        reg(2, "U1", "Home Office"),
        reg(2, "U4", "GDS", CANCELLED),
        reg(2, "U5", "Acme", PENDING),
        reg(3, "U1", "Home Office"),
        reg(3, "U2", "GCHQ"),
        reg(4, "U9", "Cancelled meetup org"),  # a cancelled meetup counts for nothing
    ]
    stats = compute(meetups, registrations, NOW)
    assert (stats.meetups_held, stats.meetups_upcoming) == (2, 1)
    # Nobody was checked in: attendance is not recorded, places are still counted.
    assert (stats.signups, stats.people, stats.places_taken, stats.attended) == (8, 5, 3, 0)
    assert stats.meetups_recorded == 0 and stats.no_show_rate is None
    assert stats.repeat_attendees == 2  # U1 (three meetups) and U2 (two)
    by_org = {o.name: (o.signups, o.attended, o.meetups) for o in stats.organisations}
    # "home office " is the same organisation; its usual spelling is shown.
    assert by_org == {"Home Office": (4, 0, 3), "GCHQ": (2, 0, 2), "GDS": (1, 0, 1), "Acme": (1, 0, 1)}
    assert stats.organisations[0].name == "Home Office"
    per = {m.meetup.id: (m.signups, m.places_taken, m.organisations, m.held) for m in stats.meetups}
    assert per == {1: (3, 2, 2, True), 2: (3, 1, 1, True), 3: (2, 2, 2, False)}


def test_nothing_yet():
    stats = compute([], [], NOW)
    assert stats.signups == 0 and stats.organisations == [] and stats.meetups == []


def test_series_stats_reads_the_database(db, clock):
    first = make_meetup(db, now=clock(), title="First")
    second = make_meetup(db, now=clock(), title="Second", starts_in=timedelta(days=90))
    third = make_meetup(db, now=clock(), title="Third", starts_in=timedelta(days=120))
    for m in (first, second, third):
        sign_up(db, make_form(meetup_id=m.id), user_id="U1", now=clock(), contact="x")
    gchq = make_form(meetup_id=first.id, organisation="GCHQ", email="someone@gchq.gov.uk")
    sign_up(db, gchq, user_id="U2", now=clock(), contact="x")
    cancel(db, meetup_id=second.id, user_id="U1", now=clock())
    cancel_meetup(db, third.id, now=clock())
    later = clock() + timedelta(days=60)  # the first has happened
    stats = series_stats(db, later)
    assert (stats.meetups_held, stats.meetups_upcoming, stats.signups, stats.places_taken) == (1, 1, 3, 2)
    assert stats.repeat_attendees == 0  # U1 cancelled the second
    assert [(m.meetup.title, m.organisations) for m in stats.meetups] == [("First", 2), ("Second", 0)]
    # The organisation the email address belongs to, over the one typed.
    assert {o.name for o in stats.organisations} == {"Cabinet Office", "Government Communications Headquarters"}


def keyed(meetup_id, user, key, organisation, matched=None, status=CONFIRMED):
    r = reg(meetup_id, user, organisation, status)
    r.person_key, r.domain_organisation = key, matched
    return r


def test_people_are_counted_by_their_key_after_the_purge():
    meetups = [meetup(1, -60), meetup(2, -30), meetup(3, -10)]
    registrations = [
        keyed(1, "purged-1", "k-ada", "HO", "Home Office"),
        reg(1, "purged-2", "GCHQ"),  # purged before keys existed: a person of its own
        keyed(2, "purged-3", "k-ada", "Home Office", "Home Office"),
        reg(2, "U0DAN", "MOJ"),  # made before keys existed, not purged yet
        keyed(3, "U0DAN", "k-dan", "moj"),
        keyed(3, "U0ADA", "k-ada", "home office"),
    ]
    stats = compute(meetups, registrations, NOW)
    assert (stats.signups, stats.people, stats.repeat_attendees) == (6, 3, 2)  # Ada, Dan, someone from GCHQ
    per = [(m.people, m.returning, m.organisations, m.new_organisations) for m in stats.meetups]
    # The first meetup reached Home Office and GCHQ; the second MOJ for the first time; the third no one new.
    assert per == [(2, 0, 2, 2), (2, 1, 2, 1), (2, 2, 2, 0)]
    assert stats.organisations_reached == 3
    # The organisation the email address belongs to, over what was typed ("HO").
    assert {o.name for o in stats.organisations} == {"Home Office", "GCHQ", "MOJ"}


def test_only_a_place_reaches_an_organisation_and_brings_someone_back():
    meetups = [meetup(1, -60), meetup(2, -30)]
    registrations = [
        keyed(1, "U1", "k1", "GDS", status=WAITLISTED),
        keyed(2, "U1", "k1", "GDS"),
        keyed(2, "U2", "k2", "Acme", status=CANCELLED),
    ]
    stats = compute(meetups, registrations, NOW)
    per = [(m.signups, m.attended, m.returning, m.organisations, m.new_organisations) for m in stats.meetups]
    assert per == [(1, None, 0, 0, 0), (2, None, 0, 1, 1)]
    assert (stats.people, stats.repeat_attendees, stats.organisations_reached) == (2, 0, 1)


def came(meetup_id, user, organisation, *, walk_in=False):
    r = reg(meetup_id, user, organisation)
    r.checked_in_at, r.walk_in = NOW - timedelta(days=1), walk_in
    return r


def test_attendance_is_who_was_checked_in_and_not_recorded_where_nobody_was():
    meetups = [meetup(1, -60), meetup(2, -30), meetup(3, 30)]
    registrations = [
        reg(1, "U1", "GDS"),  # before check-in existed: not recorded
        came(2, "U1", "GDS"),
        came(2, "U2", "Home Office"),
        reg(2, "U3", "Home Office"),  # a no-show
        reg(2, "U4", "Acme"),  # another
        came(2, "U5", "Acme", walk_in=True),  # let in from the waitlist: not a place held before
        reg(3, "U1", "GDS"),
    ]
    stats = compute(meetups, registrations, NOW)
    per = [(m.attended, m.no_shows, m.no_show_rate) for m in stats.meetups]
    assert per == [(None, 1, None), (3, 2, 0.5), (None, 1, None)]
    assert (stats.meetups_recorded, stats.attended, stats.no_shows, stats.booked) == (1, 3, 2, 4)
    assert stats.no_show_rate == 0.5
    assert {o.name: o.attended for o in stats.organisations} == {"GDS": 1, "Home Office": 1, "Acme": 1}

    text = stats_text(stats, ZoneInfo("Europe/London"))
    assert "3 people came to the 1 meetup where attendance was recorded." in " ".join(text.summary)
    assert "2 of 4 people with a place did not come: a no-show rate of 50%." in " ".join(text.summary)
    assert text.meetups[1].endswith(", 3 came, 2 with a place did not (no-show rate 50%)")
    assert text.meetups[2].endswith(", attendance not recorded")
    assert text.organisations[0] == "• GDS: 3 sign-ups, 1 attended, 3 meetups"
