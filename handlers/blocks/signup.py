"""Block Kit for signing up and cancelling: the sign-up modal and the person's status messages.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.common.formatting import escape
from bot.meetups.agenda import timed_agenda
from bot.signups.eligibility import ROLES
from bot.signups.export import venue_list_holds
from handlers.blocks.common import (
    agenda_mrkdwn,
    button,
    choice_element,
    context,
    input_block,
    meetup_choice,
    meetup_details,
    place_details,
    plain,
    section,
    text_input,
)
from handlers.blocks.introductions import introduction_questions
from storage.models import CONFIRMED, DECLINED, PENDING, WAITLISTED, Meetup, Registration

SIGNUP_AGENDA = 600
SIGNUP_CALLBACK = "signup"
OPEN_SIGNUP_ACTION = "open_signup"
CANCEL_ACTION = "cancel_place"
DETAILS_CALLBACK = "change_details"
CHANGE_DETAILS_ACTION = "change_details"


STATUS_WORDS = {
    CONFIRMED: "You have a place",
    WAITLISTED: "You are on the waitlist",
    PENDING: "Your place is waiting for an organiser's approval",
    DECLINED: "An organiser could not offer you a place",
}


# As bot/settings.py's VENUE_LIST_COLUMNS default.
DEFAULT_VENUE_COLUMNS = ("full_name", "organisation")

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
    venue_columns: Sequence[str] = DEFAULT_VENUE_COLUMNS,
) -> dict:
    """The sign-up form. With one meetup it names it; with several it asks which."""
    if len(meetups) == 1:
        which = [section(meetup_details(meetups[0], tz))]
        agenda = timed_agenda(meetups[0], tz)
        if agenda:
            # Short: the form is for the person's answers.
            which.append(context("*Agenda*\n" + agenda_mrkdwn(agenda, tz, limit=SIGNUP_AGENDA, rest="on the card")))
    else:
        which = [meetup_choice(meetups, tz, with_times=True)]
    blocks = [
        *which,
        *_about_you_questions(full_name, email, organisation),
        *_needs_questions(),
        *introduction_questions(),
        context(_privacy_text(privacy_url, purge_after_days, venue_columns)),
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


# An option's text and its description each hold at most 75 characters: the
# whole sentence is shown, so people see all of what they agree to.
CONSENT_OPTION = {
    "text": plain("I agree to the organisers keeping my dietary and access needs"),
    "description": plain("Only to arrange this meetup"),
    "value": "yes",
}


def _needs_questions(
    dietary: str = "", access: str = "", *, consented: bool = False, consent_hint: str | None = None
) -> list[dict]:
    """Dietary and access needs, kept only with the person's consent (they are special category data)."""
    consent = choice_element("checkboxes", [CONSENT_OPTION])
    if consented:
        consent["initial_options"] = [CONSENT_OPTION]
    return [
        text_input(
            "dietary_needs",
            "Dietary needs",
            initial=dietary,
            optional=True,
            multiline=True,
            max_length=500,
            hint="So the host can order food you can eat. Only the organisers see it: caterers get counts, "
            "with no names.",
        ),
        text_input(
            "access_needs",
            "Access needs",
            initial=access,
            optional=True,
            multiline=True,
            max_length=500,
            hint="So the venue can be ready for you. Only the organisers see it: the venue gets counts, with no names.",
        ),
        input_block(
            "needs_consent",
            "Dietary and access needs",
            consent,
            optional=True,
            hint=consent_hint
            or "These can reveal your health or religion, so we keep them only if you agree. "
            "You can withdraw this with /meetup forget.",
        ),
    ]


def details_modal(meetup: Meetup, registration: Registration, tz: ZoneInfo, *, contact: str) -> dict:
    """The sign-up form again, filled in with the person's answers, for what
    they may change without signing up again."""
    matched = (
        f"*Email address:* {escape(registration.email)}\n*Organisation:* {escape(registration.organisation)}\n"
        "These decided whether you can come, so they cannot be changed here. "
        f"If they are wrong, contact {escape(contact)}."
    )
    blocks = [
        section(meetup_details(meetup, tz)),
        context("Your place stays as it is when you change your details."),
        text_input(
            "full_name",
            "Full name",
            initial=registration.full_name,
            hint="As on your photo ID: the building's security team checks it at the door.",
        ),
        context(matched),
        text_input(
            "government_team",
            "Government team you work in",
            initial=registration.government_team,
            optional=True,
            hint="Contractors only: the department and team you are placed in, so an organiser can confirm it.",
        ),
        *_needs_questions(
            registration.dietary_needs,
            registration.access_needs,
            consented=registration.needs_consent_at is not None,
            consent_hint="Untick this box to withdraw your agreement: we will delete your dietary and access needs.",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": DETAILS_CALLBACK,
        "title": plain("Change my details"),
        "submit": plain("Save changes"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"meetup_id": meetup.id}),
        "blocks": blocks,
    }


def details_saved_blocks(meetup: Meetup, registration: Registration) -> list[dict]:
    """The confirmation after a change. It repeats none of the answers: the
    outbox keeps a message until it is sent, and needs are special category data."""
    kept = {
        CONFIRMED: "You still have your place.",
        WAITLISTED: "You keep your place on the waitlist.",
        PENDING: "Your request is still waiting for an organiser's approval.",
    }.get(registration.status, "")
    return [section(f"We have saved the changes to your details for *{escape(meetup.title)}*. {kept}".strip())]


def _privacy_text(privacy_url: str | None, purge_after_days: int, venue_columns: Sequence[str]) -> str:
    privacy = (
        "We use your name, email address and organisation to run this meetup. The building's security desk "
        f"gets a visitor list with {venue_list_holds(venue_columns)}, and nothing else. "
        f"We delete them {purge_after_days} days after the meetup. "
        "Use `/meetup privacy` to read the privacy notice"
    )
    return privacy + (f", or <{privacy_url}|read it on the web>." if privacy_url else ".")


def status_blocks(
    meetup: Meetup, registration: Registration, tz: ZoneInfo, *, position: int | None = None, change: bool = False
) -> list[dict]:
    """A person's current sign-up, with the button to give it up (and, with
    `change`, the one to change their details)."""
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
    details = place_details(meetup, tz) if registration.status == CONFIRMED else meetup_details(meetup, tz)
    blocks = [section(text), section(details)]
    if registration.status in CANCEL_LABELS:
        elements = [button(CANCEL_LABELS[registration.status], CANCEL_ACTION, str(meetup.id), style="danger")]
        if change:
            elements.insert(0, button("Change my details", CHANGE_DETAILS_ACTION, str(meetup.id)))
        blocks.append({"type": "actions", "elements": elements})
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
