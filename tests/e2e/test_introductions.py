"""Introductions end to end: people opt in on the sign-up form, vote on
topics, and a set time before the meetup the worker introduces them in
group direct messages, through the fake Slack, on both databases."""

from __future__ import annotations

from datetime import timedelta

from bot.introductions.introductions import describe_plan, queue_due_introductions
from bot.meetups.meetups import all_meetups
from handlers.blocks.introductions import QUESTION, introduction_message
from storage.models import DELIVERY_CANCELLED, DELIVERY_SENT, IntroductionConsent
from tests.support.app import ORGANISER, PSEUDONYM_KEY
from tests.support.blocks import block_texts
from tests.support.organising import create_meetup_in_modal, eventually, open_home, opened_view, sign_up_from_card
from tests.support.processes import run
from tests.support.reminders import deliveries, worker_for
from tests.support.topics import propose, react

# Six people from four organisations who ask for introductions, and one who does not.
PEOPLE = {
    "U0AMY": ("Amy Adams", "amy@digital.cabinet-office.gov.uk", "Cabinet Office"),
    "U0ANN": ("Ann Avery", "ann@digital.cabinet-office.gov.uk", "Cabinet Office"),
    "U0BEN": ("Ben Brown", "ben@homeoffice.gov.uk", "Home Office"),
    "U0BEA": ("Bea Black", "bea@homeoffice.gov.uk", "Home Office"),
    "U0CAL": ("Cal Cole", "cal@justice.gov.uk", "Ministry of Justice"),
    "U0DEE": ("Dee Dunn", "dee@hmrc.gov.uk", "HM Revenue & Customs"),
}
SHY = "U0SHY"  # signs up and votes, but does not ask for introductions
TOPICS = {"Open source licences": ["U0AMY", "U0BEN"], "Publishing APIs": ["U0ANN", "U0CAL"]}
TOPICS["Accessibility testing"] = ["U0BEA", "U0DEE"]
# The organisers' preview of the pairs: organisations and topics, no names.
PLAN = [
    "Cabinet Office and Home Office: Open source licences",
    "Cabinet Office and Ministry of Justice: Publishing APIs",
    "Home Office and HM Revenue & Customs: Accessibility testing",
]
WORKING_ON = {"U0DEE": "Tax <!channel> open data & APIs"}


def set_up(bot, *, opted_in=tuple(PEOPLE)):
    """The meetup, everyone signed up (those in `opted_in` asking for
    introductions), three topics and the votes; returns the meetup."""
    for user, (name, email, _) in PEOPLE.items():
        bot.fake.add_user(user, real_name=name, email=email)
    bot.fake.add_user(SHY, real_name="Sam Shy", email="sam@justice.gov.uk")
    card, _ = create_meetup_in_modal(bot, capacity="20")
    for user, (name, _, organisation) in [*PEOPLE.items(), (SHY, ("Sam Shy", "", "Ministry of Justice"))]:
        answers = {"full_name": name, "organisation": organisation, "role": "civil_servant"}
        if user in opted_in:
            answers |= {"introductions": ["yes"], "working_on": WORKING_ON.get(user, "")}
        sign_up_from_card(bot, user, answers, card)
    eventually(lambda: len(deliveries(bot.db, kind="signup")) == len(PEOPLE) + 1)
    for title, voters in TOPICS.items():
        topic = propose(bot, ORGANISER, title)
        for user in [*voters, SHY]:
            react(bot, user, topic)
    [meetup] = all_meetups(bot.db)
    return meetup


def introductions(bot) -> list[dict]:
    """The introductions posted: chat.postMessage into group DMs the bot opened."""
    return [c.args for c in bot.fake.calls_to("chat.postMessage") if str(c.args.get("channel", "")).startswith("G")]


def members(post: dict) -> set[str]:
    text = block_texts(post["blocks"])
    return {user for user in [*PEOPLE, SHY] if f"<@{user}>" in text}


