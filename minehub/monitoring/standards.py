"""The standards registry: the shipped limits, the history of every change, and which
limits apply to a station's results.

Which limits apply to a result: those of standards in use, international or of the
station's country, for the result's parameter, the station's medium, a use class that is
empty or the station's, and the averaging period the result stands for.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from minehub.monitoring.compliance import Rule
from minehub.monitoring.models import Limit, LimitChange, Standard, Station

SHIPPED = Path(__file__).resolve().parent / "data" / "standards.json"
LIMIT_FIELDS = ("parameter", "medium", "use_class", "averaging", "maximum", "minimum")
LIMIT_DETAILS = ("alert_multiple", "note", "citation", "verified")


def limit_state(limit: Limit) -> dict[str, Any]:
    """A limit's values as the history keeps them (decimals as text, exactly)."""
    state: dict[str, Any] = {}
    for name in (*LIMIT_FIELDS, *LIMIT_DETAILS):
        value = getattr(limit, name)
        state[name] = f"{value.normalize():f}" if isinstance(value, Decimal) else value
    return state


def record_change(
    limit: Limit, action: str, before: dict[str, Any] | None, user: Any = None
) -> LimitChange | None:
    """Writes one history entry for ``limit`` (nothing when an edit changed nothing)."""
    after = None if action == LimitChange.Action.REMOVED else limit_state(limit)
    if action == LimitChange.Action.CHANGED and before == after:
        return None
    return LimitChange.objects.create(
        standard_id=limit.standard_id,
        limit=None if action == LimitChange.Action.REMOVED else limit,
        action=action,
        before=before,
        after=after,
        changed_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def load_shipped_standards(path: Path = SHIPPED) -> int:
    """Adds the shipped standards that are missing, with their limits; returns how many
    limits were added. A standard that exists is left as it is, limits included: a data
    steward's edit or removal always wins over the shipped values."""
    data = json.loads(path.read_text(encoding="utf-8"))
    present = set(Standard.objects.values_list("code", flat=True))
    added = 0
    for spec in data["standards"]:
        if spec["code"] in present:
            continue
        standard = Standard.objects.create(
            code=spec["code"],
            **{key: spec[key] for key in ("title", "issuer", "country", "year", "citation", "url")},
        )
        for item in spec["limits"]:
            limit = Limit(
                standard=standard,
                parameter=item["parameter"],
                medium=item["medium"],
                use_class=item.get("use_class", ""),
                averaging=item.get("averaging", "sample"),
                maximum=_decimal(item.get("maximum")),
                minimum=_decimal(item.get("minimum")),
                alert_multiple=_decimal(item.get("alert_multiple")),
                note=item.get("note", ""),
                citation=item.get("citation", ""),
                verified=item.get("verified", True),
            )
            limit.full_clean()
            limit.save()
            record_change(limit, LimitChange.Action.ADDED, None)
            added += 1
    return added


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


class LimitBook:
    """The limits of the standards in use, indexed for comparing many results quickly."""

    def __init__(self, limits: Iterable[Limit]) -> None:
        self._by_key: dict[tuple[str, str, str], list[Limit]] = {}
        for limit in limits:
            self._by_key.setdefault((limit.parameter, limit.medium, limit.averaging), []).append(
                limit
            )
        self._rules: dict[tuple[int, str, str], tuple[Rule, ...]] = {}

    @classmethod
    def load(cls) -> LimitBook:
        return cls(Limit.objects.filter(standard__is_active=True).select_related("standard"))

    def limits_for(self, station: Station, parameter: str, averaging: str) -> list[Limit]:
        """The limits that apply to a result of ``parameter`` at ``station``."""
        country = station.site.country
        return [
            limit
            for limit in self._by_key.get((parameter, station.medium, averaging), ())
            if limit.use_class in ("", station.use_class)
            and limit.standard.country in ("", country)
        ]

    def rules(self, station: Station, parameter: str, averaging: str) -> tuple[Rule, ...]:
        """:meth:`limits_for` as comparison rules, remembered per station and parameter."""
        key = (station.pk, parameter, averaging)
        rules = self._rules.get(key)
        if rules is None:
            rules = self._rules[key] = tuple(
                Rule(
                    limit.pk,
                    None if limit.maximum is None else float(limit.maximum),
                    None if limit.minimum is None else float(limit.minimum),
                    None if limit.alert_multiple is None else float(limit.alert_multiple),
                )
                for limit in self.limits_for(station, parameter, averaging)
            )
        return rules
