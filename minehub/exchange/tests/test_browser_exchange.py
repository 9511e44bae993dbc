"""A real-browser journey through the exchange (Debian's chromium): a member asks a
question in Mongolian, another member follows the thread, a third answers in Russian, the
asker accepts the answer — and the follower finds both in their notifications."""

from __future__ import annotations

import re
from typing import Any

import pytest

from minehub.core.testing import BROWSER_MARKS, make_user
from minehub.exchange.models import Standing
from minehub.monitoring.tests.test_browser_import import log_in

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.django_db(transaction=True),
]

QUESTION = "Мөнгөн усгүй алт баяжуулах аргыг хэрхэн эхлүүлэх вэ?"
ANSWER = "Начните с гравитационного концентратора и плавки с бурой."


@pytest.fixture
def members(db: None) -> dict[str, str]:
    """Three members whose posts appear at once (moderators trusted them earlier). Made
    before the browser starts: see the note in test_browser_import."""
    emails = {role: f"{role}@example.org" for role in ("asker", "follower", "answerer")}
    for role, email in emails.items():
        user = make_user(email, name=role.title())
        Standing.objects.create(user=user, trust=Standing.Trust.TRUSTED)
    return emails


def switch_to(page: Any, base: str, email: str) -> None:
    page.context.clear_cookies()
    log_in(page, base, email)


def test_a_question_is_answered_accepted_and_the_follower_is_told(
    members: dict[str, str], page: Any, live_server: Any
) -> None:
    base = live_server.url

    log_in(page, base, members["asker"])
    page.goto(f"{base}/en/exchange/new/")
    page.get_by_label("Question").check()
    page.get_by_label("Title").fill(QUESTION)
    page.get_by_label("Text", exact=True).fill("Бид **мөнгөн ус** ашиглахаа зогсоохыг хүсч байна.")
    page.get_by_label("Language of the text").select_option("mn")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/en/exchange/\d+/$"))
    thread = page.url
    assert page.get_by_role("heading", name=QUESTION).is_visible()

    switch_to(page, base, members["follower"])
    page.goto(thread)
    page.get_by_role("button", name="Follow").click()
    page.get_by_role("button", name=re.compile("Stop following")).wait_for()

    switch_to(page, base, members["answerer"])
    page.goto(thread)
    page.get_by_label("Text", exact=True).fill(ANSWER)
    page.get_by_label("Language of the text").select_option("ru")
    page.get_by_role("button", name="Send").click()
    page.get_by_text(ANSWER).wait_for()

    switch_to(page, base, members["asker"])
    page.goto(thread)
    page.get_by_role("button", name="Accept this answer").click()
    page.get_by_text("Accepted answer").wait_for()

    switch_to(page, base, members["follower"])
    page.goto(f"{base}/en/")
    bell = page.locator("a.bell")
    assert re.search(r"\b2 new notifications\b", bell.inner_text()), bell.inner_text()
    bell.click()
    inbox = page.locator("main").inner_text()
    assert f"Answerer answered “{QUESTION}”" in inbox
    assert f"Asker accepted the answer by Answerer to “{QUESTION}”" in inbox
