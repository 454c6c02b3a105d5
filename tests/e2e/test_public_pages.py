"""The public website over HTTP, as a browser or a cache sees it: status
codes, security headers, ETags, 404s for anything unknown, PUBLIC_PAGES=off,
and no personal data on any page. (tests/e2e/test_public_pages_browser.py
loads the same pages in a real browser.)"""

from __future__ import annotations

import os
import re
import subprocess
from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.meetups.agenda import Talk
from bot.organising.organising import cancel_meetup
from bot.runtime.web import FRESH_FOR, PublicPages
from bot.settings import load_settings
from storage.db import Database
from storage.models import WAITLISTED, utcnow
from tests.support.app import settings_env, start_bot, stop_bot
from tests.support.factories import LONDON, make_meetup
from tests.support.processes import BIN, free_port, run, stop, wait_for_health
from tests.support.public_pages import CONTACT, JOIN, PEOPLE, add_people, get, running_site


@pytest.fixture
def site(fake_slack, sqlite_url, clock):
    yield from running_site(fake_slack, sqlite_url, clock)


@pytest.fixture
def any_site(fake_slack, database_url, clock):
    """On SQLite and PostgreSQL: for the tests whose queries matter."""
    yield from running_site(fake_slack, database_url, clock)


def test_the_front_page_lists_meetups_to_come_soonest_first_and_those_held_with_their_organisations(any_site):
    site = any_site
    now = site.clock.now
    later = make_meetup(site.db, now=now, title="Later meetup", starts_in=timedelta(days=60))
    sooner = make_meetup(
        site.db,
        now=now,
        title="Sooner meetup",
        starts_in=timedelta(days=10),
        extra_sectors={"nhs", "local_authority"},
        agenda=[Talk("Publishing code in the open", "Ada Lovelace", "GDS")],
    )
    held = make_meetup(site.db, now=now - timedelta(days=90), title="Held meetup")
    add_people(site.db, held.id, PEOPLE)

    page = get(site.url + "/")
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    text = page.body
    assert text.index("Sooner meetup") < text.index("Later meetup") < text.index("Past meetups")
    assert text.index("Past meetups") < text.index("Held meetup")
    sooner_date = sooner.starts_at.astimezone(LONDON)
    shown = [
        f"{sooner_date:%A} {sooner_date.day} {sooner_date:%B %Y}, 1pm to 5pm",
        "102 Petty France, London",
        "NHS and local authorities",
        "Suppliers of contracted services cannot come",
        "Publishing code in the open",
        "Places available",
        "People from 3 organisations",
        f'href="/meetups/{later.id}"',
    ]
    assert [words for words in shown if words not in text] == []


def test_places_show_as_a_band_never_as_a_figure(site):
    now = site.clock.now
    few = make_meetup(site.db, now=now, title="Nearly full", capacity=20)
    full = make_meetup(site.db, now=now, title="Full up", capacity=3)
    closed = make_meetup(site.db, now=now, title="Closed", signup_closes=now + timedelta(hours=1))
    add_people(site.db, few.id, [(f"U0P{i}", f"Person {i}", f"p{i}@hmrc.gov.uk", "HMRC") for i in range(18)])
    add_people(site.db, full.id, PEOPLE)
    site.clock.advance(hours=2)

    assert "Few places left" in get(f"{site.url}/meetups/{few.id}").body
    assert "Full: join the waitlist" in get(f"{site.url}/meetups/{full.id}").body
    page = get(f"{site.url}/meetups/{closed.id}").body
    assert "Sign-up closed" in page
    assert "How to sign up" not in page
    assert not re.search(r"\b(18|20|3) (places|people)\b", get(site.url + "/").body)


def test_a_meetup_page_says_how_to_sign_up_with_the_slack_link_and_the_organisers_contact(site):
    meetup = make_meetup(site.db, now=site.clock.now)
    page = get(f"{site.url}/meetups/{meetup.id}")
    assert page.status == 200
    assert "How to sign up" in page.body
    assert f'href="{JOIN}"' in page.body
    assert "/meetup signup" in page.body
    # The fake Slack's team and app (auth.test, then bots.info).
    assert 'href="slack://app?team=T0TEST&amp;id=A123&amp;tab=home"' in page.body
    assert 'href="https://slack.com/app_redirect?app=A123&amp;team=T0TEST"' in page.body
    assert f'href="mailto:{CONTACT}"' in page.body
    assert f'href="/meetups/{meetup.id}.ics"' in page.body


