"""A local fake Slack (Web API + Socket Mode) for end-to-end tests. See server.py."""

from .server import Call, FakeSlack, SlackError
from .socket_mode import SocketModeServer, close_quickly

__all__ = ["Call", "FakeSlack", "SlackError", "SocketModeServer", "close_quickly"]
