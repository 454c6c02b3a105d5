"""What the bot posted to the fake Slack: direct messages, channel posts and the calendar files it shared."""

from __future__ import annotations

import time

from icalendar import Calendar

from tests.support.app import CHANNEL
from tests.support.blocks import block_texts


def dms_to(fake, user_id) -> list[dict]:
    """Messages the bot posted into its direct message with this person."""
    return [c.args for c in fake.calls_to("chat.postMessage") if fake.is_dm_with(c.args.get("channel"), user_id)]


def dm_saying(fake, user_id, words, timeout=5.0):
    """Wait for a direct message to this person containing these words: the
    bot sends them after its ack, from another thread, in no fixed order."""
    deadline = time.monotonic() + timeout
    while True:
        found = [dm for dm in dms_to(fake, user_id) if words in block_texts(dm.get("blocks"))]
        if found:
            return found[-1]
        assert time.monotonic() < deadline, f"no message to {user_id} saying {words!r}: {dms_to(fake, user_id)}"
        time.sleep(0.02)


def dm_posts(fake, user_id=None):
    """chat.postMessage calls into direct messages (channel D…), per Slack."""
    calls = [c for c in fake.calls_to("chat.postMessage") if fake.is_dm_with(c.args.get("channel"))]
    if user_id is not None:
        calls = [c for c in calls if fake.is_dm_with(c.args["channel"], user_id)]
    return calls


def channel_posts(fake, channel=CHANNEL):
    return [c for c in fake.calls_to("chat.postMessage") if c.args.get("channel") == channel]


def calendar_files(fake, user_id) -> list[Calendar]:
    """The calendar files shared into the direct message with this person, oldest first."""
    channel = fake.dm_channel(user_id)
    return [
        Calendar.from_ical(fake.uploads[file_id])
        for share in fake.file_shares
        if share["channel"] == channel
        for file_id in share["file_ids"]
    ]


def event_of(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event
