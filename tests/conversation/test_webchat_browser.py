"""The web chat page in headless Chromium (Debian's package): send "hi", see the reply,
click a quick-reply button, and keep the conversation across a reload."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conversation.conftest import Assistant

pytestmark = [pytest.mark.browser, pytest.mark.conversation]

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def test_customer_chats_and_clicks_a_quick_reply(assistant: Assistant, page: Page) -> None:
    page.goto(assistant.processes.webchat_url)
    expect(page.get_by_role("heading", name="Customer Care chat")).to_be_visible()
    page.get_by_label("Your message").fill("hi")
    page.keyboard.press("Enter")
    log = page.get_by_role("log")
    expect(log).to_contain_text("virtual assistant", timeout=30_000)

    page.get_by_role("group", name="Suggested replies").get_by_role(
        "button", name="Ways to pay").click()
    expect(log).to_contain_text("1-855-631-3643", timeout=30_000)

    # The session and the conversation survive a reload.
    page.reload()
    expect(page.get_by_role("log")).to_contain_text("1-855-631-3643")
    session = page.evaluate("localStorage.getItem('careline.session')")
    assert session and "." in session


def test_the_page_needs_nothing_from_the_internet(assistant: Assistant, page: Page) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(assistant.processes.webchat_url)
    page.wait_for_load_state("networkidle")
    assert requested and all(url.startswith(assistant.base_url) for url in requested)


def test_the_page_shows_the_utility_numbers_from_data(assistant: Assistant, page: Page) -> None:
    page.goto(assistant.processes.webchat_url)
    expect(page.locator("body")).to_contain_text("507-280-9191")
    assert "{{" not in page.content()
