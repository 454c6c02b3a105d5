"""The final list and the change lists, as the worker sends them: to where
approval requests go (ORGANISER_CHANNEL_ID, or each organiser by DM) and to
the meetup's co-organisers. The rules are in bot/signups/venue_lists.py."""

from __future__ import annotations

from dataclasses import dataclass

from bot.signups.export import Catering
from bot.signups.venue_lists import Changes, Message, queue_change_lists, queue_final_lists
from handlers.approvals import organiser_recipients
from handlers.blocks.venue_lists import change_list_message, final_list_message
from handlers.deps import Deps
from storage.models import Meetup, Registration


@dataclass(frozen=True)
class VenueListMessages:
    """bot.signups.venue_lists.ListMessages, drawn with the settings."""

    deps: Deps

    def final(self, meetup: Meetup, confirmed: list[Registration], needs: Catering) -> Message:
        settings = self.deps.settings
        return final_list_message(meetup, confirmed, needs, columns=settings.venue_list_columns, tz=settings.tz)

    def changes(self, meetup: Meetup, changes: Changes, confirmed: int) -> Message:
        return change_list_message(meetup, changes, confirmed, tz=self.deps.settings.tz)


def queue_venue_lists(deps: Deps) -> int:
    """Queue the final lists now due and the change lists since the last
    ones; returns how many. The worker sends them in the same round."""

    def recipients(session, meetup: Meetup) -> list[tuple[str, bool]]:
        channel, people = organiser_recipients(session, deps, meetup.id)
        return ([(channel, True)] if channel else []) + [(person, False) for person in people]

    now, settings, messages = deps.clock(), deps.settings, VenueListMessages(deps)
    final = queue_final_lists(
        deps.db,
        now=now,
        working_days=settings.final_list_working_days,
        tz=settings.tz,
        messages=messages,
        recipients=recipients,
    )
    return final + queue_change_lists(deps.db, now=now, messages=messages, recipients=recipients)
