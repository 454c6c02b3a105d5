"""A year of meetups, with the purge in between: `meetup-bot stats --json`
counts the same people, repeat attendees and organisations before and after
each purge, on SQLite and PostgreSQL. Someone who uses `/meetup forget`
leaves only anonymous sign-ups behind."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.common.pseudonyms import PersonKeys, Pseudonyms
from bot.privacy.privacy import forget, purge_due
from bot.signups.signups import cancel, sign_up
from storage import registrations as registration_store
from storage.db import Database
from tests.support.app import PSEUDONYM_KEY
from tests.support.factories import make_form, make_meetup
from tests.support.processes import run

PEOPLE = PersonKeys(PSEUDONYM_KEY)

# Who, from where (the email domain decides the organisation), and which meetups.
ADA = ("U0ADA", "ada@homeoffice.gov.uk", "HO")  # Home Office
BOB = ("U0BOB", "bob@digital.cabinet-office.gov.uk", "Cabinet Office")
CAT = ("U0CAT", "cat@gchq.gov.uk", "GCHQ")  # Government Communications Headquarters
DAN = ("U0DAN", "dan@justice.gov.uk", "MOJ")  # Ministry of Justice; signed up once before person keys
EVE = ("U0EVE", "eve@hmrc.gov.uk", "HMRC")  # HM Revenue & Customs; asks to be forgotten
FAY = ("U0FAY", "fay@education.gov.uk", "DfE")  # cancels: a sign-up, never a place

DAYS_AGO = {1: 200, 2: 100, 3: 10}  # when each meetup was


def stats_json(database_url, tmp_path) -> dict:
    result = run(["stats", "--json"], {"DATABASE_URL": database_url, "PSEUDONYM_KEY": PSEUDONYM_KEY}, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def figures(stats) -> dict:
    """What the series exists to show, over the series and each meetup."""
    series = stats["series"]
    keys = ("signups", "attended", "people", "repeat_attendees", "organisations_reached")
    each = ("signups", "attended", "people", "repeat_attendees", "organisations_reached", "new_organisations")
    return {
        "series": tuple(series[k] for k in ("meetups", "meetups_held", *keys)),
        "meetups": [tuple(m[k] for k in each) for m in stats["meetups"]],
        "organisations": len(stats["organisations"]),
    }


@pytest.fixture
def series(database_url):
    db = Database(database_url)
    now = datetime.now(UTC)
    meetups = {}
    for n, days in DAYS_AGO.items():
        created = now - timedelta(days=days + 10)
        meetups[n] = make_meetup(db, now=created, title=f"Meetup {n}", capacity=20, starts_in=timedelta(days=10))

    def join(person, n, *, keyed=True):
        user_id, email, typed = person
        form = make_form(meetup_id=meetups[n].id, email=email, organisation=typed)
        when = now - timedelta(days=DAYS_AGO[n] + 5)
        result = sign_up(db, form, user_id=user_id, now=when, contact="x", people=PEOPLE if keyed else None)
        assert result.registration is not None, result.reason

    for n in (1, 2, 3):
        join(ADA, n)
    for n in (1, 3):
        join(BOB, n)
    join(CAT, 2)
    join(DAN, 1, keyed=False)  # before person keys existed
    join(DAN, 2)
    for n in (1, 2):
        join(EVE, n)
    join(FAY, 1)
    cancel(db, meetup_id=meetups[1].id, user_id=FAY[0], now=now - timedelta(days=204))
    yield db, now
    db.dispose()


# (meetups, held, sign-ups, attended, people, repeat attendees, organisations reached)
# and each meetup's (sign-ups, attended, people, back from an earlier one, organisations reached, new ones).
# Nobody was checked in at these meetups: their attendance is not recorded (None).
EVERYONE = {
    "series": (3, 3, 11, 0, 6, 4, 5),  # repeat: Ada, Bob, Dan, Eve; reached: all but DfE
    "meetups": [(5, None, 5, 0, 4, 4), (4, None, 4, 3, 4, 1), (2, None, 2, 2, 2, 0)],
    "organisations": 6,
}
# Eve's second sign-up is deleted; her first, purged, counts as nobody in particular.
AFTER_EVE_FORGOT = {
    "series": (3, 3, 10, 0, 6, 3, 5),
    "meetups": [(5, None, 5, 0, 4, 4), (3, None, 3, 2, 3, 1), (2, None, 2, 2, 2, 0)],
    "organisations": 6,
}


def test_the_figures_survive_each_purge(series, database_url, tmp_path):
    db, now = series
    assert figures(stats_json(database_url, tmp_path)) == EVERYONE
    for n, days in DAYS_AGO.items():
        purged = purge_due(db, now, days - 5, people=PEOPLE)
        assert [m.title for m, _ in purged] == [f"Meetup {n}"]
        assert figures(stats_json(database_url, tmp_path)) == EVERYONE, f"after purging meetup {n}"
    with db.read() as session:
        rows = registration_store.list_all_registrations(session)
        assert all(r.slack_user_id.startswith("purged-") and r.person_key for r in rows)
        # Dan's first sign-up was keyed by the purge, as his later one was at sign-up.
        dans = [r.person_key for r in rows if r.domain_organisation == "Ministry of Justice"]
        assert dans == [PEOPLE.of(DAN[0])] * 2


def test_forget_leaves_anonymous_sign_ups_that_count_as_nobody_in_particular(series, database_url, tmp_path):
    db, now = series
    purge_due(db, now, DAYS_AGO[1] - 5, people=PEOPLE)  # the first meetup only
    result = forget(db, EVE[0], now, pseudonyms=Pseudonyms(PSEUDONYM_KEY), people=PEOPLE)
    assert result.meetup_ids  # her sign-up to the second meetup, not yet purged
    with db.read() as session:
        assert PEOPLE.of(EVE[0]) not in {r.person_key for r in registration_store.list_all_registrations(session)}
    assert figures(stats_json(database_url, tmp_path)) == AFTER_EVE_FORGOT
    purge_due(db, now, 1, people=PEOPLE)  # the rest
    assert figures(stats_json(database_url, tmp_path)) == AFTER_EVE_FORGOT


def test_the_text_says_the_same(series, database_url, tmp_path):
    result = run(["stats"], {"DATABASE_URL": database_url}, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "11 sign-ups from 6 people in 6 organisations." in lines
    assert "5 organisations reached: people from them had a place." in lines
    assert "4 people have had a place at more than one meetup." in lines
    meetups = [line for line in lines if line.startswith("• Meetup")]
    assert [line.split(",")[0] for line in meetups] == ["• Meetup 3", "• Meetup 2", "• Meetup 1"]
    assert meetups[1].endswith(
        "4 places taken, 4 organisations brought together (1 new), 3 people back from an earlier meetup, "
        "4 sign-ups from 4 people, attendance not recorded"
    )
    assert "• Home Office: 3 sign-ups, 3 meetups" in lines
