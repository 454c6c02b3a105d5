"""Topics: `/meetup propose`, the topic cards, withdrawing and hiding,
`/meetup topics` and `/meetup recount`."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape, plural
from bot.common.outbox import enqueue_dm
from bot.topics.topics import (
    CarriedOver,
    StatusOutcome,
    attach_card,
    carry_over_finished,
    discard_topic,
    hide_topic,
    open_cards,
    propose_topic,
    ranking,
    read_form,
    topic_meetups,
    validate_topic,
    withdraw_topic,
)
from bot.topics.votes import base_emoji, forget_old_events, replace_votes
from handlers.blocks.common import message_modal, section
from handlers.blocks.topics import (
    HIDE_ACTION,
    PROPOSE_CALLBACK,
    WITHDRAW_ACTION,
    carried_card,
    carried_dm,
    hidden_card,
    proposal_failed_dm,
    propose_modal,
    ranking_blocks,
    topic_card,
    withdrawn_card,
)
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.parse import parse_id, view_metadata
from handlers.replies import queue_dm
from storage.models import TOPIC_CARRIED_OVER, TOPIC_HIDDEN, TOPIC_WITHDRAWN, Meetup, Topic

log = logging.getLogger(__name__)

ALREADY = {TOPIC_WITHDRAWN: "withdrawn", TOPIC_HIDDEN: "hidden", TOPIC_CARRIED_OVER: "moved to the next meetup"}


def display_name(client: WebClient, user_id: str) -> str:
    """The name to show on a card: what the person's Slack profile says."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("users.info failed: %s", error.response.get("error"))
        return ""
    profile = user.get("profile") or {}
    return profile.get("real_name") or user.get("real_name") or profile.get("display_name") or ""


def pick_meetup(request: CommandRequest, meetups: list[Meetup]) -> Meetup | None:
    """`/meetup X ID` picks a meetup; without an ID, the soonest. Answers
    (acks) and returns None when there is nothing to pick."""
    wanted = request.args[0] if request.args else ""
    if not meetups:
        request.ack(text="There are no upcoming meetups. Topics can be proposed once one has been created.")
        return None
    if not request.args:
        return meetups[0]
    command = request.command["text"].split()[0].lower()
    number = parse_id(wanted)
    if number is None:
        request.ack(
            text=f"Use `/meetup {command}` on its own, or followed by a meetup's number, not '{escape(wanted[:30])}'."
        )
        return None
    found = next((m for m in meetups if m.id == number), None)
    if found is None:
        request.ack(
            text=f"There is no upcoming meetup number {number}. Use `/meetup {command}` on its own for the next one."
        )
    return found


# Cards ------------------------------------------------------------------------------


def post_card(
    client: WebClient, deps: Deps, topic: Topic, meetup: Meetup, *, carried_from: str | None = None
) -> str | None:
    """Post a topic's card, remember it, seed the vote reaction. Returns the
    card's permalink ("" if Slack gave none), or None if it could not be posted."""
    channel_id = deps.settings.channel_id
    fallback, card = topic_card(topic, meetup, deps.settings.tz, deps.settings.vote_emoji, carried_from=carried_from)
    try:
        # Posted directly, not through the outbox: the card is the topic's
        # place to vote, its ts is stored on the topic and needed at once
        # (the vote reaction, the link), and one that cannot be posted is
        # discarded and its proposer told (through the outbox) to try again.
        posted = client.chat_postMessage(channel=channel_id, text=fallback, blocks=card, unfurl_links=False)
    except SlackApiError as error:
        log.error("Could not post a topic card: %s", error.response.get("error"))
        return None
    # Store the card straight away: reactions on it are votes from now on.
    attach_card(deps.db, topic.id, channel=posted["channel"], ts=posted["ts"], permalink=None)
    try:
        # Seed the reaction so people can vote with one click. It is the
        # bot's own, so it never counts (bot.votes.record_reaction).
        client.reactions_add(
            channel=posted["channel"], timestamp=posted["ts"], name=base_emoji(deps.settings.vote_emoji[0])
        )
    except SlackApiError as error:
        log.warning("Could not add the vote reaction to a topic card: %s", error.response.get("error"))
    permalink = ""
    try:
        permalink = client.chat_getPermalink(channel=posted["channel"], message_ts=posted["ts"])["permalink"]
        attach_card(deps.db, topic.id, channel=posted["channel"], ts=posted["ts"], permalink=permalink)
    except SlackApiError as error:
        log.warning("Could not get a topic card's link: %s", error.response.get("error"))
    return permalink


