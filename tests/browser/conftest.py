"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
from collections.abc import Callable
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from tests.factories import PASSWORD, World, make_world

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _OneRequestAtATime(WSGIServer):
    """The live server, answering one request at a time. With SQLite the tests' database is in memory and every
    request thread of Django's threaded live server shares the test's one connection; two page requests at once
    (Chromium fetches in parallel) then used it together, and whole runs stalled with request threads waiting inside
    SQLite (seen in the onboarding test and in the accessibility crawl). Django answers ``Connection: close`` when
    the server is not threaded, so the browser's parallel connections are served in turn."""

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _OneRequestAtATime

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


#: Seconds a browser test may take; the slowest take about 30 s alone and a few times that on a loaded machine.
BROWSER_TEST_TIMEOUT = 300


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # Playwright's page.evaluate (axe-core runs through it) has no timeout of its own: a renderer that stops
            # answering would wait for ever. The crawl walks the whole site and keeps the global bound.
            if item.get_closest_marker("timeout") is None and "crawl" not in item.nodeid:
                item.add_marker(pytest.mark.timeout(BROWSER_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "nb-NO", "timezone_id": "Europe/Oslo"}


@pytest.fixture
def browser_world(transactional_db: None) -> World:
    return make_world()


_axe = Axe()
_NAVIGATING = ("Execution context was destroyed", "reading 'documentElement'")


def assert_accessible(page: Page) -> None:
    """axe-core (WCAG 2.1 A and AA rules) reports no violation on the page as it is now."""
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    page.wait_for_load_state()
    try:
        results = _axe.run(page, options=options)
    except PlaywrightError as error:
        # A click just before may have started a navigation: the old document went away under axe.
        # Run it again on the new document once that has loaded; any other error is real.
        if not any(sign in str(error) for sign in _NAVIGATING):
            raise
        page.wait_for_load_state()
        results = _axe.run(page, options=options)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.fixture
def login(page: Page, live_server: Any) -> Callable[[str], Page]:
    """Log in through the real login form and return the page on the start page."""

    def do(username: str) -> Page:
        page.goto(f"{live_server.url}/accounts/login/")
        assert_accessible(page)
        page.get_by_label("Brukernavn").fill(username)
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do
