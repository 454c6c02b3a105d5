"""Block Kit for `/meetup message`: the form, its preview and the direct
message attendees get.

Pure functions of domain objects; what the organiser typed goes through
`escape`, so `<!channel>` or `<!here>` typed in it shows as text and
notifies nobody.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, plural
from bot.organising.attendee_messages import MAX_LENGTH
from handlers.blocks.common import button, choice_element, context, input_block, plain, section, text_element
from storage.models import TO_BOTH, TO_CONFIRMED, TO_WAITLISTED, Meetup

COMPOSE_CALLBACK = "attendee_message"
PREVIEW_CALLBACK = "attendee_message_preview"
EDIT_ACTION = "attendee_message_edit"

AUDIENCE_LABELS = {
    TO_CONFIRMED: "People with a place",
    TO_WAITLISTED: "People on the waitlist",
    TO_BOTH: "People with a place and people on the waitlist",
}


def _audience_option(audience: str, count: int) -> dict:
    return {"text": plain(f"{AUDIENCE_LABELS[audience]} ({count})"), "value": audience}


def compose_modal(
    meetup: Meetup, tz: ZoneInfo, counts: dict[str, int], *, metadata: str, text: str = "", audience: str = ""
) -> dict:
    """The form: who to send to (with how many each choice reaches) and the message."""
    options = [_audience_option(a, counts.get(a, 0)) for a in (TO_CONFIRMED, TO_WAITLISTED, TO_BOTH)]
    radios = choice_element("radio_buttons", options)
    chosen = [o for o in options if o["value"] == audience]
    if chosen:
        radios["initial_option"] = chosen[0]
    return {
        "type": "modal",
        "callback_id": COMPOSE_CALLBACK,
        "private_metadata": metadata,
        "title": plain("Message attendees"),
        "submit": plain("Preview"),
        "close": plain("Cancel"),
        "blocks": [
            section(f"*{escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}"),
            input_block("audience", "Who should get it", radios),
            input_block(
                "text",
                "Message",
                text_element(text, multiline=True, max_length=MAX_LENGTH),
                hint="Plain text. You will see it before it is sent.",
            ),
        ],
    }


def attendee_message(meetup: Meetup, text: str, tz: ZoneInfo) -> tuple[str, list[dict]]:
    """The direct message: (fallback text, blocks), the same for everyone."""
    title, day = escape(meetup.title), format_date(meetup.starts_at, tz)
    blocks = [
        section(f"*Message from the organisers of {title}*"),
        section(escape(text)),
        context(f"You get this because you signed up for {title} on {day}."),
    ]
    return f"Message from the organisers of {title}: {escape(text)}", blocks


def preview_modal(message: list[dict], audience: str, count: int, *, metadata: str) -> dict:
    """What the attendees will get, with Send and a way back to the form."""
    return {
        "type": "modal",
        "callback_id": PREVIEW_CALLBACK,
        "private_metadata": metadata,
        "title": plain("Check your message"),
        "submit": plain(f"Send to {plural(count, 'person', 'people')}"[:24]),
        "close": plain("Cancel"),
        "blocks": [
            section(f"{AUDIENCE_LABELS[audience]} ({plural(count, 'person', 'people')}) will get this message:"),
            {"type": "divider"},
            *message,
            {"type": "divider"},
            {"type": "actions", "elements": [button("Change the message", EDIT_ACTION, "edit")]},
        ],
    }
