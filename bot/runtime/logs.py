"""Log lines for operators: text or JSON (`LOG_FORMAT`), never a token or an email.

Every record passes through one redacting filter on the handler, so a token or
an email address that reaches a log message by any route (a library's warning
that quotes a request body, an exception's text, a traceback) is blanked
before it is written. Structured fields go in `extra={"fields": {...}}`: JSON
lines carry them as keys; text lines already say them in the message.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# Slack tokens: xoxb- (bot), xoxp- (user), xoxa-, xoxe-, xoxr- (refresh) and
# app-level xapp-. Emails: anything@domain.tld, as loosely as people type them.
_SECRETS = [
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]*"), "xox?-[redacted]"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]*"), "xapp-[redacted]"),
    (re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"), "[email redacted]"),
    # Database errors quote the values they were given: SQLAlchemy's
    # "[parameters: ...]" (the engines hide them, storage/db.py; this is for
    # any other engine), and PostgreSQL's DETAIL lines, which hide_parameters
    # does not touch: "Failing row contains (..., Ada Lovelace, halal, ...)"
    # and "Key (...)=(...)". A name or a dietary or access answer must not
    # reach the log by that route.
    (re.compile(r"\[parameters: .*?\](?=\s*(\n|\(Background|$))", re.DOTALL), "[parameters redacted]"),
    (re.compile(r"(Failing row contains |Key \([^)\n]*\)=)\(.*"), r"\1([values redacted])"),
]


# What each pattern above must contain: a line with none of these (most of
# them) is returned as it is, after one scan instead of one per pattern.
_MAYBE_SECRET = re.compile(r"xox|xapp-|@|\[parameters: |Failing row contains |Key \(")


def redact(text: str) -> str:
    if not _MAYBE_SECRET.search(text):
        return text
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(v) for v in value]
    return value


class RedactingFilter(logging.Filter):
    """Blanks tokens and email addresses in the message, its arguments, the
    structured fields and any traceback, before a formatter sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's format string that does not fit its arguments
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            # Set through __dict__: `fields` comes in a log call's extra=, so
            # LogRecord does not declare it.
            record.__dict__["fields"] = _redact_value(fields)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(log_format: str = "text", *, stream=None) -> logging.Handler:
    """Send every log line, redacted, to standard error (containers collect it)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # No line says where in the code, or in which thread or process, it was
    # made, so nothing looks that up for each line: the logging HOWTO's
    # "Optimization" settings. A line is written for every request and every
    # call to Slack, and the lookups cost more than writing it.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    # Alembic narrates every plugin it loads; operators need only problems.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return handler


def fields_text(fields: dict) -> str:
    """`key=value` pairs for the text form of a structured line."""
    return " ".join(f"{key}={value}" for key, value in fields.items() if key != "event")
