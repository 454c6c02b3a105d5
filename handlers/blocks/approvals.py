"""Block Kit for approvals: the request to the organisers and the decision to the person.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date
from bot.common.slack_limits import shorten
from bot.signups.eligibility import ROLES
from handlers.blocks.common import button, context, plain, section
from handlers.blocks.signup import status_blocks
from storage.models import CANCELLED, CONFIRMED, DECLINED, MEETUP_CANCELLED, PENDING, WAITLISTED

APPROVE_ACTION = "approve_registration"
DECLINE_ACTION = "decline_registration"


def decision_blocks(meetup, registration, tz: ZoneInfo, contact: str, position: int | None = None) -> list[dict]:
    """What the person hears when an organiser decides."""
    if registration.status == DECLINED:
        return [
            section(
                f"An organiser could not offer you a place at *{escape(meetup.title)}*. "
                f"If you think this is wrong, contact {escape(contact)}."
            )
        ]
    return [section("An organiser has approved your sign-up.")] + status_blocks(
        meetup, registration, tz, position=position
    )


# One typed answer, after escaping: the six fit in one section (3,000).
APPLICANT_FIELD = 400


def _field(text: str | None) -> str:
    return shorten(escape(text), APPLICANT_FIELD)


def applicant_details(registration) -> str:
    lines = [
        f"*Organisation:* {_field(registration.organisation)}",
        f"*How they work in government:* {ROLES.get(registration.role, _field(registration.role))}",
    ]
    if registration.government_team:
        lines.append(f"*Government team:* {_field(registration.government_team)}")
    lines.append(f"*Email address:* {_field(registration.email)}")
    if registration.domain_organisation:
        lines.append(f"*Their email address is from:* {_field(registration.domain_organisation)}")
    if registration.reason:
        # The reason is written to the person ("your email address"): say so.
        lines.append(f"*What the bot told them:* {_field(registration.reason)}")
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
    head = section(
        f"*{name}* (<@{registration.slack_user_id}>) asked for a place at *{escape(meetup.title)}*, "
        f"{format_date(meetup.starts_at, tz)}."
    )
    details = section(applicant_details(registration))
    if registration.status != PENDING:
        return [head, details, context(decided_text(meetup, registration))]
    value = str(registration.id)
    decline = button("Decline", DECLINE_ACTION, value, style="danger")
    decline["confirm"] = {
        "title": plain("Decline this sign-up?"),
        "text": plain(f"{registration.full_name[:200]} will get a message saying they cannot come."),
        "confirm": plain("Decline"),
        "deny": plain("Go back"),
    }
    return [
        head,
        details,
        {"type": "actions", "elements": [button("Approve", APPROVE_ACTION, value, style="primary"), decline]},
    ]


def approval_text(meetup, registration) -> str:
    name, title = escape(registration.full_name), escape(meetup.title)
    if registration.status != PENDING:
        return f"{name}, {title}: {decided_text(meetup, registration)}"
    return f"{name} is waiting for approval for {title}."


def cleared_request(meetup, *, purged: bool) -> tuple[str, list[dict]]:
    """What an approval request says once the person's data is gone: no name,
    email address, team or anything else about them, and no buttons.
    (fallback text, blocks)."""
    title = escape(meetup.title)
    if purged:
        text = f"A request to join *{title}*. Its details were deleted after the meetup."
    else:
        text = f"A request to join *{title}* was withdrawn."
    return text, [section(text)]
