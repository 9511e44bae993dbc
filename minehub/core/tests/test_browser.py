"""Real-browser smoke test: Playwright driving Debian's chromium (never a downloaded browser)."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from minehub.core.testing import BROWSER_MARKS, CHROMIUM, PASSWORD

pytestmark = [
    *BROWSER_MARKS,
]


@pytest.mark.django_db(transaction=True)
def test_home_in_four_languages_switch_sign_up_and_log_in(
    page: object, live_server: object
) -> None:
    base = live_server.url
    titles = {}
    for language in ("mn", "ky", "ru", "en"):
        page.goto(f"{base}/{language}/")
        assert page.locator("html").get_attribute("lang") == language
        titles[language] = page.locator("h1").inner_text()
    assert len(set(titles.values())) == 4

    # Switch language with the footer buttons; the choice is remembered for the bare root.
    page.goto(f"{base}/en/directory/")
    page.get_by_role("button", name="Русский").click()
    assert page.url == f"{base}/ru/directory/"
    page.goto(f"{base}/")
    assert page.url == f"{base}/ru/"

    page.goto(f"{base}/en/accounts/signup/")
    page.get_by_label("Email:").fill("tuya@example.org")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again):").fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/confirm-email/"))
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)
    page.goto(base + link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/profile/"))

    page.get_by_role("button", name="Log out").click()
    page.goto(f"{base}/en/accounts/login/")
    page.get_by_label("Email:").fill("tuya@example.org")
    page.get_by_label("Password:").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/accounts/profile/"))
    assert page.get_by_role("heading", name="My profile").is_visible()


@pytest.mark.django_db(transaction=True)
def test_home_reads_without_javascript(live_server: object, allow_sync_orm: None) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server.url}/en/")
        assert page.get_by_role("link", name="Directory").first.is_visible()
        page.keyboard.press("Tab")  # keyboard users land on the skip link first
        assert page.locator("a.skip-link:focus").count() == 1
        browser.close()
