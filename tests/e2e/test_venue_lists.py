"""The venue list, the catering and access list, the final list and the
change lists (issue 17, part 1): through `/meetup export`, the worker and
`meetup-bot export --venue`, against the fake Slack, on both databases."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.runtime.app import make_client
from bot.runtime.purge import purge
from bot.signups.signups import sign_up
from bot.signups.venue_lists import CHANGE_LIST_KIND, FINAL_LIST_KIND
from storage.db import Database
from storage.migrate import upgrade
from storage.models import VenueListEntry
from tests.support.app import ORGANISER, start_bot, stop_bot
from tests.support.blocks import block_texts
from tests.support.factories import make_form, make_meetup
from tests.support.messages import dms_to
from tests.support.organising import csv_uploads, eventually
from tests.support.privacy import press_forget
from tests.support.processes import run
from tests.support.reminders import deliveries, worker_for

ADA, BOB, CAT = "U0ADA", "U0BOB", "U0CAT"
HEALTH = ("dietary", "access", "needs")
# make_meetup's meetup starts on Wednesday 24 February 2027 at 1pm: two
# working days before is Monday 22 February, from 9am.
FINAL_LIST_DUE = datetime(2027, 2, 22, 9, 0, tzinfo=UTC)


def signed_up(bot, meetup, user_id, name, organisation, *, dietary="", access=""):
    bot.fake.add_user(user_id, real_name=name, email=f"{user_id.lower()}@cabinetoffice.gov.uk")
    form = make_form(
        meetup_id=meetup.id,
        full_name=name,
        email=f"{user_id.lower()}@cabinetoffice.gov.uk",
        organisation=organisation,
        dietary_needs=dietary,
        access_needs=access,
        needs_consent=bool(dietary or access),
    )
    return sign_up(bot.db, form, user_id=user_id, now=bot.clock(), contact="the organisers").registration


def three_people(bot, capacity=2):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=capacity)
    signed_up(bot, meetup, ADA, "Ann Lee", "Cabinet Office", dietary="Vegetarian", access="Step-free access")
    signed_up(bot, meetup, BOB, "Priya Shah", "HM Revenue and Customs", dietary="vegetarian ")
    signed_up(bot, meetup, CAT, "Sam Jones", "Home Office")
    return meetup


def rows_of(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode())))


def texts(messages) -> list[str]:
    return [block_texts(m["blocks"]) for m in messages]


def has_no_health_data(rows: list[list[str]]) -> None:
    assert not any(word in cell.casefold() for cell in rows[0] for word in HEALTH)
    assert not any(need in cell.casefold() for row in rows for cell in row for need in ("vegetarian", "step-free"))


# /meetup export ---------------------------------------------------------------------------------------------------


def test_export_sends_a_venue_list_without_health_data_and_catering_counts_naming_nobody(bot):
    three_people(bot, capacity=3)
    reply = bot.slack.command("export", user_id=ORGANISER).message()["text"]
    assert "the venue list, a file for the building's security desk" in reply
    assert "the catering and access list, counts for organisers only" in reply

    [content] = eventually(lambda: csv_uploads(bot.fake))
    rows = rows_of(content)
    assert rows == [
        ["Full name", "Organisation"],
        ["Ann Lee", "Cabinet Office"],
        ["Priya Shah", "HM Revenue and Customs"],
        ["Sam Jones", "Home Office"],
    ]
    has_no_health_data(rows)

    [catering] = eventually(lambda: [t for t in texts(dms_to(bot.fake, ORGANISER)) if "Catering and access" in t])
    assert "Vegetarian: 2" in catering and "Step-free access: 1" in catering
    assert not any(name in catering for name in ("Ann", "Priya", "Sam", "Lee", "Shah"))
    assert "do not send it to the building's security desk" in catering


def test_the_venue_list_has_the_columns_the_setting_names(fake_slack, sqlite_url, clock):
    bot, server, thread = start_bot(
        fake_slack, sqlite_url, clock, VENUE_LIST_COLUMNS="email, full_name,government_team"
    )
    try:
        three_people(bot, capacity=3)
        bot.slack.command("export", user_id=ORGANISER)
        [content] = eventually(lambda: csv_uploads(bot.fake))
        rows = rows_of(content)
        assert rows[0] == ["Email address", "Full name", "Government team"]
        assert rows[1] == ["u0ada@cabinetoffice.gov.uk", "Ann Lee", ""]
        has_no_health_data(rows)
        # The privacy notice says what the desk gets.
        notice = bot.slack.command("privacy", user_id=ADA).message()["text"]
        assert "your email address, full name and government team" in notice
    finally:
        stop_bot(bot, server, thread)


# The final list and the change lists ------------------------------------------------------------------------------


def final_lists(bot):
    return [t for t in texts(dms_to(bot.fake, ORGANISER)) if "Final visitor list" in t]


def change_lists(bot):
    return [t for t in texts(dms_to(bot.fake, ORGANISER)) if "Change to the visitor list" in t]


def test_the_final_list_goes_to_the_organisers_once_two_working_days_before(bot):
    meetup = three_people(bot)
    make_meetup(bot.db, now=bot.clock(), title="Another meetup that day")  # its own final list
    workers = [worker_for(bot), worker_for(bot)]
    bot.clock.now = FINAL_LIST_DUE.replace(hour=8, minute=59)
    workers[0].run_due()
    assert final_lists(bot) == []

    bot.clock.now = FINAL_LIST_DUE
    with ThreadPoolExecutor(2) as pool:  # two instances at once
        list(pool.map(lambda worker: worker.run_due(), workers))
    workers[0].run_due()
    bot.clock.advance(hours=3)
    workers[1].run_due()

    [final, other] = final_lists(bot)
    assert "2 people with a place" in final and "Vegetarian: 2" in final
    assert "Another meetup that day" in other and "nobody has a place" in other
    assert len(deliveries(bot.db, kind=FINAL_LIST_KIND)) == 2
    [content] = csv_uploads(bot.fake)
    rows = rows_of(content)
    assert rows == [
        ["Full name", "Organisation"],
        ["Ann Lee", "Cabinet Office"],
        ["Priya Shah", "HM Revenue and Customs"],
    ]
    has_no_health_data(rows)
    assert change_lists(bot) == []  # nothing changed since
    with bot.db.read() as session:
        assert len(session.scalars(select(VenueListEntry).where(VenueListEntry.meetup_id == meetup.id)).all()) == 2


def test_the_final_list_counts_back_over_bank_holidays(bot):
    bot.clock.now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    make_meetup(bot.db, now=bot.clock(), title="After Christmas", starts_in=timedelta(days=28))  # Tuesday 29 December
    worker = worker_for(bot)
    # Monday 28 December (for Boxing Day) and Christmas Day are bank holidays in
    # England and Wales, so two working days before is Wednesday 23 December.
    bot.clock.now = datetime(2026, 12, 23, 8, 59, tzinfo=UTC)
    worker.run_due()
    assert final_lists(bot) == []
    bot.clock.now = datetime(2026, 12, 23, 9, 0, tzinfo=UTC)
    worker.run_due()
    [final] = final_lists(bot)
    assert "After Christmas" in final


def test_a_cancellation_after_the_final_list_sends_one_change_list(bot):
    three_people(bot)
    worker = worker_for(bot)
    bot.clock.now = FINAL_LIST_DUE
    worker.run_due()
    assert len(final_lists(bot)) == 1

    # Priya cancels: Sam is promoted from the waitlist. One change list says both.
    assert bot.slack.command("cancel", user_id=BOB).status == 200
    worker.run_due()
    worker.run_due()
    [change] = change_lists(bot)
    assert "Add Sam Jones (Home Office), remove Priya Shah (HM Revenue and Customs)." in change
    assert "2 people with a place now" in change
    assert len(deliveries(bot.db, kind=CHANGE_LIST_KIND)) == 1

    # Ann cancels too, in the same moment: a change list of its own.
    assert bot.slack.command("cancel", user_id=ADA).status == 200
    worker.run_due()
    assert "Remove Ann Lee (Cabinet Office)." in change_lists(bot)[-1]


def test_the_purge_deletes_the_final_list_and_who_was_on_it(bot):
    meetup = three_people(bot)
    worker = worker_for(bot)
    bot.clock.now = FINAL_LIST_DUE
    worker.run_due()
    [file_id] = eventually(lambda: [f for f in bot.fake.files if bot.fake.files[f]["name"].startswith("final-")])

    days = bot.deps.settings.purge_after_days
    later = meetup.ends_at + timedelta(days=days + 1)
    report = purge(bot.db, make_client(bot.deps.settings), bot.deps.settings, now=later)
    assert report.files_deleted == 1 and file_id not in bot.fake.files
    with bot.db.read() as session:
        assert session.scalars(select(VenueListEntry)).all() == []


def test_forget_tells_the_organisers_to_remove_the_person_and_keeps_no_name(bot):
    three_people(bot)
    worker = worker_for(bot)
    bot.clock.now = FINAL_LIST_DUE
    worker.run_due()
    press_forget(bot, ADA)

    # The building was given Ann's name: the organisers are told to remove it,
    # with the erasure (UK GDPR article 19), and the bot keeps no copy.
    [removal] = eventually(lambda: change_lists(bot))
    assert "Remove Ann Lee (Cabinet Office)." in removal and "Sam" not in removal

    def names():
        with bot.db.read() as session:
            return {e.full_name for e in session.scalars(select(VenueListEntry))}

    assert names() == {"Priya Shah"}
    # Sam took Ann's place: the next round adds them.
    worker.run_due()
    assert "Add Sam Jones (Home Office)." in change_lists(bot)[-1]
    assert names() == {"Priya Shah", "Sam Jones"}


# meetup-bot export --venue ----------------------------------------------------------------------------------------


def test_the_command_line_prints_the_venue_list(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    db = Database(url)
    upgrade(db.engine)
    now = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
    meetup = make_meetup(db, now=now)
    form = make_form(meetup_id=meetup.id, dietary_needs="Halal", needs_consent=True)
    sign_up(db, form, user_id=ADA, now=now, contact="the organisers")
    db.dispose()

    venue = run(["export", str(meetup.id), "--venue"], {"DATABASE_URL": url}, tmp_path)
    assert venue.returncode == 0, venue.stderr
    assert venue.stdout.splitlines() == ["Full name,Organisation", "Ada Lovelace,Cabinet Office"]
    full = run(["export", str(meetup.id)], {"DATABASE_URL": url}, tmp_path)
    assert "Halal" in full.stdout  # the full list, for organisers, as before


def test_with_an_organiser_channel_the_lists_go_there_and_a_long_change_list_goes_as_a_file(
    fake_slack, sqlite_url, clock
):
    fake_slack.add_channel("C0ORGANISERS", name="meetup-organisers")
    bot, server, thread = start_bot(fake_slack, sqlite_url, clock, ORGANISER_CHANNEL_ID="C0ORGANISERS")
    try:
        meetup = make_meetup(bot.db, now=bot.clock(), capacity=200)
        worker = worker_for(bot)
        bot.clock.now = FINAL_LIST_DUE
        worker.run_due()
        [final] = [block_texts(m["blocks"]) for m in bot.fake.messages("C0ORGANISERS") if m.get("blocks")]
        assert "nobody has a place, so there is no list to send" in final

        for n in range(120):  # a busy hour: one change list, not 120
            signed_up(bot, meetup, f"U0P{n:03d}", f"Person number {n:03d}", "Department for Education")
        worker.run_due()
        worker.run_due()
        [_, change] = [block_texts(m["blocks"]) for m in bot.fake.messages("C0ORGANISERS") if m.get("blocks")]
        assert "120 people to add and 0 people to remove" in change and "attached file" in change
        [content] = eventually(
            lambda: [c for f, c in bot.fake.uploads.items() if "changes" in bot.fake.files[f]["name"]]
        )
        rows = rows_of(content)
        assert rows[0] == ["Change", "Full name", "Organisation"] and len(rows) == 121
        assert rows[1] == ["Add", "Person number 000", "Department for Education"]
        assert dms_to(bot.fake, ORGANISER) == []
    finally:
        stop_bot(bot, server, thread)
