"""The public pages as HTML: Jinja2 templates built from GOV.UK Frontend's
components (the govuk-frontend-jinja package), and the static files they use.

Autoescaping is on for every template: talk titles, venues and descriptions
are typed by organisers and shown as text, never as HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from bot.web.pages import Contact, FrontPage, MeetupView

SERVICE_NAME = "Cross-government Open Source meetups"
# The vendored release (static/govuk-frontend-X.Y.Z/SOURCE.md): the version
# the installed govuk-frontend-jinja is written for.
GOVUK_FRONTEND = "govuk-frontend-6.3.0"
STATIC = Path(__file__).parent / "static"


@dataclass(frozen=True)
class Assets:
    css: str = f"/assets/{GOVUK_FRONTEND}/govuk-frontend.min.css"
    app_css: str = "/assets/app/app.css"
    js_enabled: str = "/assets/app/js-enabled.js"
    init_js: str = "/assets/app/init.mjs"


@dataclass(frozen=True)
class SlackLink:
    """Where the "Open the meetup bot in Slack" button goes: the app's Home
    tab in the Slack app, or in a browser."""

    team_id: str
    app_id: str

    @property
    def deep_link(self) -> str:
        return f"slack://app?team={self.team_id}&id={self.app_id}&tab=home"

    @property
    def web_link(self) -> str:
        return f"https://slack.com/app_redirect?app={self.app_id}&team={self.team_id}"


def static_files() -> dict[str, Path]:
    """URL path under /assets/ -> file, for every file shipped, and no other."""
    return {
        path.relative_to(STATIC).as_posix(): path
        for path in sorted(STATIC.rglob("*"))
        if path.is_file() and path.name not in ("LICENCE", "SOURCE.md")
    }


class Renderer:
    def __init__(self) -> None:
        loader = ChoiceLoader(
            [
                PackageLoader("bot.web", "templates"),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
            ]
        )
        self.env = Environment(loader=loader, autoescape=True, trim_blocks=True)
        self.env.globals.update(service_name=SERVICE_NAME, assets=Assets())

    def front(self, page: FrontPage) -> str:
        return self.env.get_template("index.html").render(page=page)

    def meetup(
        self, meetup: MeetupView, *, join_url: str | None, slack_link: SlackLink | None, contact: Contact
    ) -> str:
        return self.env.get_template("meetup.html").render(
            meetup=meetup, join_url=join_url, slack_link=slack_link, contact=contact
        )

    def not_found(self) -> str:
        return self.env.get_template("not_found.html").render()
