"""The floors: bare Bolt apps served exactly as `meetup-bot serve` serves the
real one (bot.runtime.server.make_http_server: the same WSGI function,
waitress, the same threads, the same number of processes, Bolt's listener
pool as large as the bot's). Whatever the real app takes beyond a floor is the
cost of its own work.

Two kinds (FLOOR_KIND):

- `ack`: only acknowledges every command, action, view and event. The
  yardstick of the earlier benchmark; kept as a second column.
- `fair` (with DATABASE_URL): does the Slack calls and the transaction each
  feature cannot do without, and nothing else, with the same payloads as
  the bot's (its sign-up form, its message giving a place, a calendar file
  of the same size). `/meetup signup`: the ack,
  then `users.info` (to prefill the form) and `views.open`. A modal's
  submission: one insert into a table of its own, in one transaction, then
  the ack, then `chat.postMessage` to the person and the calendar file
  (`files.getUploadURLExternal`, the upload, `files.completeUploadExternal`,
  through `files_upload_v2` as the bot sends it). It uses the bot's own Web
  API client (bot/runtime/slack_http.py) and database set-up (storage/db.py),
  so the comparison is of the work, not of the plumbing.

Run as its own process: `python -m bench.floor` with SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL and PORT set, and WEB_CONCURRENCY for
several processes sharing the port, as `meetup-bot serve` does
(bot.runtime.server.serve_forked).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from slack_sdk import WebClient
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from bot.runtime.app import LISTENER_THREADS
from bot.runtime.server import listen, make_http_server, serve_forked
from bot.runtime.slack_http import KeepAliveWebClient
from storage.db import Database

LONDON = ZoneInfo("Europe/London")

FLOOR_TABLE = Table(
    "bench_floor_signups",
    MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("slack_user_id", String(32), nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


def bot_sized_payloads() -> tuple[dict, str, list[dict]]:
    """The bot's own sign-up form for one meetup, and its message giving a
    place (text and blocks), built once by the bot's builders for a meetup
    like the benchmark's: the floor sends the same `views.open` and
    `chat.postMessage` as the bot, so the comparison is of the work around
    them, not of how much each call carries (the form is about 5 KB)."""
    from handlers.blocks.signup import signup_modal, status_blocks
    from storage.models import CONFIRMED, MEETUP_OPEN, Meetup, Registration

    starts = datetime(2027, 2, 26, 13, 0, tzinfo=LONDON)
    meetup = Meetup(
        id=1,
        title="Benchmark: commands",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        venue="102 Petty France, London",
        capacity=1_000_000,
        host_organisation="Ministry of Justice",
        audience="government",
        extra_sectors="",
        status=MEETUP_OPEN,
    )
    modal = signup_modal(
        meetups=[meetup],
        full_name="Ada Lovelace",
        email="ada@digital.cabinet-office.gov.uk",
        organisation="Cabinet Office",
        tz=LONDON,
        privacy_url=None,
        purge_after_days=30,
        channel_id="C0MEETUP",
    )
    registration = Registration(id=1, meetup_id=1, slack_user_id="U0FLOOR", status=CONFIRMED)
    blocks = status_blocks(meetup, registration, LONDON, position=None)
    return modal, blocks[0]["text"]["text"], blocks


# A calendar file of the size the bot sends (one event, its time zone rules).
CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//floor//EN\r\nBEGIN:VEVENT\r\n"
    "UID:floor@bench\r\nDTSTAMP:20270101T000000Z\r\nDTSTART:20270224T130000Z\r\n"
    "DTEND:20270224T170000Z\r\nSUMMARY:Benchmark meetup\r\nLOCATION:102 Petty France\\, London\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n" * 4
)


class _NoDatabase:
    """The ack-only floor has no database; its health check always answers."""

    def ping(self) -> None:
        return None


def _bare_app(client: WebClient, signing_secret: str) -> App:
    return App(
        client=client,
        signing_secret=signing_secret,
        token_verification_enabled=True,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )


def _only_ack(ack: Ack) -> None:
    ack()


def create_floor_app(*, token: str, signing_secret: str, api_url: str, database: Database | None = None) -> App:
    """The ack-only floor, or with `database` the fair floor."""
    if database is None:
        app = _bare_app(WebClient(token=token, base_url=api_url), signing_secret)
        app.command(re.compile(".*"))(_only_ack)
        app.view(re.compile(".*"))(_only_ack)
    else:
        app = _bare_app(KeepAliveWebClient(token=token, base_url=api_url, timeout=10), signing_secret)
        _fair_listeners(app, database)
    app.action(re.compile(".*"))(_only_ack)
    app.event("reaction_added")(_only_ack)
    app.event("reaction_removed")(_only_ack)
    return app


def _fair_listeners(app: App, database: Database) -> None:
    # The app's own client, with kept connections, as the bot's listeners
    # have: the `client` Bolt hands a listener is a plain WebClient made for
    # each request, which opens a connection for every call.
    client = app.client
    modal, text, blocks = bot_sized_payloads()

    def signup_command(ack: Ack, command: dict) -> None:
        ack()
        client.users_info(user=command["user_id"])
        client.views_open(trigger_id=command["trigger_id"], view=modal)

    def signup_submission(ack: Ack, body: dict) -> None:
        user_id = body["user"]["id"]
        with database.transaction() as session:
            session.execute(
                insert(FLOOR_TABLE).values(
                    slack_user_id=user_id, organisation="Home Office", created_at=datetime.now(UTC)
                )
            )
        ack()
        posted = client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        client.files_upload_v2(channel=posted["channel"], content=CALENDAR, filename="meetup.ics", title="Meetup")

    app.command(re.compile(".*"))(signup_command)
    app.view(re.compile(".*"))(signup_submission)


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    port = int(os.environ["PORT"])
    processes = int(os.environ.get("WEB_CONCURRENCY") or 1)
    fair = os.environ.get("FLOOR_KIND", "ack") == "fair"
    sock = listen(port, "127.0.0.1") if processes > 1 else None
    if fair:  # created once, before the processes start
        setup = Database(os.environ["DATABASE_URL"])
        FLOOR_TABLE.metadata.create_all(setup.engine)
        setup.dispose()

    def run_one(_slot: int = 0) -> int:
        database = Database(os.environ["DATABASE_URL"]) if fair else None
        app = create_floor_app(
            token=os.environ["SLACK_BOT_TOKEN"],
            signing_secret=os.environ["SLACK_SIGNING_SECRET"],
            api_url=os.environ["SLACK_API_URL"],
            database=database,
        )
        make_http_server(app, database or _NoDatabase(), host="127.0.0.1", port=port, sock=sock).run()
        return 0

    return serve_forked(run_one, processes=processes) if processes > 1 else run_one()


if __name__ == "__main__":
    sys.exit(main())