def test_the_calendar_file_is_the_one_the_bot_sends(site):
    meetup = make_meetup(site.db, now=site.clock.now, title="Calendar meetup")
    answer = get(f"{site.url}/meetups/{meetup.id}.ics")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="meetup-{meetup.id}.ics"' in answer.headers["Content-Disposition"]
    calendar = Calendar.from_ical(answer.body)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Calendar meetup"
    assert str(event["UID"]).startswith(f"meetup-{meetup.id}-")
    # A PUBLISH from the organisers (ORGANISER_CONTACT is an email address), naming no attendee.
    assert (str(calendar["METHOD"]), str(event["ORGANIZER"])) == ("PUBLISH", f"mailto:{CONTACT}")
    assert "ATTENDEE" not in event


def test_the_online_link_is_for_people_with_a_place_never_on_the_pages(site):
    link = "https://meet.example.gov.uk/join/secret-room"
    meetup = make_meetup(site.db, now=site.clock.now, online_link=link)
    for path in ("/", f"/meetups/{meetup.id}", f"/meetups/{meetup.id}.ics"):
        answer = get(f"{site.url}{path}")
        assert answer.status == 200
        assert "secret-room" not in answer.body, path
    [event] = Calendar.from_ical(get(f"{site.url}/meetups/{meetup.id}.ics").body).walk("VEVENT")
    assert "URL" not in event


def test_every_answer_carries_the_security_headers(site):
    meetup = make_meetup(site.db, now=site.clock.now)
    for path in ("/", f"/meetups/{meetup.id}", f"/meetups/{meetup.id}.ics", "/nowhere", "/assets/app/app.css"):
        headers = get(site.url + path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, path
        assert "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"


def test_no_page_has_an_inline_script(site):
    meetup = make_meetup(site.db, now=site.clock.now)
    for path in ("/", f"/meetups/{meetup.id}", "/nowhere"):
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", get(site.url + path).body, re.S)
        assert scripts
        assert all('src="/assets/' in attributes and not body.strip() for attributes, body in scripts)


def test_every_asset_a_page_uses_is_served(site):
    body = get(site.url + "/").body
    paths = re.findall(r'(?:href|src)="(/assets/[^"]+)"', body)
    assert len(paths) == 4
    for path in paths:
        answer = get(site.url + path)
        assert answer.status == 200, path
        assert answer.headers["Content-Type"].startswith(("text/css", "text/javascript")), path
    init = get(site.url + "/assets/app/init.mjs").body
    [imported] = re.findall(r"from '([^']+)'", init)
    assert get(site.url + imported).status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/meetups/abc",
        "/meetups/-1",
        "/meetups/0",
        "/meetups/007",
        "/meetups/99999999999999999999999",
        "/meetups/12345",
        "/meetups/12345.ics",
        "/meetups/1/../..",
        "/nowhere",
        "/assets/../settings.py",
        "/assets/govuk-frontend-6.3.0/SOURCE.md",
    ],
)
def test_a_bad_or_unknown_address_gets_the_not_found_page(site, path):
    make_meetup(site.db, now=site.clock.now)
    answer = get(site.url + path)
    assert answer.status == 404
    assert "Page not found" in answer.body
    assert answer.headers["Content-Security-Policy"]


def test_a_page_is_not_sent_again_until_a_meetup_changes(site):
    meetup = make_meetup(site.db, now=site.clock.now)
    for path in ("/", f"/meetups/{meetup.id}"):
        first = get(site.url + path)
        etag = first.headers["ETag"]
        again = get(site.url + path, If_None_Match=etag)
        assert again.status == 304 and again.body == ""
        assert again.headers["ETag"] == etag

    before = get(site.url + "/").headers["ETag"]
    add_people(site.db, meetup.id, PEOPLE[:1])  # the band stays "Places available"
    assert get(site.url + "/", If_None_Match=before).status == 200  # places taken changed, so did the tag
    quiet = get(site.url + "/").headers["ETag"]
    cancel_meetup(site.db, meetup.id, now=site.clock.now)
    changed = get(site.url + "/", If_None_Match=quiet)
    assert changed.status == 200
    assert "Cancelled" in changed.body


