"""`meetup-bot`: serve, migrate, and manage meetups from the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path

from bot.settings import Settings, SettingsError, load_dotenv_file, load_settings


def _parse_local(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date and time like 2027-02-24T13:00") from None


def _positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is not a whole number of 1 or more")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="meetup-bot", description="Runs the cross-government meetup Slack app.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("serve", help="run the bot (Socket Mode when SLACK_APP_TOKEN is set, otherwise HTTP on PORT)")

    db = commands.add_parser("db", help="database tasks")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="TASK")
    db_commands.add_parser("upgrade", help="apply pending migrations")

    _add_event(commands)

    commands.add_parser("purge", help="remove personal data of meetups that ended over PURGE_AFTER_DAYS ago")
    _add_reports(commands)
    _add_domains(commands)
    _add_introductions(commands)

    commands.add_parser(
        "check",
        help="check the settings, the Slack app and the database; one line per check, exit status 1 if any fails",
    )

    reminders = commands.add_parser("reminders", help="reminders and queued messages")
    reminder_commands = reminders.add_subparsers(dest="reminders_command", required=True, metavar="TASK")
    run_due = reminder_commands.add_parser(
        "run-due", help="send the reminders and messages that are due, then exit (for deployments that prefer cron)"
    )
    run_due.add_argument("--dry-run", action="store_true", help="print what would be sent and send nothing")
    return parser


def _add_event(commands) -> None:
    event = commands.add_parser("event", help="create and list meetups")
    event_commands = event.add_subparsers(dest="event_command", required=True, metavar="TASK")
    create = event_commands.add_parser("create", help="create a meetup and print its id")
    create.add_argument("--title", required=True)
    create.add_argument("--starts", required=True, type=_parse_local, help="local time, for example 2027-02-24T13:00")
    create.add_argument("--ends", required=True, type=_parse_local, help="local time, for example 2027-02-24T17:00")
    create.add_argument("--venue", required=True)
    create.add_argument("--capacity", required=True, type=_positive_int)
    create.add_argument("--audience", default="government", choices=["government", "public-sector", "open"])
    create.add_argument(
        "--include",
        default="",
        metavar="SECTORS",
        help="for government meetups, extra sectors admitted: nhs,police,local_authority,armed_forces",
    )
    create.add_argument("--host", default="", help="host organisation")
    create.add_argument("--description", default="")
    create.add_argument("--signup-closes", type=_parse_local, default=None, help="local time sign-up closes")
    create.add_argument(
        "--online-link", default="", help="https:// link to join online, sent only to people with a place"
    )
    event_commands.add_parser("list", help="list meetups, one a line, id first")


def _add_reports(commands) -> None:
    """What organisers read off a meetup: the figures, the lists and the feedback."""
    stats = commands.add_parser(
        "stats", help="print participation across the series, as /meetup stats shows it; stays right after the purge"
    )
    stats.add_argument("--json", action="store_true", help="print the figures as JSON")
    export = commands.add_parser(
        "export",
        help="print a meetup's confirmed attendees as CSV: the full list for organisers, or --venue",
    )
    export.add_argument("meetup", type=_positive_int, metavar="MEETUP", help="the meetup's id (see `event list`)")
    export.add_argument(
        "--venue",
        action="store_true",
        help="only the venue list for the building's security desk (VENUE_LIST_COLUMNS; no dietary or access needs)",
    )
    feedback = commands.add_parser(
        "feedback", help="print every feedback answer about a meetup as CSV, comments in full (they name nobody)"
    )
    feedback.add_argument("meetup", type=_positive_int, metavar="MEETUP", help="the meetup's id (see `event list`)")


def _add_introductions(commands) -> None:
    introductions = commands.add_parser("introductions", help="introductions between people at a meetup")
    introduction_commands = introductions.add_subparsers(dest="introductions_command", required=True, metavar="TASK")
    plan = introduction_commands.add_parser(
        "plan", help="show the introductions the worker would make at a meetup: organisations and topics, no names"
    )
    plan.add_argument("meetup", type=_positive_int, metavar="MEETUP", help="the meetup's id (see `event list`)")
    plan.add_argument("--dry-run", action="store_true", help="print the plan and send nothing (required)")


def _add_domains(commands) -> None:
    domain_lists = commands.add_parser("domains", help="the list of public-sector email domains in use")
    domain_commands = domain_lists.add_subparsers(dest="domains_command", required=True, metavar="TASK")
    load = domain_commands.add_parser("import", help="use a newer copy of a domain list, laid over the shipped one")
    load.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="user_domains.json (with govuk_organisations.json for names), domains.yml "
        "or the Jisc CSV; other files are skipped",
    )
    domain_commands.add_parser("info", help="where the list in use came from, and its date")
    domain_commands.add_parser("reset", help="go back to the list shipped with this version")


def _configure_logging(settings: Settings | None) -> None:
    from bot.runtime.logs import configure

    configure(settings.log_format if settings else "text")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    load_dotenv_file()
    if args.command == "check":
        # check reports settings problems itself, alongside everything else.
        from bot.runtime.check import run
        from bot.runtime.logs import configure

        configure("text")  # so a library's warning is redacted too
        return run()
    # A dry run only reads the database: it needs no Slack settings.
    need_slack = args.command == "serve" or (args.command == "reminders" and not args.dry_run)
    try:
        settings = load_settings(need_slack=need_slack)
    except SettingsError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 2
    _configure_logging(settings)

    from storage.db import Database
    from storage.migrate import upgrade

    db = Database(settings.database_url)
    try:
        if args.command == "db":
            upgrade(db.engine)
            print("The database is up to date.", file=sys.stderr)
            return 0
        if args.command == "event":
            upgrade(db.engine)
            return _event(args, settings, db)
        if args.command == "purge":
            upgrade(db.engine)
            return _purge(settings, db)
        if args.command == "stats":
            upgrade(db.engine)
            return _stats(args, settings, db)
        if args.command == "export":
            upgrade(db.engine)
            return _export(args, settings, db)
        if args.command == "feedback":
            upgrade(db.engine)
            return _feedback(args, db)
        if args.command == "domains":
            upgrade(db.engine)
            return _domains(args, settings, db)
        if args.command == "introductions":
            upgrade(db.engine)
            return _introductions(args, settings, db)
        if args.command == "serve":
            return _serve(settings, db)
        if args.command == "reminders":
            upgrade(db.engine)
            return _reminders(args, settings, db)
    finally:
        db.dispose()
    return 1


def _event(args, settings: Settings, db) -> int:
    from bot.common.formatting import format_when, plural
    from bot.meetups.meetups import ValidationError, all_meetups
    from bot.organising.organising import create_meetup
    from bot.reminders.reminders import ReminderPlan
    from storage.models import utcnow

    if args.event_command == "list":
        for meetup in all_meetups(db):
            when = format_when(meetup.starts_at, meetup.ends_at, settings.tz)
            places = plural(meetup.capacity, "place")
            print(f"{meetup.id}\t{meetup.title}\t{when}\t{meetup.venue}\t{places}\t{meetup.status}")
        return 0
    try:
        meetup = create_meetup(
            db,
            title=args.title,
            starts=args.starts,
            ends=args.ends,
            venue=args.venue,
            capacity=args.capacity,
            audience=args.audience,
            extra_sectors=frozenset(s.strip() for s in args.include.split(",") if s.strip()),
            host_organisation=args.host,
            description=args.description,
            signup_closes=args.signup_closes,
            online_link=args.online_link,
            tz=settings.tz,
            now=utcnow(),
            reminder_plan=ReminderPlan.from_settings(settings),
        )
    except ValidationError as error:
        for field, message in error.errors.items():
            print(f"--{field.replace('_', '-')}: {message}", file=sys.stderr)
        return 2
    print(meetup.id)
    return 0


def _purge(settings: Settings, db) -> int:
    from bot.runtime.app import make_client
    from bot.runtime.purge import purge
    from storage.models import utcnow

    report = purge(db, make_client(settings), settings, now=utcnow())
    for meetup, count in report.purged:
        print(f"{meetup.id}\t{meetup.title}\tremoved personal data of {count} sign-ups")
    if report.files_deleted:
        print(f"Deleted {report.files_deleted} exported visitor lists from Slack")
    if report.messages_cleared:
        print(f"Queued changes to {report.messages_cleared} approval requests in Slack: the worker sends them")
    if report.files_left:
        print(
            f"{report.files_left} exported visitor lists could not be deleted from Slack (see the log); "
            "run `meetup-bot purge` again later",
            file=sys.stderr,
        )
        return 1
    return 0


def _stats(args, settings: Settings, db) -> int:
    import json

    from bot.meetups.stats import series_stats
    from bot.meetups.stats_text import as_json, printed
    from storage.models import utcnow

    stats = series_stats(db, utcnow())
    print(json.dumps(as_json(stats), indent=2) if args.json else printed(stats, settings.tz))
    return 0


def _introductions(args, settings: Settings, db) -> int:
    from bot.common.pseudonyms import PersonKeys
    from bot.introductions.introductions import describe_plan

    if not args.dry_run:
        print(
            "The bot's worker makes the introductions INTRODUCTIONS_DAYS_BEFORE days before the meetup. "
            "Add --dry-run to see them now.",
            file=sys.stderr,
        )
        return 2
    people = PersonKeys.from_settings(settings)
    if people is None:
        print("Set PSEUDONYM_KEY (or SLACK_SIGNING_SECRET) as the bot has it, to know who met before.", file=sys.stderr)
        return 2
    lines = describe_plan(db, args.meetup, people)
    if lines is None:
        print(f"There is no meetup {args.meetup}. Use `meetup-bot event list` to see their ids.", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    print(f"{len(lines)} introductions.", file=sys.stderr)
    return 0


def _export(args, settings: Settings, db) -> int:
    from bot.signups.export import VIA_COMMAND_LINE, export_meetup
    from storage.models import utcnow

    # Without --venue: the full list, dietary and access needs too, which the
    # privacy notice lets organisers see; not for the building.
    venue = settings.venue_list_columns if args.venue else None
    result = export_meetup(db, args.meetup, by=None, via=VIA_COMMAND_LINE, now=utcnow(), venue=venue)
    if result.meetup is None:
        print(f"There is no meetup {args.meetup}. Use `meetup-bot event list` to see their ids.", file=sys.stderr)
        return 2
    # Bytes, not text: the rows already end in CRLF (RFC 4180), and a text
    # stream may translate line endings or choose an encoding other than UTF-8.
    sys.stdout.buffer.write(result.csv_text.encode("utf-8"))
    sys.stdout.flush()
    print(f"{result.row_count} confirmed for {result.meetup.title}.", file=sys.stderr)
    return 0


def _feedback(args, db) -> int:
    from bot.feedback.feedback import feedback_csv, feedback_meetup
    from storage.models import utcnow

    meetup = feedback_meetup(db, args.meetup, now=utcnow())
    if meetup is None:
        print(f"There is no meetup {args.meetup}. Use `meetup-bot event list` to see their ids.", file=sys.stderr)
        return 2
    csv_text, count = feedback_csv(db, meetup.id)
    # Bytes, as for `export`: the rows already end in CRLF.
    sys.stdout.buffer.write(csv_text.encode("utf-8"))
    sys.stdout.flush()
    print(f"{count} answers about {meetup.title}, of {meetup.feedback_asked} people asked.", file=sys.stderr)
    return 0


def _domains(args, settings: Settings, db) -> int:
    from bot.domains import imports as domain_lists
    from storage.models import utcnow

    if args.domains_command == "info":
        print("\n".join(domain_lists.describe(db, settings.tz)))
        return 0
    if args.domains_command == "reset":
        if domain_lists.reset(db):
            print("Removed the imported list. The list shipped with this version is in use.")
        else:
            print("There was no imported list. The list shipped with this version is in use.")
        return 0
    for path in args.paths:
        if not path.is_file():
            print(f"{path} does not exist or is not a file. Check the path.", file=sys.stderr)
            return 2
    before = len(domain_lists.table_from(db).current()["domains"])
    try:
        table = domain_lists.import_lists(db, args.paths, now=utcnow())
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    counts = domain_lists.sector_counts(table)
    print(
        f"Imported {len(table['domains']):,} domains (the list in use had {before:,}). Running bots use it "
        f"within {domain_lists.ImportedDomainList.RECHECK_SECONDS} seconds."
    )
    for sector, count in sorted(counts.items()):
        print(f"  {sector}: {count:,}")
    print(f"Source: {table['source']}")
    return 0


def _serve(settings: Settings, db) -> int:
    from bot.runtime.server import listen, serve_forked
    from storage.db import Database

    failed = _upgrade_apart(settings.database_url)
    if failed:
        return failed
    if settings.socket_mode or settings.web_concurrency == 1:
        return _serve_one(settings, db)
    # Several processes: bind once, then fork before any thread starts or any
    # connection opens (each child makes its own), so they share the port.
    db.dispose()
    try:
        sock = listen(settings.port)
    except OSError as error:
        print(f"Cannot listen on PORT {settings.port}: {error.strerror}. Choose another PORT.", file=sys.stderr)
        return 2

    def run_one(slot: int) -> int:
        child_db = Database(settings.database_url)
        try:
            if slot == settings.web_concurrency:
                return _work(settings, child_db)
            return _serve_one(settings, child_db, sock=sock, background=False)
        finally:
            child_db.dispose()

    # One more process than WEB_CONCURRENCY: the worker, which sends.
    logging.getLogger(__name__).info(
        "Starting %d server processes on PORT %d, and a worker process that sends the messages",
        settings.web_concurrency,
        settings.port,
    )
    return serve_forked(run_one, processes=settings.web_concurrency + 1)


def _upgrade_apart(database_url: str) -> int:
    """Bring the schema up to date in a child process; its exit code. Alembic
    and what it imports take about 10 MB, which every server process forked
    from this one would otherwise keep for good (docs/performance.md)."""
    import os
    import traceback

    pid = os.fork()
    if pid == 0:  # the child: no thread has started and no connection is open yet
        code = 1
        try:
            from storage.db import Database
            from storage.migrate import upgrade

            db = Database(database_url)
            upgrade(db.engine)
            db.dispose()
            code = 0
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _serve_one(settings: Settings, db, *, sock=None, background: bool = True) -> int:
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot.runtime.app import create_app, make_outbox, make_worker
    from bot.runtime.server import freeze_start_up, make_http_server, serve_http, serve_socket_mode, start_housekeeping
    from bot.runtime.web import make_pages

    try:
        outbox = make_outbox(settings, db)
        app, _ = create_app(settings, db, outbox=outbox)
    except (BoltError, SlackApiError) as error:
        print(
            f"Slack did not accept SLACK_BOT_TOKEN ({error}). Check the token in .env, or run `meetup-bot check`.",
            file=sys.stderr,
        )
        return 2
    worker = None
    if background:
        # Reminders, queued messages and the personal data purge run in the background.
        start_housekeeping(db, settings)
        worker = make_worker(settings, db, outbox=outbox)
        worker.start()
    else:
        # The worker process sends every message: this one only answers Slack.
        outbox.send_soon = False
    pages = make_pages(settings, db, app.client)
    freeze_start_up()
    try:
        if settings.socket_mode:
            assert settings.app_token is not None  # socket_mode is bool(app_token), and Settings is frozen
            # No Bolt app on this server: Socket Mode checks no signatures.
            try:
                http = make_http_server(None, db, port=settings.port, pages=pages, slack_events=False)
            except OSError as error:
                print(f"Cannot listen on PORT {settings.port}: {error.strerror}. Choose another PORT.", file=sys.stderr)
                return 2
            serve_socket_mode(app, settings.app_token, http=http)
        else:
            serve_http(app, db, port=settings.port, sock=sock, pages=pages)
    finally:
        if worker is not None:
            worker.stop()
    return 0


# The worker process's niceness. When a rush needs more CPU than there is,
# the kernel favours the server processes: Slack wants an answer within 3
# seconds, and the messages queued meanwhile go a little later.
_WORKER_NICENESS = 5


def _work(settings: Settings, db) -> int:
    """The worker process of `serve` with WEB_CONCURRENCY: sends each queued
    message soon after it is queued, queues reminders when due, and removes
    personal data when its time comes."""
    import os
    import threading

    from bot.runtime.app import make_worker
    from bot.runtime.server import freeze_start_up, start_housekeeping

    os.nice(_WORKER_NICENESS)
    start_housekeeping(db, settings)
    worker = make_worker(settings, db)
    freeze_start_up()
    worker.start()
    worker.outbox.run_sender(threading.Event())  # until the process is stopped
    return 0


def _reminders(args, settings: Settings, db) -> int:
    from bot.runtime.app import make_worker

    worker = make_worker(settings, db)
    if args.dry_run:
        lines = worker.dry_run()
        for line in lines:
            print(line)
        if not lines:
            print("Nothing is due.")
        return 0
    summary = worker.run_due()
    print(f"Reminders: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
