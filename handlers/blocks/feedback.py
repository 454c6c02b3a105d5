"""Block Kit for feedback after a meetup: the direct message with the "Give
feedback" button, the form, and the organisers' summary.

Pure functions of domain objects; anything a person typed goes through
`escape`, so a comment with `<!channel>` in it notifies nobody.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, plural
from bot.common.slack_limits import OPTION_TEXT, SECTION_TEXT, lines_within, shorten
from bot.feedback.feedback import MAX_TEXT, USEFULNESS, FeedbackSummary
from handlers.blocks.common import button, choice_element, context, input_block, plain, section, text_element
from storage.models import Meetup

OPEN_ACTION = "feedback_open"
FORM_CALLBACK = "feedback"
# Each comment in the summary at most this long: the rest is in the CSV.
COMMENT_LENGTH = 300

ANONYMOUS = "Your answers are kept without your name, so nobody can tell which are yours."


def feedback_request(meetup: Meetup, tz: ZoneInfo) -> tuple[str, list[dict]]:
    """The direct message the morning after: thanks, and a button to the form."""
    title, day = escape(meetup.title), format_date(meetup.starts_at, tz)
    blocks = [
        section(
            f"Thank you for coming to *{title}* on {day}.\n"
            "Tell us how it went, so we can make the next one better. It takes a minute."
        ),
        {"type": "actions", "elements": [button("Give feedback", OPEN_ACTION, str(meetup.id), style="primary")]},
        context(ANONYMOUS),
    ]
    return f"Thank you for coming to {title}. Tell us how it went.", blocks


def feedback_thanks(meetup: Meetup, tz: ZoneInfo) -> tuple[str, list[dict]]:
    """The same message once the person has answered: no button any more."""
    title, day = escape(meetup.title), format_date(meetup.starts_at, tz)
    text = f"Thank you for your feedback on {title} on {day}."
    return text, [section(text), context(ANONYMOUS)]


def feedback_modal(meetup: Meetup, tz: ZoneInfo, sessions: list[tuple[int, str]], *, metadata: str) -> dict:
    """The form: how useful, what worked, what to change, which sessions helped."""
    scores = [{"text": plain(f"{score} – {words}"), "value": str(score)} for score, words in USEFULNESS.items()]
    blocks = [
        section(f"*{escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}\n{ANONYMOUS}"),
        input_block("usefulness", "How useful was the meetup for you?", choice_element("radio_buttons", scores)),
        input_block("worked", "What worked well", text_element(multiline=True, max_length=MAX_TEXT), optional=True),
        input_block(
            "change", "What should we change", text_element(multiline=True, max_length=MAX_TEXT), optional=True
        ),
    ]
    if sessions:
        options = [{"text": plain(shorten(title, OPTION_TEXT)), "value": str(topic_id)} for topic_id, title in sessions]
        menu = choice_element("multi_static_select", options) | {"placeholder": plain("Choose sessions")}
        blocks.append(input_block("sessions", "Which sessions helped you", menu, optional=True))
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": metadata,
        "title": plain("Give feedback"),
        "submit": plain("Send feedback"),
        "close": plain("Cancel"),
        "blocks": blocks,
    }


def _comments(heading: str, comments: list[str], meetup_id: int) -> tuple[dict, bool]:
    """A section of comments, one a line, and whether any were shortened or left out."""
    # One line each: a comment's own line breaks would read as another comment.
    flat = [escape(" ".join(c.split())) for c in comments]
    lines = [f"> {shorten(c, COMMENT_LENGTH)}" for c in flat]
    more = f"…and {{n}} more: run `meetup-bot feedback {meetup_id}` to read them all"
    text = lines_within(lines, SECTION_TEXT - len(heading) - 1, more)
    kept = sum(1 for line in text.split("\n") if line.startswith("> "))
    cut = kept < len(lines) or any(len(c) > COMMENT_LENGTH for c in flat)
    return section(f"{heading}\n{text}"), cut


def _figures(summary: FeedbackSummary) -> str:
    if summary.asked == 0:
        if summary.meetup.feedback_asked_at is None:
            return "Nobody has been asked yet: the people who checked in are asked the morning after the meetup."
        return "Nobody was asked: nobody had checked in."
    rate = summary.rate or 0
    lines = [
        f"*{summary.answers} of {plural(summary.asked, 'person', 'people')} asked answered* ({rate:.0%}).",
    ]
    if summary.average is not None:
        lines.append(f"*How useful:* {summary.average:.1f} out of 5 on average")
        lines += [f"{score} – {words}: {summary.counts[score]}" for score, words in reversed(USEFULNESS.items())]
    return "\n".join(lines)


def summary_blocks(summary: FeedbackSummary, tz: ZoneInfo) -> list[dict]:
    meetup = summary.meetup
    blocks = [
        section(f"*Feedback on {escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}"),
        section(_figures(summary)),
    ]
    if summary.sessions:
        lines = [f"{escape(title)}: {count}" for title, count in summary.sessions]
        more = f"…and {{n}} more: run `meetup-bot feedback {meetup.id}` to see them all"
        blocks.append(section("*Sessions that helped most*\n" + lines_within(lines, SECTION_TEXT - 40, more)))
    cut = False
    for heading, comments in (("*What worked*", summary.worked), ("*What to change*", summary.change)):
        if comments:
            block, shortened = _comments(heading, comments, meetup.id)
            blocks.append(block)
            cut = cut or shortened
    if cut:
        blocks.append(
            context(
                f"Some comments are shortened or left out to fit in Slack. To read every answer, run "
                f"`meetup-bot feedback {meetup.id}` where the bot runs: it prints them as CSV."
            )
        )
    return blocks
