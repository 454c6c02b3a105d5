"""The meetup bot: settings, rules, CLI and server."""