def update_card(client: WebClient, topic: Topic, fallback: str, card: list[dict]) -> None:
    if not topic.channel or not topic.ts:
        return
    try:
        client.chat_update(channel=topic.channel, ts=topic.ts, text=fallback, blocks=card)
    except SlackApiError as error:
        log.warning("Could not update a topic card: %s", error.response.get("error"))


def announce_carried(client: WebClient, deps: Deps, carried: list[CarriedOver]) -> None:
    """New cards for topics carried over, the old cards pointing at them, and
    a message to each proposer. After the ack: this is several calls each."""
    queued = []
    for item in carried:
        permalink = post_card(client, deps, item.new, item.to_meetup, carried_from=item.from_meetup.title)
        update_card(client, item.old, *carried_card(item, permalink or None))
        # Queued once the new card is up, as it links to it.
        message = carried_dm(item, deps.settings.tz, permalink or None)
        key = f"carried:{item.new.id}:{_stamp(item.new.proposed_at)}"
        to = item.new.proposer_user_id
        queued.append(queue_dm(deps, to, message, key=key, kind="topic_carried", meetup_id=item.to_meetup.id))
    deps.outbox.deliver_soon(queued)


def carry_over_now(client: WebClient, deps: Deps) -> int:
    """For the worker: the topics of meetups that have ended move to the next
    meetup, with nobody running a command. Returns how many moved."""
    carried = carry_over_finished(deps.db, deps.clock())
    announce_carried(client, deps, carried)
    return len(carried)


def _stamp(moment) -> str:
    # With the id in a key: a deleted topic's id may be given again.
    return f"{moment.timestamp():.6f}" if moment else "0"


# /meetup propose ---------------------------------------------------------------------


def propose_command(request: CommandRequest) -> None:
    deps = request.deps
    meetups = topic_meetups(deps.db, deps.clock())
    if not meetups:
        request.ack(text="There are no upcoming meetups to propose topics for.")
        return
    request.ack()
    # The name goes in the modal's metadata, so the submission needs no
    # Slack call before it answers.
    name = display_name(request.client, request.user_id)
    request.client.views_open(
        trigger_id=request.command["trigger_id"],
        view=propose_modal(meetups, deps.settings.tz, channel_id=deps.settings.channel_id, proposer_name=name),
    )


def input_value(values: dict, block_id: str) -> str:
    """What a person typed or chose in a modal's input block."""
    element = values.get(block_id, {}).get("value", {})
    if element.get("type") in ("static_select", "radio_buttons"):
        return (element.get("selected_option") or {}).get("value", "")
    return element.get("value") or ""


