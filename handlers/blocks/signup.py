"""Block Kit for signing up and cancelling: the sign-up modal and the person's status messages.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from bot.common.formatting import escape
from bot.signups.eligibility import ROLES
from handlers.blocks.common import (
    button,
    choice_element,
    context,
    input_block,
    meetup_choice,
    meetup_details,
    plain,
    section,
    text_input,
)
from storage.models import CONFIRMED, DECLINED, PENDING, WAITLISTED, Meetup, Registration

SIGNUP_CALLBACK = "signup"
OPEN_SIGNUP_ACTION = "open_signup"
CANCEL_ACTION = "cancel_place"


STATUS_WORDS = {
    CONFIRMED: "You have a place",
    WAITLISTED: "You are on the waitlist",
    PENDING: "Your place is waiting for an organiser's approval",
    DECLINED: "An organiser could not offer you a place",
}


CANCEL_LABELS = {CONFIRMED: "Cancel my place", WAITLISTED: "Leave the waitlist", PENDING: "Withdraw my request"}


def signup_modal(
    *,
    meetups: list[Meetup],
    full_name: str,
    email: str,
    organisation: str,
    tz: ZoneInfo,
    privacy_url: str | None,
    purge_after_days: int,
    channel_id: str | None = None,
) -> dict:
    """The sign-up form. With one meetup it names it; with several it asks which."""
    if len(meetups) == 1:
        which = section(meetup_details(meetups[0], tz))
    else:
        which = meetup_choice(meetups, tz, with_times=True)
    blocks = [
        which,
        *_about_you_questions(full_name, email, organisation),
        *_needs_questions(),
        context(_privacy_text(privacy_url, purge_after_days)),
    ]
    return {
        "type": "modal",
        "callback_id": SIGNUP_CALLBACK,
        "title": plain("Sign up"),
        "submit": plain("Sign up"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(
            {
                "meetup_id": meetups[0].id if len(meetups) == 1 else None,
                "email": email,
                "channel_id": channel_id,
            }
        ),
        "blocks": blocks,
    }


def _about_you_questions(full_name: str, email: str, organisation: str) -> list[dict]:
    """Who is coming: what security checks at the door, and whether they may come."""
    roles = choice_element("radio_buttons", [{"text": plain(text), "value": value} for value, text in ROLES.items()])
    return [
        text_input(
            "full_name",
            "Full name",
            initial=full_name,
            hint="As on your photo ID: the building's security team checks it at the door.",
        ),
        context(
            f"*Email address:* {escape(email)}\nFrom your Slack profile. It tells us which organisation you work for."
        ),
        text_input(
            "organisation",
            "Organisation",
            initial=organisation,
            hint="We filled this in from your email address. Correct it if it is wrong.",
        ),
        input_block(
            "role",
            "How do you work in government?",
            roles,
            hint="This meetup is for people working in government. Suppliers of contracted services cannot come.",
        ),
        text_input(
            "government_team",
            "Government team you work in",
            optional=True,
            hint="Contractors only: the department and team you are placed in, so an organiser can confirm it.",
        ),
    ]


def _needs_questions() -> list[dict]:
    """Dietary and access needs, kept only with the person's consent (they are special category data)."""
    consent = choice_element(
        "checkboxes",
        [
            {
                "text": plain("I agree to the organisers keeping my dietary and access needs to arrange this meetup"),
                "value": "yes",
            }
        ],
    )
    return [
        text_input(
            "dietary_needs",
            "Dietary needs",
            optional=True,
            multiline=True,
            max_length=500,
            hint="So the host can order food you can eat. Shared only with the organisers and caterers.",
        ),
        text_input(
            "access_needs",
            "Access needs",
            optional=True,
            multiline=True,
            max_length=500,
            hint="So the venue can be ready for you. Shared only with the organisers and the venue.",
        ),
        input_block(
            "needs_consent",
            "Dietary and access needs",
            consent,
            optional=True,
            hint="These can reveal your health or religion, so we keep them only if you agree. "
            "You can withdraw this with /meetup forget.",
        ),
    ]


def _privacy_text(privacy_url: str | None, purge_after_days: int) -> str:
    privacy = (
        "We use your name, email address and organisation to run this meetup and to give the building's "
        f"security team a visitor list. We delete them {purge_after_days} days after the meetup. "
        "Use `/meetup privacy` to read the privacy notice"
    )
    return privacy + (f", or <{privacy_url}|read it on the web>." if privacy_url else ".")


def status_blocks(
    meetup: Meetup, registration: Registration, tz: ZoneInfo, *, position: int | None = None
) -> list[dict]:
    """A person's current sign-up, with the button to give it up."""
    headline = STATUS_WORDS.get(registration.status, "You are not signed up")
    text = f"{headline} at *{escape(meetup.title)}*."
    if registration.status == WAITLISTED:
        if position:
            text += f" You are number {position} on the waitlist."
        text += " We will send you a message if a place becomes free."
    elif registration.status == PENDING:
        text += " " + escape(registration.reason) + " We will send you a message when they have decided."
    elif registration.status == CONFIRMED:
        text += " If you cannot come, cancel your place so someone on the waitlist can have it."
    blocks = [section(text), section(meetup_details(meetup, tz))]
    if registration.status in CANCEL_LABELS:
        blocks.append(
            {
                "type": "actions",
                "elements": [button(CANCEL_LABELS[registration.status], CANCEL_ACTION, str(meetup.id), style="danger")],
            }
        )
    return blocks


def not_eligible_blocks(meetup: Meetup, reason: str) -> list[dict]:
    return [section(f"You cannot sign up for *{escape(meetup.title)}*.\n{escape(reason)}")]


def promoted_blocks(meetup: Meetup, registration: Registration, tz: ZoneInfo) -> list[dict]:
    return [section(f"A place has become free: you now have a place at *{escape(meetup.title)}*.")] + status_blocks(
        meetup, registration, tz
    )[1:]


def cancelled_text(meetup: Meetup, previous_status: str) -> str:
    what = {
        CONFIRMED: "cancelled your place at",
        WAITLISTED: "left the waitlist for",
        PENDING: "withdrawn your request for",
    }.get(previous_status, "cancelled your sign-up for")
    return f"You have {what} *{escape(meetup.title)}*. To sign up again, use `/meetup signup`."
