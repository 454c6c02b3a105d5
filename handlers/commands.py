"""`/meetup <subcommand>`: one entry point, dispatched by its first word."""

from __future__ import annotations

from logging import Logger

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.app import Deps
from bot.formatting import escape
from bot.signups import overview
from bot.meetups import upcoming_meetups
from handlers import blocks, signup

ATTENDEE_COMMANDS = [
    ("signup", "sign up for a meetup"),
    ("cancel", "cancel your place, leave the waitlist or withdraw your request"),
    ("help", "show this list"),
]
ORGANISER_COMMANDS = [
    ("list", "see who has signed up, by status and organisation"),
]


def help_text(is_organiser: bool) -> str:
    lines = ["*What you can do with `/meetup`*"]
    lines += [f"`/meetup {name}`: {what}" for name, what in ATTENDEE_COMMANDS]
    if is_organiser:
        lines.append("\n*For organisers*")
        lines += [f"`/meetup {name}`: {what}" for name, what in ORGANISER_COMMANDS]
    return "\n".join(lines)


def register(app: App, deps: Deps) -> None:
    @app.command("/meetup")
    def meetup_command(ack: Ack, command: dict, client: WebClient, logger: Logger) -> None:
        words = (command.get("text") or "").split()
        name = words[0].lower() if words else "help"
        user_id = command["user_id"]
        if name == "signup":
            meetups, refusal = signup.signup_refusal(deps, user_id)
            if refusal:
                ack(**refusal)
                return
            ack()
            signup.open_signup_modal(client, deps, meetups=meetups, user_id=user_id,
                                     trigger_id=command["trigger_id"], channel_id=command.get("channel_id"))
        elif name == "cancel":
            signup.cancel_command(ack, client, deps, user_id=user_id)
        elif name == "list":
            list_command(ack, deps, user_id=user_id, args=words[1:])
        else:
            prefix = "" if name == "help" else f"`/meetup {name[:30]}` is not a command.\n\n"
            ack(text=prefix + help_text(deps.organisers.is_organiser(user_id)))


def list_command(ack: Ack, deps: Deps, *, user_id: str, args: list[str]) -> None:
    if not deps.organisers.is_organiser(user_id):
        ack(text="Only organisers can see the list of sign-ups.")
        return
    tz = deps.settings.tz
    meetups = upcoming_meetups(deps.db, deps.clock())
    if args:
        if not args[0].isdigit():
            ack(text=f"Use `/meetup list` or `/meetup list ID` with a meetup's number, not '{escape(args[0][:30])}'.")
            return
        wanted = int(args[0])
        meetups = [m for m in meetups if m.id == wanted] or []
        if not meetups:
            ack(text=f"There is no upcoming meetup number {wanted}. Use `/meetup list` to see them all.")
            return
    if not meetups:
        ack(text="There are no upcoming meetups. Create one with `meetup-bot event create`.")
        return
    result: list[dict] = []
    for meetup in meetups[:3]:
        result += blocks.overview_blocks(overview(deps.db, meetup.id), tz)
        result.append({"type": "divider"})
    if len(meetups) > 3:
        result.append(blocks.context("Showing the next 3 meetups. Use `/meetup list ID` for another one."))
    ack(text=f"Sign-ups for {meetups[0].title}", blocks=result[:50])
