"""One log line per request from Slack and one per call the bot makes to Slack.

Request lines say what Slack asked for (a command's first word, an action id,
a view's callback id, an event type: never what a person typed), what the app
answered and how long the answer took. Slack gives up on an answer after 3
seconds, so `duration_ms` is the number to watch.

Where the timing happens, and why there:

- Requests: `App.dispatch`, which both the HTTP adapter and Socket Mode call
  with each request and which returns the answer Slack gets. A Bolt global
  middleware cannot time a request: in Bolt for Python, `next()` only marks the
  middleware as passed, and the listener runs after the middleware returns.
- Calls to Slack: `WebClient.api_call`, which every Web API method goes
  through. Bolt builds a fresh client for each request, so a global middleware
  (Bolt's public API for this) swaps in a logging one with the same settings.
  Each message, direct message and modal the bot delivers is one such call.
"""

from __future__ import annotations

import logging
import re
import time

from slack_bolt import App, BoltContext
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.runtime.fitting import fit_api_arguments
from bot.runtime.logs import fields_text
from bot.runtime.slack_http import KeepAliveWebClient

request_log = logging.getLogger("meetup.request")
slack_log = logging.getLogger("meetup.slack")

_WORD = re.compile(r"[a-z][a-z0-9_-]{0,29}")
_ID = re.compile(r"/?[A-Za-z0-9_.:-]{1,80}")


def _safe_id(value) -> str:
    """Ids the app itself chose (action ids, callback ids, event types). A
    forged payload could put anything there, so anything else is not logged."""
    return value if isinstance(value, str) and _ID.fullmatch(value) else "?"


def describe(body: dict) -> tuple[str, str]:
    """(kind, name) of a request, without anything a person typed."""
    if "command" in body:
        words = (body.get("text") or "").split()
        first = words[0].lower() if words else ""
        # Only the subcommand: the rest can be a topic title or an email address.
        sub = first if _WORD.fullmatch(first) else ("?" if first else "")
        return "command", f"{_safe_id(body.get('command'))} {sub}".strip()
    kind = body.get("type")
    if kind == "block_actions":
        return "action", ",".join(_safe_id(a.get("action_id")) for a in body.get("actions") or [])
    if kind in ("view_submission", "view_closed"):
        return kind, _safe_id((body.get("view") or {}).get("callback_id"))
    if kind == "event_callback":
        return "event", _safe_id((body.get("event") or {}).get("type"))
    if kind in ("shortcut", "message_action"):
        return kind, _safe_id(body.get("callback_id"))
    if kind == "block_suggestion":
        return kind, _safe_id(body.get("action_id"))
    return _safe_id(kind) if kind else "unknown", ""


def outcome_of(status: int) -> str:
    if status < 300:
        return "ok"
    if status in (401, 403):
        return "rejected"  # bad or missing signature
    if status == 404:
        return "unhandled"
    return "error"


class LoggedApp(App):
    """A Bolt App that logs one line per request it answers."""

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        started = time.perf_counter()
        response = super().dispatch(req)
        kind, name = describe(req.body if isinstance(req.body, dict) else {})
        fields = {
            "event": "request",
            "mode": req.mode,
            "kind": kind,
            "name": name,
            "status": response.status,
            "outcome": outcome_of(response.status),
            "duration_ms": round((time.perf_counter() - started) * 1000),
        }
        level = logging.ERROR if response.status >= 500 else logging.INFO
        request_log.log(level, "request %s", fields_text(fields), extra={"fields": fields})
        return response


class LoggingWebClient(KeepAliveWebClient):
    """A WebClient that logs each Web API call: method, outcome, duration.

    Never the arguments (they hold people's details) nor the token. Retries
    after HTTP 429 and 5xx happen inside the call, so the duration includes
    them and the outcome is the final one.
    """

    def api_call(self, api_method: str, **kwargs) -> SlackResponse:
        started = time.perf_counter()
        outcome = "ok"
        # Every message and view the bot sends passes here: fit Slack's limits.
        kwargs = fit_api_arguments(api_method, kwargs)
        try:
            return super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            response = error.response
            outcome = (
                response.get("error") if isinstance(response.data, dict) else None
            ) or f"http_{response.status_code}"
            raise
        except Exception as error:  # connection refused, timeout, DNS
            outcome = f"failed_{type(error).__name__}"
            raise
        finally:
            fields = {
                "event": "slack_api",
                "method": api_method,
                "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000),
            }
            level = logging.INFO if outcome == "ok" else logging.WARNING
            slack_log.log(level, "slack_api %s", fields_text(fields), extra={"fields": fields})

    @classmethod
    def like(cls, client: WebClient) -> LoggingWebClient:
        """The same client (token, URL, retries, team) with logging."""
        if isinstance(client, cls):
            return client
        return cls(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            headers=dict(client.headers),
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=list(client.retry_handlers),
        )


# One logging client for each token and workspace, made on first use: Bolt
# makes a client for every request, and making a second one each time cost
# CPU for nothing (clients share their kept connections, bot/runtime/slack_http.py).
_LOGGING_CLIENTS: dict[tuple[str | None, str | None, str], LoggingWebClient] = {}
_MAX_LOGGING_CLIENTS = 100


def give_logging_client(context: BoltContext) -> None:
    """Give a request's listeners a client that logs its calls (the app's
    global middleware, bot/runtime/app.py)."""
    client = context.client
    if client is None:
        return
    key = (client.token, client.default_params.get("team_id"), client.base_url)
    logging_client = _LOGGING_CLIENTS.get(key)
    if logging_client is None:
        if len(_LOGGING_CLIENTS) >= _MAX_LOGGING_CLIENTS:  # a token rotated many times over
            _LOGGING_CLIENTS.clear()
        logging_client = _LOGGING_CLIENTS[key] = LoggingWebClient.like(client)
    context["client"] = logging_client
