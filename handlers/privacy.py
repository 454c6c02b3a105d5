"""`/meetup privacy`, `/meetup mydata` and `/meetup forget`."""

from __future__ import annotations

from datetime import datetime

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.common.formatting import escape, format_date, format_when
from bot.common.outbox import enqueue_update
from bot.common.slack_limits import SECTION_TEXT, shorten
from bot.privacy.privacy import ShownInSlack, TopicCard, data_held, forget, privacy_notice
from bot.settings import Settings
from handlers.approvals import queue_cleared_requests
from handlers.blocks.common import button, plain, section
from handlers.blocks.topics import topic_card
from handlers.deps import CommandRequest, Deps
from handlers.signup import queue_promoted_message, registration_changed
from handlers.venue_lists import queue_forgotten_removals

FORGET_ACTION = "forget_confirm"
# The outbox's updates of a forgotten person's topic cards.
CARD_UPDATE_KIND = "topic_card_update"
STATUS_NAMES = {
    "confirmed": "confirmed",
    "waitlisted": "on the waitlist",
    "pending_approval": "waiting for approval",
    "declined": "declined",
    "cancelled": "cancelled",
}


def privacy_command(request: CommandRequest) -> None:
    request.ack(text=privacy_notice(request.deps.settings))


def mydata_command(request: CommandRequest) -> None:
    held = data_held(request.deps.db, request.user_id)
    if held.empty:
        request.ack(text="We hold no personal data about you.")
        return
    tz = request.deps.settings.tz
    sections = ["*The personal data we hold about you*"]
    for meetup, r in held.registrations:
        lines = [
            f"*{escape(meetup.title)}*, {format_when(meetup.starts_at, meetup.ends_at, tz)}",
            f"Status: {STATUS_NAMES.get(r.status, r.status)}",
            f"Name: {escape(r.full_name)}",
            f"Email address: {escape(r.email)}",
            f"Organisation: {escape(r.organisation)}",
            f"How you work in government: {escape(r.role.replace('_', ' '))}",
        ]
        if r.government_team:
            lines.append(f"Government team: {escape(r.government_team)}")
        if r.dietary_needs:
            lines.append(f"Dietary needs: {escape(r.dietary_needs)}")
        if r.access_needs:
            lines.append(f"Access needs: {escape(r.access_needs)}")
        if r.feedback_given:
            lines.append("You gave feedback for this meetup. Your answers are kept without your name.")
        sections.append("\n".join(lines))
    if held.subscribed:
        sections.append("You are subscribed to messages about new meetups (`/meetup unsubscribe` to stop).")
    if held.introductions is not None:
        wrote = held.introductions.working_on
        sections.append(
            f"You asked for introductions on {format_date(held.introductions.given_at, tz)}"
            + (f". What you are working on: {escape(wrote)}" if wrote else "")
            + ". `/meetup introductions off` withdraws it."
        )
    if held.topics or held.votes:
        sections.append(f"Discussion topics you proposed: {held.topics}. Topics you voted for: {held.votes}.")
    if held.home_opened_at is not None:
        sections.append(
            f"You last opened the bot's Home tab on {format_date(held.home_opened_at, tz)}. We keep this so "
            "that it stays up to date while you use it."
        )
    sections.append("To delete all of it, use `/meetup forget`.")
    request.ack(
        text="The personal data we hold about you", blocks=[section(shorten(s, SECTION_TEXT)) for s in sections]
    )


def forget_command(request: CommandRequest) -> None:
    if data_held(request.deps.db, request.user_id).empty:
        request.ack(text="We hold no personal data about you, so there is nothing to delete.")
        return
    confirm = {
        "title": plain("Delete your data?"),
        "text": plain("This cancels your places and deletes your sign-ups. You cannot undo it."),
        "confirm": plain("Delete my data"),
        "deny": plain("Keep my data"),
        "style": "danger",
    }
    delete = button("Delete my data", FORGET_ACTION, "forget", style="danger")
    delete["confirm"] = confirm
    request.ack(
        text="Delete everything we hold about you?",
        blocks=[
            section(
                "This deletes your sign-ups and cancels any place you have, so someone on the "
                "waitlist can have it. You cannot undo it."
            ),
            {"type": "actions", "elements": [delete]},
        ],
    )


def queue_nameless_cards(
    session, settings: Settings, cards: list[TopicCard], *, purged: bool, now: datetime
) -> list[int]:
    """The cards of a forgotten person's topics (or a purged meetup's), as
    they are now: the topic stays (others voted for it), the name goes."""
    queued = []
    for card in cards:
        topic = card.topic
        assert topic.channel and topic.ts  # only topics with a card are listed
        text, blocks = topic_card(topic, card.meetup, settings.tz, settings.vote_emoji, carried_from=card.carried_from)
        queued.append(
            enqueue_update(
                session,
                blocks,
                text,
                message=f"topic:{topic.id}",
                version="purged" if purged else "forgotten",
                kind=CARD_UPDATE_KIND,
                posted_at=(topic.channel, topic.ts),
                now=now,
            )
        )
    return queued


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add("privacy", "read how we use your personal data", privacy_command)
    deps.subcommands.add("mydata", "see everything we hold about you", mydata_command)
    deps.subcommands.add("forget", "delete everything we hold about you", forget_command)

    @app.action(FORGET_ACTION)
    def on_forget(ack: Ack, body: dict, client: WebClient, respond: Respond) -> None:
        ack()
        user_id = body["user"]["id"]
        now = deps.clock()
        queued: list[int] = []

        def queue_promotion(session, meetup, person) -> None:
            queued.append(
                queue_promoted_message(
                    session, meetup, person, deps.settings.tz, now=now, organiser=deps.calendar_organiser
                )
            )

        def queue_clearing(session, shown: ShownInSlack) -> None:
            queued.extend(queue_nameless_cards(session, deps.settings, shown.cards, purged=False, now=now))
            queued.extend(queue_cleared_requests(session, shown.requests, purged=False, now=now))
            queued.extend(queue_forgotten_removals(session, deps, shown.lists, now=now))

        result = forget(
            deps.db,
            user_id,
            now,
            then=queue_promotion,
            clear=queue_clearing,
            pseudonyms=deps.pseudonyms,
            people=deps.person_keys,
        )
        text = (
            "We have deleted everything we held about you."
            if result.anything
            else "We hold no personal data about you, so there was nothing to delete."
        )
        if body.get("response_url"):
            respond(text=text, replace_original=True)
        deps.outbox.deliver_soon(queued)
        for meetup_id in result.meetup_ids:
            registration_changed(client, deps, meetup_id, user_id, body)
