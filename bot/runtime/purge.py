"""The purge, as far as Slack: the personal data of meetups that ended
PURGE_AFTER_DAYS ago leaves the database (bot/privacy/privacy.py), the
approval requests posted for them are changed to show nobody (queued in the
same transaction; the outbox sends them, and retries), and the visitor lists
exported for them are deleted from Slack (files.delete).

A file Slack could not delete stays recorded, and the next run (hourly in
`serve`, or `meetup-bot purge`) tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.pseudonyms import PersonKeys
from bot.privacy.privacy import ShownInSlack, purge_due
from bot.settings import Settings
from bot.signups.export import file_deleted, files_to_delete
from handlers.approvals import queue_cleared_requests
from handlers.privacy import queue_nameless_cards
from storage.db import Database
from storage.models import Meetup

log = logging.getLogger(__name__)

# Someone (an organiser, Slack's retention) already deleted it: nothing left to do.
ALREADY_GONE = {"file_not_found", "file_deleted"}


@dataclass
class PurgeReport:
    purged: list[tuple[Meetup, int]] = field(default_factory=list)  # each meetup, and how many sign-ups
    files_deleted: int = 0
    files_left: int = 0  # Slack refused or failed: tried again next time
    # Approval requests queued to be changed so they show nobody; the outbox sends them.
    messages_cleared: int = 0


def purge(db: Database, client: WebClient, settings: Settings, *, now: datetime) -> PurgeReport:
    report = PurgeReport()

    def clear(session, shown: ShownInSlack) -> None:
        cards = queue_nameless_cards(session, settings, shown.cards, purged=True, now=now)
        report.messages_cleared += len(cards) + len(
            queue_cleared_requests(session, shown.requests, purged=True, now=now)
        )

    report.purged = purge_due(
        db, now, settings.purge_after_days, clear=clear, people=PersonKeys.from_settings(settings)
    )
    for export in files_to_delete(db):
        assert export.file_id is not None  # files_to_delete lists only exports with a file
        try:
            client.files_delete(file=export.file_id)
        except SlackApiError as error:
            code = error.response.get("error") if isinstance(error.response.data, dict) else None
            if code not in ALREADY_GONE:
                log.warning("Could not delete visitor list file %s from Slack: %s", export.file_id, code)
                report.files_left += 1
                continue
        file_deleted(db, export.id)
        report.files_deleted += 1
    return report
