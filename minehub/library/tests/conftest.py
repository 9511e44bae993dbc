"""Library tests compare messages written by services and tasks (outside any request) in
English. Tasks write extraction notes in the site's default language, so the tests make
that English too."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_outside_requests(settings: pytest.FixtureRequest) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
