"""The floor: a bare Bolt app that only acknowledges, served exactly as
`meetup-bot serve` serves the real one (bot.runtime.server.make_http_server: the same
WSGI function, waitress, the same thread count). Whatever the real app takes
beyond this is the cost of its own work.

Run as its own process: `python -m bench.floor` with SLACK_BOT_TOKEN,
SLACK_SIGNING_SECRET, SLACK_API_URL and PORT set, and WEB_CONCURRENCY for
several processes sharing the port, as `meetup-bot serve` does
(bot.runtime.server.serve_forked).
"""

from __future__ import annotations

import logging
import os
import re
import sys

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.runtime.server import listen, make_http_server, serve_forked


class _NoDatabase:
    """The floor has no database; its health check always answers."""

    def ping(self) -> None:
        return None


def create_floor_app(*, token: str, signing_secret: str, api_url: str) -> App:
    app = App(
        client=WebClient(token=token, base_url=api_url),
        signing_secret=signing_secret,
        token_verification_enabled=True,
        logger=logging.getLogger("slack_bolt"),
    )

    def only_ack(ack: Ack) -> None:
        ack()

    anything = re.compile(".*")
    app.command(anything)(only_ack)
    app.view(anything)(only_ack)
    app.action(anything)(only_ack)
    app.event("reaction_added")(only_ack)
    app.event("reaction_removed")(only_ack)
    return app


def main() -> int:
    logging.basicConfig(level=logging.WARNING)
    port = int(os.environ["PORT"])
    processes = int(os.environ.get("WEB_CONCURRENCY") or 1)
    sock = listen(port, "127.0.0.1") if processes > 1 else None

    def run_one(_slot: int = 0) -> int:
        app = create_floor_app(
            token=os.environ["SLACK_BOT_TOKEN"],
            signing_secret=os.environ["SLACK_SIGNING_SECRET"],
            api_url=os.environ["SLACK_API_URL"],
        )
        make_http_server(app, _NoDatabase(), host="127.0.0.1", port=port, sock=sock).run()
        return 0

    return serve_forked(run_one, processes=processes) if processes > 1 else run_one()


if __name__ == "__main__":
    sys.exit(main())
