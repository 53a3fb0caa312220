"""The portal in a real browser: Playwright drives Debian's chromium against a live server of the
test stack (pytest-django's `live_server`, on 127.0.0.1, over this worker's test database).

Playwright never downloads a browser here: `make test` installs Debian's chromium when it is
missing. A failing test leaves a screenshot of its page in test-results/browser/.
"""

import os
import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking ones, chromium keeps calling out, and the closed network refuses it.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The live server listens on the loopback address only (pytest-django reads this when it starts it).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
# Long enough for a loaded machine (two pytest workers on two cores), short enough to fail quickly.
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_test_failed = report.failed
    return report


@pytest.fixture(scope="package")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Debian's chromium at {CHROMIUM}: `make test` installs it as root."
        )
    # Playwright's synchronous API keeps an event loop running in this thread while it lives, and
    # Django then refuses the ORM calls of the tests (an "async context"): they are synchronous code.
    # Both last only as long as this package's tests (the other tests see neither).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser, live_server, request) -> Page:
    """A fresh browser context (no cookies) on the live server; a screenshot if the test fails."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    yield page
    if getattr(request.node, "browser_test_failed", False):
        shots = request.config.rootpath / "test-results" / "browser"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=shots / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', request.node.name)}.png", full_page=True
        )
    context.close()


@pytest.fixture
def signed_in(page, live_server):
    """The page with `user` signed in already (a session made by the test client), for tests whose
    subject is not the sign-in itself."""

    def sign_in_as(user) -> Page:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return sign_in_as


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
