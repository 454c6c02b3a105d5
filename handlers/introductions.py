"""Introductions: `/meetup introductions on|off`, the Home tab's button and
form, and the answer to the question on the sign-up form."""

from __future__ import annotations

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.common.formatting import escape
from bot.introductions.introductions import consent_of, opt_in, opt_out
from handlers.blocks.introductions import (
    HOME_INTRODUCTIONS_OFF,
    HOME_INTRODUCTIONS_ON,
    INTRODUCTIONS_CALLBACK,
    introductions_modal,
    wants_introduction,
)
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.home import publish_home

ON_TEXT = (
    "You will be introduced to someone from another organisation working on similar things, a few days before "
    "each meetup you have a place at. To say what you are working on, use the form on the bot's Home tab. "
    "To stop, use `/meetup introductions off`."
)
OFF_TEXT = "You will not be introduced to anyone, and we have deleted what you wrote about your work."


def introductions_command(request: CommandRequest) -> None:
    deps, user_id = request.deps, request.user_id
    word = request.args[0].lower() if request.args else ""
    if word == "on":
        consent = consent_of(deps.db, user_id)
        opt_in(deps.db, user_id, consent.working_on if consent is not None else "", deps.clock())
        request.ack(text=ON_TEXT)
    elif word == "off":
        opt_out(deps.db, user_id, deps.person_keys)
        request.ack(text=OFF_TEXT)
    else:
        now_on = consent_of(deps.db, user_id) is not None
        state = "You have asked for introductions." if now_on else "You have not asked for introductions."
        # A word it does not know is said so, not taken as a question.
        unknown = f"`/meetup introductions {escape(word[:30])}` is not a command. " if word else ""
        request.ack(text=f"{unknown}{state} Use `/meetup introductions on` or `/meetup introductions off`.")


def submit_introductions(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    user_id = body["user"]["id"]
    said_yes, working_on = wants_introduction(view)
    if said_yes:
        opt_in(deps.db, user_id, working_on, deps.clock())
    else:
        opt_out(deps.db, user_id, deps.person_keys)
    ack()
    publish_home(client, deps, user_id)


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "introductions",
        "be introduced (or stop being introduced) to people from other organisations working on similar things",
        introductions_command,
        usage="on|off",
    )
    on_view_submission(app, INTRODUCTIONS_CALLBACK, submit_introductions, deps)

    @app.action(HOME_INTRODUCTIONS_ON)
    def on_home_on(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        client.views_open(
            trigger_id=body["trigger_id"], view=introductions_modal(consent_of(deps.db, body["user"]["id"]))
        )

    @app.action(HOME_INTRODUCTIONS_OFF)
    def on_home_off(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        opt_out(deps.db, user_id, deps.person_keys)
        publish_home(client, deps, user_id)
