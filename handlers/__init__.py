"""Slack listeners: read the payload, call bot/, render Block Kit."""

from slack_bolt import App

from bot.runtime.app import Deps

# Importing a feature module registers its `/meetup` subcommands.
from handlers import commands, listing, privacy, signup
from handlers import announcement, approvals, exporting, home, organising, stats
from handlers import schedule, topics, votes

FEATURES = (commands, listing, privacy, signup)
FEATURES += (announcement, approvals, exporting, home, organising, stats)
FEATURES += (topics, votes, schedule)


def register(app: App, deps: Deps) -> None:
    for module in FEATURES:
        if hasattr(module, "register"):
            module.register(app, deps)
