"""The shipped catalogue against the import conventions, and the catalogue's own rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from minehub.monitoring.importing import (
    ALIASES,
    Catalogue,
    CatalogueError,
    Measurand,
    Parameter,
    default_catalogue,
)
from minehub.monitoring.importing.headers import field_of
from minehub.monitoring.tests.helpers import load_json

LANGUAGES = ("en", "ru", "mn", "ky")
CANONICAL = {"water": "mg/L", "soil": "mg/kg", "sediment": "mg/kg", "air": "µg/m3"}


def test_every_header_alias_of_the_conventions_names_its_column(
    conventions: dict[str, Any],
) -> None:
    for field, aliases in conventions["header_aliases"].items():
        for alias in aliases:
            assert field_of(alias) == field, alias
            assert field_of(f"  {alias.upper()} ") == field, alias
        assert set(aliases) <= set(ALIASES[field])


def test_every_medium_alias_of_the_conventions_names_its_medium(
    conventions: dict[str, Any], catalogue: Catalogue
) -> None:
    for medium, aliases in conventions["media"].items():
        for alias in aliases:
            assert catalogue.medium(alias) == medium
            assert catalogue.medium(alias.upper()) == medium


def test_every_parameter_of_the_conventions_is_known_in_its_media_only(
    conventions: dict[str, Any], catalogue: Catalogue
) -> None:
    for code, spec in conventions["parameters"].items():
        if code.startswith("_"):
            continue
        assert set(catalogue.parameters[code].media) == set(spec["media"])
        for alias in spec["aliases"]:
            media = catalogue.parameter_media(alias)
            assert media is not None, alias
            # In other media a spelling may name another parameter (TSS / dust in air).
            assert {media[medium].parameter for medium in spec["media"]} == {code}, alias
        for medium in spec["media"]:
            measurand = catalogue.parameters[code].media[medium]
            assert measurand.unit == ("pH units" if code == "pH" else CANONICAL[medium])


def test_ph_is_bounded_and_other_parameters_are_non_negative(catalogue: Catalogue) -> None:
    ph = catalogue.parameters["pH"].media["water"]
    assert (ph.minimum, ph.maximum) == (Decimal(0), Decimal(14))
    for code, parameter in catalogue.parameters.items():
        if code != "pH":
            for measurand in parameter.media.values():
                assert (measurand.minimum, measurand.maximum) == (Decimal(0), None)


def test_the_catalogue_knows_more_than_the_minimum(catalogue: Catalogue) -> None:
    wanted = {"Ni", "Cr", "Fe", "Mn", "F", "EC", "Turbidity", "DO", "TSP", "SO2", "NO2", "U"}
    assert wanted | {"Noise", "Sb"} <= set(catalogue.parameters)
    assert catalogue.parameters["Noise"].media["noise"].unit == "dBA"
    assert catalogue.parameters["EC"].media["water"].unit == "µS/cm"
    assert catalogue.parameter_media("Төмөр")["water"].parameter == "Fe"  # type: ignore[index]
    assert catalogue.parameter_media("Уран")["water"].parameter == "U"  # type: ignore[index]


def _cas_is_valid(cas: str) -> bool:
    """The CAS Registry Number check digit: the other digits, from the right, weighted
    1, 2, 3, ... and summed, modulo 10."""
    body, middle, check = cas.split("-")
    digits = (body + middle)[::-1]
    return sum(int(d) * weight for weight, d in enumerate(digits, start=1)) % 10 == int(check)


def test_every_parameter_has_names_in_four_languages_and_a_valid_cas_number(
    catalogue: Catalogue,
) -> None:
    for parameter in catalogue.parameters.values():
        assert set(parameter.names) == set(LANGUAGES), parameter.code
        assert all(name.strip() for name in parameter.names.values())
        if parameter.cas is not None:
            assert _cas_is_valid(parameter.cas), parameter.code
    assert catalogue.parameters["As"].cas == "7440-38-2"
    assert catalogue.parameters["Hg"].names["ky"] == "Сымап"


def test_media_have_names_in_four_languages(catalogue: Catalogue) -> None:
    assert set(catalogue.media) == {"water", "air", "soil", "sediment", "noise"}
    for medium in catalogue.media.values():
        assert set(medium.names) == set(LANGUAGES)


def test_an_alias_naming_two_parameters_in_one_medium_is_refused() -> None:
    shipped = default_catalogue()
    water = Measurand("Xx", "water", "water_mass", "mg/L", Decimal(0), None)
    clash = Parameter("Xx", {"en": "Copper"}, (), None, {"water": water})  # Cu's name
    with pytest.raises(CatalogueError):
        Catalogue(
            stations=[],
            parameters=[*shipped.parameters.values(), clash],
            media=shipped.media.values(),
            families=shipped.families.values(),
        )


def test_a_look_alike_spelling_cannot_make_two_parameters_ambiguous() -> None:
    # "Со" in Cyrillic folds to the Latin "Co": one key, so a second parameter may not
    # claim it in the same medium. Building the catalogue is where that is caught.
    shipped = default_catalogue()

    def water(code: str) -> Measurand:
        return Measurand(code, "water", "water_mass", "mg/L", Decimal(0), None)

    cobalt = Parameter("Co", {"en": "Cobalt"}, (), "7440-48-4", {"water": water("Co")})
    other = Parameter("Q", {"ru": "Со"}, (), None, {"water": water("Q")})
    with pytest.raises(CatalogueError):
        Catalogue(
            stations=[],
            parameters=[*shipped.parameters.values(), cobalt, other],
            media=shipped.media.values(),
            families=shipped.families.values(),
        )


def test_the_stations_layout_is_read_with_sites_and_media(catalogue: Catalogue) -> None:
    layout = load_json("stations.json")
    assert set(catalogue.stations) == {entry["code"] for entry in layout["stations"]}
    station = catalogue.stations["MN-ZAA-S01"]
    assert (station.site_code, station.media) == ("MN-ZAA", frozenset({"soil"}))
    assert catalogue.station(" MN-ZAA-S01 ") == station
    assert catalogue.station("mn-zaa-s01") is None
