"""Settings from the environment and `.env`, as named in the operating contract.

A missing or malformed setting stops the program at start with one line per
problem, naming the setting and how to fix it, so an operator never has to read
a traceback to find out what to set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOW_TO_GET_TOKENS = (
    "create the Slack app from manifest.yml (see docs in README.md), then copy .env.example to .env and fill it in"
)


class SettingsError(Exception):
    """Raised with every problem found, not just the first."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str
    database_url: str
    channel_id: str
    organiser_user_ids: frozenset[str] = field(default_factory=frozenset)
    organiser_usergroup_id: str | None = None
    organiser_channel_id: str | None = None
    port: int = 3000
    # HTTP mode: server processes sharing PORT, one per core is usual.
    web_concurrency: int = 1
    timezone: str = "Europe/London"
    reminder_poll_seconds: int = 30
    vote_emoji: tuple[str, ...] = ("+1",)
    purge_after_days: int = 30
    log_format: str = "text"
    privacy_notice_url: str | None = None
    organiser_contact: str = "the meetup organisers"
    organiser_name: str = "The cross-government Open Source meetup organisers"
    # Reminders (bot/reminders/reminders.py). 0 days or no morning time: not sent.
    reminder_week_before_days: int = 7
    reminder_day_before_days: int = 1
    reminder_morning_time: time | None = time(8, 30)
    reminder_grace_hours: int = 6
    # The local time, the day after a meetup, when the people who came are
    # asked for feedback (bot/feedback/feedback.py). None: never.
    feedback_time: time | None = time(10, 0)
    # Slack server errors: first wait before trying a message again (it
    # doubles each time), and how many tries before giving up.
    delivery_retry_seconds: int = 30
    delivery_max_attempts: int = 10
    # The key of the person keys kept after the purge for the series figures
    # (bot/common/pseudonyms.py PersonKeys). None: the signing secret is used.
    pseudonym_key: str | None = None
    # The venue list for the building's security desk (bot/signups/export.py
    # VENUE_COLUMNS), and how many working days before a meetup the final
    # list goes to the organisers (0: never).
    venue_list_columns: tuple[str, ...] = ("full_name", "organisation")
    final_list_working_days: int = 2
    # Whose bank holidays are not working days (bot/common/working_days.py).
    bank_holidays: str = "england-and-wales"
    # The public website (bot/web): where to join the cross-government Slack,
    # and whether the pages are served at all.
    slack_join_url: str | None = None
    public_pages: bool = True
    # Days before a meetup when people who asked are introduced (bot/introductions); 0: never.
    introductions_days_before: int = 2

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_dotenv_file(path: str = ".env") -> None:
    """Read `.env` without overriding what the environment already says."""
    from dotenv import load_dotenv

    load_dotenv(path, override=False)


# More server processes than this by default would each hold a database pool
# (up to 20 PostgreSQL connections) and about 100 MB, for little more speed.
MOST_DEFAULT_PROCESSES = 4


