"""Block Kit for introductions: the question on the sign-up form and the
Home tab, and the message that introduces people.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_time
from bot.common.slack_limits import SECTION_TEXT, shorten
from bot.introductions.introductions import MAX_WORKING_ON, PlannedIntroduction
from bot.signups.signups import clean_text
from handlers.blocks.common import button, choice_element, context, input_block, plain, section, text_input
from storage.models import IntroductionConsent

INTRODUCTIONS_CALLBACK = "introductions"
HOME_INTRODUCTIONS_ON = "home_introductions_on"
HOME_INTRODUCTIONS_OFF = "home_introductions_off"
QUESTION = "Would you like an introduction to people from other organisations working on similar things?"
WHAT_IS_SHARED = (
    "A few days before the meetup we introduce you, in a group message, to someone from another organisation "
    "who voted for the same topics or works on similar things. We share with them your name, your organisation, "
    "what you write below and the topics you both voted for, and nothing else. "
    "Stop at any time with /meetup introductions off."
)
YES_OPTION = {"text": plain("Yes, introduce me"), "value": "yes"}


def introduction_questions(consent: IntroductionConsent | None = None) -> list[dict]:
    """The optional question and the free-text field, for the sign-up form and the Home tab's form."""
    choice = choice_element("checkboxes", [YES_OPTION])
    if consent is not None:
        choice["initial_options"] = [YES_OPTION]
    return [
        input_block("introductions", QUESTION, choice, optional=True, hint=WHAT_IS_SHARED),
        text_input(
            "working_on",
            "What are you working on?",
            initial=consent.working_on if consent is not None else "",
            optional=True,
            multiline=True,
            max_length=MAX_WORKING_ON,
            hint="A sentence or two, for example: publishing bus timetables as open data.",
        ),
    ]


def introductions_modal(consent: IntroductionConsent | None) -> dict:
    return {
        "type": "modal",
        "callback_id": INTRODUCTIONS_CALLBACK,
        "title": plain("Introductions"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": introduction_questions(consent),
    }


def home_introductions(consent: IntroductionConsent | None) -> list[dict]:
    """The Home tab's part: whether you asked for introductions, and the button to change it."""
    if consent is None:
        text = "*Introductions*\n" + QUESTION
        action = button("Introduce me", HOME_INTRODUCTIONS_ON, "on")
    else:
        text = (
            "*Introductions*\nYou asked to be introduced to people from other organisations working on similar things."
        )
        action = button("Stop introductions", HOME_INTRODUCTIONS_OFF, "off")
    return [{"type": "divider"}, section(text), {"type": "actions", "elements": [action]}]


def when_to_meet(planned: PlannedIntroduction, tz: ZoneInfo) -> str:
    at = format_time(planned.suggestion.at, tz)
    return {
        "break": f"in the break at {at}",
        "sessions": f"just before the discussion sessions start at {at}",
    }.get(planned.suggestion.kind, f"when the meetup starts at {at}")


def introduction_message(planned: PlannedIntroduction, *, tz: ZoneInfo) -> tuple[str, list[dict]]:
    """The group message that introduces people: who, why, and when to meet."""
    meetup = planned.meetup
    who = "\n".join(
        f"• <@{p.user_id}> ({escape(p.organisation)})"
        + (f": working on “{escape(p.working_on)}”" if p.working_on else "")
        for p in planned.people
    )
    if planned.topics:
        why = "Between you, you voted for: " if len(planned.people) > 2 else "You both voted for: "
        why += "; ".join(f"*{escape(title)}*" for title in planned.topics) + "."
    else:
        why = "You wrote about similar things: " + ", ".join(escape(w) for w in planned.words) + "."
    text = f"Meet someone from another organisation at {escape(meetup.title)}"
    blocks = [
        section(
            shorten(
                f"Hello! You asked to meet people from other organisations working on similar things at "
                f"*{escape(meetup.title)}* on {format_date(meetup.starts_at, tz)}.\n\n{who}",
                SECTION_TEXT,
            )
        ),
        section(shorten(why, SECTION_TEXT)),
        section(f"We suggest you find each other {when_to_meet(planned, tz)}, or reply here to arrange it."),
        context("To stop introductions, use `/meetup introductions off`."),
    ]
    return text, blocks


def wants_introduction(view: dict) -> tuple[bool, str]:
    """The answers to the introduction question in a submitted form: whether
    they said yes, and what they are working on."""
    options = _element(view, "introductions").get("selected_options")
    said_yes = isinstance(options, list) and any(isinstance(o, dict) and o.get("value") == "yes" for o in options)
    working_on = _element(view, "working_on").get("value")
    return said_yes, clean_text(working_on if isinstance(working_on, str) else "", multiline=True)


def _element(view: dict, block_id: str) -> dict:
    """One input's state in a submitted form; {} when missing or misshapen (a forged payload)."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    block = values.get(block_id) if isinstance(values, dict) else None
    element = block.get("value") if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}
