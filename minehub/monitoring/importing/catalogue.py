"""The catalogue an import is validated against: stations, parameters, media and units.

The engine never reads the database. A caller builds a :class:`Catalogue` (from models in
the app, from :func:`default_catalogue` and a station list in tests and benchmarks) and
passes it in; the catalogue answers the four questions a row asks (is this station
registered, which medium is this, which parameter in that medium, which unit) through
indices built once, keyed by :func:`~minehub.monitoring.importing.keys.match_key`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from minehub.monitoring.importing.keys import match_key


@dataclass(frozen=True, slots=True)
class Station:
    """A registered monitoring station. ``media`` are the media its results may be in
    (``None``: any); codes are matched exactly, after trimming."""

    code: str
    site_code: str
    media: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Measurand:
    """A parameter as measured in one medium: its unit family, canonical unit and the
    range a valid result lies in (``None`` = unbounded)."""

    parameter: str
    medium: str
    family: str
    unit: str
    minimum: Decimal | None
    maximum: Decimal | None


@dataclass(frozen=True, slots=True)
class Parameter:
    """A catalogue parameter: code, names per language, further aliases, CAS number and
    the media it is measured in."""

    code: str
    names: Mapping[str, str]
    aliases: tuple[str, ...]
    cas: str | None
    media: Mapping[str, Measurand]


@dataclass(frozen=True, slots=True)
class Medium:
    """A medium (water, air, soil, ...) with its names and further spellings."""

    code: str
    names: Mapping[str, str]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnitFamily:
    """Units of one kind of quantity (concentration in water, content in soil, ...), each
    with its exact factor to ``canonical``."""

    code: str
    canonical: str
    factors: Mapping[str, Decimal]


class CatalogueError(ValueError):
    """The catalogue contradicts itself (an alias of two things, an unknown family)."""


class Catalogue:
    """Stations, parameters, media and unit families, with the lookup indices."""

    __slots__ = (
        "families",
        "media",
        "parameters",
        "stations",
        "_media_index",
        "_parameter_index",
        "_unit_index",
    )

    def __init__(
        self,
        *,
        stations: Iterable[Station],
        parameters: Iterable[Parameter],
        media: Iterable[Medium],
        families: Iterable[UnitFamily],
    ) -> None:
        self.stations: dict[str, Station] = {station.code: station for station in stations}
        self.parameters: dict[str, Parameter] = {p.code: p for p in parameters}
        self.media: dict[str, Medium] = {medium.code: medium for medium in media}
        self.families: dict[str, UnitFamily] = {family.code: family for family in families}
        self._media_index = _index_media(self.media.values())
        self._parameter_index = _index_parameters(self.parameters.values(), self.families)
        self._unit_index = _index_units(self.families.values())

    def station(self, code: str) -> Station | None:
        """The station registered under exactly ``code`` (trimmed), if any."""
        return self.stations.get(code.strip())

    def medium(self, text: str) -> str | None:
        """The medium code ``text`` names, if any."""
        return self._media_index.get(match_key(text))

    def parameter_media(self, text: str) -> Mapping[str, Measurand] | None:
        """Medium → measurand for the parameter(s) ``text`` names, or ``None`` when no
        parameter has that name. One spelling may name different parameters in
        different media (Russian "взвешенные вещества" is TSS in water, dust in air)."""
        return self._parameter_index.get(match_key(text))

    def unit(self, text: str) -> Mapping[str, Decimal] | None:
        """Family → factor to its canonical unit for the unit ``text``, or ``None`` for a
        unit in no family. ``ppm`` is in two families (water and soil)."""
        return self._unit_index.get(match_key(text))


def _index_media(media: Iterable[Medium]) -> dict[str, str]:
    index: dict[str, str] = {}
    for medium in media:
        for spelling in (medium.code, *medium.names.values(), *medium.aliases):
            _claim(index, match_key(spelling), medium.code, spelling)
    return index


def _index_parameters(
    parameters: Iterable[Parameter], families: Mapping[str, UnitFamily]
) -> dict[str, dict[str, Measurand]]:
    index: dict[str, dict[str, Measurand]] = {}
    for parameter in parameters:
        for measurand in parameter.media.values():
            if measurand.family not in families:
                raise CatalogueError(f"{parameter.code}: unknown unit family {measurand.family}")
        for spelling in (parameter.code, *parameter.names.values(), *parameter.aliases):
            by_medium = index.setdefault(match_key(spelling), {})
            for medium, measurand in parameter.media.items():
                _claim(by_medium, medium, measurand, f"{spelling} in {medium}")
    return index


def _index_units(families: Iterable[UnitFamily]) -> dict[str, dict[str, Decimal]]:
    index: dict[str, dict[str, Decimal]] = {}
    for family in families:
        for spelling, factor in family.factors.items():
            _claim(index.setdefault(match_key(spelling), {}), family.code, factor, spelling)
    return index


def _claim(index: dict[str, Any], key: str, value: Any, spelling: str) -> None:
    """Adds ``key`` → ``value``; two different values for one key are a catalogue error,
    so folding spellings together can never make a lookup ambiguous."""
    if index.setdefault(key, value) != value:
        raise CatalogueError(f"{spelling!r} names both {index[key]!r} and {value!r}")


def stations_from_layout(layout: Mapping[str, Any]) -> list[Station]:
    """Stations from the ``stations.json`` layout (``{"stations": [{"code", "site_code",
    "medium"}, ...]}``); ``medium`` may be one code, a list, or absent (any medium)."""
    stations = []
    for entry in layout.get("stations", []):
        medium = entry.get("medium")
        media = None
        if medium:
            media = frozenset([medium] if isinstance(medium, str) else medium)
        stations.append(Station(entry["code"].strip(), entry["site_code"].strip(), media))
    return stations


def default_catalogue(stations: Iterable[Station] = ()) -> Catalogue:
    """The shipped parameter, medium and unit catalogue (``data/*.json``) with
    ``stations``."""
    parameters, media, families = _shipped_tables()
    return Catalogue(stations=stations, parameters=parameters, media=media, families=families)


@lru_cache(maxsize=1)
def _shipped_tables() -> tuple[tuple[Parameter, ...], tuple[Medium, ...], tuple[UnitFamily, ...]]:
    families = tuple(
        UnitFamily(code, spec["canonical"], {u: Decimal(f) for u, f in spec["units"].items()})
        for code, spec in _load("units.json")["families"].items()
    )
    canonical = {family.code: family.canonical for family in families}
    media = tuple(
        Medium(code, spec["names"], tuple(spec["aliases"]))
        for code, spec in _load("media.json")["media"].items()
    )
    parameters = tuple(
        _parameter(spec, canonical) for spec in _load("parameters.json")["parameters"]
    )
    return parameters, media, families


def _parameter(spec: Mapping[str, Any], canonical: Mapping[str, str]) -> Parameter:
    # Every parameter but pH is a non-negative amount; the data file states exceptions.
    minimum = spec.get("minimum", "0")
    maximum = spec.get("maximum")
    media = {
        medium: Measurand(
            spec["code"],
            medium,
            family,
            canonical[family],
            None if minimum is None else Decimal(minimum),
            None if maximum is None else Decimal(maximum),
        )
        for medium, family in spec["media"].items()
    }
    return Parameter(spec["code"], spec["names"], tuple(spec["aliases"]), spec.get("cas"), media)


def _load(name: str) -> dict[str, Any]:
    source = resources.files("minehub.monitoring.importing").joinpath("data", name)
    return json.loads(source.read_text(encoding="utf-8"))
