"""Issue 17, parts 3 and 4: a meetup's online joining link reaches only the
people with a place, and its timed agenda (talks by time, then the
open-space sessions once the grid exists) shows on the card, the Home tab,
the reminders and the calendar file. As people would use it, against the
fake Slack, on both databases."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.meetups.meetups import all_meetups
from storage.models import DELIVERY_SENT
from tests.support.app import CHANNEL, ORGANISER
from tests.support.approvals import CONTRACTOR, SAM
from tests.support.blocks import block_texts
from tests.support.messages import calendar_files, dms_to, event_of
from tests.support.organising import (
    ADA,
    BOB,
    NEW_MEETUP,
    eventually,
    form_answers,
    meetup_with,
    open_form,
    open_home,
    open_new_meetup_form,
    sign_up_from_card,
)
from tests.support.reminders import deliveries, worker_for
from tests.support.topics import open_schedule_modal, propose

LINK = "https://meet.example.gov.uk/open-source?pwd=a&b"
AGENDA = (
    "2pm to 2:30pm | Reusing code across government | Priya Patel | GDS\n"
    "1:30pm | Open source at GCHQ | Sam Smith | GCHQ\n"
    "Lightning talks | Everyone | Various"
)
# The meetup is on Friday 26 February 2027, 1pm to 5pm, London time (GMT).
DAY_BEFORE = datetime(2027, 2, 25, 13, 5, tzinfo=UTC)
MORNING = datetime(2027, 2, 26, 8, 35, tzinfo=UTC)


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") + "\n" + block_texts(m.get("blocks")) for m in messages)


def all_sent(bot) -> None:
    eventually(lambda: all(d.state == DELIVERY_SENT for d in deliveries(bot.db)))


def run_worker_at(bot, moment: datetime) -> None:
    bot.clock.now = moment
    worker_for(bot).run_due()
    bot.deps.outbox.deliver_due()
    all_sent(bot)


def test_the_joining_link_reaches_only_the_people_with_a_place(bot):
    # Ada has the one place, Bob waits, Sam's place waits for approval.
    posted = meetup_with(bot, [ADA, BOB], capacity="1", online_link=LINK)
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    sign_up_from_card(bot, SAM, CONTRACTOR, posted)
    eventually(lambda: dms_to(bot.fake, SAM))
    all_sent(bot)
    in_slack = "<https://meet.example.gov.uk/open-source?pwd=a&amp;b>"

    assert in_slack in texts(dms_to(bot.fake, ADA))
    [ada_file] = calendar_files(bot.fake, ADA)
    event = event_of(ada_file)
    assert str(event["URL"]) == LINK
    assert str(event["LOCATION"]) == NEW_MEETUP["venue"]
    assert LINK in str(event["DESCRIPTION"])
    for person in (BOB, SAM):
        assert "meet.example" not in texts(dms_to(bot.fake, person))
    assert "meet.example" not in texts(bot.fake.messages(CHANNEL))

    run_worker_at(bot, DAY_BEFORE)
    [ada_day_before] = [
        m for m in dms_to(bot.fake, ADA) if "You have a place at Cross-government open source meetup on" in m["text"]
    ]
    assert in_slack in block_texts(ada_day_before["blocks"])
    assert LINK in str(event_of(calendar_files(bot.fake, ADA)[-1])["URL"])
    assert "You are still on the waitlist" in texts(dms_to(bot.fake, BOB))
    assert "meet.example" not in texts(dms_to(bot.fake, BOB))

    run_worker_at(bot, MORNING)
    run_worker_at(bot, MORNING.replace(minute=50))  # a second round sends nothing again
    [morning] = [m for m in dms_to(bot.fake, ADA) if "is today" in m["text"]]
    assert in_slack in block_texts(morning["blocks"])
    assert "is today" in texts(bot.fake.messages(CHANNEL))
    assert "meet.example" not in texts(bot.fake.messages(CHANNEL))
    for person in (BOB, SAM):
        assert "meet.example" not in texts(dms_to(bot.fake, person))


def test_a_changed_link_reaches_the_people_with_a_place(bot):
    meetup_with(bot, [ADA, BOB], capacity="1", online_link=LINK)
    form = open_form(bot, "edit")
    new_link = "https://meet.example.gov.uk/new-room"
    answer = bot.slack.submit_view(form, {**form_answers(form), "online_link": new_link}, user_id=ORGANISER).json()
    assert "sending the new online joining link to 1 person with a place" in block_texts(answer["view"]["blocks"])
    all_sent(bot)

    [changed] = [m for m in dms_to(bot.fake, ADA) if "online joining link" in m["text"]]
    assert f"<{new_link}>" in block_texts(changed["blocks"])
    assert str(event_of(calendar_files(bot.fake, ADA)[-1])["URL"]) == new_link
    assert "meet.example" not in texts(dms_to(bot.fake, BOB))
    assert "meet.example" not in texts(bot.fake.messages(CHANNEL))


def test_a_removed_link_is_taken_out_of_the_calendars_of_the_people_with_a_place(bot):
    meetup_with(bot, [ADA, BOB], capacity="1", online_link=LINK)
    all_sent(bot)
    assert str(event_of(calendar_files(bot.fake, ADA)[-1])["URL"]) == LINK
    form = open_form(bot, "edit")
    answer = bot.slack.submit_view(form, {**form_answers(form), "online_link": ""}, user_id=ORGANISER).json()
    assert "telling 1 person with a place that the online joining link has been removed" in block_texts(
        answer["view"]["blocks"]
    )
    all_sent(bot)

    [removed] = [m for m in dms_to(bot.fake, ADA) if "online joining link" in m["text"]]
    assert "has been removed, so you cannot join online" in block_texts(removed["blocks"])
    assert "meet.example" not in block_texts(removed["blocks"])
    event = event_of(calendar_files(bot.fake, ADA)[-1])
    assert "URL" not in event
    assert "meet.example" not in str(event["DESCRIPTION"])
    assert not [m for m in dms_to(bot.fake, BOB) if "online joining link" in m["text"]]


def test_the_agenda_in_time_order_on_the_card_home_tab_reminders_and_calendar(bot):
    posted = meetup_with(bot, [ADA], agenda=AGENDA)
    in_order = [
        "1:30pm: *Open source at GCHQ*, Sam Smith (GCHQ)",
        "2pm to 2:30pm: *Reusing code across government*, Priya Patel (GDS)",
        "*Lightning talks*, Everyone (Various)",
    ]

    def shows_in_order(text: str, lines: list[str]) -> None:
        places = [text.index(line) for line in lines]
        assert places == sorted(places), text

    shows_in_order(block_texts(posted["blocks"]), in_order)
    shows_in_order(block_texts(open_home(bot, ADA)["blocks"]), in_order)
    description = str(event_of(calendar_files(bot.fake, ADA)[0])["DESCRIPTION"])
    shows_in_order(
        description,
        [
            "1:30pm: Open source at GCHQ, Sam Smith (GCHQ)",
            "2pm to 2:30pm: Reusing code across government, Priya Patel (GDS)",
        ],
    )

    # Once the grid is built, its sessions join the agenda, after the talks.
    propose(bot, ADA, "Publishing code in the open")
    view = open_schedule_modal(bot)
    bot.slack.submit_view(view, {"rooms": "Thames, 40", "slots": "3pm to 3:45pm"}, user_id=ORGANISER)
    eventually(lambda: [c for c in bot.fake.calls_to("chat.postMessage") if "sessions" in c.args["text"]])
    session = "3pm to 3:45pm: *Publishing code in the open* (open-space session, Thames)"
    shows_in_order(block_texts(open_home(bot, ORGANISER)["blocks"]), [*in_order, session])

    run_worker_at(bot, datetime(2027, 2, 19, 13, 5, tzinfo=UTC))  # the week before
    run_worker_at(bot, DAY_BEFORE)
    run_worker_at(bot, MORNING)
    channel = [block_texts(m["blocks"]) for m in bot.fake.messages(CHANNEL)]
    for starts in ("Coming up:", "Reminder:", "*Cross-government open source meetup* is today"):
        [reminder] = [text for text in channel if text.startswith(starts)]
        shows_in_order(reminder, [*in_order, session])
    [day_before] = [
        m for m in dms_to(bot.fake, ADA) if "You have a place at Cross-government open source meetup on" in m["text"]
    ]
    shows_in_order(block_texts(day_before["blocks"]), [*in_order, session])
    description = str(event_of(calendar_files(bot.fake, ADA)[-1])["DESCRIPTION"])
    assert "3pm to 3:45pm: Publishing code in the open (open-space session, Thames)" in description


def test_a_bad_time_or_link_gets_an_error_on_its_field_and_nothing_is_stored(bot):
    view = open_new_meetup_form(bot)
    bad = {
        **NEW_MEETUP,
        "agenda": "1:30pm | Open source at GCHQ | Sam Smith | GCHQ\nhalf past two | Reuse | Priya Patel | GDS",
        "online_link": "http://meet.example.gov.uk/abc",
    }
    answer = bot.slack.submit_view(view, bad, user_id=ORGANISER).json()
    assert answer["response_action"] == "errors"
    assert answer["errors"]["agenda"] == (
        'Line 2: enter the time as a time like "1:30pm" or "13:30", or a start and end like "1:30pm to 2pm"'
    )
    assert answer["errors"]["online_link"].startswith(
        "Enter the online joining link as a web address starting https://"
    )
    assert all_meetups(bot.db) == []
    assert bot.fake.messages(CHANNEL) == []


def test_talks_entered_without_times_still_work(bot):
    posted = meetup_with(bot, [], agenda=NEW_MEETUP["agenda"])
    assert "• *Open source at GCHQ*, Sam Smith (GCHQ)" in block_texts(posted["blocks"])
    form = open_form(bot, "edit")
    assert form_answers(form)["agenda"] == NEW_MEETUP["agenda"]


def test_sessions_at_the_same_time_are_in_the_grid_posts_order_in_the_calendar_file(bot):
    """The grid's post lists a time's sessions biggest room first (rooms of a
    size in the order the organiser entered them); the calendar file too,
    whatever the rooms are called."""
    meetup_with(bot, [ADA], agenda=AGENDA)
    for title in ("Funding maintainers", "Inner source", "Licences"):
        propose(bot, ADA, title, lead="no")
    view = open_schedule_modal(bot)
    rooms = "Avon, 10\nThames, 40\nSevern, 40"
    bot.slack.submit_view(view, {"rooms": rooms, "slots": "3pm to 3:45pm"}, user_id=ORGANISER)
    [grid] = eventually(lambda: [c for c in bot.fake.calls_to("chat.postMessage") if "sessions" in c.args["text"]])
    posted = re.findall(r"• \*(\w+)\* \(", block_texts(grid.args["blocks"]))
    assert posted == ["Thames", "Severn", "Avon"]

    run_worker_at(bot, DAY_BEFORE)
    description = str(event_of(calendar_files(bot.fake, ADA)[-1])["DESCRIPTION"])
    assert re.findall(r"\(open-space session, (\w+)\)", description) == posted
