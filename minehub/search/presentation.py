"""Facet values and hits as readers see them: names in the interface language, the links
that add or remove a filter, and result addresses in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from minehub.core.i18n import active_language, translated
from minehub.core.models import Region, Topic
from minehub.core.navigation import NATIVE_LANGUAGE_NAMES
from minehub.directory.models import Organisation
from minehub.search.registry import SEARCHABLE

FACET_TITLES = {
    "type": _("Type"),
    "language": _("Language"),
    "topic": _("Topic"),
    "region": _("Region"),
    "organisation": _("Organisation"),
    "year": _("Year"),
}
# Facet name -> the request parameter that filters on it.
PARAMETERS = {"type": "type", "language": "lang", "topic": "topic", "region": "region",
              "organisation": "organisation", "year": "year"}  # fmt: skip
VALUES_SHOWN = 10
LANGUAGE_NAMES = dict(NATIVE_LANGUAGE_NAMES)


@dataclass
class FacetValue:
    parameter: str  # value of the request parameter
    label: str
    count: int


def type_label(key: str) -> str:
    entry = SEARCHABLE.get(key)
    return str(entry.model._meta.verbose_name) if entry else key


def hit_url(path: str) -> str:
    return f"/{active_language()}{path}"


def _names(model: Any, ids: list[int], parameter_field: str) -> dict[int, tuple[str, str]]:
    return {
        item.pk: (getattr(item, parameter_field), translated(item, "name"))
        for item in model.objects.filter(pk__in=ids)
    }


def facet_values(facets: dict[str, list[tuple[object, int]]]) -> dict[str, list[FacetValue]]:
    """The most frequent values of each facet with their labels and parameter values."""
    shown = {name: pairs[:VALUES_SHOWN] for name, pairs in facets.items()}
    lookups = {
        "topic": (Topic, "slug"),
        "region": (Region, "code"),
        "organisation": (Organisation, "slug"),
    }
    values: dict[str, list[FacetValue]] = {}
    for name, pairs in shown.items():
        if name in lookups:
            model, field = lookups[name]
            names = _names(model, [int(value) for value, _count in pairs], field)
            values[name] = [
                FacetValue(names[value][0], names[value][1], count)
                for value, count in pairs
                if value in names
            ]
        elif name == "type":
            values[name] = [FacetValue(str(v), type_label(str(v)), c) for v, c in pairs]
        elif name == "language":
            values[name] = [
                FacetValue(str(v), LANGUAGE_NAMES.get(str(v), str(v)), c) for v, c in pairs
            ]
        else:
            values[name] = [FacetValue(str(v), str(v), c) for v, c in pairs]
    return values


def with_parameter(query: QueryDict, name: str, value: str | None) -> str:
    """The query string with ``name`` set to ``value`` (removed when None), page reset."""
    changed = query.copy()
    changed.pop("page", None)
    if value is None:
        changed.pop(name, None)
    else:
        changed[name] = value
    return changed.urlencode()
