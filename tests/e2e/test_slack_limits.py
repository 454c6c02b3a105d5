"""Issue 23, item 3: one long name cannot stop an organiser's view, and long
lists say how many more there are.

500 sign-ups (confirmed, waitlist, awaiting approval), 200 topics and every
typed field 200 `&`s (1,000 characters once escaped): each organiser view
still reaches Slack, which the fake checks against Block Kit's limits.
"""

from datetime import timedelta

from bot.meetups.meetups import get_meetup
from handlers.blocks.approvals import approval_blocks
from storage.models import CONFIRMED, DAY_BEFORE, DELIVERY_SENT, PENDING, WAITLISTED, Registration
from tests.support.app import ORGANISER
from tests.support.factories import LONDON, make_meetup
from tests.support.fakeslack import blockkit
from tests.support.messages import channel_posts
from tests.support.organising import open_home
from tests.support.reminders import deliveries, reminders_of, worker_for
from tests.support.topic_factories import make_topic

AMPS = "&" * 200
COUNTS = {CONFIRMED: 200, WAITLISTED: 200, PENDING: 100}


def fill(bot):
    now = bot.clock()
    meetup = make_meetup(bot.db, now=now, title=AMPS, venue=AMPS, capacity=COUNTS[CONFIRMED], description="&" * 2000)
    with bot.db.transaction() as session:
        n = 0
        for status, count in COUNTS.items():
            for place in range(1, count + 1):
                n += 1
                # Known to Slack, so each day-before message is checked, not refused unread.
                bot.fake.add_user(f"U5{n:04d}", real_name=AMPS)
                session.add(
                    Registration(
                        meetup_id=meetup.id,
                        slack_user_id=f"U5{n:04d}",
                        full_name=AMPS,
                        email=f"person{n}@justice.gov.uk",
                        organisation=AMPS,
                        role="civil_servant",
                        government_team=AMPS,
                        dietary_needs=AMPS,
                        access_needs=AMPS,
                        reason=AMPS,
                        status=status,
                        waitlist_number=place if status == WAITLISTED else None,
                        created_at=now,
                        status_changed_at=now,
                    )
                )
    for i in range(200):
        make_topic(bot.db, meetup_id=meetup.id, now=now, title="&" * 150, name=AMPS, user_id=f"U6{i:04d}")
    return meetup


def texts(blocks) -> str:
    return "\n".join(str(b) for b in blocks)


def test_every_organiser_view_arrives_and_says_how_many_more(bot):
    meetup = fill(bot)

    listing = bot.slack.command(f"list {meetup.id}", user_id=ORGANISER).message()
    shown = texts(listing["blocks"])
    assert blockkit.check_message_blocks(listing["blocks"]) == []
    for heading in ("*Confirmed*", "*Waitlist, in order*", "*Waiting for approval*"):
        assert heading in shown
    assert f"more: `/meetup export {meetup.id}` has everyone" in shown
    assert "more on the waitlist" in shown
    assert "more waiting for approval" in shown
    assert "&amp;&am…" not in shown and "&a…" not in shown

    everything = bot.slack.command("list", user_id=ORGANISER).message()
    assert "*Waiting for approval*" in texts(everything["blocks"])

    topics = bot.slack.command(f"topics {meetup.id}", user_id=ORGANISER).message()
    assert blockkit.check_message_blocks(topics["blocks"]) == []
    assert "more have fewer votes" in texts(topics["blocks"])

    home = open_home(bot, ORGANISER)
    assert blockkit.check_view(home, expect_type="home") == []
    assert "95 more waiting" in texts(home["blocks"])

    with bot.db.read() as session:
        pending = session.query(Registration).filter_by(status=PENDING).first()
    assert blockkit.check_message_blocks(approval_blocks(get_meetup(bot.db, meetup.id), pending, LONDON)) == []

    bot.clock.now = reminders_of(bot.db, meetup.id)[DAY_BEFORE].due_at + timedelta(minutes=1)
    worker_for(bot).run_due()
    reminder = [p.args for p in channel_posts(bot.fake) if "Reminder:" in p.args.get("text", "")]
    assert reminder, "the day-before reminder did not reach the channel"
    assert "…" in texts(reminder[-1]["blocks"])
    assert not [d for d in deliveries(bot.db) if d.state != DELIVERY_SENT and d.kind != "reminder_week_before"]

    assert bot.fake.violations == []
