"""Feedback after a meetup: the "Give feedback" button in the direct message
the worker sends the morning after, its form, and `/meetup feedback [ID]`,
the organisers' summary.

The form's private metadata holds the meetup and where the message with the
button is, so that message can say thanks once the person has answered. The
server checks, on every submission, that the person came and has not
answered yet: a forged or repeated submission keeps nothing.
"""

from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape
from bot.common.outbox import enqueue_update
from bot.feedback.feedback import (
    Answers,
    answer_problems,
    feedback_form,
    feedback_meetup,
    record_feedback,
    summarise,
)
from handlers.blocks.common import message_modal
from handlers.blocks.feedback import (
    FORM_CALLBACK,
    OPEN_ACTION,
    feedback_modal,
    feedback_thanks,
    summary_blocks,
)
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.parse import parse_id, view_metadata

log = logging.getLogger(__name__)

TITLE = "Give feedback"


def on_open(ack: Ack, body: dict, client: WebClient, deps: Deps) -> None:
    """The button: the form, or why there is none (answered already, did not come)."""
    ack()
    user_id = body["user"]["id"]
    action = (body.get("actions") or [{}])[0]
    form = feedback_form(deps.db, parse_id(action.get("value")), user_id)
    if form.meetup is None or form.problem:
        view = message_modal(TITLE, form.problem)
    else:
        container = body.get("container") or {}
        # Where the button is, so the message can say thanks once answered.
        where = {"channel": container.get("channel_id"), "ts": container.get("message_ts")}
        metadata = json.dumps({"meetup_id": form.meetup.id, **where})
        view = feedback_modal(form.meetup, deps.settings.tz, form.sessions, metadata=metadata)
    try:
        client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as error:
        log.warning("Could not open the feedback form: %s", error.response.get("error"))


def _answers(view: dict) -> Answers:
    values = view.get("state", {}).get("values", {})

    def answer(block: str) -> dict:
        return (values.get(block) or {}).get("value") or {}

    score = (answer("usefulness").get("selected_option") or {}).get("value")
    chosen = answer("sessions").get("selected_options") or []
    return Answers(
        usefulness=int(score) if isinstance(score, str) and score.isdigit() else None,
        worked=answer("worked").get("value") or "",
        change=answer("change").get("value") or "",
        session_ids=[str(o.get("value")) for o in chosen if isinstance(o, dict)],
    )


def submit_feedback(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    """The form, submitted: keep the answers once, or say what to fix."""
    answers = _answers(view)
    errors = answer_problems(answers)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    data = view_metadata(view)
    queued: list[int] = []

    def say_thanks(session, meetup) -> None:
        channel, ts = data.get("channel"), data.get("ts")
        # Only a direct message, where the button was: never another of the bot's messages.
        if not (isinstance(channel, str) and isinstance(ts, str) and channel.startswith("D") and ts):
            return
        text, blocks = feedback_thanks(meetup, deps.settings.tz)
        queued.append(
            enqueue_update(
                session,
                blocks,
                text,
                message=f"feedback:{channel}:{ts}",
                version="thanks",
                kind="feedback_thanks",
                posted_at=(channel, ts),
                # With the meetup: the purge removes it, and where it was, with the meetup's messages.
                meetup_id=meetup.id,
                now=deps.clock(),
            )
        )

    result = record_feedback(
        deps.db, parse_id(str(data.get("meetup_id"))), body["user"]["id"], answers, then=say_thanks
    )
    if result.refusal:
        ack(response_action="update", view=message_modal(TITLE, result.refusal))
    else:
        ack(response_action="update", view=message_modal("Thank you", "Thank you for your feedback."))
    deps.outbox.deliver_soon(queued)


def feedback_command(request: CommandRequest) -> None:
    deps, args = request.deps, request.args
    wanted = parse_id(args[0]) if args else None
    if args and wanted is None:
        request.ack(text=f"Use `/meetup feedback ID` with a meetup's number, not '{escape(args[0][:30])}'.")
        return
    meetup = feedback_meetup(deps.db, wanted, now=deps.clock())
    if meetup is None and wanted is None:
        request.ack(text="No meetup has ended yet, so there is no feedback to show.")
        return
    if meetup is None:
        request.ack(
            text=f"There is no meetup number {wanted}. Use `/meetup list` to see the meetups and their numbers."
        )
        return
    # Co-organisers reach here for their own meetups only (handlers/commands.py); checked again all the same.
    if not deps.can_run(request.user_id, meetup.id):
        request.ack(text="You can see feedback only for the meetups you organise.")
        return
    summary = summarise(deps.db, meetup)
    request.ack(text=f"Feedback on {escape(meetup.title)}", blocks=summary_blocks(summary, deps.settings.tz))


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "feedback",
        "see what the people who came said about a meetup",
        feedback_command,
        organiser_only=True,
        co_organisers=True,
        usage="[ID]",
    )
    on_view_submission(app, FORM_CALLBACK, submit_feedback, deps)

    @app.action(OPEN_ACTION)
    def open_form(ack: Ack, body: dict, client: WebClient) -> None:
        on_open(ack, body, client, deps)
