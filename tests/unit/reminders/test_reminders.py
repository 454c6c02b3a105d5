"""Reminders: the plan, and what people see when it falls due. Time moves with
the `clock` fixture; Slack is the fake."""

import logging
from datetime import UTC, datetime, time, timedelta

from bot.meetups.meetups import get_meetup
from bot.reminders.reminders import ReminderPlan, cancel_reminders, queue_due_reminders, reschedule_reminders
from bot.settings import load_settings
from bot.signups.signups import cancel
from handlers.blocks.reminders import ReminderBlocks
from storage.models import (
    DAY_BEFORE,
    DELIVERY_CANCELLED,
    MORNING,
    REMINDER_CANCELLED,
    REMINDER_PENDING,
    REMINDER_SENT,
    REMINDER_SKIPPED,
    WEEK_BEFORE,
    utcnow,
)
from tests.support.app import CHANNEL, settings_env
from tests.support.blocks import block_texts
from tests.support.factories import LONDON, make_meetup
from tests.support.messages import calendar_files, channel_posts, dm_posts, event_of
from tests.support.processes import run as run_cli
from tests.support.reminders import deliveries, register, reminders_of, worker_for

# The plan -------------------------------------------------------------------------


def test_a_new_meetup_gets_its_reminders_at_local_times_across_the_change_of_the_clocks(db, clock):
    # Friday 2 April 2027, 1pm BST. The clocks go forward on 28 March.
    meetup = make_meetup(db, now=clock(), starts_in=timedelta(days=82))
    assert meetup.starts_at == datetime(2027, 4, 2, 12, 0, tzinfo=UTC)
    plan = reminders_of(db, meetup.id)
    assert {kind: (r.due_at, r.state) for kind, r in plan.items()} == {
        WEEK_BEFORE: (datetime(2027, 3, 26, 13, 0, tzinfo=UTC), REMINDER_PENDING),  # 1pm GMT
        DAY_BEFORE: (datetime(2027, 4, 1, 12, 0, tzinfo=UTC), REMINDER_PENDING),  # 1pm BST
        MORNING: (datetime(2027, 4, 2, 7, 30, tzinfo=UTC), REMINDER_PENDING),  # 8:30am BST
    }


def test_reminders_whose_time_has_passed_when_the_meetup_is_made_are_skipped(db, clock):
    meetup = make_meetup(db, now=clock(), starts_in=timedelta(days=3))
    plan = reminders_of(db, meetup.id)
    assert plan[WEEK_BEFORE].state == REMINDER_SKIPPED
    assert plan[DAY_BEFORE].state == plan[MORNING].state == REMINDER_PENDING


def test_offsets_come_from_settings(db, clock, fake_slack):
    settings = load_settings(
        settings_env(
            fake_slack,
            "sqlite://",
            REMINDER_WEEK_BEFORE_DAYS="0",
            REMINDER_DAY_BEFORE_DAYS="2",
            REMINDER_MORNING_TIME="off",
        )
    )
    meetup = make_meetup(db, now=clock(), reminder_plan=ReminderPlan.from_settings(settings))
    plan = reminders_of(db, meetup.id)
    assert {kind: r.state for kind, r in plan.items()} == {
        WEEK_BEFORE: REMINDER_SKIPPED,
        DAY_BEFORE: REMINDER_PENDING,
        MORNING: REMINDER_SKIPPED,
    }
    assert plan[DAY_BEFORE].due_at == meetup.starts_at - timedelta(days=2)
    assert plan[MORNING].note == "turned off: REMINDER_MORNING_TIME is off"


def test_bad_reminder_settings_are_named():
    import pytest

    from bot.settings import SettingsError

    with pytest.raises(SettingsError) as error:
        load_settings(
            {"REMINDER_MORNING_TIME": "8.30am", "REMINDER_WEEK_BEFORE_DAYS": "1", "DELIVERY_MAX_ATTEMPTS": "0"},
            need_slack=False,
        )
    assert [p.split(" ")[0] for p in error.value.problems] == [
        "REMINDER_WEEK_BEFORE_DAYS",
        "REMINDER_MORNING_TIME",
        "DELIVERY_MAX_ATTEMPTS",
    ]
    good = load_settings({"REMINDER_MORNING_TIME": "7:45"}, need_slack=False)
    assert good.reminder_morning_time == time(7, 45)


