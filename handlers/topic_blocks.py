"""Block Kit for topics, votes and the session grid: pure functions.

Titles, descriptions, names and room names are typed by people: every one
goes through `escape`, in `text` fallbacks too (Slack reads mrkdwn there as
well, so an unescaped `<!channel>` in a notification would ping everyone).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_time, format_when, plural
from bot.topics.grid import ROOM_EXAMPLE, SLOT_EXAMPLE
from bot.topics.sessions import PlacedSession, ScheduleOutcome
from bot.topics.topics import DESCRIPTION_LIMIT, TITLE_LIMIT, CarriedOver, Ranking, RankedTopic
from bot.topics.votes import base_emoji
from handlers.blocks import button, context, plain, section
from storage.models import Meetup, Topic

PROPOSE_CALLBACK = "propose_topic"
SCHEDULE_CALLBACK = "build_schedule"
WITHDRAW_ACTION = "topic_withdraw"
HIDE_ACTION = "topic_hide"

# A message holds 50 blocks; leave room for the heading and the footer.
MAX_LISTED = 45


def vote_emoji_text(vote_emoji: Iterable[str]) -> str:
    names = list(dict.fromkeys(f":{base_emoji(e)}:" for e in vote_emoji))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _meetup_choice(meetups: list[Meetup], tz: ZoneInfo) -> dict:
    options = [{"text": plain(f"{m.title[:40]}, {format_date(m.starts_at, tz)}"[:75]), "value": str(m.id)}
               for m in meetups[:100]]
    return {"type": "input", "block_id": "meetup", "label": plain("Which meetup"),
            "element": {"type": "static_select", "action_id": "value",
                        "placeholder": plain("Choose a meetup"), "options": options}}


def _text_input(block_id: str, label: str, *, hint: str, optional: bool = False, multiline: bool = False,
                max_length: int = 150, initial: str = "") -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
    return {"type": "input", "block_id": block_id, "optional": optional,
            "label": plain(label + (" (optional)" if optional else "")), "element": element, "hint": plain(hint)}


def _link(topic: Topic) -> str:
    title = escape(topic.title)
    # Inside <url|text> a `|` is Slack's separator: show a title's own as ¦.
    return f"<{topic.permalink}|{title.replace('|', '¦')}>" if topic.permalink else f"*{title}*"


def _chunks(lines: list[str], limit: int = 2900) -> list[str]:
    """Lines joined into texts that each fit in a section (3,000 characters)."""
    texts, current = [], ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


# Proposing --------------------------------------------------------------------


def propose_modal(meetups: list[Meetup], tz: ZoneInfo, *, channel_id: str, proposer_name: str) -> dict:
    if len(meetups) == 1:
        meetup = meetups[0]
        intro = (f"Suggest something to talk about in the discussion sessions at *{escape(meetup.title)}*, "
                 f"{format_date(meetup.starts_at, tz)}.")
    else:
        intro = "Suggest something to talk about in the discussion sessions at a meetup."
    intro += (f" Your topic is posted in <#{channel_id}> with your name, and everyone votes by reacting to it. "
              "The topics with the most votes get a room and a time.")
    blocks = [section(intro)]
    if len(meetups) > 1:
        blocks.append(_meetup_choice(meetups, tz))
    blocks += [
        _text_input("title", "Topic title", max_length=TITLE_LIMIT,
                    hint="For example: Publishing code in the open safely"),
        _text_input("description", "Description", optional=True, multiline=True, max_length=DESCRIPTION_LIMIT,
                    hint="What you would like to talk about, and who it is for."),
        {"type": "input", "block_id": "would_lead", "label": plain("Would you lead the session?"),
         "hint": plain("Leading means starting the conversation and keeping it going. You do not need slides."),
         "element": {"type": "radio_buttons", "action_id": "value", "options": [
             {"text": plain("Yes, I will lead it"), "value": "yes"},
             {"text": plain("No, I would like someone else to lead it"), "value": "no"},
         ]}},
    ]
    return {
        "type": "modal",
        "callback_id": PROPOSE_CALLBACK,
        "title": plain("Propose a topic"),
        "submit": plain("Propose topic"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"meetup_id": meetups[0].id if len(meetups) == 1 else None,
                                        "name": proposer_name[:200]}),
        "blocks": blocks,
    }


def _proposed_by(topic: Topic) -> str:
    who = "who will lead it" if topic.would_lead else "who would like someone else to lead it"
    return f"Proposed by {escape(topic.proposer_name)}, {who}."


def topic_card(topic: Topic, meetup: Meetup, tz: ZoneInfo, vote_emoji: Iterable[str], *,
               carried_from: str | None = None) -> tuple[str, list[dict]]:
    """The card posted to the channel: (fallback text, blocks)."""
    text = f"*{escape(topic.title)}*"
    if topic.description:
        text += f"\n{escape(topic.description)}"
    about = f"{_proposed_by(topic)} For *{escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}."
    if carried_from:
        about += f" Carried over from *{escape(carried_from)}*."
    blocks = [
        section(text),
        context(about),
        section(f"React with {vote_emoji_text(vote_emoji)} to vote."),
        {"type": "actions", "elements": [
            button("Withdraw topic", WITHDRAW_ACTION, str(topic.id)),
            button("Hide topic", HIDE_ACTION, str(topic.id)),
        ]},
        context("Only the person who proposed a topic can withdraw it. Organisers can hide topics."),
    ]
    return f"Topic proposed: {escape(topic.title)}", blocks


def withdrawn_card(topic: Topic) -> tuple[str, list[dict]]:
    text = f"*{escape(topic.title)}*\nWithdrawn by the person who proposed it. Votes on it no longer count."
    return f"Topic withdrawn: {escape(topic.title)}", [section(text)]


def hidden_card() -> tuple[str, list[dict]]:
    text = "An organiser has hidden this topic. Votes on it no longer count."
    return text, [section(text)]


def carried_card(carried: CarriedOver, new_permalink: str | None) -> tuple[str, list[dict]]:
    where = f"<{new_permalink}|its new card>" if new_permalink else "its new card"
    text = (f"*{escape(carried.old.title)}*\nThis topic did not fit in the sessions at "
            f"*{escape(carried.from_meetup.title)}*. It is on the list for *{escape(carried.to_meetup.title)}*: "
            f"vote for it there on {where}.")
    return f"Topic moved to {escape(carried.to_meetup.title)}: {escape(carried.old.title)}", [section(text)]


def carried_dm(carried: CarriedOver, tz: ZoneInfo, new_permalink: str | None) -> list[dict]:
    card = f": <{new_permalink}|see its new card>" if new_permalink else ""
    return [section(
        f"Your topic *{escape(carried.old.title)}* did not fit in the sessions at "
        f"*{escape(carried.from_meetup.title)}*. It is now on the list for *{escape(carried.to_meetup.title)}*, "
        f"{format_date(carried.to_meetup.starts_at, tz)}, and its votes start again from zero{card}.")]


def proposal_failed_dm() -> list[dict]:
    return [section("Your topic could not be posted to the meetup channel, so it has not been saved. "
                    "Try again with `/meetup propose` in a few minutes.")]


# The ranking ----------------------------------------------------------------------


def _ranked_line(position: int, ranked: RankedTopic) -> str:
    votes = f"{plural(ranked.votes, 'vote')}, {len(ranked.confirmed_voters)} from people with a place"
    line = f"*{position}.* {_link(ranked.topic)}\n{votes}. {_proposed_by(ranked.topic)}"
    if ranked.carried_from:
        line += f" Carried over from *{escape(ranked.carried_from)}*."
    return line


def ranking_blocks(ranking: Ranking, tz: ZoneInfo, vote_emoji: Iterable[str], channel_id: str, *,
                   others: list[Meetup] = ()) -> list[dict]:
    meetup = ranking.meetup
    heading = f"*Topics for {escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}"
    later = " ".join(f"`/meetup topics {m.id}` for {escape(m.title)}." for m in others[:3])
    if not ranking.topics:
        blocks = [section(f"{heading}\nNobody has proposed a topic yet. Use `/meetup propose` to suggest one.")]
        return blocks + ([context(later)] if later else [])
    blocks = [section(f"{heading}\n{plural(len(ranking.topics), 'topic')}, most votes first.")]
    blocks += [section(_ranked_line(i, r)[:3000]) for i, r in enumerate(ranking.topics[:MAX_LISTED], start=1)]
    footer = f"Vote by reacting with {vote_emoji_text(vote_emoji)} to a topic's card in <#{channel_id}>."
    if len(ranking.topics) > MAX_LISTED:
        footer = f"Showing the top {MAX_LISTED}. " + footer
    blocks.append(context(f"{footer} {later}".strip()))
    return blocks


# The session grid -------------------------------------------------------------------


def schedule_modal(meetups: list[Meetup], tz: ZoneInfo, *, channel_id: str, rooms: str = "",
                   slots: str = "") -> dict:
    intro = ("Topics with the most votes are placed first, each in the time slot where the fewest of its "
             f"voters have another session. The grid is posted in <#{channel_id}>, and each session lead "
             "gets a message with their room and time.")
    if rooms:
        intro += " Sessions already in the grid stay where they are if their room and time slot are still here."
    blocks = [section(intro)]
    if len(meetups) > 1:
        blocks.append(_meetup_choice(meetups, tz))
    blocks += [
        _text_input("rooms", "Rooms", multiline=True, max_length=2000, initial=rooms,
                    hint=f"One a line: the room's name, a comma and how many people it holds. "
                         f"For example: {ROOM_EXAMPLE}"),
        _text_input("slots", "Time slots", multiline=True, max_length=1000, initial=slots,
                    hint=f"One a line, for example: {SLOT_EXAMPLE}"),
    ]
    return {
        "type": "modal",
        "callback_id": SCHEDULE_CALLBACK,
        "title": plain("Session grid"),
        "submit": plain("Build and post the grid"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"meetup_id": meetups[0].id if len(meetups) == 1 else None}),
        "blocks": blocks,
    }


def _lead_words(placed: PlacedSession) -> str:
    if placed.lead:
        return f"led by {escape(placed.topic.topic.proposer_name)}"
    return "needs someone to lead it"


def grid_blocks(outcome: ScheduleOutcome, tz: ZoneInfo) -> tuple[str, list[dict]]:
    meetup = outcome.meetup
    heading = "Updated discussion sessions" if outcome.rerun else "Discussion sessions"
    fallback = f"{heading} at {escape(meetup.title)}"
    blocks = [section(f"*{heading} at {escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}")]
    for slot in outcome.slots:
        lines = [f"*{format_time(slot.starts_at, tz)} to {format_time(slot.ends_at, tz)}*"]
        here = [s for s in outcome.sessions if s.placement.slot == slot]
        lines += [f"• *{escape(s.placement.room.name)}* ({plural(s.placement.room.capacity, 'place')}): "
                  f"{_link(s.topic.topic)}, {_lead_words(s)}" for s in here]
        if not here:
            lines.append("No sessions.")
        blocks += [section(text) for text in _chunks(lines)]
    if outcome.unplaced:
        lines = ["*Did not fit*"]
        lines += [f"• {_link(r.topic)} ({plural(r.votes, 'vote')})" for r in outcome.unplaced[:20]]
        if len(outcome.unplaced) > 20:
            lines.append(f"and {len(outcome.unplaced) - 20} more")
        blocks += [section(text) for text in _chunks(lines)]
        blocks.append(context("Topics that did not fit are offered at the next meetup, with their votes "
                              "starting again from zero."))
    return fallback, blocks[:50]


def grid_summary(outcome: ScheduleOutcome, channel_id: str) -> str:
    text = (f"The grid for *{escape(outcome.meetup.title)}* is posted in <#{channel_id}>: "
            f"{plural(len(outcome.sessions), 'session')}, "
            f"{plural(len(outcome.unplaced), 'topic')} did not fit. ")
    if outcome.clashes.everyone:
        text += (f"{plural(outcome.clashes.everyone, 'clash', 'clashes')} remain where someone voted for two "
                 f"sessions at the same time ({outcome.clashes.confirmed} for people with a place).")
    else:
        text += "Nobody who voted has two of their sessions at the same time."
    return text


def session_dm(placed: PlacedSession, meetup: Meetup, tz: ZoneInfo, *, moved: bool) -> list[dict]:
    title = f"*{escape(placed.topic.topic.title)}*"
    slot = placed.placement.slot
    if placed.lead:
        first = f"Your session {title} has moved." if moved else f"You are leading {title} at *{escape(meetup.title)}*."
    else:
        first = (f"Your topic {title} {'has moved' if moved else 'has a session'} at *{escape(meetup.title)}*. "
                 "Nobody has said they will lead it yet: lead it yourself, or find someone who will.")
    return [section(f"{first}\n*Where:* {escape(placed.placement.room.name)}\n"
                    f"*When:* {format_when(slot.starts_at, slot.ends_at, tz)}")]


def dropped_dm(topic: Topic, meetup: Meetup) -> list[dict]:
    return [section(f"Your topic *{escape(topic.title)}* no longer has a session at *{escape(meetup.title)}*: "
                    "the organisers have built the grid again and it did not fit.")]
