"""`/meetup <subcommand>`: one Slack command, dispatched by its first word.

Feature modules add their subcommands to `deps.subcommands` in their
`register`; this module owns the dispatch, the organiser check and the help
text, so every organiser-only subcommand is refused the same way. A
meetup's co-organisers get through to the subcommands marked for them, for
their meetup's ID only (bot.organising.co_organisers).
"""

from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.common.formatting import escape
from bot.organising.co_organisers import co_organiser_command, upcoming_co_organised
from bot.signups.eligibility import WHO_CAN_COME
from handlers.deps import CommandRequest, Deps, Subcommand, Subcommands


def help_text(subcommands: Subcommands, is_organiser: bool, hosted: list[str] | None = None) -> str:
    """The commands this person can use. `hosted` names the meetups they help
    run (as co-organiser), for the commands they can use for those."""

    def line(sub: Subcommand) -> str:
        usage = f" {sub.usage}" if sub.usage else ""
        return f"`/meetup {sub.name}{usage}`: {sub.summary}"

    # "help" last: people look for what they came to do first.
    ordered = sorted(subcommands, key=lambda s: s.name == "help")
    lines = ["*What you can do with `/meetup`*"]
    lines += [line(s) for s in ordered if not s.organiser_only]
    if is_organiser:
        lines.append("\n*For organisers*")
        lines += [line(s) for s in ordered if s.organiser_only]
    elif hosted:
        lines.append("\n*For the meetups you help run*: " + "; ".join(hosted))
        lines += [line(s) for s in ordered if s.organiser_only and s.co_organisers]
    lines.append("\n" + WHO_CAN_COME)
    return "\n".join(lines)


def help_command(request: CommandRequest) -> None:
    deps = request.deps
    if deps.organisers.is_organiser(request.user_id):
        request.ack(text=help_text(deps.subcommands, True))
        return
    hosted = upcoming_co_organised(deps.db, request.user_id, now=deps.clock())
    names = [f"{escape(m.title)} (ID {m.id})" for m in hosted]
    request.ack(text=help_text(deps.subcommands, False, names))


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add("help", "show this list", help_command)

    @app.command("/meetup")
    def meetup_command(ack: Ack, command: dict, client: WebClient, respond: Respond) -> None:
        words = (command.get("text") or "").split()
        name = words[0].lower() if words else "help"
        user_id = command["user_id"]
        found = deps.subcommands.get(name)
        if found is None:
            ack(
                text=f"`/meetup {escape(name[:30])}` is not a command.\n\n"
                + help_text(deps.subcommands, deps.organisers.is_organiser(user_id))
            )
            return
        args = words[1:]
        if found.organiser_only and not deps.organisers.is_organiser(user_id):
            refusal = f"Only organisers can use `/meetup {found.name}`. Use `/meetup help` to see what you can do."
            if not found.co_organisers:
                ack(text=refusal)
                return
            allowed = co_organiser_command(
                deps.db, user_id, found.name, args, now=deps.clock(), tz=deps.settings.tz, refusal=refusal
            )
            if allowed.refusal:
                ack(text=allowed.refusal)
                return
            args = allowed.args
        found.run(CommandRequest(ack, client, deps, user_id, args, command, respond))
