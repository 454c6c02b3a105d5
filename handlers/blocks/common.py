"""Pieces every feature's Block Kit uses: text blocks, buttons, a meetup's details, a one-message modal.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_when
from bot.common.slack_limits import VIEW_TITLE, lines_within, shorten
from bot.meetups.agenda import AgendaItem, item_time
from bot.signups.eligibility import audience_sentence
from storage.models import Meetup


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


def input_block(block_id: str, label: str, element: dict, *, optional: bool = False, hint: str | None = None) -> dict:
    """A modal question; Slack reads every answer from its element's `value` action."""
    block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label + (" (optional)" if optional else "")),
        "element": element,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def text_element(
    initial: str = "", *, multiline: bool = False, max_length: int = 200, placeholder: str | None = None
) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    if initial:
        # Slack refuses a modal whose initial value is longer than its limit.
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def text_input(
    block_id: str,
    label: str,
    *,
    initial: str = "",
    optional: bool = False,
    hint: str | None = None,
    multiline: bool = False,
    max_length: int = 200,
) -> dict:
    element = text_element(initial, multiline=multiline, max_length=max_length)
    return input_block(block_id, label, element, optional=optional, hint=hint)


def choice_element(kind: str, options: list[dict]) -> dict:
    """Radio buttons, checkboxes or a menu, answered through the `value` action."""
    return {"type": kind, "action_id": "value", "options": options}


def meetup_choice(meetups: list[Meetup], tz: ZoneInfo, *, with_times: bool = False) -> dict:
    """The "Which meetup" menu, for a form opened where more than one meetup is open."""

    def when(meetup: Meetup) -> str:
        return format_when(meetup.starts_at, meetup.ends_at, tz) if with_times else format_date(meetup.starts_at, tz)

    # Slack allows 100 options of at most 75 characters.
    options = [{"text": plain(f"{m.title[:40]}, {when(m)}"[:75]), "value": str(m.id)} for m in meetups[:100]]
    element = choice_element("static_select", options) | {"placeholder": plain("Choose a meetup")}
    return {"type": "input", "block_id": "meetup", "label": plain("Which meetup"), "element": element}


DETAIL_FIELD = 800


def meetup_details(meetup: Meetup, tz: ZoneInfo) -> str:
    # Each typed field within DETAIL_FIELD after escaping, so the three fit in one section.
    lines = [
        f"*{shorten(escape(meetup.title), DETAIL_FIELD)}*",
        f"*When:* {format_when(meetup.starts_at, meetup.ends_at, tz)}",
        f"*Where:* {shorten(escape(meetup.venue), DETAIL_FIELD)}",
    ]
    if meetup.host_organisation:
        lines.append(f"*Hosted by:* {shorten(escape(meetup.host_organisation), DETAIL_FIELD)}")
    lines.append(f"*Who can come:* {audience_sentence(meetup.audience, meetup.sectors)}")
    return "\n".join(lines)


def message_modal(title: str, text: str) -> dict:
    return {
        "type": "modal",
        "title": plain(shorten(title, VIEW_TITLE)),
        "close": plain("Close"),
        "blocks": [section(text)],
    }


# Where a cut agenda can be read in full.
AGENDA_REST = "in the calendar file sent with each place"


def agenda_line(item: AgendaItem, tz: ZoneInfo) -> str:
    """One item of the agenda in mrkdwn: "• 1:30pm to 2pm: *Title*, Speaker (Organisation)"."""
    when = item_time(item, tz)
    title = f"*{shorten(escape(item.title), 200)}*"
    if item.is_session:
        what = f"{title} (open-space session, {shorten(escape(item.room), 100)})"
    else:
        what = f"{title}, {shorten(escape(item.speaker), 200)} ({shorten(escape(item.organisation), 200)})"
    return f"• {when}: {what}" if when else f"• {what}"


def agenda_mrkdwn(items: list[AgendaItem], tz: ZoneInfo, *, limit: int, rest: str) -> str:
    """The agenda in mrkdwn within `limit` characters; when it is longer,
    the last line says how many more there are and `rest`, where to see them."""
    return lines_within([agenda_line(item, tz) for item in items], limit, "and {n} more " + rest)


def online_link_text(meetup: Meetup) -> str:
    """The joining link, for people with a place only: never on the card or in the channel."""
    return f"*Join online:* <{escape(meetup.online_link)}>" if meetup.online_link else ""


def place_details(meetup: Meetup, tz: ZoneInfo) -> str:
    """The meetup's details for someone with a place: with the online joining link, when there is one."""
    link = online_link_text(meetup)
    return meetup_details(meetup, tz) + ("\n" + link if link else "")


def checked_in_counts(came: int, places: int) -> str:
    """How many of the people with a place have checked in, in a sentence or
    two that read right for none, one and many: "1 person has a place and
    has not checked in yet.", "3 of 40 people with a place have checked in." """
    if places == 0:
        return "Nobody has a place yet."
    if places == 1:
        return "1 person has a place and has " + ("checked in." if came else "not checked in yet.")
    if came == 0:
        return f"{places} people have a place. None have checked in yet."
    if came >= places:
        return f"All {places} people with a place have checked in."
    return f"{came} of {places} people with a place {'has' if came == 1 else 'have'} checked in."
