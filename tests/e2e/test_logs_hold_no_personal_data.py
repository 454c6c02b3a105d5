"""No name, dietary or access answer reaches the logs when the database
refuses a statement (issue 16, item 2)."""

import io
import logging

from bot.runtime.logs import configure, redact
from bot.signups.signups import cancel, sign_up
from storage import registrations as registration_store
from tests.support.factories import make_form, make_meetup
from tests.support.signup import ADA, open_modal

NAME, DIETARY, ACCESS = "Zebedee Quartermaine-Okonkwo", "halal, no sesame", "wheelchair user, epilepsy"
TEAM = "Quokka Platform Squad"


def test_a_database_error_during_sign_up_logs_none_of_the_values(bot, monkeypatch, caplog):
    """A forced duplicate insert: the sign-up's check for an existing
    registration is made to miss it, so the INSERT breaks the unique
    constraint, the listener fails and Bolt logs the error."""
    bot.fake.add_user(ADA, real_name=NAME, email="zebedee@digital.cabinet-office.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock())
    sign_up(bot.db, make_form(meetup_id=meetup.id), user_id=ADA, now=bot.clock(), contact="")
    cancel(bot.db, meetup_id=meetup.id, user_id=ADA, now=bot.clock())
    monkeypatch.setattr(
        registration_store,
        "registration_and_confirmed",
        lambda session, meetup_id, user_id, person: (
            None,
            registration_store.count_confirmed(session, meetup_id),
            None,
        ),
    )

    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = configure("text", stream=stream)
    # caplog first, so it sees each record before the redacting filter
    # rewrites it: the values must not be there to redact.
    # The level is configure()'s, as in production (INFO): the Slack SDK's
    # DEBUG lines quote whole requests, and are never switched on there.
    root.handlers.insert(0, caplog.handler)
    try:
        _, view = open_modal(bot)
        bot.slack.submit_view(
            view,
            {
                "full_name": NAME,
                "organisation": "Cabinet Office",
                "role": "contractor",
                "government_team": TEAM,
                "dietary_needs": DIETARY,
                "access_needs": ACCESS,
                "needs_consent": "yes",
            },
            user_id=ADA,
        )
    finally:
        root.handlers[:], root.level = saved
        handler.close()

    raw = "\n".join(
        f"{r.getMessage()}\n{logging.Formatter().formatException(r.exc_info) if r.exc_info else ''}"
        for r in caplog.records
    )
    written = stream.getvalue()
    # The error happened and was logged: the test tried the route it guards.
    assert "uq_registration_person" in raw or "UNIQUE constraint failed" in raw, raw[-3000:]
    for value in (NAME, "Zebedee", "Quartermaine", DIETARY, "sesame", ACCESS, "epilepsy", TEAM):
        assert value not in raw, (value, [line for line in raw.splitlines() if value in line][:3])
        assert value not in written, value


def test_redaction_blanks_database_error_values():
    """The filter's second line of defence, for PostgreSQL's DETAIL lines
    (which hide_parameters leaves) and any engine without hide_parameters."""
    message = (
        '(psycopg.errors.NotNullViolation) null value in column "email"\n'
        "DETAIL:  Failing row contains (7, 1, U0ADA, Zebedee Quartermaine, halal, epilepsy).\n"
        "[SQL: INSERT INTO registrations (full_name) VALUES (%(full_name)s)]\n"
        "[parameters: {'full_name': 'Zebedee Quartermaine', 'dietary_needs': 'halal [no] pork'}]\n"
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)"
    )
    text = redact(message)
    assert "Zebedee" not in text and "halal" not in text and "epilepsy" not in text
    assert "[SQL: INSERT INTO registrations (full_name) VALUES (%(full_name)s)]" in text
    assert "(Background on this error" in text
    assert (
        redact("DETAIL:  Key (meetup_id, slack_user_id)=(1, U0ADA) already exists.")
        == "DETAIL:  Key (meetup_id, slack_user_id)=([values redacted])"
    )
