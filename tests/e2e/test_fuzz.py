"""Generated payloads thrown at /slack/events: never a 500, never stored junk.

Each request is correctly signed, so it gets past the signature check and
reaches the listeners, which is where malformed input could do harm.
"""

import json
import string
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.signups.eligibility import ROLES
from bot.signups.signups import LIMITS
from storage.models import STATUSES, Registration
from tests.support.factories import make_meetup

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
ids = st.one_of(st.sampled_from(["U0ADA", "U0ORGANISER"]), st.sampled_from(["", "x" * 40]), text)
good_ids = st.sampled_from(["U0ADA", "U0ORGANISER"])
triggers = st.uuids().map(lambda u: f"trigger-{u.hex}")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
subcommands = st.sampled_from(["signup", "cancel", "list", "help", "list 1", "list x", "", "SIGNUP", "dance"])
# Command text as people type it: a real subcommand, then arguments that look
# like ids (other scripts' digits, superscripts, too many digits) or anything.
id_like = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=12),
    st.sampled_from(["²", "①", "٣", "１", "99999999999999999999", "2147483648", "0", "-1"]),
    text,
)
command_texts = st.builds(
    lambda name, words: " ".join([name, *words]),
    st.sampled_from(
        [
            "signup",
            "cancel",
            "list",
            "help",
            "propose",
            "topics",
            "subscribe",
            "new",
            "edit",
            "announce",
            "export",
            "schedule",
            "forget",
            "privacy",
            "mydata",
            "unsubscribe",
            "stats",
            "recount",
        ]
    ),
    st.lists(id_like, max_size=3),
)

slash_commands = st.fixed_dictionaries(
    {
        "command": st.sampled_from(["/meetup", "/meetup", "/other"]),
        "user_id": st.one_of(good_ids, ids),
        "trigger_id": st.one_of(triggers, text),
        "channel_id": ids,
        "team_id": ids,
        "text": st.one_of(subcommands, subcommands, text, command_texts, command_texts),
    },
    optional={"response_url": st.just("http://127.0.0.1:9/nowhere")},
)


def state_values():
    field = st.fixed_dictionaries(
        {
            "value": st.fixed_dictionaries(
                {"type": st.sampled_from(["plain_text_input", "radio_buttons", "static_select", "odd"])},
                optional={
                    "value": st.one_of(text, st.none(), st.integers()),
                    "selected_option": st.one_of(st.none(), st.fixed_dictionaries({"value": text}), json_values),
                },
            )
        }
    )
    blocks = st.sampled_from(
        ["full_name", "organisation", "role", "government_team", "dietary_needs", "access_needs", "meetup", "other"]
    )
    return st.dictionaries(blocks, st.one_of(field, json_values), max_size=8)


view_submissions = st.fixed_dictionaries(
    {
        "type": st.just("view_submission"),
        "user": st.one_of(st.fixed_dictionaries({"id": good_ids}), st.fixed_dictionaries({"id": ids}), json_values),
        "view": st.fixed_dictionaries(
            {
                "type": st.sampled_from(["modal", "modal", "home", ""]),
                "callback_id": st.sampled_from(["signup", "other"]),
                "state": st.one_of(st.fixed_dictionaries({"values": state_values()}), json_values),
            },
            optional={
                "private_metadata": st.one_of(
                    text, st.just('{"meetup_id": 1, "email": "a@justice.gov.uk"}'), st.builds(json.dumps, json_values)
                ),
                "id": text,
            },
        ),
    },
    optional={"team": json_values, "trigger_id": text},
)

block_actions = st.fixed_dictionaries(
    {
        "type": st.just("block_actions"),
        "user": st.one_of(st.fixed_dictionaries({"id": good_ids}), st.fixed_dictionaries({"id": ids}), json_values),
        "actions": st.lists(
            st.fixed_dictionaries(
                {
                    "action_id": st.sampled_from(["open_signup", "cancel_place", "other"]),
                    "value": st.one_of(text, st.sampled_from(["1", "0", "-1", "99999999999999999999"])),
                }
            ),
            min_size=1,
            max_size=2,
        ),
    },
    optional={
        "trigger_id": st.one_of(triggers, text),
        "response_url": st.just("http://127.0.0.1:9/nowhere"),
        "team": json_values,
    },
)

events = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["event_callback", "url_verification", "app_rate_limited", "odd"]),
        "event": json_values,
    },
    optional={"challenge": text, "event_id": text, "team_id": ids, "token": text},
)


def body_for(kind, data) -> tuple[bytes, str]:
    if kind == "command":
        return urllib.parse.urlencode(data).encode(), "application/x-www-form-urlencoded"
    if kind == "interaction":
        return urllib.parse.urlencode({"payload": json.dumps(data)}).encode(), "application/x-www-form-urlencoded"
    if kind == "event":
        return json.dumps(data).encode(), "application/json"
    return data, "application/x-www-form-urlencoded"


requests = st.one_of(
    st.tuples(st.just("command"), slash_commands),
    st.tuples(st.just("interaction"), view_submissions),
    st.tuples(st.just("interaction"), block_actions),
    st.tuples(st.just("interaction"), json_values),
    st.tuples(st.just("event"), events),
    st.tuples(st.just("raw"), st.binary(max_size=300)),
    st.tuples(st.just("raw"), st.text(alphabet=string.printable, max_size=200).map(str.encode)),
)


# The app's own retry jitter uses `random` in the server threads, which
# Hypothesis notices; it does not affect what is generated.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_generated_payloads_get_no_500_and_store_no_junk(sqlite_bot):
    bot = sqlite_bot
    bot.fake.add_user("U0ADA", real_name="Ada Lovelace", email="ada@justice.gov.uk")
    bot.fake.single_use_triggers = False
    make_meetup(bot.db, now=bot.clock())

    @settings(
        max_examples=500,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requests)
    def check(request):
        kind, data = request
        body, content_type = body_for(kind, data)
        reply = bot.slack.post(body, content_type)
        assert reply.status < 500, (kind, data, reply.body)

    check()

    with bot.db.read() as session:
        for registration in session.query(Registration):
            assert registration.status in STATUSES
            assert registration.role in ROLES
            assert registration.full_name.strip() and registration.organisation.strip()
            for field, limit in LIMITS.items():
                assert len(getattr(registration, field)) <= limit


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
def test_generated_command_text_gets_no_500(sqlite_bot):
    """`/meetup` followed by generated words, from an organiser (who may use
    every subcommand) and from someone else: ids in other scripts' digits,
    superscripts or past the id column's range get an answer, not a 500."""
    bot = sqlite_bot
    bot.fake.add_user("U0ADA", real_name="Ada Lovelace", email="ada@justice.gov.uk")
    bot.fake.single_use_triggers = False
    make_meetup(bot.db, now=bot.clock())

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(command_texts, good_ids)
    def check(command_text, user_id):
        reply = bot.slack.command(command_text, user_id=user_id)
        assert reply.status < 500, (command_text, reply.body)

    check()
