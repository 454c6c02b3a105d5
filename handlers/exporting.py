"""`/meetup export`: two lists, each in a direct message to the organiser
who asked (an organiser, or a co-organiser of that meetup).

- The venue list, for the building's security desk: a CSV file of the
  columns VENUE_LIST_COLUMNS names, never dietary or access needs (files
  upload v2, recorded so the purge deletes it from Slack).
- The catering and access list, for organisers only: counts of the needs,
  naming nobody, through the outbox.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape, format_date, plural
from bot.common.outbox import enqueue_dm
from bot.organising.organising import pick_meetup
from bot.signups.export import VIA_SLACK, ExportResult, export_meetup, filename, record_file
from handlers.blocks.common import section
from handlers.blocks.venue_lists import catering_message
from handlers.deps import CommandRequest, Deps
from handlers.replies import queue_dm

log = logging.getLogger(__name__)


def start_export(deps: Deps, meetup_id: int, user_id: str) -> tuple[ExportResult, str]:
    """Read (and record) the list, and say what happens next. Quick: runs before the ack."""
    venue = deps.settings.venue_list_columns
    result = export_meetup(deps.db, meetup_id, by=user_id, via=VIA_SLACK, now=deps.clock(), venue=venue)
    if result.meetup is None:
        return result, "That meetup no longer exists."
    title = escape(result.meetup.title)
    if result.row_count == 0:
        return result, f"Nobody has a place at *{title}* yet, so there is no visitor list to send."
    return result, (
        f"Sending you 2 lists for *{title}* ({plural(result.row_count, 'person', 'people')}) in direct messages: "
        "the venue list, a file for the building's security desk, and the catering and access list, "
        "counts for organisers only."
    )


def _queue_catering(deps: Deps, result: ExportResult, user_id: str) -> None:
    """The catering and access list, through the outbox: it answers the same
    command, and names nobody, so nothing needs deleting from Slack later."""
    assert result.meetup is not None
    blocks, text, attachment = catering_message(result.meetup, result.catering, deps.settings.tz)
    with deps.db.transaction() as session:
        delivery = enqueue_dm(
            session,
            user_id,
            blocks,
            text,
            key=f"catering_list:{user_id}:{result.export_id}",
            kind="catering_list",
            attachment=attachment,
            meetup_id=result.meetup.id,
            now=deps.clock(),
        )
    deps.outbox.deliver_soon([delivery])


def send_export(client: WebClient, deps: Deps, result: ExportResult, user_id: str) -> None:
    """Upload the CSV into the organiser's DM. Slow: runs after the ack."""
    if result.meetup is None or result.row_count == 0:
        return
    meetup, tz = result.meetup, deps.settings.tz
    _queue_catering(deps, result, user_id)
    comment = (
        f"Venue list for {escape(meetup.title)}, {format_date(meetup.starts_at, tz)}: "
        f"{plural(result.row_count, 'person', 'people')} with a place. It is for the building's security desk, "
        f"and holds personal data: share it only with them. The bot deletes it from Slack "
        f"{deps.settings.purge_after_days} days after the meetup."
    )
    try:
        channel = client.conversations_open(users=user_id)["channel"]["id"]
        uploaded = client.files_upload_v2(
            channel=channel,
            content=result.csv_text,
            filename=filename(meetup, tz, "venue-list"),
            title=f"Venue list: {meetup.title}"[:250],
            initial_comment=comment,
        )
    except SlackApiError as error:
        log.error("Could not send the venue list: %s", error.response.get("error"))
        message = [
            section(
                f"The venue list for *{escape(meetup.title)}* could not be sent. Try `/meetup export {meetup.id}` "
                f"again, or run `meetup-bot export {meetup.id} --venue` on the server."
            )
        ]
        # Through the outbox: Slack failing is what brought us here, so this
        # may need to wait for it too. The file itself stays direct above: it
        # answers the organiser's command, and its id is recorded for the purge.
        attempt = result.export_id if result.export_id is not None else f"{meetup.id}:{deps.clock().timestamp():.6f}"
        key = f"export_failed:{user_id}:{attempt}"
        fallback = "The venue list could not be sent."
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
        "get the venue list for the building's security desk (CSV) and the catering and access counts",
        export_command,
        organiser_only=True,
        co_organisers=True,
        usage="[ID]",
    )
