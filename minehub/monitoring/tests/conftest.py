"""Fixtures for the import engine tests: the reference files, their expected reports and
the catalogue with their stations. Messages are compared in English."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from minehub.monitoring.importing import Catalogue, default_catalogue, stations_from_layout
from minehub.monitoring.tests.helpers import load_json


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    return load_json("expected.json")


@pytest.fixture(scope="session")
def conventions(expected: dict[str, Any]) -> dict[str, Any]:
    return expected["_conventions"]


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return default_catalogue(stations_from_layout(load_json("stations.json")))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def registry(db: None) -> None:
    """The reference stations (``stations.json``) registered in the database."""
    from minehub.monitoring.sites import import_stations
    from minehub.monitoring.tests.helpers import DEV

    result = import_stations((DEV / "stations.json").read_bytes(), "stations.json")
    assert not result.errors, result.errors
