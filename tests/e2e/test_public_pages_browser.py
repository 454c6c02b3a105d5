"""The public pages in a real headless browser (Debian's chromium and
chromium-driver, through Selenium): accessible at WCAG 2.2 AA by axe-core,
usable on a desktop and on a phone, with JavaScript on and off.

Screenshots of each page at each width are saved under the test's tmp_path
(PUBLIC_PAGES_SCREENSHOTS=<folder> keeps them somewhere to look at).

Skipped where the browser is not installed; MEETUP_REQUIRE_BROWSER=1 (as in
.ci/run) makes that a failure instead."""

from __future__ import annotations

import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from bot.meetups.agenda import Talk
from storage.models import WAITLISTED
from tests.support.factories import make_meetup
from tests.support.public_pages import PEOPLE, add_people, running_site

pytestmark = pytest.mark.slow

AXE = Path(__file__).parents[1] / "support" / "axe" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP, MOBILE = 1280, 375
# No network here: nothing that would phone home, a fresh profile each time.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _browser_paths() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    message = "chromium and chromium-driver are not installed: apt-get install chromium chromium-driver to run these"
    if os.environ.get("MEETUP_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def _start_browser(tmp_path_factory, *, javascript: bool):
    chromium, driver_path = _browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    browser = webdriver.Chrome(options=options, service=Service(driver_path))
    browser.set_page_load_timeout(30)
    return browser


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    started = _start_browser(tmp_path_factory, javascript=True)
    yield started
    started.quit()


@pytest.fixture(scope="module")
def browser_without_javascript(tmp_path_factory):
    started = _start_browser(tmp_path_factory, javascript=False)
    yield started
    started.quit()


@pytest.fixture
def site(fake_slack, sqlite_url, clock):
    yield from running_site(fake_slack, sqlite_url, clock)


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PUBLIC_PAGES_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def a_series(site) -> int:
    """Meetups to come and one held, with sign-ups; the id of one to come.
    The titles and venue have characters that must be shown, not run."""
    now = site.clock.now
    meetup = make_meetup(
        site.db,
        now=now,
        title="Open source in government <script>alert(1)</script>",
        venue="102 Petty France, London & online",
        capacity=5,
        extra_sectors={"nhs"},
        agenda=[
            Talk("Publishing code in the open", "Ada Lovelace", "GDS"),
            Talk("Reusing what others made", "Charles Babbage", "HMRC"),
        ],
    )
    make_meetup(site.db, now=now, title="The spring meetup", starts_in=timedelta(days=90))
    held = make_meetup(site.db, now=now - timedelta(days=60), title="The autumn meetup")
    add_people(site.db, meetup.id, PEOPLE[:2])
    add_people(site.db, meetup.id, PEOPLE[2:], status=WAITLISTED)
    add_people(site.db, held.id, PEOPLE)
    return meetup.id


def open_at(browser, url: str, width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get(url)


def full_screenshot(browser, path: Path) -> None:
    """The whole page: the window made as tall as the page first."""
    width = browser.execute_script("return window.innerWidth")
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(height + 200, 8000))
    browser.save_screenshot(str(path))
    assert path.stat().st_size > 10_000


def axe_violations(browser) -> list[dict]:
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html)}))))"
        ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
        WCAG_22_AA,
    )
    return result


@pytest.mark.parametrize("width", [DESKTOP, MOBILE])
def test_the_pages_pass_axe_at_wcag_22_aa_on_a_desktop_and_a_phone(site, browser, shots, width):
    meetup_id = a_series(site)
    for name, path in (("front", "/"), ("meetup", f"/meetups/{meetup_id}"), ("not-found", "/nowhere")):
        open_at(browser, site.url + path, width)
        assert browser.find_element("tag name", "html").get_attribute("lang") == "en"
        assert axe_violations(browser) == [], f"{path} at {width}px"
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width, path
        full_screenshot(browser, shots / f"{name}-{width}.png")


@pytest.mark.parametrize("width", [DESKTOP, MOBILE])
def test_how_to_sign_up_and_the_slack_button_are_visible(site, browser, width):
    meetup_id = a_series(site)
    open_at(browser, f"{site.url}/meetups/{meetup_id}", width)
    heading = browser.find_element("id", "how-to-sign-up")
    assert heading.is_displayed() and heading.text == "How to sign up"
    steps = browser.find_elements("css selector", "ol.govuk-list--number > li")
    assert len(steps) == 2 and all(step.is_displayed() for step in steps)
    assert "/meetup signup" in steps[1].text
    button = browser.find_element("id", "open-in-slack")
    assert button.is_displayed()
    assert button.get_attribute("href") == "slack://app?team=T0TEST&id=A123&tab=home"
    # Shown as text, never run.
    assert "<script>alert(1)</script>" in browser.find_element("tag name", "h1").text


def test_javascript_runs_under_the_content_security_policy(site, browser):
    meetup_id = a_series(site)
    browser.get_log("browser")  # start from a clean log
    open_at(browser, f"{site.url}/meetups/{meetup_id}", DESKTOP)
    classes = browser.find_element("tag name", "body").get_attribute("class").split()
    assert "js-enabled" in classes and "govuk-frontend-supported" in classes
    # GOV.UK Frontend's skip link ran (it marks itself initialised).
    skip_link = browser.find_element("css selector", ".govuk-skip-link")
    assert skip_link.get_attribute("data-govuk-skip-link-init") is not None
    messages = [entry["message"] for entry in browser.get_log("browser")]
    assert [m for m in messages if "Content Security Policy" in m] == []


def test_the_skip_link_is_first_and_shows_when_focused(site, browser):
    from selenium.webdriver.common.keys import Keys

    open_at(browser, site.url + "/", DESKTOP)
    browser.find_element("tag name", "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to main content"
    assert focused.is_displayed()
    # The focus style: GOV.UK's yellow behind the link.
    assert focused.value_of_css_property("background-color") == "rgba(255, 221, 0, 1)"


@pytest.mark.parametrize("width", [DESKTOP, MOBILE])
def test_the_pages_work_without_javascript(site, browser_without_javascript, shots, width):
    browser = browser_without_javascript
    meetup_id = a_series(site)
    open_at(browser, site.url + "/", width)
    assert "js-enabled" not in (browser.find_element("tag name", "body").get_attribute("class") or "")
    browser.find_element("link text", "Open source in government <script>alert(1)</script>").click()
    assert browser.current_url == f"{site.url}/meetups/{meetup_id}"
    assert browser.find_element("id", "how-to-sign-up").is_displayed()
    assert browser.find_element("id", "open-in-slack").is_displayed()
    full_screenshot(browser, shots / f"meetup-no-javascript-{width}.png")
