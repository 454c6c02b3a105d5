"""`/meetup export`: the visitor list for the host building, sent to the
organiser as a CSV file in a direct message (files upload v2)."""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape, format_date, plural
from bot.organising.organising import pick_meetup
from bot.signups.export import VIA_SLACK, ExportResult, export_meetup, filename, record_file
from handlers.blocks.common import section
from handlers.deps import CommandRequest, Deps
from handlers.replies import queue_dm

log = logging.getLogger(__name__)


def start_export(deps: Deps, meetup_id: int, user_id: str) -> tuple[ExportResult, str]:
    """Read (and record) the list, and say what happens next. Quick: runs before the ack."""
    result = export_meetup(deps.db, meetup_id, by=user_id, via=VIA_SLACK, now=deps.clock())
    if result.meetup is None:
        return result, "That meetup no longer exists."
    title = escape(result.meetup.title)
    if result.row_count == 0:
        return result, f"Nobody has a place at *{title}* yet, so there is no visitor list to send."
    return result, (
        f"Sending you the visitor list for *{title}* "
        f"({plural(result.row_count, 'person', 'people')}) in a direct message."
    )


def send_export(client: WebClient, deps: Deps, result: ExportResult, user_id: str) -> None:
    """Upload the CSV into the organiser's DM. Slow: runs after the ack."""
    if result.meetup is None or result.row_count == 0:
        return
    meetup, tz = result.meetup, deps.settings.tz
    comment = (
        f"Visitor list for {escape(meetup.title)}, {format_date(meetup.starts_at, tz)}: "
        f"{plural(result.row_count, 'person', 'people')} with a place. It holds personal data: share it "
        f"only with the building's security team. The bot deletes it from Slack {deps.settings.purge_after_days} "
        "days after the meetup."
    )
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        uploaded = client.files_upload_v2(
            channel=channel,
            content=result.csv_text,
            filename=filename(meetup, tz),
            title=f"Visitor list: {meetup.title}"[:250],
            initial_comment=comment,
        )
    except SlackApiError as error:
        log.error("Could not send the visitor list: %s", error.response.get("error"))
        message = [
            section(
                f"The visitor list for *{escape(meetup.title)}* could not be sent. "
                f"Try `/meetup export {meetup.id}` again, or run `meetup-bot export {meetup.id}` on the server."
            )
        ]
        # Through the outbox: Slack failing is what brought us here, so this
        # may need to wait for it too. The file itself stays direct above: it
        # answers the organiser's command, and its id is recorded for the purge.
        attempt = result.export_id if result.export_id is not None else f"{meetup.id}:{deps.clock().timestamp():.6f}"
        key = f"export_failed:{user_id}:{attempt}"
        fallback = "The visitor list could not be sent."
        delivery = queue_dm(
            deps, user_id, message, key=key, kind="export_failed", fallback=fallback, meetup_id=meetup.id
        )
        deps.outbox.deliver_soon([delivery])
        return
    file_id = (uploaded.get("file") or {}).get("id")
    if file_id and result.export_id is not None:
        record_file(deps.db, result.export_id, channel=channel, file_id=file_id)


def export_command(request: CommandRequest) -> None:
    deps = request.deps
    meetup, problem = pick_meetup(
        deps.db, request.args, now=deps.clock(), tz=deps.settings.tz, usage="/meetup export ID"
    )
    if meetup is None:
        request.ack(text=problem)
        return
    result, text = start_export(deps, meetup.id, request.user_id)
    request.ack(text=text)
    send_export(request.client, deps, result, request.user_id)


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "export",
        "get the visitor list for the building (CSV) in a direct message",
        export_command,
        organiser_only=True,
        co_organisers=True,
        usage="[ID]",
    )
