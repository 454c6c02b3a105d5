"""The App Home: upcoming meetups with the person's status and the right
button; for organisers, counts, pending approvals and their buttons. Also
the global shortcut "Sign up for a meetup"."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.introductions.introductions import consent_of
from bot.meetups.home import home_entries, home_opened, refresh_stale_homes
from bot.meetups.meetups import get_meetup, is_taking_signups
from bot.meetups.subscriptions import is_subscribed
from bot.organising.organising import places_text
from handlers.blocks.common import message_modal
from handlers.blocks.home import HOME_EDIT_ACTION, HOME_EXPORT_ACTION, HOME_NEW_ACTION, SIGNUP_SHORTCUT, home_view
from handlers.blocks.introductions import home_introductions
from handlers.deps import Deps
from handlers.exporting import send_export, start_export
from handlers.organising import edit_refusal, open_meetup_modal
from handlers.parse import parse_id
from handlers.replies import tell
from handlers.signup import open_signup_modal, signup_refusal
from storage.models import CONFIRMED

log = logging.getLogger(__name__)


def publish_home(client: WebClient, deps: Deps, user_id: str) -> bool:
    """Draw a person's Home tab; False if Slack did not take it. The client
    waits out a 429 (its RateLimitErrorRetryHandler) before giving up."""
    now, tz = deps.clock(), deps.settings.tz
    organiser = deps.organisers.is_organiser(user_id)
    entries = home_entries(deps.db, user_id, now=now, organiser=organiser)
    view = home_view(
        entries,
        places=lambda e: places_text(e.meetup, e.counts.get(CONFIRMED, 0), now),
        taking=lambda e: is_taking_signups(e.meetup, now),
        tz=tz,
        organiser=organiser,
        subscribed=is_subscribed(deps.db, user_id),
        introductions=home_introductions(consent_of(deps.db, user_id)),
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.warning("Could not publish the Home tab: %s", error.response.get("error"))
        return False
    return True


def publish_changed_homes(client: WebClient, deps: Deps, limit: int) -> int:
    """For the worker: the Home tabs of up to `limit` people whose status
    changed, so they are right before the person opens them."""
    return refresh_stale_homes(
        deps.db, now=deps.clock(), publish=lambda user_id: publish_home(client, deps, user_id), limit=limit
    )


def _home_hook(client: WebClient, deps: Deps, meetup_id: int, user_id: str, body: dict, registration) -> None:
    # A button pressed on the Home tab: show the person who pressed it the new state.
    if (body.get("view") or {}).get("type") == "home":
        publish_home(client, deps, body["user"]["id"])


def _meetup_id(action: dict) -> int:
    return parse_id(action.get("value")) or 0


def register(app: App, deps: Deps) -> None:
    deps.registration_hooks.add(_home_hook)

    @app.event("app_home_opened")
    def on_home_opened(event: dict, client: WebClient) -> None:
        # The event also comes for the Messages tab, which the bot does not draw.
        if event.get("tab", "home") == "home":
            home_opened(deps.db, event["user"], now=deps.clock())
            publish_home(client, deps, event["user"])

    @app.action(HOME_NEW_ACTION)
    def on_new(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        if not deps.organisers.is_organiser(body["user"]["id"]):
            tell(client, body, "Only organisers can create meetups.")
            return
        open_meetup_modal(client, deps, body["trigger_id"], user_id=body["user"]["id"])

    @app.action(HOME_EDIT_ACTION)
    def on_edit(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        if not deps.organisers.is_organiser(body["user"]["id"]):
            tell(client, body, "Only organisers can change meetups.")
            return
        meetup, problem = edit_refusal(deps, [str(_meetup_id(action))])
        if problem:
            tell(client, body, problem)
            return
        open_meetup_modal(client, deps, body["trigger_id"], meetup, user_id=body["user"]["id"])

    @app.action(HOME_EXPORT_ACTION)
    def on_export(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        if not deps.organisers.is_organiser(user_id):
            tell(client, body, "Only organisers can get the visitor list.")
            return
        if get_meetup(deps.db, _meetup_id(action)) is None:
            tell(client, body, "That meetup no longer exists.")
            return
        result, text = start_export(deps, _meetup_id(action), user_id)
        tell(client, body, text)
        send_export(client, deps, result, user_id)

    @app.shortcut(SIGNUP_SHORTCUT)
    def on_shortcut(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        meetups, refusal = signup_refusal(deps, user_id)
        if refusal:
            view = message_modal("Sign up", refusal["text"])
            if refusal.get("blocks"):
                view["blocks"] = refusal["blocks"]
            client.views_open(trigger_id=body["trigger_id"], view=view)
            return
        open_signup_modal(client, deps, meetups=meetups, user_id=user_id, trigger_id=body["trigger_id"])
