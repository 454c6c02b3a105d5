"""Block Kit for the App Home.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, plural
from bot.common.slack_limits import SECTION_TEXT, shorten
from bot.meetups.agenda import timed_agenda
from handlers.blocks.approvals import APPROVE_ACTION, DECLINE_ACTION, applicant_details
from handlers.blocks.common import AGENDA_REST, agenda_mrkdwn, button, context, meetup_details, plain, section
from handlers.blocks.signup import (
    CANCEL_ACTION,
    CANCEL_LABELS,
    CHANGE_DETAILS_ACTION,
    OPEN_SIGNUP_ACTION,
    STATUS_WORDS,
)
from storage.models import CONFIRMED, DECLINED, PENDING, WAITLISTED

HOME_AGENDA = 1500
HOME_NEW_ACTION = "home_new_meetup"
HOME_EDIT_ACTION = "home_edit_meetup"
HOME_EXPORT_ACTION = "home_export"
SIGNUP_SHORTCUT = "signup_shortcut"


def _agenda(entry, tz: ZoneInfo) -> list[dict]:
    agenda = timed_agenda(entry.meetup, tz, entry.grid)
    if not agenda:
        return []
    # Ten meetups share the tab: each agenda gets a short part of it.
    return [section("*Agenda*\n" + agenda_mrkdwn(agenda, tz, limit=HOME_AGENDA, rest=AGENDA_REST))]


def _home_entry(entry, places: str, taking_signups: bool, tz: ZoneInfo, organiser: bool) -> list[dict]:
    meetup, mine = entry.meetup, entry.mine
    blocks: list[dict] = [{"type": "divider"}, section(meetup_details(meetup, tz)), *_agenda(entry, tz)]
    blocks.append(context(places))
    value = str(meetup.id)
    if mine is not None and mine.status in CANCEL_LABELS:
        blocks.append(section(STATUS_WORDS[mine.status] + "."))
        own = [
            button("Change my details", CHANGE_DETAILS_ACTION, value),
            button(CANCEL_LABELS[mine.status], CANCEL_ACTION, value),
        ]
        blocks.append({"type": "actions", "elements": own})
    elif mine is not None and mine.status == DECLINED:
        blocks.append(section(STATUS_WORDS[DECLINED] + "."))
    elif taking_signups:
        blocks.append({"type": "actions", "elements": [button("Sign up", OPEN_SIGNUP_ACTION, value, style="primary")]})
    if organiser:
        counts = entry.counts
        blocks.append(
            section(
                f"*For organisers:* {counts.get(CONFIRMED, 0)} of {meetup.capacity} places taken, "
                f"{plural(counts.get(WAITLISTED, 0), 'person', 'people')} on the waitlist, "
                f"{counts.get(PENDING, 0)} waiting for approval."
            )
        )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button("Change the meetup", HOME_EDIT_ACTION, value),
                    button("Send me the visitor list", HOME_EXPORT_ACTION, value),
                ],
            }
        )
        for registration in entry.pending[:5]:
            rid = str(registration.id)
            person = section(
                shorten(
                    f"*{shorten(escape(registration.full_name), 150)}* (<@{registration.slack_user_id}>) is waiting "
                    f"for approval.\n{applicant_details(registration)}",
                    SECTION_TEXT,
                )
            )
            blocks += [
                person,
                {
                    "type": "actions",
                    "elements": [
                        button("Approve", APPROVE_ACTION, rid, style="primary"),
                        button("Decline", DECLINE_ACTION, rid, style="danger"),
                    ],
                },
            ]
        if len(entry.pending) > 5:
            blocks.append(
                context(f"{len(entry.pending) - 5} more waiting: use `/meetup list {meetup.id}` to see them all.")
            )
    return blocks


def home_view(
    entries: list,
    *,
    places,
    taking,
    tz: ZoneInfo,
    organiser: bool,
    subscribed: bool,
    introductions: Sequence[dict] = (),
) -> dict:
    """`places(entry)` and `taking(entry)` give the card's places text and
    whether sign-up is open, so the Home says what the card says."""
    blocks: list[dict] = [{"type": "header", "text": plain("Cross-government meetups")}]
    if organiser:
        blocks.append(
            {"type": "actions", "elements": [button("Create a meetup", HOME_NEW_ACTION, "new", style="primary")]}
        )
    if not entries:
        blocks.append(section("There are no upcoming meetups."))
    shown = 0
    for entry in entries:
        more = _home_entry(entry, places(entry), taking(entry), tz, organiser)
        # A Home tab holds 100 blocks; leave room for the closing lines.
        if len(blocks) + len(more) > 96:
            break
        blocks += more
        shown += 1
    if shown < len(entries):
        blocks.append(
            context(
                f"{len(entries) - shown} more upcoming meetups: use `/meetup signup` or `/meetup list` to see them."
            )
        )
    # The optional introductions part, if the 100 blocks leave room for it.
    if len(blocks) + len(introductions) <= 98:
        blocks += list(introductions)
    blocks.append({"type": "divider"})
    blocks.append(
        context(
            "You get a direct message when a new meetup is announced. To stop, use `/meetup unsubscribe`."
            if subscribed
            else "To get a direct message when a new meetup is announced, use `/meetup subscribe`."
        )
    )
    return {"type": "home", "blocks": blocks}
