"""Organisers' changes reach people through the outbox: notices of a change or
a cancellation, places given by a bigger capacity and new-meetup cards for
subscribers are stored with the change, survive Slack being down, and arrive
once when it is back. Calendar files follow the change."""

import pytest

from storage.models import DELIVERY_CANCELLED
from tests.support.app import ORGANISER, start_bot, stop_bot
from tests.support.blocks import block_texts
from tests.support.messages import calendar_files, dms_to, event_of
from tests.support.organising import (
    ADA,
    BOB,
    NEW_MEETUP,
    add_people,
    eventually,
    form_answers,
    meetup_id_of,
    meetup_with,
    open_form,
    open_new_meetup_form,
)
from tests.support.outages import through_an_outage
from tests.support.reminders import deliveries

TEAM_MAILBOX = "os-meetups@digital.cabinet-office.gov.uk"
EMAILS = {ADA: "mailto:ada@digital.cabinet-office.gov.uk", BOB: "mailto:bob@homeoffice.gov.uk"}


@pytest.fixture
def bot(fake_slack, database_url, clock):
    """A deployment whose ORGANISER_CONTACT is an email address: its calendar
    files name the organisers as ORGANIZER, so a change can be a REQUEST and
    a cancellation a CANCEL (RFC 5546)."""
    running, server, thread = start_bot(fake_slack, database_url, clock, ORGANISER_CONTACT=TEAM_MAILBOX)
    yield running
    stop_bot(running, server, thread)


def assert_from_the_organisers_to(person: str, event) -> None:
    assert str(event["organizer"]) == f"mailto:{TEAM_MAILBOX}"
    assert str(event["attendee"]) == EMAILS[person]


def cancel_button_value(form: dict) -> str:
    """The value of the edit form's *Cancel the meetup* button."""
    [value] = [
        element["value"]
        for block in form["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == "cancel_meetup"
    ]
    return value


def test_a_new_time_reaches_everyone_once_through_an_outage_with_an_updated_calendar(bot):
    meetup_with(bot, [ADA, BOB])
    [ada_first] = calendar_files(bot.fake, ADA)
    form = open_form(bot, "edit")

    bot.fake.outage(60)
    reply = bot.slack.submit_view(form, {**form_answers(form), "start_time": "14:00"}, user_id=ORGANISER)
    assert "sending a message about the new time to 2 people" in block_texts(reply.json()["view"]["blocks"])
    through_an_outage(bot, "meetup_changed", 2)

    for person in (ADA, BOB):
        [notice] = [d for d in dms_to(bot.fake, person) if "has changed" in d["text"]]
        assert "The time is now 2pm to 5pm (it was 1pm to 5pm)." in block_texts(notice["blocks"])
        first, update = calendar_files(bot.fake, person)
        assert str(first["method"]) == "PUBLISH" and "attendee" not in event_of(first)
        assert str(update["method"]) == "REQUEST"
        assert_from_the_organisers_to(person, event_of(update))
        assert str(event_of(update)["uid"]) == str(event_of(first)["uid"])
        assert event_of(update)["sequence"] > event_of(first)["sequence"]
        assert event_of(update).decoded("dtstart").hour == 14
    assert str(event_of(ada_first)["uid"]) == str(event_of(calendar_files(bot.fake, BOB)[0])["uid"])


def test_a_cancellation_reaches_everyone_once_through_an_outage_and_cancels_the_calendar_event(bot):
    meetup_with(bot, [ADA, BOB])
    form = open_form(bot, "edit")
    value = cancel_button_value(form)

    bot.fake.outage(60)
    bot.slack.block_action(user_id=ORGANISER, action_id="cancel_meetup", value=value, view=form)
    through_an_outage(bot, "meetup_cancelled", 2)

    for person in (ADA, BOB):
        assert len([d for d in dms_to(bot.fake, person) if "has been cancelled" in d["text"]]) == 1
        first, cancelled = calendar_files(bot.fake, person)
        assert str(cancelled["method"]) == "CANCEL"
        assert_from_the_organisers_to(person, event_of(cancelled))
        assert str(event_of(cancelled)["status"]) == "CANCELLED"
        assert str(event_of(cancelled)["uid"]) == str(event_of(first)["uid"])
        assert event_of(cancelled)["sequence"] > event_of(first)["sequence"]


def test_a_place_from_a_bigger_capacity_arrives_once_through_an_outage_with_its_calendar_file(bot):
    meetup_with(bot, [ADA, BOB], capacity="1")
    assert calendar_files(bot.fake, BOB) == []  # waiting: no file yet
    form = open_form(bot, "edit")

    bot.fake.outage(60)
    bot.slack.submit_view(form, {**form_answers(form), "capacity": "2"}, user_id=ORGANISER)
    through_an_outage(bot, "promoted", 1)

    assert len([d for d in dms_to(bot.fake, BOB) if "A place has become free" in d["text"]]) == 1
    [place] = calendar_files(bot.fake, BOB)
    assert str(event_of(place)["summary"]) == "Cross-government open source meetup"
    # Nothing about when or where changed: Ada hears nothing.
    assert not [d for d in dms_to(bot.fake, ADA) if "has changed" in d["text"]]


def test_a_subscriber_gets_the_new_meetup_card_once_through_an_outage(bot):
    add_people(bot.fake)
    bot.slack.command("subscribe", user_id=ADA)
    form = open_new_meetup_form(bot)

    bot.fake.outage(60)
    reply = bot.slack.submit_view(form, {**NEW_MEETUP, "title": "Open data meetup"}, user_id=ORGANISER)
    assert reply.status == 200 and reply.body == ""
    through_an_outage(bot, "new_meetup", 1)

    [card] = dms_to(bot.fake, ADA)
    assert card["text"].startswith("New meetup: Open data meetup")
    assert "`/meetup unsubscribe`" in block_texts(card["blocks"])

    # Announcing it later does not send the card again.
    assert bot.slack.command("announce", user_id=ORGANISER).message()["text"].startswith("Posting")
    posted = eventually(lambda: bot.fake.messages("C0MEETUP"))
    assert meetup_id_of(posted[0]) == 1
    bot.clock.advance(hours=1)
    bot.deps.outbox.deliver_due()
    assert len(dms_to(bot.fake, ADA)) == 1


def test_a_card_still_waiting_when_the_meetup_is_cancelled_is_never_sent(bot):
    add_people(bot.fake)
    bot.slack.command("subscribe", user_id=ADA)
    form = open_new_meetup_form(bot)
    bot.fake.outage(60, methods=["chat.postMessage"])  # the organiser can still open forms
    bot.slack.submit_view(form, {**NEW_MEETUP, "title": "Open data meetup"}, user_id=ORGANISER)
    eventually(lambda: [d for d in deliveries(bot.db, kind="new_meetup") if d.attempts >= 1])

    edit = open_form(bot, "edit")
    value = cancel_button_value(edit)
    bot.slack.block_action(user_id=ORGANISER, action_id="cancel_meetup", value=value, view=edit)
    eventually(lambda: {d.state for d in deliveries(bot.db, kind="new_meetup")} == {DELIVERY_CANCELLED})

    bot.fake.end_outage()
    bot.clock.advance(hours=1)
    bot.deps.outbox.deliver_due()
    assert not [d for d in dms_to(bot.fake, ADA) if d["text"].startswith("New meetup")]
