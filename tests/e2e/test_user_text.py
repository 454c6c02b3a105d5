"""User text is data: whatever a person types, the bot never posts it as a
mention or a link. Every path that echoes typed text is driven with Slack's
control sequences, and every message and view the bot sent is checked."""

from tests.support.app import CHANNEL, ORGANISER
from tests.support.organising import create_meetup_in_modal, eventually, meetup_id_of, open_home, sign_up_from_card
from tests.support.topics import propose

EVIL = ["<!channel>", "<!here>", "<@U0ORGANISER>", "<https://evil.example|click>"]
TEXT = " ".join(EVIL) + " & more"


def mrkdwn_strings(value, *, top_level_text: bool = False) -> list[str]:
    """Every string Slack would read as mrkdwn: mrkdwn text objects, and the
    `text` of a message (its notification and fallback)."""
    found = []
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            found.append(value["text"])
        if top_level_text and isinstance(value.get("text"), str):
            found.append(value["text"])
        for child in value.values():
            found += mrkdwn_strings(child)
    elif isinstance(value, list):
        for child in value:
            found += mrkdwn_strings(child)
    return found


def test_control_sequences_typed_anywhere_are_posted_as_text(bot):
    fake = bot.fake
    fake.add_user("U0ADA", real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    fake.add_user("U0SAM", real_name="Sam Contractor", email="sam@contractor.example")
    acks = []

    posted, _ = create_meetup_in_modal(
        bot,
        title="Meetup " + TEXT[:60],
        venue="Room " + TEXT,
        host_organisation=TEXT[:100],
        description=TEXT,
        agenda="<!channel> talk & more | <!here> | <@U0ORGANISER>",
    )
    meetup_id_of(posted)
    sign_up_from_card(
        bot,
        "U0ADA",
        {
            "full_name": "Ada " + TEXT,
            "organisation": TEXT,
            "role": "civil_servant",
            "dietary_needs": TEXT,
            "needs_consent": "yes",
        },
        posted,
    )
    sign_up_from_card(
        bot,
        "U0SAM",
        {"full_name": "Sam " + TEXT, "organisation": TEXT, "role": "contractor", "government_team": TEXT},
        posted,
    )
    eventually(lambda: [m for m in fake.messages(fake.dm_channel(ORGANISER)) if "asked for a place" in str(m)])
    propose(bot, "U0ADA", "Topic " + TEXT[:100], description=TEXT)

    for user, words in (
        (ORGANISER, "list"),
        ("U0ADA", "mydata"),
        ("U0ADA", "topics"),
        (ORGANISER, "topics"),
        ("U0ADA", "cancel"),
        (ORGANISER, "stats"),
    ):
        acks.append(bot.slack.command(words, user_id=user).message())
    open_home(bot, ORGANISER)
    open_home(bot, "U0SAM")

    sent = [c for c in fake.calls if c.method.startswith(("chat.", "views."))]
    assert len(sent) > 10
    texts = []
    for call in sent:
        texts += mrkdwn_strings(call.args, top_level_text=call.method.startswith("chat."))
    for reply in acks + [r["body"] for r in fake.responses]:
        texts += mrkdwn_strings(reply, top_level_text=True)
    assert any("&lt;!channel&gt;" in t for t in texts)  # the text did reach the messages, escaped
    leaks = [t for t in texts for evil in EVIL if evil in t]
    assert leaks == []
    assert all("<!channel>" not in m.get("text", "") for m in fake.messages(CHANNEL))
