"""Slack listeners: read the payload, call bot/, render Block Kit."""

from slack_bolt import App

from bot.app import Deps
from handlers import commands, signup


def register(app: App, deps: Deps) -> None:
    commands.register(app, deps)
    signup.register(app, deps)