def test_no_page_shows_who_signed_up(any_site):
    site = any_site
    meetup = make_meetup(site.db, now=site.clock.now, capacity=3)
    held = make_meetup(site.db, now=site.clock.now - timedelta(days=90))
    add_people(site.db, meetup.id, PEOPLE[:2])
    add_people(site.db, meetup.id, PEOPLE[2:], status=WAITLISTED)
    add_people(site.db, held.id, PEOPLE)
    pages = [get(site.url + path).body for path in ("/", f"/meetups/{meetup.id}", f"/meetups/{held.id}")]
    # Unfolded (RFC 5545 3.1): the file names the organisers, at CONTACT, as its ORGANIZER.
    pages.append(get(f"{site.url}/meetups/{meetup.id}.ics").body.replace("\r\n ", ""))
    for page in pages:
        for user_id, name, email, _ in PEOPLE:
            assert user_id not in page and name not in page and email not in page
        assert set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", page)) <= {CONTACT}
        assert not re.search(r"\b[UW][A-Z0-9]{8,}\b", page)


def test_pages_off_leaves_only_slack_and_the_health_check(fake_slack, sqlite_url, clock):
    running, server, thread = start_bot(fake_slack, sqlite_url, clock, PUBLIC_PAGES="off")
    try:
        meetup = make_meetup(running.db, now=clock.now)
        for path in ("/", f"/meetups/{meetup.id}", f"/meetups/{meetup.id}.ics", "/assets/app/app.css"):
            assert get(running.url + path).status == 404, path
        assert get(running.url + "/healthz").status == 200
    finally:
        stop_bot(running, server, thread)


def test_the_health_check_and_slack_route_are_unchanged(site):
    assert get(site.url + "/healthz").status == 200
    assert get(site.url + "/slack/events").status == 405


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "pages"), [("socket", "on"), ("socket", "off"), ("http", "on")])
def test_serve_serves_the_pages_and_the_health_check_on_port(fake_slack, tmp_path, mode, pages):
    db_url = f"sqlite:///{tmp_path / 'meetup.db'}"
    assert run(["db", "upgrade"], {"DATABASE_URL": db_url}, tmp_path).returncode == 0
    database = Database(db_url)
    meetup = make_meetup(database, now=utcnow(), title="Served meetup")
    database.dispose()
    port = free_port()
    socket_mode = {"SLACK_APP_TOKEN": "xapp-test-token", "SLACK_SIGNING_SECRET": None} if mode == "socket" else {}
    env = settings_env(fake_slack, db_url, PORT=str(port), PUBLIC_PAGES=pages, **socket_mode)
    process = subprocess.Popen(
        [str(BIN), "serve"],
        env={"PATH": os.environ["PATH"], **env},
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for_health(url, process)["status"] == "ok"
        front = get(url + "/")
        if pages == "on":
            assert front.status == 200 and "Served meetup" in front.body
            assert get(f"{url}/meetups/{meetup.id}").status == 200
        else:
            assert front.status == 404
        # Socket Mode checks no signatures, so it takes nothing from Slack over HTTP.
        assert get(url + "/slack/events").status == (404 if mode == "socket" else 405)
    finally:
        stop(process)


def test_views_close_together_share_one_read_of_the_meetups(sqlite_url, clock):
    """In production a read serves the views of the next second (FRESH_FOR):
    a change shows, with a new ETag, once it has passed."""
    db = Database(sqlite_url)
    try:
        pages = PublicPages(
            load_settings({"DATABASE_URL": sqlite_url}, need_slack=False), db, slack_link=lambda: None, clock=clock
        )
        assert pages.fresh_for == FRESH_FOR == 1.0
        pages.fresh_for = 60

        def etag() -> str:
            answer: dict = {}
            pages({"PATH_INFO": "/", "REQUEST_METHOD": "GET"}, lambda status, headers: answer.update(headers))
            return answer["ETag"]

        first = etag()
        make_meetup(db, now=clock.now)
        assert etag() == first
        pages.fresh_for = 0
        assert etag() != first
    finally:
        db.dispose()


def test_a_held_meetup_says_it_has_taken_place(site):
    held = make_meetup(site.db, now=site.clock.now - timedelta(days=90), title="Held meetup")
    page = get(f"{site.url}/meetups/{held.id}").body
    assert "This meetup has taken place." in page
    assert "How to sign up" not in page and ".ics" not in page