def queue_now(bot, meetup) -> list[int]:
    """Plan the introductions as the worker does, without sending anything else."""
    render = lambda planned: introduction_message(planned, tz=bot.deps.settings.tz)  # noqa: E731
    return queue_due_introductions(bot.db, now=bot.clock(), days_before=2, people=bot.deps.person_keys, render=render)


def run_worker_at(bot, meetup, before: timedelta):
    bot.clock.now = meetup.starts_at - before
    return worker_for(bot).run_due()


def test_six_people_from_four_organisations_are_introduced_in_pairs_with_a_reason(bot):
    meetup = set_up(bot)
    # Not yet: three days before, nothing is planned.
    run_worker_at(bot, meetup, timedelta(days=3))
    assert introductions(bot) == []

    run_worker_at(bot, meetup, timedelta(days=1, hours=23))
    posts = eventually(lambda: (found := introductions(bot)) and len(found) == 3 and found)
    assert sorted(sorted(members(p)) for p in posts) == [
        ["U0AMY", "U0BEN"],
        ["U0ANN", "U0CAL"],
        ["U0BEA", "U0DEE"],
    ]
    for post in posts:
        text = block_texts(post["blocks"])
        assert "You both voted for" in text
        assert "/meetup introductions off" in text
        assert SHY not in text and "Sam Shy" not in text
    [dee] = [p for p in posts if "U0DEE" in members(p)]
    dee_text = block_texts(dee["blocks"])
    assert "Accessibility testing" in dee_text
    # What Dee wrote is shown, escaped: it pings nobody.
    assert "&lt;!channel&gt; open data &amp; APIs" in dee_text and "<!channel>" not in dee_text + dee["text"]
    assert "when the meetup starts at 1pm" in dee_text

    # Once: the worker running again (or a second worker) plans nothing more.
    run_worker_at(bot, meetup, timedelta(days=1))
    assert len(introductions(bot)) == 3
    assert all(d.state == DELIVERY_SENT and d.payload == {} for d in deliveries(bot.db, kind="introduction"))
    stats = block_texts(bot.slack.command("stats", user_id=ORGANISER).json()["blocks"])
    assert "*Introductions:* 3 made, 3 between people from different organisations." in stats


def test_the_organisers_preview_names_organisations_and_topics_but_nobody(bot):
    meetup = set_up(bot)
    lines = describe_plan(bot.db, meetup.id, bot.deps.person_keys)
    assert sorted(lines) == PLAN
    assert not any(name.split()[0] in "".join(lines) for name, _, _ in PEOPLE.values())
    assert deliveries(bot.db, kind="introduction") == []


def test_someone_who_did_not_opt_in_is_never_introduced(bot):
    meetup = set_up(bot, opted_in=("U0AMY", "U0BEN", "U0ANN"))
    run_worker_at(bot, meetup, timedelta(days=1))
    posts = eventually(lambda: introductions(bot))
    assert [sorted(members(p)) for p in posts] == [["U0AMY", "U0BEN"]]


def test_opting_out_before_the_time_leaves_you_out(bot):
    meetup = set_up(bot)
    reply = bot.slack.command("introductions off", user_id="U0CAL")
    assert "You will not be introduced to anyone" in reply.body
    run_worker_at(bot, meetup, timedelta(days=1))
    posts = eventually(lambda: (found := introductions(bot)) and len(found) == 2 and found)
    everyone = set().union(*(members(p) for p in posts))
    assert "U0CAL" not in everyone and "U0ANN" not in everyone  # Ann's only match was Cal
    on = bot.slack.command("introductions on", user_id="U0CAL")
    assert "You will be introduced" in on.body


def test_a_word_introductions_does_not_know_is_said_so_and_changes_nothing(bot):
    reply = bot.slack.command("introductions yes", user_id="U0CAL")
    assert reply.message()["text"] == (
        "`/meetup introductions yes` is not a command. You have not asked for introductions. "
        "Use `/meetup introductions on` or `/meetup introductions off`."
    )
    bot.slack.command("introductions on", user_id="U0CAL")
    asked = bot.slack.command("introductions", user_id="U0CAL").message()["text"]
    assert asked == "You have asked for introductions. Use `/meetup introductions on` or `/meetup introductions off`."