def submit_proposal(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    user_id = body["user"]["id"]
    values = view.get("state", {}).get("values", {})
    metadata = view_metadata(view)
    meetup_id = metadata.get("meetup_id") or input_value(values, "meetup")
    form = read_form(
        meetup_id=parse_id(meetup_id),
        title=input_value(values, "title"),
        description=input_value(values, "description"),
        would_lead=input_value(values, "would_lead"),
    )
    errors = validate_topic(form)
    if errors:
        present = values.keys()
        ack(response_action="errors", errors={(k if k in present else "title"): v for k, v in errors.items()})
        return
    name = str(metadata.get("name") or "")
    topic, meetup = propose_topic(deps.db, form, user_id=user_id, proposer_name=name, now=deps.clock())
    if topic is None or meetup is None:
        ack(
            response_action="update",
            view=message_modal(
                "Meetup over", "That meetup has finished, so it no longer takes topics. Nothing has been saved."
            ),
        )
        return
    # Stored: closing the modal now tells the truth. The card comes next.
    ack()
    if post_card(client, deps, topic, meetup) is None:
        message = proposal_failed_dm()
        key = f"proposal_failed:{topic.id}:{_stamp(topic.proposed_at)}"
        queued: list[int] = []

        def tell_proposer(session) -> None:
            # Queued as the topic goes: the person hears of it if and only if it has gone.
            text = message[0]["text"]["text"]
            queued.append(enqueue_dm(session, user_id, message, text, key=key, kind="proposal_failed", now=now))

        now = deps.clock()
        discard_topic(deps.db, topic.id, then=tell_proposer)
        deps.outbox.deliver_soon(queued)


# Withdrawing and hiding -----------------------------------------------------------------


def _topic_id(action: dict) -> int | None:
    return parse_id(action.get("value"))


def on_withdraw(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    topic_id = _topic_id(action)
    result = withdraw_topic(deps.db, topic_id or 0, user_id=body["user"]["id"], now=deps.clock())
    if result.outcome == StatusOutcome.MISSING or result.topic is None:
        respond(text="That topic no longer exists.", replace_original=False)
        return
    topic = result.topic
    if result.outcome == StatusOutcome.NOT_YOURS:
        respond(text="Only the person who proposed this topic can withdraw it.", replace_original=False)
    elif result.outcome == StatusOutcome.NOT_OPEN:
        respond(text=f"This topic has already been {ALREADY.get(topic.status, 'closed')}.", replace_original=False)
    else:
        update_card(client, topic, *withdrawn_card(topic))
        respond(
            text=f"You have withdrawn your topic *{escape(topic.title)}*. Votes on it no longer count.",
            replace_original=False,
        )


def on_hide(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    if not deps.organisers.is_organiser(body["user"]["id"]):
        respond(text="Only organisers can hide topics.", replace_original=False)
        return
    result = hide_topic(deps.db, _topic_id(action) or 0, now=deps.clock())
    if result.outcome == StatusOutcome.MISSING or result.topic is None:
        respond(text="That topic no longer exists.", replace_original=False)
        return
    topic = result.topic
    if result.outcome == StatusOutcome.NOT_OPEN:
        respond(text=f"This topic has already been {ALREADY.get(topic.status, 'closed')}.", replace_original=False)
    else:
        update_card(client, topic, *hidden_card())
        respond(
            text=f"You have hidden the topic *{escape(topic.title)}*. It is off the list and the grid.",
            replace_original=False,
        )


# /meetup topics ---------------------------------------------------------------------------


def topics_command(request: CommandRequest) -> None:
    deps = request.deps
    # Topics left over from a finished meetup join the next one's list first.
    carried = carry_over_finished(deps.db, deps.clock())
    meetups = topic_meetups(deps.db, deps.clock())
    meetup = pick_meetup(request, meetups)
    if meetup is not None:
        result = ranking(deps.db, meetup.id)
        others = [m for m in meetups if m.id != meetup.id]
        request.ack(
            text=f"Topics for {escape(meetup.title)}",
            blocks=ranking_blocks(
                result, deps.settings.tz, deps.settings.vote_emoji, deps.settings.channel_id, others=others
            ),
        )
    announce_carried(request.client, deps, carried)


# /meetup recount -----------------------------------------------------------------------------


def recount_command(request: CommandRequest) -> None:
    deps, client = request.deps, request.client
    started = deps.clock()
    topics = open_cards(deps.db, started)
    if not topics:
        request.ack(text="There are no topic cards to count votes on.")
        return
    request.ack(
        text=f"Counting the votes on {plural(len(topics), 'topic')} again from Slack. "
        "We will send you a message with what changed."
    )
    try:
        bot_user_id = client.auth_test()["user_id"]
    except SlackApiError as error:
        log.error("auth.test failed: %s", error.response.get("error"))
        return
    added = removed = unread = 0
    for topic in topics:
        # Read before asking: a vote recorded from an event after this moment
        # is newer than what reactions.get shows, and stays.
        read_at = deps.clock()
        try:
            message = client.reactions_get(channel=topic.channel, timestamp=topic.ts, full=True)["message"]
        except SlackApiError as error:
            log.warning("reactions.get failed for topic %s: %s", topic.id, error.response.get("error"))
            unread += 1
            continue
        result = replace_votes(
            deps.db,
            topic.id,
            message.get("reactions") or [],
            read_at=read_at,
            bot_user_id=bot_user_id,
            vote_emoji=deps.settings.vote_emoji,
            pseudonyms=deps.pseudonyms,
        )
        added, removed = added + result.added, removed + result.removed
    forget_old_events(deps.db, deps.clock())
    text = (
        f"Votes counted again on {plural(len(topics) - unread, 'topic')}: "
        f"{plural(added, 'vote')} added, {removed} removed."
    )
    if unread:
        text += f" {plural(unread, 'card')} could not be read: their cards may have been deleted."
    key = f"recount:{request.user_id}:{_stamp(started)}"
    deps.outbox.deliver_soon([queue_dm(deps, request.user_id, [section(text)], key=key, kind="recount")])


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add("propose", "propose a topic for the discussion sessions", propose_command)
    deps.subcommands.add("topics", "see the proposed topics, most votes first", topics_command, usage="[ID]")
    deps.subcommands.add(
        "recount", "count the votes again from the reactions on every topic card", recount_command, organiser_only=True
    )

    on_view_submission(app, PROPOSE_CALLBACK, submit_proposal, deps)

    @app.action(WITHDRAW_ACTION)
    def withdraw_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        on_withdraw(ack, body, action, client, respond, deps)

    @app.action(HIDE_ACTION)
    def hide_clicked(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        on_hide(ack, body, action, client, respond, deps)
