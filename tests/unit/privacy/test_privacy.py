"""Privacy: the notice, consent for sensitive answers, seeing and deleting
your data, and the purge a set time after each meetup."""

from datetime import timedelta

from bot.privacy.privacy import purge_due
from bot.signups.signups import find_registration, overview, sign_up
from storage.models import CONFIRMED, WAITLISTED
from tests.support.blocks import block_texts
from tests.support.factories import make_form, make_meetup
from tests.support.messages import dm_saying
from tests.support.signup import ADA, GOOD_ANSWERS, open_modal


def test_privacy_notice_names_the_organisers_basis_retention_rights_and_the_ico(bot):
    notice = bot.slack.command("privacy", user_id=ADA).message()["text"]
    for words in (
        "The cross-government Open Source meetup organisers",
        "Lawful basis",
        "30 days after the meetup",
        "`/meetup mydata`",
        "`/meetup forget`",
        "https://ico.org.uk/make-a-complaint/",
    ):
        assert words in notice
    assert "`/meetup privacy`" in bot.slack.command("help", user_id=ADA).message()["text"]


def test_dietary_needs_need_explicit_consent(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    assert "read the privacy notice" in block_texts(view["blocks"]).lower()
    refused = bot.slack.submit_view(view, {**GOOD_ANSWERS, "dietary_needs": "Halal"}, user_id=ADA).json()
    assert refused == {
        "response_action": "errors",
        "errors": {"needs_consent": "Tick the box to let us keep your dietary and access needs, or leave them empty"},
    }
    assert find_registration(bot.db, meetup.id, ADA) is None

    bot.slack.submit_view(view, {**GOOD_ANSWERS, "dietary_needs": "Halal", "needs_consent": "yes"}, user_id=ADA)
    registration = find_registration(bot.db, meetup.id, ADA)
    assert registration.dietary_needs == "Halal" and registration.needs_consent_at == bot.clock()


def test_mydata_shows_everything_held_escaped(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    make_meetup(bot.db, now=bot.clock())
    assert bot.slack.command("mydata", user_id=ADA).message()["text"] == "We hold no personal data about you."
    _, view = open_modal(bot)
    bot.slack.submit_view(view, {**GOOD_ANSWERS, "organisation": "<!channel> & co"}, user_id=ADA)
    shown = block_texts(bot.slack.command("mydata", user_id=ADA).message()["blocks"])
    assert "Name: Ada Lovelace" in shown and "Email address: ada@justice.gov.uk" in shown
    assert "Organisation: &lt;!channel&gt; &amp; co" in shown


def test_forget_asks_first_then_deletes_and_passes_the_place_on(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    bot.fake.add_user("U0BOB", real_name="Bob Brown", email="bob@justice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=1)
    for user in (ADA, "U0BOB"):
        _, view = open_modal(bot, user)
        bot.slack.submit_view(view, GOOD_ANSWERS, user_id=user)
        bot.clock.advance(seconds=1)

    bot.slack.command("subscribe", user_id=ADA)
    assert "You are subscribed" in block_texts(bot.slack.command("mydata", user_id=ADA).message()["blocks"])
    asked = bot.slack.command("forget", user_id=ADA).message()
    button = asked["blocks"][1]["elements"][0]
    assert button["text"]["text"] == "Delete my data" and button["confirm"]["confirm"]["text"] == "Delete my data"
    assert find_registration(bot.db, meetup.id, ADA) is not None  # nothing happens until confirmed

    bot.slack.block_action(
        user_id=ADA, action_id=button["action_id"], value=button["value"], response_url=bot.fake.response_url()
    )
    [answer] = bot.fake.wait_for_response()
    assert answer["body"]["text"] == "We have deleted everything we held about you."
    assert find_registration(bot.db, meetup.id, ADA) is None
    assert bot.slack.command("mydata", user_id=ADA).message()["text"] == "We hold no personal data about you."
    assert find_registration(bot.db, meetup.id, "U0BOB").status == CONFIRMED
    dm_saying(bot.fake, "U0BOB", "A place has become free")


def test_purge_removes_personal_data_after_the_set_days_and_keeps_counts(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1, starts_in=timedelta(days=2))
    later = make_meetup(db, now=clock(), title="Later", starts_in=timedelta(days=20))
    sign_up(
        db,
        make_form(meetup_id=meetup.id, organisation="Home Office", dietary_needs="Vegan", needs_consent=True),
        user_id="U1",
        now=clock(),
        contact="x",
    )
    sign_up(db, make_form(meetup_id=meetup.id, organisation="GDS"), user_id="U2", now=clock(), contact="x")
    sign_up(db, make_form(meetup_id=later.id), user_id="U1", now=clock(), contact="x")

    clock.advance(days=2 + 29)  # 29 days after the first meetup ended (roughly): not yet
    assert purge_due(db, clock(), 30) == []
    clock.advance(days=2)
    purged = purge_due(db, clock(), 30)
    assert [(m.id, count) for m, count in purged] == [(meetup.id, 2)]
    assert purge_due(db, clock(), 30) == []  # once only

    result = overview(db, meetup.id)
    assert result.counts == {CONFIRMED: 1, WAITLISTED: 1}
    assert dict(result.by_organisation) == {"Home Office": 1, "GDS": 1}
    for r in result.confirmed + result.waitlisted:
        assert (r.full_name, r.email, r.dietary_needs, r.needs_consent_at) == ("", "", "", None)
        assert r.slack_user_id.startswith("purged-")
    assert find_registration(db, later.id, "U1").full_name == "Ada Lovelace"


def test_forget_and_purge_reach_topics_and_votes(db, clock):
    from bot.privacy.privacy import data_held, forget
    from bot.topics.votes import record_reaction
    from storage.erasure import NO_NAME
    from storage.models import Topic, VoteReaction
    from tests.support.topic_factories import make_topic, reaction

    meetup = make_meetup(db, now=clock(), starts_in=timedelta(days=2))
    mine = make_topic(db, meetup_id=meetup.id, now=clock(), user_id="U1", name="Ada Lovelace")
    theirs = make_topic(db, meetup_id=meetup.id, now=clock(), title="Another", user_id="U2", name="Bob Brown")
    for voter, topic in (("U1", theirs), ("U2", mine), ("U3", mine)):
        clock.advance(seconds=1)
        record_reaction(db, reaction(topic, voter, at=clock()), bot_user_id="U0BOT", vote_emoji=("+1",), now=clock())
    held = data_held(db, "U1")
    assert (held.topics, held.votes) == (1, 1)

    assert forget(db, "U1", clock()).anything
    with db.read() as session:
        assert session.query(VoteReaction).filter_by(slack_user_id="U1").count() == 0
        topic = session.get(Topic, mine.id)
        assert (topic.proposer_user_id, topic.proposer_name) == ("forgotten", NO_NAME)
    assert data_held(db, "U1").empty

    clock.advance(days=40)
    purge_due(db, clock(), 30)
    with db.read() as session:
        assert {v.slack_user_id[:7] for v in session.query(VoteReaction)} == {"purged-"}
        assert session.query(VoteReaction).count() == 2  # the counts stay
        assert {t.proposer_name for t in session.query(Topic)} == {NO_NAME}


def test_forget_and_the_purge_end_co_organisers_roles(db, clock):
    from bot.privacy.privacy import forget
    from storage.co_organisers import list_co_organisers, replace_co_organisers

    meetup = make_meetup(db, now=clock(), starts_in=timedelta(days=2))
    later = make_meetup(db, now=clock(), title="Later", starts_in=timedelta(days=20))
    with db.transaction() as session:
        replace_co_organisers(session, meetup.id, ["U1", "U2"], now=clock())
        replace_co_organisers(session, later.id, ["U1", "U2"], now=clock())

    assert forget(db, "U1", clock()).anything  # being named is data held about them
    with db.read() as session:
        assert list_co_organisers(session, meetup.id) == ["U2"]
        assert list_co_organisers(session, later.id) == ["U2"]

    clock.advance(days=40)
    purge_due(db, clock(), 30)
    with db.read() as session:
        assert list_co_organisers(session, meetup.id) == []  # purged: the role ended with the meetup
        assert list_co_organisers(session, later.id) == ["U2"]


def test_forget_and_the_purge_remove_when_someone_last_opened_their_home_tab(db, clock):
    from bot.meetups.home import home_opened
    from bot.privacy.privacy import data_held, forget

    home_opened(db, "U1", now=clock())
    assert data_held(db, "U1").home_opened_at == clock()
    assert forget(db, "U1", clock()).anything
    assert data_held(db, "U1").empty

    home_opened(db, "U1", now=clock())
    clock.advance(days=30)
    home_opened(db, "U2", now=clock())
    clock.advance(days=1)
    purge_due(db, clock(), 30)  # 31 days since U1 opened it, 1 since U2
    assert data_held(db, "U1").empty and data_held(db, "U2").home_opened_at is not None
