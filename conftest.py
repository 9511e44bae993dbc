"""Fixtures shared by every app's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from minehub.core.testing import CHROMIUM, Personas

# Property tests check correctness, not speed: on a loaded 2-core CI machine Hypothesis'
# timing checks (deadline, slow generation) would fail tests that are right.
hypothesis_settings.register_profile(
    "minehub", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("minehub")


@pytest.fixture
def personas(db: None) -> Personas:
    return Personas()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate limits live in the cache; one test's failed logins must not throttle the next.
    from django.core.cache import cache

    # Search holds the index and thesaurus in memory; a rolled-back test database may
    # reuse entry ids, so every test starts without them.
    from minehub.search import snapshot, tagging, thesaurus

    snapshot.reset()
    thesaurus.reset()
    tagging.reset()

    cache.clear()


@pytest.fixture
def allow_sync_orm(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (reading the outbox, creating data) are still synchronous and safe here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page(live_server: object, allow_sync_orm: None) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        context = browser.new_context(java_script_enabled=True)
        external: list[str] = []
        context.on(
            "request",
            lambda request: (
                external.append(request.url)
                if not request.url.startswith(live_server.url)
                else None
            ),
        )
        page = context.new_page()
        yield page
        browser.close()
        assert external == [], f"the page requested external hosts: {external}"
