"""Block Kit for organisers: the meetup form, the announcement card, approval
messages, the App Home and the series statistics. Pure functions.

Anything a person typed goes through `escape` before it reaches mrkdwn.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from bot.meetups.agenda import agenda_text, talks_from_json
from bot.signups.eligibility import OPTIONAL_SECTORS, ROLES, audience_sentence
from bot.common.formatting import escape, format_date, format_when, plural
from bot.meetups.organising import closing_date
from handlers.blocks import (
    CANCEL_ACTION,
    CANCEL_LABELS,
    OPEN_SIGNUP_ACTION,
    STATUS_WORDS,
    button,
    context,
    meetup_details,
    plain,
    section,
    status_blocks,
)
from storage.models import CANCELLED, CONFIRMED, DECLINED, MEETUP_CANCELLED, MEETUP_CLOSED, PENDING, WAITLISTED

NEW_MEETUP_CALLBACK = "meetup_new"
EDIT_MEETUP_CALLBACK = "meetup_edit"
CLOSE_SIGNUP_ACTION = "close_signup"
REOPEN_SIGNUP_ACTION = "reopen_signup"
CANCEL_MEETUP_ACTION = "cancel_meetup"
APPROVE_ACTION = "approve_registration"
DECLINE_ACTION = "decline_registration"
HOME_NEW_ACTION = "home_new_meetup"
HOME_EDIT_ACTION = "home_edit_meetup"
HOME_EXPORT_ACTION = "home_export"
SIGNUP_SHORTCUT = "signup_shortcut"

AUDIENCE_LABELS = {
    "government": "Government",
    "public_sector": "Public sector",
    "open": "Open to everyone",
}
AUDIENCE_HINTS = {
    "government": "Central and devolved government and arm's-length bodies, and any kinds ticked below",
    "public_sector": "Anyone with a recognised public sector email address",
    "open": "Anyone",
}


def _sector_option(key: str) -> dict:
    label = OPTIONAL_SECTORS[key]
    return {"text": plain(label[0].upper() + label[1:]), "value": key}


def _input(block_id: str, label: str, element: dict, *, optional: bool = False, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "optional": optional,
             "label": plain(label + (" (optional)" if optional else "")), "element": element}
    if hint:
        block["hint"] = plain(hint)
    return block


def _text(initial: str = "", *, multiline: bool = False, max_length: int = 200, placeholder: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


# The meetup form ---------------------------------------------------------------


def meetup_modal(*, tz: ZoneInfo, meetup=None) -> dict:
    """The form for `/meetup new`, or prefilled for `/meetup edit`, where it
    also has the buttons to close or reopen sign-up and cancel the meetup."""
    editing = meetup is not None
    local_start = meetup.starts_at.astimezone(tz) if editing else None
    local_end = meetup.ends_at.astimezone(tz) if editing else None

    date = {"type": "datepicker", "action_id": "value", "placeholder": plain("Choose the date")}
    start = {"type": "timepicker", "action_id": "value", "placeholder": plain("Start time")}
    end = {"type": "timepicker", "action_id": "value", "placeholder": plain("End time")}
    capacity = {"type": "number_input", "action_id": "value", "is_decimal_allowed": False}
    audience = {"type": "radio_buttons", "action_id": "value", "options": [
        {"text": plain(label), "description": plain(AUDIENCE_HINTS[value]), "value": value}
        for value, label in AUDIENCE_LABELS.items()]}
    sectors = {"type": "checkboxes", "action_id": "value",
               "options": [_sector_option(key) for key in OPTIONAL_SECTORS]}
    closes = {"type": "datepicker", "action_id": "value", "placeholder": plain("Choose the date")}
    if editing:
        date["initial_date"] = f"{local_start:%Y-%m-%d}"
        start["initial_time"] = f"{local_start:%H:%M}"
        end["initial_time"] = f"{local_end:%H:%M}"
        capacity["initial_value"] = str(meetup.capacity)
        audience["initial_option"] = next(o for o in audience["options"] if o["value"] == meetup.audience)
        if meetup.sectors:
            sectors["initial_options"] = [_sector_option(key) for key in OPTIONAL_SECTORS if key in meetup.sectors]
        if meetup.signup_closes_at:
            closes["initial_date"] = closing_date(meetup.signup_closes_at, tz).isoformat()
    else:
        audience["initial_option"] = audience["options"][0]

    zone = str(tz)
    blocks: list[dict] = []
    if editing:
        blocks.append(context("Changing the date, time or venue sends a message to everyone signed up."))
    blocks += [
        _input("title", "Title", _text(meetup.title if editing else "")),
        _input("date", "Date", date),
        _input("start_time", "Start time", start, hint=f"{zone} time"),
        _input("end_time", "End time", end, hint=f"{zone} time"),
        _input("venue", "Venue", _text(meetup.venue if editing else "", max_length=300),
               hint="The building's name and address, as people will need to find it"),
        _input("host_organisation", "Host organisation",
               _text(meetup.host_organisation if editing else ""), optional=True),
        _input("capacity", "Number of places", capacity,
               hint="When the places are taken, people join the waitlist"),
        _input("audience", "Who can come", audience),
        _input("extra_sectors", "For a government meetup, also include", sectors, optional=True,
               hint="People from these can sign up too. Leave them all unticked to keep it to central "
                    "and devolved government and arm's-length bodies."),
        _input("description", "Description", _text(meetup.description if editing else "", multiline=True,
                                                   max_length=2000), optional=True),
        _input("agenda", "Talks", _text(agenda_text(talks_from_json(meetup.talks)) if editing else "",
                                        multiline=True, max_length=3000,
                                        placeholder="Open source in government | Ada Lovelace | GDS"),
               optional=True, hint="One talk a line: title | speaker | speaker's organisation"),
        _input("signup_closes", "Sign-up closes", closes, optional=True,
               hint="At the end of this day. Leave it empty to take sign-ups until the meetup starts."),
    ]
    if editing:
        blocks += [{"type": "divider"}] + manage_blocks(meetup)
    return {
        "type": "modal",
        "callback_id": EDIT_MEETUP_CALLBACK if editing else NEW_MEETUP_CALLBACK,
        "title": plain("Change the meetup" if editing else "New meetup"),
        "submit": plain("Save changes" if editing else "Create and announce"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"meetup_id": meetup.id} if editing else {}),
        "blocks": blocks,
    }


def manage_blocks(meetup) -> list[dict]:
    """Close or reopen sign-up, and cancel the meetup, from the edit form."""
    value = str(meetup.id)
    if meetup.status == MEETUP_CLOSED:
        state = "Sign-up is closed."
        toggle = button("Reopen sign-up", REOPEN_SIGNUP_ACTION, value)
    else:
        state = "Sign-up is open."
        toggle = button("Close sign-up", CLOSE_SIGNUP_ACTION, value)
    cancel = button("Cancel the meetup", CANCEL_MEETUP_ACTION, value, style="danger")
    cancel["confirm"] = {
        "title": plain("Cancel the meetup?"),
        "text": plain("Everyone signed up will get a message saying it is cancelled. You cannot undo this."),
        "confirm": plain("Cancel the meetup"),
        "deny": plain("Keep the meetup"),
        "style": "danger",
    }
    return [section(state), {"type": "actions", "block_id": "manage", "elements": [toggle, cancel]}]


# The announcement card ---------------------------------------------------------


def _talk_lines(meetup) -> str:
    return "\n".join(f"• *{escape(t.title)}*, {escape(t.speaker)} ({escape(t.organisation)})"
                     for t in talks_from_json(meetup.talks))


def card_blocks(meetup, places: str, tz: ZoneInfo, *, taking_signups: bool) -> list[dict]:
    """The announcement: what, when, where, who for, talks, places, and the button."""
    title = {"type": "header", "text": plain(meetup.title[:150])}
    when_where = [f"*When:* {format_when(meetup.starts_at, meetup.ends_at, tz)}",
                  f"*Where:* {escape(meetup.venue)}"]
    if meetup.host_organisation:
        when_where.append(f"*Hosted by:* {escape(meetup.host_organisation)}")
    if meetup.status == MEETUP_CANCELLED:
        return [title, section("*This meetup has been cancelled.*"), section("\n".join(when_where))]
    blocks = [title, section("\n".join(when_where)),
              section(f"*Who can come:* {audience_sentence(meetup.audience, meetup.sectors)}")]
    if meetup.description:
        blocks.append(section(escape(meetup.description)[:3000]))
    talks = _talk_lines(meetup)
    if talks:
        blocks.append(section(("*Talks*\n" + talks)[:3000]))
    blocks.append(section(f"*{places}*"))
    if taking_signups:
        if meetup.signup_closes_at:
            blocks.append(context(f"Sign-up closes on {_closing_day(meetup, tz)}."))
        blocks.append({"type": "actions", "elements": [
            button("Sign up", OPEN_SIGNUP_ACTION, str(meetup.id), style="primary")]})
    return blocks


def _closing_day(meetup, tz: ZoneInfo) -> str:
    day = closing_date(meetup.signup_closes_at, tz)
    return f"{day:%A} {day.day} {day:%B %Y}"


def card_text(meetup, places: str, tz: ZoneInfo) -> str:
    """The notification text: what shows where blocks cannot (escaped too: it is mrkdwn)."""
    return f"{escape(meetup.title)}: {format_when(meetup.starts_at, meetup.ends_at, tz)}, {escape(meetup.venue)}. {places}."


def created_blocks(meetup, *, channel_id: str | None, tz: ZoneInfo) -> list[dict]:
    """Tells the organiser the meetup exists and where it was announced."""
    where = f" and announced it in <#{channel_id}>" if channel_id else ""
    return [section(f"You created *{escape(meetup.title)}*{where}. It is meetup number {meetup.id}.\n"
                    f"To change it, use `/meetup edit {meetup.id}`."),
            section(meetup_details(meetup, tz))]


# Messages to attendees -------------------------------------------------------------


def changed_blocks(meetup, changes: list[str], registration, tz: ZoneInfo) -> list[dict]:
    lines = "\n".join(f"• {escape(change)}" for change in changes)
    return [section(f"*{escape(meetup.title)}* has changed.\n{lines}")] + status_blocks(meetup, registration, tz)[1:]


def meetup_cancelled_blocks(meetup, tz: ZoneInfo, contact: str) -> list[dict]:
    return [section(f"*{escape(meetup.title)}* on {format_when(meetup.starts_at, meetup.ends_at, tz)} has been "
                    f"cancelled. You do not need to do anything. If you have questions, contact {escape(contact)}.")]


def decision_blocks(meetup, registration, tz: ZoneInfo, contact: str, position: int | None = None) -> list[dict]:
    """What the person hears when an organiser decides."""
    if registration.status == DECLINED:
        return [section(f"An organiser could not offer you a place at *{escape(meetup.title)}*. "
                        f"If you think this is wrong, contact {escape(contact)}.")]
    return [section("An organiser has approved your sign-up.")] + status_blocks(meetup, registration, tz,
                                                                                  position=position)


# Approval requests -------------------------------------------------------------


def _applicant(registration) -> str:
    lines = [
        f"*Organisation:* {escape(registration.organisation)}",
        f"*How they work in government:* {ROLES.get(registration.role, escape(registration.role))}",
    ]
    if registration.government_team:
        lines.append(f"*Government team:* {escape(registration.government_team)}")
    lines.append(f"*Email address:* {escape(registration.email)}")
    if registration.domain_organisation:
        lines.append(f"*Their email address is from:* {escape(registration.domain_organisation)}")
    if registration.reason:
        # The reason is written to the person ("your email address"): say so.
        lines.append(f"*What the bot told them:* {escape(registration.reason)}")
    return "\n".join(lines)


def decided_text(meetup, registration) -> str:
    """What an approval message says once nobody needs to decide any more."""
    who = f"<@{registration.decided_by}>" if registration.decided_by else None
    if registration.status == DECLINED and who:
        return f"Declined by {who}."
    if registration.status == CONFIRMED and who:
        return f"Approved by {who}: they have a place."
    if registration.status == WAITLISTED and who:
        return f"Approved by {who}: the meetup was full, so they are on the waitlist."
    if registration.status == CANCELLED and meetup.status == MEETUP_CANCELLED:
        return "The meetup was cancelled."
    if registration.status == CANCELLED and who:
        return f"Approved by {who}. They have since cancelled."
    if registration.status == CANCELLED:
        return "They withdrew their request."
    return "Nobody needs to decide this any more."


def already_decided_text(meetup, registration) -> str:
    """The one line for an organiser who pressed a button too late."""
    who = f"<@{registration.decided_by}>" if registration.decided_by else None
    if registration.status in (CONFIRMED, WAITLISTED) and who:
        return f"Already approved by {who}."
    if registration.status == DECLINED and who:
        return f"Already declined by {who}."
    return decided_text(meetup, registration)


def approval_blocks(meetup, registration, tz: ZoneInfo) -> list[dict]:
    name = escape(registration.full_name)
    head = section(f"*{name}* (<@{registration.slack_user_id}>) asked for a place at *{escape(meetup.title)}*, "
                   f"{format_date(meetup.starts_at, tz)}.")
    details = section(_applicant(registration))
    if registration.status != PENDING:
        return [head, details, context(decided_text(meetup, registration))]
    value = str(registration.id)
    decline = button("Decline", DECLINE_ACTION, value, style="danger")
    decline["confirm"] = {"title": plain("Decline this sign-up?"),
                          "text": plain(f"{registration.full_name[:200]} will get a message saying they cannot come."),
                          "confirm": plain("Decline"), "deny": plain("Go back")}
    return [head, details, {"type": "actions", "elements": [
        button("Approve", APPROVE_ACTION, value, style="primary"), decline]}]


def approval_text(meetup, registration) -> str:
    name, title = escape(registration.full_name), escape(meetup.title)
    if registration.status != PENDING:
        return f"{name}, {title}: {decided_text(meetup, registration)}"
    return f"{name} is waiting for approval for {title}."


# The App Home --------------------------------------------------------------------


def _home_entry(entry, places: str, taking_signups: bool, tz: ZoneInfo, organiser: bool) -> list[dict]:
    meetup, mine = entry.meetup, entry.mine
    blocks: list[dict] = [{"type": "divider"}, section(meetup_details(meetup, tz)), context(places)]
    value = str(meetup.id)
    if mine is not None and mine.status in CANCEL_LABELS:
        status = section(STATUS_WORDS[mine.status] + ".")
        status["accessory"] = button(CANCEL_LABELS[mine.status], CANCEL_ACTION, value)
        blocks.append(status)
    elif mine is not None and mine.status == DECLINED:
        blocks.append(section(STATUS_WORDS[DECLINED] + "."))
    elif taking_signups:
        blocks.append({"type": "actions", "elements": [button("Sign up", OPEN_SIGNUP_ACTION, value,
                                                              style="primary")]})
    if organiser:
        counts = entry.counts
        blocks.append(section(
            f"*For organisers:* {counts.get(CONFIRMED, 0)} of {meetup.capacity} places taken, "
            f"{plural(counts.get(WAITLISTED, 0), 'person', 'people')} on the waitlist, "
            f"{counts.get(PENDING, 0)} waiting for approval."))
        blocks.append({"type": "actions", "elements": [
            button("Change the meetup", HOME_EDIT_ACTION, value),
            button("Send me the visitor list", HOME_EXPORT_ACTION, value)]})
        for registration in entry.pending[:5]:
            rid = str(registration.id)
            person = section(f"*{escape(registration.full_name)}* (<@{registration.slack_user_id}>) is waiting "
                             f"for approval.\n{_applicant(registration)}"[:3000])
            blocks += [person, {"type": "actions", "elements": [
                button("Approve", APPROVE_ACTION, rid, style="primary"),
                button("Decline", DECLINE_ACTION, rid, style="danger")]}]
        if len(entry.pending) > 5:
            blocks.append(context(f"{len(entry.pending) - 5} more waiting: use `/meetup list {meetup.id}` "
                                  "to see them all."))
    return blocks


def home_view(entries: list, *, places, taking, tz: ZoneInfo, organiser: bool, subscribed: bool) -> dict:
    """`places(entry)` and `taking(entry)` give the card's places text and
    whether sign-up is open, so the Home says what the card says."""
    blocks: list[dict] = [{"type": "header", "text": plain("Cross-government meetups")}]
    if organiser:
        blocks.append({"type": "actions", "elements": [button("Create a meetup", HOME_NEW_ACTION, "new",
                                                              style="primary")]})
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
        blocks.append(context(f"{len(entries) - shown} more upcoming meetups: use `/meetup signup` "
                              "or `/meetup list` to see them."))
    blocks.append({"type": "divider"})
    blocks.append(context("You get a direct message when a new meetup is announced. To stop, use `/meetup unsubscribe`."
                          if subscribed else
                          "To get a direct message when a new meetup is announced, use `/meetup subscribe`."))
    return {"type": "home", "blocks": blocks}


# Statistics --------------------------------------------------------------------


def _chunked(title: str, lines: list[str]) -> list[dict]:
    """Sections of at most about 2,900 characters (a section holds 3,000)."""
    blocks, chunk = [], [title]
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    return blocks


def stats_blocks(stats, tz: ZoneInfo) -> list[dict]:
    total = stats.meetups_held + stats.meetups_upcoming
    if total == 0:
        return [section("There are no meetups yet. Create one with `/meetup new`.")]
    summary = [
        f"*The series so far:* {plural(total, 'meetup')}, {stats.meetups_held} held and "
        f"{stats.meetups_upcoming} coming up.",
        f"{plural(stats.signups, 'sign-up')} from {plural(stats.people, 'person', 'people')} in "
        f"{plural(len(stats.organisations), 'organisation')}.",
        f"{plural(stats.attended, 'place')} taken at meetups that have happened.",
        f"{plural(stats.repeat_attendees, 'person has', 'people have')} had a place at more than one meetup.",
    ]
    blocks = [section("\n".join(summary))]
    meetup_lines = [
        f"• {escape(m.meetup.title)}, {format_date(m.meetup.starts_at, tz)}: "
        f"{plural(m.places_taken, 'place')} taken{'' if m.held else ' so far'}, "
        f"{plural(m.organisations, 'organisation')} brought together, {plural(m.signups, 'sign-up')}"
        for m in stats.meetups
    ]
    blocks += _chunked("*Each meetup*", meetup_lines)
    org_lines = [
        f"• {escape(o.name)}: {plural(o.signups, 'sign-up')}, {o.attended} attended, "
        f"{plural(o.meetups, 'meetup')}"
        for o in stats.organisations[:100]
    ]
    if org_lines:
        blocks += _chunked("*By organisation*", org_lines)
    blocks.append(context("Attended means they had a place at a meetup that has happened: the bot does not take "
                          "a register at the door. Cancelled meetups are not counted."))
    return blocks[:50]
