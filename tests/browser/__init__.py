"""Browser tests: people's journeys through the real pages, served by gunicorn, in Chromium."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, Request, Response

REQUIRE_VAR = "IDEAGORA_TEST_REQUIRE"


def browser_required() -> bool:
    """Whether a missing browser must fail the run (in CI, or when asked) instead of skipping."""
    required = {name.strip() for name in os.environ.get(REQUIRE_VAR, "").split(",")}
    return os.environ.get("CI") == "true" or "chromium" in required


def unavailable(reason: str, *, module_level: bool = False) -> NoReturn:
    """Skip the browser tests for ``reason``, or fail when the browser is required."""
    if browser_required():
        pytest.fail(
            f"Chromium is required for this run ({REQUIRE_VAR} or CI) but {reason}", pytrace=False
        )
    pytest.skip(f"browser tests did not run: {reason}", allow_module_level=module_level)


@dataclass
class PageWatch:
    """What went wrong in the browser while a test drove a page.

    Collects console errors (Chromium reports CSP violations there), uncaught script errors,
    failed requests, subresources answered with an error, and requests to any other host than
    the live server; ``requested`` lists every request as (resource type, URL). A page that
    answers 4xx on purpose (a form with errors) makes Chromium log "Failed to load resource"
    for the document: that is not counted, the tests check those statuses themselves.
    """

    origin: str
    console_errors: list[tuple[str, str]] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    error_responses: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    documents: set[str] = field(default_factory=set)
    requested: list[tuple[str, str]] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_request_failed)
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append((message.text, message.location.get("url", "")))

    def _on_request(self, request: Request) -> None:
        self.requested.append((request.resource_type, request.url))
        if request.resource_type == "document":
            self.documents.add(request.url)
        scheme = urlsplit(request.url).scheme
        if scheme not in ("data", "blob", "about") and origin_of(request.url) != self.origin:
            self.foreign_requests.append(f"{request.method} {request.url}")

    def _on_request_failed(self, request: Request) -> None:
        self.failed_requests.append(f"{request.method} {request.url}: {request.failure}")

    def _on_response(self, response: Response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.error_responses.append(f"{response.status} {response.url}")

    def problems(self) -> list[str]:
        console = [
            f"console error: {text} ({url})"
            for text, url in self.console_errors
            if not (text.startswith("Failed to load resource") and url in self.documents)
        ]
        return [
            *console,
            *(f"script error: {error}" for error in self.page_errors),
            *(f"request failed: {failure}" for failure in self.failed_requests),
            *(f"error response: {response}" for response in self.error_responses),
            *(f"request to another host: {request}" for request in self.foreign_requests),
        ]

    def assert_clean(self) -> None:
        problems = self.problems()
        assert not problems, "the browser saw problems:\n  " + "\n  ".join(problems)

    def clear(self) -> None:
        for found in (
            self.console_errors,
            self.page_errors,
            self.failed_requests,
            self.error_responses,
            self.foreign_requests,
        ):
            found.clear()


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
