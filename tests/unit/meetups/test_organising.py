"""The organisers' rules: reading the meetup form, the card's places text,
editing, closing, cancelling. Database tests run on SQLite and PostgreSQL."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.meetups.agenda import AgendaError, Talk, agenda_text, parse_agenda
from bot.meetups.meetups import ValidationError, get_meetup
from bot.organising.organising import (
    MeetupForm,
    NotChangeable,
    cancel_meetup,
    closing_date,
    create_from_form,
    describe_changes,
    pick_meetup,
    places_text,
    read_form,
    set_signup_open,
    update_meetup,
)
from bot.signups.signups import find_registration, sign_up
from storage.models import CANCELLED, CONFIRMED, PENDING, WAITLISTED
from tests.support.factories import make_form, make_meetup

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
FORM = MeetupForm(
    title="Open source meetup",
    date="2027-02-26",
    start_time="13:00",
    end_time="17:00",
    venue="102 Petty France",
    host_organisation="MOJ",
    capacity="60",
    audience="government",
    extra_sectors=frozenset({"nhs", "police"}),
    description="Talks",
    agenda="Talk one | Ada | GDS\n\nTalk two | Bob | GCHQ",
    signup_closes_date="2027-02-20",
)


def read(form=FORM, **changes):
    return read_form(replace(form, **changes), tz=LONDON, now=NOW)


def test_a_good_form_becomes_local_times_and_talks():
    fields, errors = read()
    assert errors == {}
    assert fields.starts == datetime(2027, 2, 26, 13, 0, tzinfo=LONDON)
    assert fields.ends == datetime(2027, 2, 26, 17, 0, tzinfo=LONDON)
    assert fields.capacity == 60 and fields.extra_sectors == {"nhs", "police"}
    assert fields.agenda == [Talk("Talk one", "Ada", "GDS"), Talk("Talk two", "Bob", "GCHQ")]
    # Sign-up closes at the end of the chosen day.
    assert fields.signup_closes == datetime(2027, 2, 21, 0, 0, tzinfo=LONDON)


def test_summer_time_is_applied():
    fields, _ = read(date="2027-06-25")
    assert fields.starts.astimezone(UTC).hour == 12


@pytest.mark.parametrize(
    "changes, errors",
    [
        ({"end_time": "12:00"}, {"end_time": "The end time must be after the start time"}),
        (
            {"date": "2027-01-09"},
            {
                "date": "The date and start time must be in the future",
                "signup_closes": "Sign-up must close on or before the day of the meetup",
            },
        ),
        ({"capacity": "0"}, {"capacity": "Capacity must be 1 or more"}),
        ({"capacity": "lots"}, {"capacity": "Enter the number of places as a whole number, like 60"}),
        ({"title": " ", "venue": ""}, {"title": "Enter a title", "venue": "Enter the venue"}),
        (
            {"date": None, "start_time": None},
            {"date": "Enter the date of the meetup", "start_time": "Enter the start time"},
        ),
        ({"audience": ""}, {"audience": "Select who can come"}),
        (
            {"signup_closes_date": "2027-03-01"},
            {"signup_closes": "Sign-up must close on or before the day of the meetup"},
        ),
        ({"signup_closes_date": "2027-01-01"}, {"signup_closes": "The date sign-up closes must be today or later"}),
        (
            {"agenda": "Fine | A | B\nMissing the rest"},
            {
                "agenda": "Line 2 needs a start time, a title, a speaker and their organisation separated by |, "
                "like: 1:30pm | Open source in government | Ada Lovelace | GDS"
            },
        ),
    ],
)
def test_impossible_values_get_a_message_for_their_field(changes, errors):
    fields, found = read(**changes)
    assert fields is None
    assert found == errors


def test_sign_up_closing_on_the_day_closes_when_it_starts():
    fields, _ = read(signup_closes_date="2027-02-26")
    assert fields.signup_closes == fields.starts
    assert closing_date(fields.signup_closes, LONDON).isoformat() == "2027-02-26"


def test_extra_sectors_only_count_for_government_meetups():
    fields, _ = read(audience="open")
    assert fields.extra_sectors == frozenset()


def test_agenda_parsing_limits():
    assert parse_agenda("") == []
    assert agenda_text(parse_agenda(" a | b | c ")) == "a | b | c"
    with pytest.raises(AgendaError, match="Line 1"):
        parse_agenda("a | b")
    with pytest.raises(AgendaError, match="Enter 20 talks or fewer"):
        parse_agenda("\n".join(f"t{n} | s | o" for n in range(21)))
    with pytest.raises(AgendaError, match="too long"):
        parse_agenda("x" * 201 + " | s | o")


def test_places_text_follows_the_meetup(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=12)
    assert places_text(meetup, 0, clock()) == "12 places left"
    assert places_text(meetup, 11, clock()) == "1 place left"
    assert places_text(meetup, 12, clock()) == "Full: join the waitlist"
    assert places_text(meetup, 0, meetup.starts_at) == "Sign-up closed"
    closed = set_signup_open(db, meetup.id, open_=False, now=clock())
    assert places_text(closed, 0, clock()) == "Sign-up closed"
    cancelled = cancel_meetup(db, meetup.id, now=clock()).meetup
    assert places_text(cancelled, 0, clock()) == "This meetup has been cancelled"


def test_describe_changes_names_date_time_and_venue(db, clock):
    meetup = make_meetup(db, now=clock())
    before = {
        "starts_at": meetup.starts_at - timedelta(days=7, hours=1),
        "ends_at": meetup.ends_at - timedelta(days=7, hours=1),
        "venue": "Old place",
    }
    changes = describe_changes(before, meetup, LONDON)
    assert changes[0] == "The date is now Wednesday 24 February 2027 (it was Wednesday 17 February 2027)."
    assert changes[1] == "The time is now 1pm to 5pm (it was midday to 4pm)."
    assert changes[2] == "The venue is now 102 Petty France, London (it was Old place)."
    assert (
        describe_changes(
            {"starts_at": meetup.starts_at, "ends_at": meetup.ends_at, "venue": meetup.venue}, meetup, LONDON
        )
        == []
    )


def test_editing_keeps_capacity_exact_and_lists_who_to_tell(db, clock):
    fields, _ = read_form(FORM, tz=LONDON, now=clock())
    meetup = create_from_form(db, replace(fields, capacity=1), tz=LONDON, now=clock(), created_by="U0ORG")
    for n in range(3):
        clock.advance(seconds=1)
        sign_up(db, make_form(meetup_id=meetup.id), user_id=f"U{n}", now=clock(), contact="x")
    with pytest.raises(ValidationError) as error:
        update_meetup(db, meetup.id, replace(fields, capacity=0), tz=LONDON, now=clock())
    assert error.value.errors == {"capacity": "1 person has a place already. Enter 1 or more"}

    # More places: the longest-waiting person moves up and is not sent the change message twice.
    moved = replace(
        fields,
        capacity=2,
        venue="Somewhere else",
        starts=fields.starts + timedelta(days=1),
        ends=fields.ends + timedelta(days=1),
    )
    result = update_meetup(db, meetup.id, moved, tz=LONDON, now=clock())
    assert [r.slack_user_id for r in result.promoted] == ["U1"]
    assert sorted(r.slack_user_id for r in result.to_tell) == ["U0", "U2"]
    assert result.changes[0] == "The date is now Saturday 27 February 2027 (it was Friday 26 February 2027)."
    assert result.changes[-1] == "The venue is now Somewhere else (it was 102 Petty France)."
    stored = get_meetup(db, meetup.id)
    assert stored.capacity == 2 and stored.talks[0] == {"title": "Talk one", "speaker": "Ada", "organisation": "GDS"}

    # Nothing about when or where changed: nobody to tell.
    assert update_meetup(db, meetup.id, replace(moved, title="New title"), tz=LONDON, now=clock()).to_tell == []


def test_close_and_reopen(db, clock):
    meetup = make_meetup(db, now=clock(), signup_closes=clock() + timedelta(days=1))
    assert set_signup_open(db, meetup.id, open_=False, now=clock()).status == "closed"
    assert sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x").outcome == "closed"
    # Reopening after the closing date has passed clears it, or sign-up would stay closed.
    clock.advance(days=2)
    reopened = set_signup_open(db, meetup.id, open_=True, now=clock())
    assert reopened.status == "open" and reopened.signup_closes_at is None
    assert sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x").outcome == CONFIRMED


def test_cancelling_cancels_every_place_and_cannot_be_changed_after(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1)
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x")
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U2", now=clock(), contact="x")
    sign_up(
        db,
        make_form(meetup_id=meetup.id, email="c@contractor.example", role="contractor", government_team="HMRC"),
        user_id="U3",
        now=clock(),
        contact="x",
    )
    assert [find_registration(db, meetup.id, u).status for u in ("U1", "U2", "U3")] == [CONFIRMED, WAITLISTED, PENDING]
    result = cancel_meetup(db, meetup.id, now=clock())
    assert sorted(r.slack_user_id for r in result.to_tell) == ["U1", "U2", "U3"]
    assert {find_registration(db, meetup.id, u).status for u in ("U1", "U2", "U3")} == {CANCELLED}
    for change in (
        lambda: cancel_meetup(db, meetup.id, now=clock()),
        lambda: set_signup_open(db, meetup.id, open_=True, now=clock()),
    ):
        with pytest.raises(NotChangeable, match="has been cancelled"):
            change()


def test_a_meetup_that_has_started_cannot_be_changed(db, clock):
    meetup = make_meetup(db, now=clock())
    with pytest.raises(NotChangeable, match="has already started"):
        set_signup_open(db, meetup.id, open_=False, now=meetup.starts_at)


def test_pick_meetup(db, clock):
    assert pick_meetup(db, [], now=clock(), tz=LONDON, usage="/meetup edit ID") == (
        None,
        "There are no upcoming meetups. Create one with `/meetup new`.",
    )
    first = make_meetup(db, now=clock(), title="First <b>")
    assert pick_meetup(db, [], now=clock(), tz=LONDON, usage="x")[0].id == first.id
    make_meetup(db, now=clock(), title="Second", starts_in=timedelta(days=80))
    meetup, text = pick_meetup(db, [], now=clock(), tz=LONDON, usage="/meetup edit ID")
    assert meetup is None and "1: First &lt;b&gt;, " in text
    assert pick_meetup(db, ["2"], now=clock(), tz=LONDON, usage="x")[0].title == "Second"
    assert "not '&lt;x&gt;'" in pick_meetup(db, ["<x>"], now=clock(), tz=LONDON, usage="x")[1]


def test_a_malformed_organiser_channel_is_named_at_start():
    from bot.settings import SettingsError, load_settings

    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "MEETUP_CHANNEL_ID": "C0123"}
    assert load_settings({**env, "ORGANISER_CHANNEL_ID": "C0ORGS"}).organiser_channel_id == "C0ORGS"
    assert load_settings(env).organiser_channel_id is None
    with pytest.raises(SettingsError) as error:
        load_settings({**env, "ORGANISER_CHANNEL_ID": "#organisers"})
    assert error.value.problems == [
        "ORGANISER_CHANNEL_ID must be a channel ID like C0123456789, not '#organisers', "
        "or unset to send approval requests to each organiser by direct message."
    ]


class Refused(Exception):
    pass


def test_what_runs_in_an_edit_or_a_cancellation_is_kept_only_with_it(db, clock):
    """`then` runs inside the change's transaction: when it fails, the change
    is not stored either, so a message about it exists if and only if it does."""
    meetup = make_meetup(db, now=clock(), capacity=1)
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x")
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U2", now=clock(), contact="x")
    fields, _ = read_form(FORM, tz=LONDON, now=clock())
    seen = []

    def fail(session, result):
        # Read inside the transaction: after the rollback the rows are gone.
        seen.append(
            [r.slack_user_id for r in getattr(result, "promoted", [])]
            + [r.slack_user_id for r in result.to_tell if r.id in getattr(result, "had_place", ())]
        )
        raise Refused

    with pytest.raises(Refused):
        update_meetup(db, meetup.id, replace(fields, capacity=2), tz=LONDON, now=clock(), then=fail)
    assert seen[0] == ["U2"]
    assert get_meetup(db, meetup.id).capacity == 1
    assert find_registration(db, meetup.id, "U2").status == WAITLISTED

    with pytest.raises(Refused):
        cancel_meetup(db, meetup.id, now=clock(), then=fail)
    assert seen[1] == ["U1"]  # who had a place
    assert get_meetup(db, meetup.id).status != "cancelled"
    assert find_registration(db, meetup.id, "U1").status == CONFIRMED

    assert cancel_meetup(db, meetup.id, now=clock(), then=lambda session, result: None).meetup.status == "cancelled"
