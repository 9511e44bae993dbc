"""Fixtures shared by every app's tests."""

from __future__ import annotations

import pytest

from minehub.core.testing import Personas


@pytest.fixture
def personas(db: None) -> Personas:
    return Personas()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate limits live in the cache; one test's failed logins must not throttle the next.
    from django.core.cache import cache

    cache.clear()
