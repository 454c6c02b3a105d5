"""Block Kit for topics and votes: the proposal modal, the topic cards and the ranking.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, plural
from bot.common.slack_limits import MESSAGE_TEXT_BUDGET, SECTION_TEXT, shorten
from bot.topics.topics import DESCRIPTION_LIMIT, TITLE_LIMIT, CarriedOver, RankedTopic, Ranking
from bot.topics.votes import base_emoji
from handlers.blocks.common import button, context, meetup_choice, plain, section, text_input
from storage.erasure import NO_NAME
from storage.models import Meetup, Topic

PROPOSE_CALLBACK = "propose_topic"
WITHDRAW_ACTION = "topic_withdraw"
HIDE_ACTION = "topic_hide"


# A message holds 50 blocks; leave room for the heading and the footer.
MAX_LISTED = 45
# A title or name in the ranking, after escaping.
RANKED_FIELD = 300


def vote_emoji_text(vote_emoji: Iterable[str]) -> str:
    names = list(dict.fromkeys(f":{base_emoji(e)}:" for e in vote_emoji))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def topic_link(topic: Topic) -> str:
    title = escape(topic.title)
    # Inside <url|text> a `|` is Slack's separator: show a title's own as ¦.
    return f"<{topic.permalink}|{title.replace('|', '¦')}>" if topic.permalink else f"*{title}*"


def chunks(lines: list[str], limit: int = 2900) -> list[str]:
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


def propose_modal(meetups: list[Meetup], tz: ZoneInfo, *, channel_id: str, proposer_name: str) -> dict:
    if len(meetups) == 1:
        meetup = meetups[0]
        intro = (
            f"Suggest something to talk about in the discussion sessions at *{escape(meetup.title)}*, "
            f"{format_date(meetup.starts_at, tz)}."
        )
    else:
        intro = "Suggest something to talk about in the discussion sessions at a meetup."
    intro += (
        f" Your topic is posted in <#{channel_id}> with your name, and everyone votes by reacting to it. "
        "The topics with the most votes get a room and a time."
    )
    blocks = [section(intro)]
    if len(meetups) > 1:
        blocks.append(meetup_choice(meetups, tz))
    blocks += [
        text_input(
            "title", "Topic title", max_length=TITLE_LIMIT, hint="For example: Publishing code in the open safely"
        ),
        text_input(
            "description",
            "Description",
            optional=True,
            multiline=True,
            max_length=DESCRIPTION_LIMIT,
            hint="What you would like to talk about, and who it is for.",
        ),
        {
            "type": "input",
            "block_id": "would_lead",
            "label": plain("Would you lead the session?"),
            "hint": plain("Leading means starting the conversation and keeping it going. You do not need slides."),
            "element": {
                "type": "radio_buttons",
                "action_id": "value",
                "options": [
                    {"text": plain("Yes, I will lead it"), "value": "yes"},
                    {"text": plain("No, I would like someone else to lead it"), "value": "no"},
                ],
            },
        },
    ]
    return {
        "type": "modal",
        "callback_id": PROPOSE_CALLBACK,
        "title": plain("Propose a topic"),
        "submit": plain("Propose topic"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps(
            {"meetup_id": meetups[0].id if len(meetups) == 1 else None, "name": proposer_name[:200]}
        ),
        "blocks": blocks,
    }


def _proposed_by(topic: Topic) -> str:
    who = "who will lead it" if topic.would_lead else "who would like someone else to lead it"
    return f"Proposed by {escape(topic.proposer_name)}, {who}."


def topic_card(
    topic: Topic, meetup: Meetup, tz: ZoneInfo, vote_emoji: Iterable[str], *, carried_from: str | None = None
) -> tuple[str, list[dict]]:
    """The card posted to the channel: (fallback text, blocks)."""
    text = f"*{escape(topic.title)}*"
    if topic.description:
        text += f"\n{escape(topic.description)}"
    about = f"For *{escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}."
    if topic.proposer_name != NO_NAME:  # once forgotten or purged, the card names nobody
        about = f"{_proposed_by(topic)} {about}"
    if carried_from:
        about += f" Carried over from *{escape(carried_from)}*."
    blocks = [
        section(text),
        context(about),
        section(f"React with {vote_emoji_text(vote_emoji)} to vote."),
        {
            "type": "actions",
            "elements": [
                button("Withdraw topic", WITHDRAW_ACTION, str(topic.id)),
                button("Hide topic", HIDE_ACTION, str(topic.id)),
            ],
        },
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
    text = (
        f"*{escape(carried.old.title)}*\nThis topic did not fit in the sessions at "
        f"*{escape(carried.from_meetup.title)}*. It is on the list for *{escape(carried.to_meetup.title)}*: "
        f"vote for it there on {where}."
    )
    return f"Topic moved to {escape(carried.to_meetup.title)}: {escape(carried.old.title)}", [section(text)]


def carried_dm(carried: CarriedOver, tz: ZoneInfo, new_permalink: str | None) -> list[dict]:
    card = f": <{new_permalink}|see its new card>" if new_permalink else ""
    return [
        section(
            f"Your topic *{escape(carried.old.title)}* did not fit in the sessions at "
            f"*{escape(carried.from_meetup.title)}*. It is now on the list for *{escape(carried.to_meetup.title)}*, "
            f"{format_date(carried.to_meetup.starts_at, tz)}, and its votes start again from zero{card}."
        )
    ]


def proposal_failed_dm() -> list[dict]:
    return [
        section(
            "Your topic could not be posted to the meetup channel, so it has not been saved. "
            "Try again with `/meetup propose` in a few minutes."
        )
    ]


def votes_words(votes: int, with_a_place: int) -> str:
    """A topic's votes and how many came from people with a place, reading
    right for none, one and many: "2 votes (none from people with a place)",
    "3 votes, 1 from someone with a place"."""
    if votes == 0:
        return "No votes yet"
    if with_a_place == 0:
        return (
            "1 vote (not from anyone with a place)" if votes == 1 else f"{votes} votes (none from people with a place)"
        )
    if with_a_place >= votes:
        return "1 vote, from someone with a place" if votes == 1 else f"{votes} votes, all from people with a place"
    who = "someone" if with_a_place == 1 else "people"
    return f"{votes} votes, {with_a_place} from {who} with a place"


def _ranked_line(position: int, ranked: RankedTopic) -> str:
    topic = ranked.topic
    # Shortened before the link is built, so a cut never breaks <url|title>.
    title = shorten(escape(topic.title), RANKED_FIELD).replace("|", "¦")
    link = f"<{topic.permalink}|{title}>" if topic.permalink else f"*{title}*"
    who = "who will lead it" if topic.would_lead else "who would like someone else to lead it"
    votes = votes_words(ranked.votes, len(ranked.confirmed_voters))
    line = f"*{position}.* {link}\n{votes}. Proposed by {shorten(escape(topic.proposer_name), RANKED_FIELD)}, {who}."
    if ranked.carried_from:
        line += f" Carried over from *{shorten(escape(ranked.carried_from), RANKED_FIELD)}*."
    return line


def ranking_blocks(
    ranking: Ranking, tz: ZoneInfo, vote_emoji: Iterable[str], channel_id: str, *, others: Sequence[Meetup] = ()
) -> list[dict]:
    meetup = ranking.meetup
    heading = f"*Topics for {shorten(escape(meetup.title), RANKED_FIELD)}*, {format_date(meetup.starts_at, tz)}"
    later = " ".join(f"`/meetup topics {m.id}` for {shorten(escape(m.title), RANKED_FIELD)}." for m in others[:3])
    if len(others) > 3:
        later += f" {plural(len(others) - 3, 'more meetup')} also take topics: `/meetup list` shows them."
    if not ranking.topics:
        blocks = [section(f"{heading}\nNobody has proposed a topic yet. Use `/meetup propose` to suggest one.")]
        return blocks + ([context(later)] if later else [])
    blocks = [section(f"{heading}\n{plural(len(ranking.topics), 'topic')}, most votes first.")]
    # As many as fit in one message: at most MAX_LISTED blocks, and the
    # characters Slack takes in one message's blocks.
    room = MESSAGE_TEXT_BUDGET - 2 * SECTION_TEXT
    for position, ranked in enumerate(ranking.topics[:MAX_LISTED], start=1):
        line = _ranked_line(position, ranked)
        room -= len(line)
        if room < 0:
            break
        blocks.append(section(line))
    shown = len(blocks) - 1
    footer = f"Vote by reacting with {vote_emoji_text(vote_emoji)} to a topic's card in <#{channel_id}>."
    if shown < len(ranking.topics):
        footer = f"Showing the top {shown}, and {len(ranking.topics) - shown} more have fewer votes. " + footer
    blocks.append(context(f"{footer} {later}".strip()))
    return blocks