def default_web_concurrency() -> int:
    """One server process per core this process may use, up to
    MOST_DEFAULT_PROCESSES: Python runs one thread at a time in a process,
    and one process alone cannot keep up with a rush of 100 sign-ups a
    second (docs/performance.md)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MOST_DEFAULT_PROCESSES))


def _ids(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _int(env, name, default, problems, minimum=0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        number = int(raw)
    except ValueError:
        problems.append(f"{name} must be a whole number, for example {default}. It is '{raw}'.")
        return default
    if number < minimum:
        problems.append(f"{name} must be {minimum} or more. It is {number}.")
    return number


def _time_of_day(env, name, default: time, problems) -> time | None:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw == "off":
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw)
    if not match:
        problems.append(f"{name} must be a time like {default:%H:%M}, or off. It is '{raw}'.")
        return default
    return time(int(match.group(1)), int(match.group(2)))


def _check_slack(
    bot_token: str, app_token: str | None, signing_secret: str | None, channel_id: str, problems: list[str]
) -> None:
    """The tokens and the channel, for every command that talks to Slack."""
    if not bot_token:
        problems.append(f"SLACK_BOT_TOKEN is not set. It starts xoxb-: {HOW_TO_GET_TOKENS}.")
    elif not bot_token.startswith("xoxb-"):
        problems.append(
            "SLACK_BOT_TOKEN must be the bot token starting xoxb- (OAuth & Permissions in your app's settings)."
        )
    if app_token and not app_token.startswith("xapp-"):
        problems.append(
            "SLACK_APP_TOKEN must be an app-level token starting xapp- "
            "(Basic Information, App-Level Tokens, scope connections:write), or unset for HTTP mode."
        )
    if not app_token and not signing_secret:
        problems.append(
            "SLACK_SIGNING_SECRET is not set. Copy it from Basic Information in your app's "
            "settings, or set SLACK_APP_TOKEN to run in Socket Mode."
        )
    if not channel_id:
        problems.append(
            "MEETUP_CHANNEL_ID is not set. Use the ID of the channel for announcements "
            "(channel details, at the bottom), for example C0123456789."
        )
    elif not re.fullmatch(r"[CG][A-Z0-9]{2,}", channel_id):
        problems.append(f"MEETUP_CHANNEL_ID must be a channel ID like C0123456789, not '{channel_id}'.")


def _urls(get: Callable[[str], str], problems: list[str]) -> tuple[str, str]:
    """SLACK_API_URL and DATABASE_URL, each in the form the clients expect."""
    api_url = get("SLACK_API_URL") or "https://slack.com/api/"
    if not re.match(r"https?://", api_url):
        problems.append(f"SLACK_API_URL must start with https://. It is '{api_url}'.")
    if not api_url.endswith("/"):
        api_url += "/"

    database_url = get("DATABASE_URL") or "sqlite:///meetup.db"
    if not re.match(r"(sqlite|postgresql)(\+\w+)?://", database_url):
        problems.append("DATABASE_URL must be sqlite:///meetup.db or postgresql+psycopg://user:password@host/name.")
    elif database_url.startswith(("postgresql://", "postgres://")):
        # Plain postgresql:// would make SQLAlchemy look for psycopg2, which we do not ship.
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return api_url, database_url


def _public_pages(get: Callable[[str], str], problems: list[str]) -> tuple[str | None, bool]:
    """SLACK_JOIN_URL and PUBLIC_PAGES, for the public website."""
    join_url = get("SLACK_JOIN_URL") or None
    if join_url and not re.fullmatch(r"https://[^\s\"'<>]+", join_url):
        problems.append(f"SLACK_JOIN_URL must be a web address starting https://, or unset. It is '{join_url}'.")
        join_url = None
    pages = (get("PUBLIC_PAGES") or "on").lower()
    if pages not in ("on", "off"):
        problems.append(f"PUBLIC_PAGES must be on or off. It is '{pages}'.")
    return join_url, pages != "off"


def _organisers(get: Callable[[str], str], problems: list[str]) -> frozenset[str]:
    """ORGANISER_CHANNEL_ID checked, and ORGANISER_USER_IDS read."""
    organiser_channel = get("ORGANISER_CHANNEL_ID")
    if organiser_channel and not re.fullmatch(r"[CG][A-Z0-9]{2,}", organiser_channel):
        problems.append(
            f"ORGANISER_CHANNEL_ID must be a channel ID like C0123456789, not '{organiser_channel}', "
            "or unset to send approval requests to each organiser by direct message."
        )

    organisers = _ids(get("ORGANISER_USER_IDS"))
    for user_id in organisers:
        if not re.fullmatch(r"[UW][A-Z0-9]{2,}", user_id):
            problems.append(
                f"ORGANISER_USER_IDS must be Slack user IDs like U0123456789, separated by commas. "
                f"'{user_id}' is not one."
            )
    return organisers


# What a building may be given: never dietary or access needs (health data).
VENUE_LIST_ALLOWED = ("full_name", "organisation", "email", "government_team")


def _venue_columns(get: Callable[[str], str], problems: list[str]) -> tuple[str, ...]:
    raw = get("VENUE_LIST_COLUMNS")
    if not raw:
        return ("full_name", "organisation")
    columns = tuple(dict.fromkeys(c.strip().lower() for c in raw.split(",") if c.strip()))
    wrong = [c for c in columns if c not in VENUE_LIST_ALLOWED]
    if wrong or not columns:
        problems.append(
            f"VENUE_LIST_COLUMNS must be some of {', '.join(VENUE_LIST_ALLOWED)}, separated by commas "
            f"(never dietary or access needs). It is '{raw}'."
        )
        return ("full_name", "organisation")
    return columns


BANK_HOLIDAY_REGIONS = ("england-and-wales", "scotland", "northern-ireland", "none")


def _bank_holidays(get: Callable[[str], str], problems: list[str]) -> str:
    raw = get("BANK_HOLIDAYS")
    region = (raw or "england-and-wales").strip().lower()
    if region not in BANK_HOLIDAY_REGIONS:
        problems.append(
            f"BANK_HOLIDAYS must be england-and-wales, scotland or northern-ireland (where the meetups are), "
            f"or none. It is '{raw}'."
        )
        return "england-and-wales"
    return region


# Not split: one line a setting, read top to bottom beside the operating contract's table.
def load_settings(env: Mapping[str, str] | None = None, *, need_slack: bool = True) -> Settings:
    """Build Settings from `env` (default: os.environ).

    `need_slack=False` is for commands that only touch the database
    (`db upgrade`, `event create`), so an operator can prepare a database
    before the Slack app exists.
    """
    env = os.environ if env is None else env
    problems: list[str] = []

    def get(name: str) -> str:
        return env.get(name, "").strip()

    bot_token = get("SLACK_BOT_TOKEN")
    signing_secret = get("SLACK_SIGNING_SECRET") or None
    app_token = get("SLACK_APP_TOKEN") or None
    channel_id = get("MEETUP_CHANNEL_ID")

    if need_slack:
        _check_slack(bot_token, app_token, signing_secret, channel_id, problems)

    api_url, database_url = _urls(get, problems)
    organisers = _organisers(get, problems)

    timezone = get("TIMEZONE") or "Europe/London"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"TIMEZONE must be a time zone name like Europe/London. It is '{timezone}'.")
        timezone = "Europe/London"

    log_format = get("LOG_FORMAT") or "text"
    if log_format not in ("text", "json"):
        problems.append(f"LOG_FORMAT must be text or json. It is '{log_format}'.")

    week_before = _int(env, "REMINDER_WEEK_BEFORE_DAYS", 7, problems)
    day_before = _int(env, "REMINDER_DAY_BEFORE_DAYS", 1, problems)
    if week_before and day_before and week_before <= day_before:
        problems.append(
            f"REMINDER_WEEK_BEFORE_DAYS ({week_before}) must be more than REMINDER_DAY_BEFORE_DAYS ({day_before}), "
            "or 0 to send no week-before reminder."
        )

    join_url, public_pages = _public_pages(get, problems)
    emoji = tuple(e.strip(": ") for e in (get("VOTE_EMOJI") or "+1").split(",") if e.strip(": "))

    settings = Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        api_url=api_url,
        database_url=database_url,
        channel_id=channel_id,
        organiser_user_ids=organisers,
        organiser_usergroup_id=get("ORGANISER_USERGROUP_ID") or None,
        organiser_channel_id=get("ORGANISER_CHANNEL_ID") or None,
        port=_int(env, "PORT", 3000, problems, minimum=1),
        web_concurrency=_int(env, "WEB_CONCURRENCY", default_web_concurrency(), problems, minimum=1),
        timezone=timezone,
        reminder_poll_seconds=_int(env, "REMINDER_POLL_SECONDS", 30, problems, minimum=1),
        vote_emoji=emoji or ("+1",),
        purge_after_days=_int(env, "PURGE_AFTER_DAYS", 30, problems, minimum=1),
        log_format=log_format,
        privacy_notice_url=get("PRIVACY_NOTICE_URL") or None,
        organiser_contact=get("ORGANISER_CONTACT") or "the meetup organisers",
        organiser_name=get("ORGANISER_NAME") or "The cross-government Open Source meetup organisers",
        reminder_week_before_days=week_before,
        reminder_day_before_days=day_before,
        reminder_morning_time=_time_of_day(env, "REMINDER_MORNING_TIME", time(8, 30), problems),
        reminder_grace_hours=_int(env, "REMINDER_GRACE_HOURS", 6, problems),
        feedback_time=_time_of_day(env, "FEEDBACK_TIME", time(10, 0), problems),
        delivery_retry_seconds=_int(env, "DELIVERY_RETRY_SECONDS", 30, problems, minimum=1),
        delivery_max_attempts=_int(env, "DELIVERY_MAX_ATTEMPTS", 10, problems, minimum=1),
        pseudonym_key=get("PSEUDONYM_KEY") or None,
        venue_list_columns=_venue_columns(get, problems),
        final_list_working_days=_int(env, "FINAL_LIST_WORKING_DAYS", 2, problems),
        bank_holidays=_bank_holidays(get, problems),
        slack_join_url=join_url,
        public_pages=public_pages,
        introductions_days_before=_int(env, "INTRODUCTIONS_DAYS_BEFORE", 2, problems),
    )
    if problems:
        raise SettingsError(problems)
    return settings
