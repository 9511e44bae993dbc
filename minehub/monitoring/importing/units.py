"""Units: which unit a cell names, whether it fits the measurand, and the exact conversion
to the canonical unit.

``unknown_unit`` is a unit in no family of the catalogue (``mg/ll``, ``mq/L``, ``µg/``);
``unit_mismatch`` a unit of another family (``µg/m3`` for a metal in water, ``mg/L`` for
PM10). Conversions are never guessed: a unit converts only by a factor in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from minehub.monitoring.importing.catalogue import Catalogue, Measurand
from minehub.monitoring.importing.problems import (
    MISSING_REQUIRED,
    UNIT_MISMATCH,
    UNKNOWN_UNIT,
    Problem,
)

# What each unit family measures, for messages ("… is not a unit of concentration in
# water"). A family added to units.json without a phrase here is named by its code.
QUANTITIES: dict[str, Promise] = {
    "water_mass": _("concentration in water"),
    "solid_mass": _("content in soil or sediment"),
    "air_mass": _("concentration in air"),
    "ph": _("pH"),
    "conductivity": _("electrical conductivity"),
    "turbidity": _("turbidity"),
    "sound_level": _("sound level"),
}


@dataclass(frozen=True, slots=True)
class Conversion:
    """How a value in one unit becomes a value in the canonical ``unit``. ``exponent`` is
    set when ``factor`` is a power of ten: a decimal shift is exact and quicker."""

    unit: str
    factor: Decimal
    exponent: int | None
    # Values already in the canonical unit: a field, not a property, for the hot path.
    identity: bool = False

    def apply(self, value: Decimal) -> Decimal:
        """``value`` in the canonical unit, exactly."""
        if self.exponent == 0:
            return value
        if self.exponent is not None:
            return value.scaleb(self.exponent)
        return value * self.factor


def conversion(unit: str, factor: Decimal) -> Conversion:
    """The :class:`Conversion` to ``unit`` by ``factor``."""
    sign, digits, exponent = factor.normalize().as_tuple()
    power = None
    if not sign and digits == (1,) and isinstance(exponent, int):
        power = exponent
    return Conversion(unit, factor, power, power == 0)


def resolve_unit(catalogue: Catalogue, text: str, measurand: Measurand) -> Conversion:
    """The conversion of a value in unit ``text`` for ``measurand``.

    Raises :class:`Problem`: ``missing_required`` for an empty unit where the measurand
    has units (only pH may have none), ``unknown_unit`` or ``unit_mismatch``.
    """
    unit = text.strip()
    families = catalogue.unit(unit)
    if families is None:
        raise Problem(UNKNOWN_UNIT, _("“%(unit)s” is not a known unit."), {"unit": unit})
    factor = families.get(measurand.family)
    if factor is not None:
        return conversion(measurand.unit, factor)
    if not unit:
        raise Problem(
            MISSING_REQUIRED,
            _("The unit is empty; %(parameter)s needs one, e.g. %(canonical)s."),
            {"parameter": measurand.parameter, "canonical": measurand.unit},
        )
    # Lazy, so the message is rendered in the reader's language, not the importer's.
    found = format_lazy(" / ".join(["{}"] * len(families)), *map(quantity, sorted(families)))
    raise Problem(
        UNIT_MISMATCH,
        _(
            "“%(unit)s” is a unit of %(found)s, not of %(expected)s: %(parameter)s in "
            "%(medium)s is given in units like %(canonical)s."
        ),
        {
            "unit": unit,
            "found": found,
            "expected": quantity(measurand.family),
            "parameter": measurand.parameter,
            "medium": measurand.medium,
            "canonical": measurand.unit,
        },
    )


def quantity(family: str) -> Promise | str:
    """What unit family ``family`` measures, translatable."""
    return QUANTITIES.get(family, family)
