"""Slack listeners: read the payload, call bot/, render Block Kit.

Each feature module has a `register(app, deps)` that adds its listeners,
subcommands and hooks; the app factory (bot/runtime/app.py) calls them in an
explicit list. Importing a module here registers nothing.
"""
