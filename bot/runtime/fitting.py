"""Where Slack's limits are applied: every Web API call, ack() and respond().

Handlers and the outbox build Block Kit; on the way out, each message and view
goes through bot/common/slack_limits.py, so a field too long for Slack is
shortened rather than the whole message refused. The Web API client does it
for chat.* and views.* calls (request_log.LoggingWebClient calls
`fit_api_arguments`), and a global middleware gives listeners an ack() and a
respond() that do it for the answers to Slack's requests.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_bolt.context.ack import Ack
from slack_bolt.context.respond import Respond
from slack_bolt.response import BoltResponse
from slack_sdk.webhook import WebhookResponse

from bot.common.slack_limits import fit_message, fit_view


def _fit(arguments: dict) -> dict:
    """A message's or view answer's arguments, fitted (a copy)."""
    fitted = dict(arguments)
    if isinstance(fitted.get("view"), dict):
        fitted["view"] = fit_view(fitted["view"])
    if "blocks" in fitted or isinstance(fitted.get("text"), str):
        fitted = fit_message(fitted)
    return fitted


def fit_api_arguments(api_method: str, kwargs: dict) -> dict:
    """The keyword arguments of WebClient.api_call, with any message or view fitted."""
    if not api_method.startswith(("chat.", "views.")):
        return kwargs
    fitted = dict(kwargs)
    for key in ("json", "params", "data"):
        if isinstance(fitted.get(key), dict):
            fitted[key] = _fit(fitted[key])
    return fitted


class FittingAck(Ack):
    """ack() whose message, or view after a form, fits Slack's limits."""

    def __call__(self, text: str | dict = "", **kwargs: Any) -> BoltResponse:  # type: ignore[override]
        if isinstance(text, dict):
            return super().__call__(_fit(text))
        if kwargs.get("blocks"):
            kwargs = _fit({**kwargs, "text": text})
            text = kwargs.pop("text")
        elif isinstance(kwargs.get("view"), dict):
            kwargs["view"] = fit_view(kwargs["view"])
        return super().__call__(text, **kwargs)


class FittingRespond(Respond):
    """respond() (a post to the response_url) that fits Slack's limits."""

    def __call__(self, text: str | dict = "", **kwargs: Any) -> WebhookResponse:  # type: ignore[override]
        if isinstance(text, dict):
            return super().__call__(_fit(text))
        fitted = _fit({**kwargs, "text": text})
        return super().__call__(fitted.pop("text"), **fitted)


def give_fitting_replies(context: BoltContext) -> None:
    """Give a request's listeners an ack() and respond() that fit Slack's limits
    (the app's global middleware, bot/runtime/app.py)."""
    context["ack"] = FittingAck()
    if context.response_url:
        context["respond"] = FittingRespond(
            response_url=context.response_url, proxy=context.client.proxy, ssl=context.client.ssl
        )