def test_forget_removes_what_you_wrote(bot):
    set_up(bot)
    mydata = block_texts(bot.slack.command("mydata", user_id="U0DEE").json()["blocks"])
    assert "What you are working on: Tax &lt;!channel&gt; open data &amp; APIs" in mydata
    bot.slack.block_action(user_id="U0DEE", action_id="forget_confirm", value="forget")
    eventually(lambda: _consent(bot, "U0DEE") is None)
    assert "We hold no personal data about you." in bot.slack.command("mydata", user_id="U0DEE").body


def test_a_place_cancelled_after_planning_cancels_the_unsent_introduction(bot):
    meetup = set_up(bot)
    now = meetup.starts_at - timedelta(days=1)
    bot.clock.now = now
    assert len(queue_now(bot, meetup)) == 3
    reply = bot.slack.command("cancel", user_id="U0BEN")
    assert "cancelled your place" in reply.body
    bot.clock.now = now
    bot.deps.outbox.deliver_due()
    states = sorted(d.state for d in deliveries(bot.db, kind="introduction"))
    assert states == [DELIVERY_CANCELLED, DELIVERY_SENT, DELIVERY_SENT]
    assert not any("U0BEN" in members(p) for p in introductions(bot))


def _consent(bot, user_id: str) -> IntroductionConsent | None:
    with bot.db.read() as session:
        return session.get(IntroductionConsent, user_id)


def test_a_server_error_sends_each_introduction_once_after_looking_in_the_group(bot):
    meetup = set_up(bot, opted_in=("U0AMY", "U0BEN"))
    bot.clock.now = meetup.starts_at - timedelta(days=1)
    queued = queue_now(bot, meetup)
    bot.fake.fail_next("chat.postMessage", status=500)
    bot.deps.outbox.deliver(queued)
    [delivery] = deliveries(bot.db, kind="introduction")
    assert delivery.state != DELIVERY_SENT and delivery.channel.startswith("G")  # opened, then Slack failed
    bot.clock.advance(minutes=5)
    bot.deps.outbox.deliver_due()
    [post] = introductions(bot)
    assert members(post) == {"U0AMY", "U0BEN"}
    # The retry looked in the group first (it might have posted), then posted once.
    assert bot.fake.calls_to("conversations.history")


def test_the_home_tab_asks_and_stops(bot):
    bot.fake.add_user("U0AMY", real_name="Amy Adams", email="amy@digital.cabinet-office.gov.uk")
    home = open_home(bot, "U0AMY")
    assert QUESTION in block_texts(home["blocks"])
    before = len(bot.fake.calls_to("views.open"))
    bot.slack.block_action(user_id="U0AMY", action_id="home_introductions_on", value="on")
    form = opened_view(bot, before + 1)
    assert form["callback_id"] == "introductions"
    reply = bot.slack.submit_view(form, {"introductions": ["yes"], "working_on": "Open data"}, user_id="U0AMY")
    assert reply.status == 200
    consent = eventually(lambda: _consent(bot, "U0AMY"))
    assert consent.working_on == "Open data"
    eventually(lambda: "Stop introductions" in str(open_home(bot, "U0AMY")["blocks"]))
    bot.slack.block_action(user_id="U0AMY", action_id="home_introductions_off", value="off")
    eventually(lambda: _consent(bot, "U0AMY") is None)


def test_meetup_bot_introductions_plan_dry_run_prints_organisations_and_topics(sqlite_bot, sqlite_url, tmp_path):
    meetup = set_up(sqlite_bot)
    env = {"DATABASE_URL": sqlite_url, "PSEUDONYM_KEY": PSEUDONYM_KEY}
    result = run(["introductions", "plan", str(meetup.id), "--dry-run"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.splitlines()) == PLAN
    assert deliveries(sqlite_bot.db, kind="introduction") == []
    refused = run(["introductions", "plan", str(meetup.id)], env, tmp_path)
    assert refused.returncode == 2 and "--dry-run" in refused.stderr
