"""The final list and the change lists, as the worker sends them: to where
approval requests go (ORGANISER_CHANNEL_ID, or each organiser by DM) and to
the meetup's co-organisers. The rules are in bot/signups/venue_lists.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.common.working_days import WorkingDays
from bot.signups.export import Catering
from bot.signups.venue_lists import (
    Changes,
    Message,
    Recipients,
    queue_change_lists,
    queue_changes,
    queue_final_lists,
)
from handlers.approvals import organiser_recipients
from handlers.blocks.venue_lists import change_list_message, final_list_message
from handlers.deps import Deps
from storage.models import Meetup, Registration, VenueListEntry


@dataclass(frozen=True)
class VenueListMessages:
    """bot.signups.venue_lists.ListMessages, drawn with the settings."""

    deps: Deps

    def final(self, meetup: Meetup, confirmed: list[Registration], needs: Catering) -> Message:
        settings = self.deps.settings
        return final_list_message(meetup, confirmed, needs, columns=settings.venue_list_columns, tz=settings.tz)

    def changes(self, meetup: Meetup, changes: Changes, confirmed: int) -> Message:
        return change_list_message(meetup, changes, confirmed, tz=self.deps.settings.tz)


def _recipients(deps: Deps) -> Recipients:
    def recipients(session, meetup: Meetup) -> list[tuple[str, bool]]:
        channel, people = organiser_recipients(session, deps, meetup.id)
        return ([(channel, True)] if channel else []) + [(person, False) for person in people]

    return recipients


def queue_venue_lists(deps: Deps) -> int:
    """Queue the final lists now due and the change lists since the last
    ones; returns how many. The worker sends them in the same round."""
    now, settings, messages, recipients = deps.clock(), deps.settings, VenueListMessages(deps), _recipients(deps)
    final = queue_final_lists(
        deps.db,
        now=now,
        working_days=settings.final_list_working_days,
        tz=settings.tz,
        calendar=WorkingDays(settings.bank_holidays),
        messages=messages,
        recipients=recipients,
    )
    return final + queue_change_lists(deps.db, now=now, messages=messages, recipients=recipients)


def queue_forgotten_removals(
    session, deps: Deps, lists: list[tuple[Meetup, VenueListEntry]], *, now: datetime
) -> list[int]:
    """In `/meetup forget`'s transaction: a change list removing the person
    from each visitor list they were on. Returns the deliveries' ids."""
    messages, recipients = VenueListMessages(deps), _recipients(deps)
    return [
        delivery
        for meetup, entry in lists
        for delivery in queue_changes(
            session, meetup, Changes([], [entry]), messages=messages, recipients=recipients, now=now
        )
    ]