def test_moving_a_meetup_moves_what_has_not_gone_and_raises_the_calendar_sequence(db, clock):
    meetup = make_meetup(db, now=clock(), starts_in=timedelta(days=3))  # week-before already skipped
    morning = reminders_of(db, meetup.id)[MORNING]
    with db.transaction() as session:
        session.get(type(morning), morning.id).state = REMINDER_SENT  # as if it had gone

    def move(**change):
        with db.transaction() as session:
            current = session.merge(get_meetup(db, meetup.id))
            for name, delta in change.items():
                setattr(current, name, getattr(current, name) + delta)
            reschedule_reminders(session, current, now=clock())
            return current

    # Only the end moves: nothing that has gone goes again.
    move(ends_at=timedelta(hours=1))
    assert reminders_of(db, meetup.id)[MORNING].state == REMINDER_SENT
    # Two weeks later: the week-before reminder is in the future again, and the
    # morning one goes again for the new date.
    moved = move(starts_at=timedelta(days=14), ends_at=timedelta(days=14))
    plan = reminders_of(db, meetup.id)
    assert plan[WEEK_BEFORE].state == REMINDER_PENDING
    assert plan[WEEK_BEFORE].due_at == moved.starts_at - timedelta(days=7)
    assert plan[DAY_BEFORE].due_at == moved.starts_at - timedelta(days=1)
    assert plan[MORNING].state == REMINDER_PENDING and plan[MORNING].due_at.date() == moved.starts_at.date()
    assert get_meetup(db, meetup.id).ics_sequence == 2


# What people see --------------------------------------------------------------------


def test_the_day_before_each_person_gets_one_message_and_the_channel_one_post(bot):
    fake, clock = bot.fake, bot.clock
    meetup = make_meetup(bot.db, now=clock(), capacity=2, starts_in=timedelta(days=10))
    for user in ("U0ADA", "U0BOB", "U0CAT", "U0DAN"):
        register(bot.db, fake, meetup, user, clock())
        clock.advance(seconds=1)
    register(bot.db, fake, meetup, "U0SAM", clock(), role="contractor", email="sam@contractor.example")
    cancel(bot.db, meetup_id=meetup.id, user_id="U0BOB", now=clock())  # CAT moves up; DAN waits

    clock.now = reminders_of(bot.db, meetup.id)[DAY_BEFORE].due_at + timedelta(minutes=1)
    summary = worker_for(bot).run_due()
    # Four reminders, and the final visitor list to the organiser (due 2 working days before).
    assert summary.lists_queued == 1
    assert summary.deliveries.sent == 5 and summary.deliveries.failed == 0

    [post] = channel_posts(fake)
    text = block_texts(post.args["blocks"])
    assert "Reminder: *Cross-government open source meetup* is on" in text
    assert "photo ID" in text and "<!channel>" not in text and "<!here>" not in post.args["text"]

    assert {u: len(dm_posts(fake, u)) for u in ("U0ADA", "U0BOB", "U0CAT", "U0DAN", "U0SAM")} == {
        "U0ADA": 1,
        "U0BOB": 0,
        "U0CAT": 1,
        "U0DAN": 1,
        "U0SAM": 0,
    }
    ada = block_texts(dm_posts(fake, "U0ADA")[0].args["blocks"])
    assert "You have a place at *Cross-government open source meetup*" in ada
    assert "If you cannot come, cancel so someone on the waitlist can." in ada
    assert "Cancel my place" in ada
    dan = block_texts(dm_posts(fake, "U0DAN")[0].args["blocks"])
    assert "You are still on the waitlist" in dan and "You are number 1." in dan

    # The calendar file goes with each place, into that person's DM, and nowhere else.
    # (The organiser's DM holds the final visitor list, a CSV.)
    shared = {
        share["channel"]: share for share in fake.file_shares if share["channel"] != fake.dm_channel("U0ORGANISER")
    }
    assert set(shared) == {fake.dm_channel("U0ADA"), fake.dm_channel("U0CAT")}
    ics = fake.uploads[shared[fake.dm_channel("U0ADA")]["file_ids"][0]].decode()
    assert "BEGIN:VEVENT" in ics and "TZID=Europe/London" in ics and "LOCATION:102 Petty France\\, London" in ics

    # Running again sends nothing more.
    again = worker_for(bot).run_due()
    assert again.deliveries.total == 0
    assert len(dm_posts(fake)) == 4 and len(channel_posts(fake)) == 1


