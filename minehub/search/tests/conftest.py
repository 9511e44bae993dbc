"""Search tests: dense retrieval off unless a test asks for it (the model takes ~20 ms per
passage; the lexical tests need not wait for it), English outside requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from minehub.search import indexer, snapshot


@pytest.fixture(autouse=True)
def _lexical_by_default(settings: Any) -> Iterator[None]:
    settings.MINEHUB_SEARCH_EMBEDDINGS = False
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def reindex(db: None) -> Any:
    """Rebuilds the index from the items in the database (what ``minehub reindex`` does)."""

    def run() -> int:
        count = indexer.rebuild()
        snapshot.reset()
        return count

    return run
