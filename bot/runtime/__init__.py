"""How the bot runs: the Bolt app factory, the server, the CLI, logging, the worker and the sender. The only part
of bot/ that talks to Slack."""