def test_a_week_before_the_channel_hears_how_many_places_are_left_with_a_sign_up_button(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=10, starts_in=timedelta(days=30))
    register(bot.db, bot.fake, meetup, "U0ADA", bot.clock())
    bot.clock.now = reminders_of(bot.db, meetup.id)[WEEK_BEFORE].due_at
    worker_for(bot).run_due()
    [post] = channel_posts(bot.fake)
    assert "9 places left." in block_texts(post.args["blocks"])
    [actions] = [b for b in post.args["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["text"]["text"] == "Sign up"
    assert actions["elements"][0]["action_id"] == "open_signup" and actions["elements"][0]["value"] == str(meetup.id)
    assert dm_posts(bot.fake) == []


def test_someone_who_cancels_after_the_reminder_is_queued_does_not_get_it(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=5, starts_in=timedelta(days=10))
    for user in ("U0ADA", "U0BOB"):
        register(bot.db, bot.fake, meetup, user, bot.clock())
    bot.clock.now = reminders_of(bot.db, meetup.id)[DAY_BEFORE].due_at
    settings = bot.deps.settings
    queue_due_reminders(
        bot.db, now=bot.clock(), plan=ReminderPlan.from_settings(settings), channel=CHANNEL, messages=ReminderBlocks()
    )
    cancel(bot.db, meetup_id=meetup.id, user_id="U0BOB", now=bot.clock())
    bot.deps.outbox.deliver_due()
    assert len(dm_posts(bot.fake, "U0ADA")) == 1 and dm_posts(bot.fake, "U0BOB") == []
    [bob] = [d for d in deliveries(bot.db, kind="reminder_confirmed") if d.slack_user_id == "U0BOB"]
    assert bob.state == DELIVERY_CANCELLED and bob.last_error == "the person is no longer confirmed"


def test_the_day_before_calendar_file_comes_from_the_organisers_when_they_have_an_email_address(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=5, starts_in=timedelta(days=10))
    register(bot.db, bot.fake, meetup, "U0ADA", bot.clock())
    bot.clock.now = reminders_of(bot.db, meetup.id)[DAY_BEFORE].due_at
    settings = load_settings(
        settings_env(bot.fake, "sqlite://", ORGANISER_NAME="The organisers", ORGANISER_CONTACT="os@example.gov.uk")
    )
    plan = ReminderPlan.from_settings(settings)
    queue_due_reminders(bot.db, now=bot.clock(), plan=plan, channel=CHANNEL, messages=ReminderBlocks())
    bot.deps.outbox.deliver_due()
    [calendar] = calendar_files(bot.fake, "U0ADA")
    organizer = event_of(calendar)["organizer"]
    assert (str(calendar["method"]), str(organizer), organizer.params["CN"]) == (
        "PUBLISH",
        "mailto:os@example.gov.uk",
        "The organisers",
    )
    assert "attendee" not in event_of(calendar)


def test_a_day_before_message_still_queued_when_the_meetup_begins_is_not_sent(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=5, starts_in=timedelta(days=10))
    register(bot.db, bot.fake, meetup, "U0ADA", bot.clock())
    bot.clock.now = reminders_of(bot.db, meetup.id)[DAY_BEFORE].due_at
    queue_due_reminders(
        bot.db,
        now=bot.clock(),
        plan=ReminderPlan.from_settings(bot.deps.settings),
        channel=CHANNEL,
        messages=ReminderBlocks(),
    )
    bot.clock.now = meetup.starts_at  # Slack was away all day, say
    bot.deps.outbox.deliver_due()
    assert dm_posts(bot.fake, "U0ADA") == []
    [ada] = deliveries(bot.db, kind="reminder_confirmed")
    assert ada.state == DELIVERY_CANCELLED and ada.last_error == "the meetup has begun"


def test_a_reminder_missed_while_the_bot_was_down_goes_late_within_the_grace_window_or_is_skipped(bot, caplog):
    early = make_meetup(bot.db, now=bot.clock(), title="Early", starts_in=timedelta(days=20))
    late = make_meetup(bot.db, now=bot.clock(), title="Late", starts_in=timedelta(days=20))
    with bot.db.transaction() as session:  # Late starts 2 hours after Early
        current = session.merge(get_meetup(bot.db, late.id))
        current.starts_at += timedelta(hours=2)
        current.ends_at += timedelta(hours=2)
        reschedule_reminders(session, current, now=bot.clock())
    # The bot comes back 7 hours after Early's week-before time, 5 after Late's.
    bot.clock.now = reminders_of(bot.db, early.id)[WEEK_BEFORE].due_at + timedelta(hours=7)
    with caplog.at_level(logging.WARNING, logger="bot.reminders.reminders"):
        summary = worker_for(bot).run_due()
    assert summary.reminders_skipped == 1 and summary.reminders_queued == 1
    skipped = reminders_of(bot.db, early.id)[WEEK_BEFORE]
    assert skipped.state == REMINDER_SKIPPED and "7 hours ago, more than REMINDER_GRACE_HOURS (6 hours)" in skipped.note
    assert f"Skipped the week-before reminder for meetup {early.id} (Early)" in caplog.text
    assert reminders_of(bot.db, late.id)[WEEK_BEFORE].state == REMINDER_SENT
    [post] = channel_posts(bot.fake)
    assert "Coming up: *Late*" in block_texts(post.args["blocks"])


def test_a_morning_reminder_never_goes_after_the_start(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), starts_in=timedelta(days=2))
    bot.clock.now = meetup.starts_at + timedelta(minutes=5)
    worker_for(bot).run_due()
    assert reminders_of(bot.db, meetup.id)[MORNING].state == REMINDER_SKIPPED
    assert channel_posts(bot.fake) == []


def test_cancelling_a_meetup_cancels_its_reminders_and_queued_messages(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), starts_in=timedelta(days=10))
    register(bot.db, bot.fake, meetup, "U0ADA", bot.clock())
    bot.clock.now = reminders_of(bot.db, meetup.id)[DAY_BEFORE].due_at
    queue_due_reminders(bot.db, now=bot.clock(), plan=ReminderPlan(), channel=CHANNEL, messages=ReminderBlocks())
    with bot.db.transaction() as session:
        current = session.merge(get_meetup(bot.db, meetup.id))
        current.status = "cancelled"
        cancel_reminders(session, current, now=bot.clock())
    bot.clock.advance(hours=20)
    worker_for(bot).run_due()
    assert bot.fake.calls_to("chat.postMessage") == []
    assert reminders_of(bot.db, meetup.id)[MORNING].state == REMINDER_CANCELLED
    assert {d.state for d in deliveries(bot.db, meetup_id=meetup.id)} == {DELIVERY_CANCELLED}
    assert get_meetup(bot.db, meetup.id).ics_sequence == 1


