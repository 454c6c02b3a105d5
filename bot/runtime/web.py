"""The public website's routes, as WSGI: `/`, `/meetups/<id>`, its calendar
file `/meetups/<id>.ics`, and the static files under `/assets/`.

Read-only and public: every answer carries a Content-Security-Policy that
allows no inline script and no framing, and pages are cached by an ETag that
changes when a meetup they show changes (If-None-Match gets a 304).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from http import HTTPStatus
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.meetups.calendar import calendar_organiser
from bot.settings import Settings
from bot.web.pages import Site, calendar_file, contact, front_page, meetup_view, read_site
from bot.web.render import GOVUK_FRONTEND, Renderer, SlackLink, static_files
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

SECURITY_HEADERS = [
    (
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),
]
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
}
HTML = "text/html; charset=utf-8"
# Ids as the database hands them out: no sign, no leading zero, and short
# enough that no id a person types is too big for the database.
_MEETUP = re.compile(r"/meetups/([1-9][0-9]{0,8})(\.ics)?")


class SlackLinks:
    """The team and app ids for the "Open in Slack" button, asked of Slack
    (auth.test, then bots.info) on first use and kept; after a failure the
    pages go without the button and ask again a minute later."""

    RETRY_SECONDS = 60.0

    def __init__(self, client: WebClient):
        self.client = client
        self._link: SlackLink | None = None
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    def __call__(self) -> SlackLink | None:
        with self._lock:
            if self._link is None and (
                self._failed_at is None or time.monotonic() - self._failed_at > self.RETRY_SECONDS
            ):
                self._link = self._ask()
                self._failed_at = None if self._link else time.monotonic()
            return self._link

    def _ask(self) -> SlackLink | None:
        try:
            auth = self.client.auth_test()
            bot = self.client.bots_info(bot=auth["bot_id"])
            return SlackLink(team_id=auth["team_id"], app_id=bot["bot"]["app_id"])
        except (SlackApiError, SlackClientError, KeyError, TypeError) as error:
            log.warning("Could not find the app's Slack ids for the public pages: %s", error)
            return None


def _reply(start_response, status: int, body: bytes, headers: Iterable[tuple[str, str]]) -> list[bytes]:
    header_list = [*SECURITY_HEADERS, *headers]
    if status != 304:
        header_list.append(("Content-Length", str(len(body))))
    start_response(f"{status} {HTTPStatus(status).phrase}", header_list)
    return [body] if status != 304 else []


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def _static(path: Path) -> tuple[bytes, str]:
    body = path.read_bytes()
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


# Seconds the meetups read for one page view serve the next ones too: the
# two queries cost more than the rest of a view, and 200 views a second
# beside a sign-up rush would otherwise take a core from the sign-ups. A page
# is at most this late with a change, and its ETag with it.
FRESH_FOR = 1.0


class PublicPages:
    """The website as a WSGI app. `clock` gives the time that decides which
    meetups are still to come."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        *,
        slack_link: Callable[[], SlackLink | None],
        clock: Callable[[], datetime] = utcnow,
        fresh_for: float = FRESH_FOR,
    ):
        self.settings = settings
        self.db = db
        self.slack_link = slack_link
        self.clock = clock
        self.fresh_for = fresh_for
        self._site: tuple[float, Site] | None = None
        self._site_lock = threading.Lock()
        self.renderer = Renderer()
        # Read once: together they are a few hundred kilobytes.
        self.files = {name: _static(path) for name, path in static_files().items()}
        # Rendered answers by ETag: a page view that finds nothing changed
        # costs no rendering.
        self._made: dict[str, tuple[bytes, str]] = {}
        self._made_lock = threading.Lock()

    def __call__(self, environ, start_response) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _reply(start_response, 405, b"Use GET\n", [("Allow", "GET, HEAD"), ("Content-Type", "text/plain")])
        if path.startswith("/assets/"):
            return self._asset(environ, start_response, path.removeprefix("/assets/"))
        try:
            return self._page(environ, start_response, path)
        except Exception:  # a page that fails says so plainly, without a traceback
            log.exception("Public page %s failed", path)
            body = b"<!DOCTYPE html><html lang='en'><title>Sorry, there is a problem</title><p>Try again later.</p>"
            return _reply(start_response, 500, body, [("Content-Type", HTML), ("Cache-Control", "no-store")])

    def _page(self, environ, start_response, path: str) -> list[bytes]:
        match = _MEETUP.fullmatch(path)
        if path != "/" and match is None:
            return self._not_found(start_response)
        site = self._read_site()
        if match and site.find(int(match.group(1))) is None:
            return self._not_found(start_response)  # before any ETag: a missing page has none
        link = self.slack_link() if match else None
        etag = site.version(
            path,
            self.settings.slack_join_url or "",
            self.settings.organiser_contact,
            self.settings.organiser_name,  # the calendar file's ORGANIZER
            repr(link),
        )
        headers = [("ETag", f'"{etag}"'), ("Cache-Control", "no-cache")]
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), f'"{etag}"'):
            return _reply(start_response, 304, b"", headers)
        with self._made_lock:
            made = self._made.get(etag)
        if made is None:
            made = self._make(site, match, link)
            if made is None:
                return self._not_found(start_response)
            with self._made_lock:
                if len(self._made) >= 64:
                    self._made.clear()
                self._made[etag] = made
        body, content_type = made
        extra = []
        if match and match.group(2):
            extra = [("Content-Disposition", f'attachment; filename="meetup-{match.group(1)}.ics"')]
        return _reply(start_response, 200, body, [("Content-Type", content_type), *headers, *extra])

    def _read_site(self) -> Site:
        with self._site_lock:
            if self._site is not None and time.monotonic() - self._site[0] < self.fresh_for:
                return self._site[1]
            site = read_site(self.db, self.clock())
            self._site = (time.monotonic(), site)
            return site

    def _make(self, site: Site, match: re.Match | None, link: SlackLink | None) -> tuple[bytes, str] | None:
        tz = self.settings.tz
        if match is None:
            return self.renderer.front(front_page(self.db, site, tz)).encode(), HTML
        meetup = site.find(int(match.group(1)))
        if meetup is None:
            return None
        if match.group(2):
            organiser = calendar_organiser(self.settings.organiser_name, self.settings.organiser_contact)
            return (calendar_file(site, meetup.id, tz, organiser) or "").encode(), "text/calendar; charset=utf-8"
        page = self.renderer.meetup(
            meetup_view(site, meetup, tz),
            join_url=self.settings.slack_join_url,
            slack_link=link,
            contact=contact(self.settings.organiser_contact),
        )
        return page.encode(), HTML

    def _not_found(self, start_response) -> list[bytes]:
        body = self.renderer.not_found().encode()
        return _reply(start_response, 404, body, [("Content-Type", HTML), ("Cache-Control", "no-cache")])

    def _asset(self, environ, start_response, name: str) -> list[bytes]:
        file = self.files.get(name)
        if file is None:
            return self._not_found(start_response)
        body, etag = file
        # The vendored release's path names its version: it never changes.
        forever = name.startswith(f"{GOVUK_FRONTEND}/")
        headers = [
            ("ETag", etag),
            ("Cache-Control", "public, max-age=31536000, immutable" if forever else "public, max-age=3600"),
            ("Content-Type", _TYPES.get(Path(name).suffix, "application/octet-stream")),
        ]
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), etag):
            return _reply(start_response, 304, b"", headers)
        return _reply(start_response, 200, body, headers)


def make_pages(
    settings: Settings,
    db: Database,
    client: WebClient,
    *,
    clock: Callable[[], datetime] = utcnow,
    fresh_for: float = FRESH_FOR,
) -> PublicPages | None:
    """The website, or None when PUBLIC_PAGES=off."""
    if not settings.public_pages:
        return None
    return PublicPages(settings, db, slack_link=SlackLinks(client), clock=clock, fresh_for=fresh_for)
