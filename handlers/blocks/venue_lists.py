"""The venue list, the catering and access list, the final list and the
change lists, as the organisers see them. A list too long for a message
goes as a CSV file with it: never cut."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, plural
from bot.common.slack_limits import SECTION_TEXT
from bot.signups.export import Catering, build_venue_csv, filename, write_csv
from bot.signups.venue_lists import Changes, Message
from handlers.blocks.common import context, section
from storage.models import Meetup, Registration

# Room left in a section for the sentence around a list.
_LIST_ROOM = SECTION_TEXT - 500


def _counts(title: str, counts: list[tuple[str, int]]) -> str:
    if not counts:
        return f"*{title}:* none given"
    return f"*{title}:*\n" + "\n".join(f"{escape(need)}: {count}" for need, count in counts)


def catering_text(needs: Catering) -> str:
    """The catering and access list: counts, and no names."""
    return "\n".join(
        [
            _counts("Dietary needs", needs.dietary),
            _counts("Access needs", needs.access),
            "Counts only: nobody is named. Share the dietary counts with the caterers "
            "and the access needs with the venue, without saying who they are.",
        ]
    )


def catering_attachment(meetup: Meetup, needs: Catering, tz: ZoneInfo) -> dict:
    rows = [("Dietary", need, str(n)) for need, n in needs.dietary]
    rows += [("Access", need, str(n)) for need, n in needs.access]
    return {
        "filename": filename(meetup, tz, "catering-and-access"),
        "content": write_csv(("Need", "As written", "People"), rows),
        "title": f"Catering and access: {meetup.title}"[:250],
    }


def catering_message(meetup: Meetup, needs: Catering, tz: ZoneInfo) -> Message:
    """The catering and access list for `/meetup export`, as a direct message."""
    heading = (
        f"*Catering and access list* for *{escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}: "
        f"{plural(needs.people, 'person', 'people')} with a place. For organisers only: do not send it to the "
        "building's security desk."
    )
    body = catering_text(needs)
    if len(body) <= _LIST_ROOM:
        return [section(heading), section(body)], f"Catering and access list: {meetup.title}", None
    more = "The needs are too many to show here: they are in the attached file, as counts, with no names."
    attachment = catering_attachment(meetup, needs, tz)
    return [section(heading), section(more)], f"Catering and access list: {meetup.title}", attachment


def venue_attachment(meetup: Meetup, confirmed: list[Registration], columns: Sequence[str], tz: ZoneInfo) -> dict:
    return {
        "filename": filename(meetup, tz, "final-visitor-list"),
        "content": build_venue_csv(confirmed, columns),
        "title": f"Final visitor list: {meetup.title}"[:250],
    }


def final_list_message(
    meetup: Meetup, confirmed: list[Registration], needs: Catering, *, columns: Sequence[str], tz: ZoneInfo
) -> Message:
    """The final list: the venue list as a file, and the catering counts."""
    when = format_date(meetup.starts_at, tz)
    title = escape(meetup.title)
    if not confirmed:
        text = f"*Final visitor list* for *{title}*, {when}: nobody has a place, so there is no list to send."
        return [section(text)], f"Final visitor list: {meetup.title}", None
    blocks = [
        section(
            f"*Final visitor list* for *{title}*, {when}: {plural(len(confirmed), 'person', 'people')} with a place. "
            "Send the attached file to the building's security desk. From now on, changes come here as short "
            "change lists."
        ),
        section(catering_text(needs)),
        context("The file holds personal data. The bot deletes it from Slack after the meetup."),
    ]
    return blocks, f"Final visitor list: {meetup.title}", venue_attachment(meetup, confirmed, columns, tz)


def _person(name: str, organisation: str) -> str:
    return f"{name} ({organisation})" if organisation else name


def change_sentence(changes: Changes) -> str:
    """ "Add Ann Lee (Cabinet Office), remove Priya Shah (HMRC)" """
    parts = [f"add {_person(r.full_name, r.organisation)}" for r in changes.added]
    parts += [f"remove {_person(e.full_name, e.organisation)}" for e in changes.removed]
    sentence = ", ".join(parts)
    return sentence[:1].upper() + sentence[1:]


def change_list_message(meetup: Meetup, changes: Changes, confirmed: int, *, tz: ZoneInfo) -> Message:
    heading = (
        f"*Change to the visitor list* for *{escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}, "
        f"since the last list ({plural(confirmed, 'person', 'people')} with a place now). "
        "Pass this on to the building's security desk."
    )
    sentence = change_sentence(changes)
    fallback = f"Change to the visitor list: {meetup.title}"
    if len(sentence) <= _LIST_ROOM:
        return [section(heading), section(escape(sentence) + ".")], fallback, None
    rows = [("Add", r.full_name, r.organisation) for r in changes.added]
    rows += [("Remove", e.full_name, e.organisation) for e in changes.removed]
    attachment = {
        "filename": filename(meetup, tz, "visitor-list-changes"),
        "content": write_csv(("Change", "Full name", "Organisation"), rows),
        "title": f"Visitor list changes: {meetup.title}"[:250],
    }
    more = (
        f"{plural(len(changes.added), 'person', 'people')} to add and "
        f"{plural(len(changes.removed), 'person', 'people')} to remove: "
        "too many to show here, so they are in the attached file."
    )
    return [section(heading), section(more)], fallback, attachment
