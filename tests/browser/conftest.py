"""Fixtures for the browser tests: the app served by gunicorn, and headless Chromium.

Playwright's sync API runs its own asyncio event loop in the test thread and marks it as the
running loop between calls, so ``asyncio.run()`` would refuse to start in that thread while
Playwright is up. Playwright therefore lives only as long as this package's tests (package
scope), and is stopped before the rest of the suite runs.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser import PageWatch, origin_of, unavailable
from tests.services.live_server import LiveServer, run_flask, start_gunicorn

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright

FALLBACK_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# the browser tests register more people than one address may in an hour
LIVE_SERVER_ENV = {"IDEAGORA_REGISTER_RATE_LIMIT": "1000 per hour"}
_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember whether a test failed, so that the page check does not pile on."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served by gunicorn with two workers, on a fresh SQLite database."""
    server = start_gunicorn(
        tmp_path_factory.mktemp("live-server"), workers=2, extra_env=LIVE_SERVER_ENV
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def demo_data(live_server: LiveServer) -> None:
    """The demo organisations, people, listings and proposals, loaded as people load them."""
    run_flask(live_server, "demo", "load")


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return FALLBACK_CHROMIUM if Path(FALLBACK_CHROMIUM).is_file() else None


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """Playwright's driver, started for this package's tests only (see the module docstring)."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        unavailable(f"Playwright is not installed ({error})")
    if _running_loop() is not None:
        pytest.fail(
            "an asyncio event loop is running in the test thread: Playwright's sync "
            "API cannot start (a fixture or test left it running)",
            pytrace=False,
        )
    try:
        driver = sync_playwright().start()
    except (Error, OSError) as error:
        problem = f"Playwright's driver did not start: {error}"
    else:
        problem = None
    if problem is not None:
        unavailable(problem)  # outside the handler: the report needs no chained traceback
    try:
        yield driver
    finally:
        driver.stop()
        assert _running_loop() is None, "Playwright left its event loop running"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Chromium, from the system (Playwright's own browsers are not used)."""
    from playwright.sync_api import Error

    executable = chromium_path()
    if executable is None:
        unavailable(f"no `chromium` on PATH and no {FALLBACK_CHROMIUM}")
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Error as error:
        problem = f"Chromium at {executable} did not start: {error}"
    else:
        problem = None
    if problem is not None:
        unavailable(problem)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page_watch(live_server: LiveServer) -> PageWatch:
    return PageWatch(origin=origin_of(live_server.url))


@pytest.fixture
def page(
    context: BrowserContext, page_watch: PageWatch, request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A new tab, watched: a test that passes fails after all if the browser saw a problem."""
    page = context.new_page()
    page_watch.attach(page)
    yield page
    if not request.node.stash.get(_CALL_FAILED, True):
        page_watch.assert_clean()