def test_meetups_without_a_plan_get_one(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), starts_in=timedelta(days=10))
    with bot.db.transaction() as session:
        session.query(type(reminders_of(bot.db, meetup.id)[MORNING])).delete()
    worker_for(bot).run_due()
    assert set(reminders_of(bot.db, meetup.id)) == {WEEK_BEFORE, DAY_BEFORE, MORNING}


# From the command line: the real clock, so the meetup is one whose day-before
# time has just passed.


def test_run_due_dry_run_says_what_would_go_and_sends_nothing_then_run_due_sends_it(fake_slack, sqlite_url, tmp_path):
    from bot.meetups.home import home_opened
    from storage.db import Database

    db = Database(sqlite_url)
    now = utcnow()
    meetup = make_meetup(db, now=now, capacity=1, starts_in=timedelta(hours=20))
    # Starts in about 20 hours: its day-before time was about 4 hours ago,
    # within the 6-hour grace window.
    start = (now + timedelta(hours=20)).astimezone(LONDON).replace(second=0, microsecond=0)
    with db.transaction() as session:
        current = session.merge(get_meetup(db, meetup.id))
        current.starts_at, current.ends_at = start, start + timedelta(hours=4)
        reschedule_reminders(session, current, now=now)
    for person in ("U0ADA", "U0BOB"):
        home_opened(db, person, now=now)  # so their Home tabs are drawn again after a change
        register(db, fake_slack, meetup, person, now)
    db.dispose()
    env = settings_env(fake_slack, sqlite_url)

    dry = run_cli(["reminders", "run-due", "--dry-run"], {"DATABASE_URL": sqlite_url}, tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert (
        f"Would post the day-before reminder for meetup {meetup.id} (Cross-government open source meetup) "
        "in the meetup channel and send direct messages to 1 people with a place (with a calendar file) "
        "and 1 on the waitlist"
    ) in dry.stdout
    assert (
        f"Would send the final visitor list for meetup {meetup.id} (Cross-government open source meetup)" in dry.stdout
    )
    assert fake_slack.calls == []

    real = run_cli(["reminders", "run-due"], env, tmp_path)
    assert real.returncode == 0, real.stderr
    # The two sign-ups changed their Home tabs: the worker publishes them too.
    # The final list to the organisers is due too (2 working days before).
    assert (
        "Reminders: 4 messages sent, 2 Home tabs brought up to date, 1 visitor list queued for the organisers."
        in real.stdout
    )
    assert len(dm_posts(fake_slack, "U0ADA")) == 1 and len(dm_posts(fake_slack, "U0BOB")) == 1
    assert len(channel_posts(fake_slack)) == 1

    dry_again = run_cli(["reminders", "run-due", "--dry-run"], {"DATABASE_URL": sqlite_url}, tmp_path)
    assert dry_again.stdout.strip() == "Nothing is due."
