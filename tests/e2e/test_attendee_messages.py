"""Organisers message a meetup's attendees (`/meetup message`), and the card
says "Sign-up closed" once the closing time passes, with nobody touching the
bot: as people would use it, against the fake Slack, on both databases."""

from __future__ import annotations

from bot.meetups.meetups import all_meetups
from storage.models import DELIVERY_SENT
from tests.support.app import CHANNEL, ORGANISER
from tests.support.attendee_messages import NEWS, from_organisers, preview, records, send
from tests.support.blocks import block_texts, buttons
from tests.support.messages import dms_to
from tests.support.organising import ADA, BOB, eventually, meetup_with, open_form
from tests.support.outages import through_an_outage
from tests.support.reminders import deliveries, worker_for


def test_a_message_reaches_each_person_once_even_when_send_is_pressed_twice(bot):
    meetup_with(bot, [ADA, BOB], capacity="1")  # Ada has a place, Bob waits
    shown = preview(bot)
    assert shown["submit"]["text"] == "Send to 2 people"
    assert NEWS in block_texts(shown["blocks"])

    first = send(bot, shown)
    again = send(bot, shown)
    assert "We are sending your message to 2 people." in block_texts(first["view"]["blocks"])
    assert "already been sent to 2 people" in block_texts(again["view"]["blocks"])
    eventually(lambda: all(d.state == DELIVERY_SENT for d in deliveries(bot.db, kind="attendee_message")))
    bot.clock.advance(hours=1)
    bot.deps.outbox.deliver_due()

    for person in (ADA, BOB):
        [message] = from_organisers(bot.fake, person)
        assert NEWS in block_texts(message["blocks"])
    [record] = records(bot)
    assert (record.sent_by, record.audience, record.recipient_count) == (ORGANISER, "both", 2)


def test_a_message_to_the_waitlist_reaches_only_the_waitlist(bot):
    meetup_with(bot, [ADA, BOB], capacity="1")
    send(bot, preview(bot, audience="waitlisted"))
    eventually(lambda: from_organisers(bot.fake, BOB))
    assert from_organisers(bot.fake, ADA) == []


def test_a_message_reaches_each_person_once_through_an_outage(bot):
    meetup_with(bot, [ADA, BOB])
    shown = preview(bot, audience="confirmed")
    bot.fake.outage(60)
    send(bot, shown)
    through_an_outage(bot, "attendee_message", 2)
    for person in (ADA, BOB):
        assert len(from_organisers(bot.fake, person)) == 1


def test_channel_mentions_typed_in_the_message_are_shown_as_text(bot):
    meetup_with(bot, [ADA])
    shown = preview(bot, text="<!channel> <!here> <@U0BOB> Room 4.12 & lunch", audience="confirmed")
    assert "&lt;!channel&gt; &lt;!here&gt; &lt;@U0BOB&gt; Room 4.12 &amp; lunch" in block_texts(shown["blocks"])
    send(bot, shown)
    [message] = eventually(lambda: from_organisers(bot.fake, ADA))
    everything = block_texts(message["blocks"]) + message["text"]
    assert "&lt;!channel&gt;" in everything
    assert "<!" not in everything and "<@" not in everything


def test_going_back_from_the_preview_keeps_what_was_typed(bot):
    meetup_with(bot, [ADA])
    form = open_form(bot, "message")
    shown = bot.slack.submit_view(form, {"audience": "confirmed", "text": NEWS}, user_id=ORGANISER).json()["view"]
    bot.slack.block_action(
        user_id=ORGANISER,
        action_id="attendee_message_edit",
        value="edit",
        view={**shown, "id": form["id"], "hash": form["hash"]},
    )
    [update] = eventually(lambda: bot.fake.calls_to("views.update"))
    view = update.args["view"]
    [text] = [b["element"] for b in view["blocks"] if b.get("block_id") == "text"]
    assert text["initial_value"] == NEWS
    assert dms_to(bot.fake, ADA) and from_organisers(bot.fake, ADA) == []


def test_a_non_organiser_cannot_message_attendees(bot):
    meetup_with(bot, [ADA, BOB])
    reply = bot.slack.command("message", user_id=ADA)
    assert "Only organisers can use `/meetup message`" in reply.body
    # A forged Send, with a preview an organiser was shown, sends nothing.
    shown = preview(bot)
    answer = send(bot, shown, user_id=BOB)
    assert "Only organisers can message attendees." in block_texts(answer["view"]["blocks"])
    assert records(bot) == [] and deliveries(bot.db, kind="attendee_message") == []


def test_the_card_says_sign_up_closed_after_the_closing_time_with_nobody_touching_the_bot(bot):
    meetup_with(bot, [ADA], signup_closes="2027-02-20")
    [meetup] = all_meetups(bot.db)
    assert "2 places left" in bot.fake.messages(CHANNEL)[0]["text"]
    worker, other = worker_for(bot), worker_for(bot)

    bot.clock.now = meetup.signup_closes_at
    bot.clock.advance(seconds=-1)
    worker.run_due()
    assert "Sign-up closed" not in bot.fake.messages(CHANNEL)[0]["text"]

    bot.clock.advance(seconds=30)
    worker.run_due()
    other.run_due()  # a second instance: nothing more
    card = bot.fake.messages(CHANNEL)[0]
    assert "Sign-up closed" in block_texts(card["blocks"])
    assert not [b for b in buttons(card["blocks"]) if b[1] == "open_signup"]
    assert len(deliveries(bot.db, kind="card_closed")) == 1
    bot.clock.advance(minutes=5)
    worker.run_due()
    assert len(deliveries(bot.db, kind="card_closed")) == 1


def test_the_closed_card_arrives_through_an_outage(bot):
    meetup_with(bot, [ADA], signup_closes="2027-02-20")
    [meetup] = all_meetups(bot.db)
    bot.clock.now = meetup.signup_closes_at
    bot.fake.outage(60)
    worker_for(bot).run_due()
    through_an_outage(bot, "card_closed", 1)
    assert "Sign-up closed" in block_texts(bot.fake.messages(CHANNEL)[0]["blocks"])
