"""Comparing stored results again after the rules changed.

Each result's standing, ratio and exceedances are stored when it is imported (so lists,
summaries and charts read them without recomputing). When a data steward adds, edits or
removes a limit, switches a standard on or off, or changes what a station is used for,
the stored comparison of the affected results is brought up to date here, in the
background, one transaction per run, so no page ever shows half of the old and half of
the new rules.

An exceedance that appears this way is a changed rule, not a new result: it is marked
announced, so it alerts nobody (see :mod:`.alerts`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from minehub.monitoring import readings
from minehub.monitoring.compliance import assess
from minehub.monitoring.models import Exceedance, Measurement, Station
from minehub.monitoring.standards import LimitBook

CHUNK = 5000


@dataclass
class Reassessment:
    results: int = 0
    changed: int = 0
    exceedances_added: int = 0
    exceedances_removed: int = 0
    stations: set[int] = field(default_factory=set)


def reassess(
    *, parameters: Iterable[str] | None = None, station_ids: Iterable[int] | None = None
) -> Reassessment:
    """Compares the results of ``parameters`` (default: all) at ``station_ids`` (default:
    all) with the limits in force now, and stores what changed."""
    book = LimitBook.load()
    stations = {station.pk: station for station in Station.objects.select_related("site")}
    results = Measurement.objects.order_by("id")
    if parameters is not None:
        results = results.filter(parameter__in=list(parameters))
    if station_ids is not None:
        results = results.filter(station_id__in=list(station_ids))
    outcome = Reassessment()
    with transaction.atomic():
        last = 0
        while True:
            chunk = list(
                results.filter(id__gt=last).values_list(
                    "id", "station_id", "parameter", "averaging", "value", "non_detect",
                    "qualifier", "compliance", "ratio", "is_public", "sampled_at",
                )[:CHUNK]
            )  # fmt: skip
            if not chunk:
                readings.results_changed(outcome.stations)
                return outcome
            last = chunk[-1][0]
            _reassess_chunk(chunk, stations, book, outcome)


def _reassess_chunk(
    chunk: list[tuple], stations: dict[int, Station], book: LimitBook, outcome: Reassessment
) -> None:
    changed: list[Measurement] = []
    wanted: dict[tuple[int, int], Exceedance] = {}
    for (pk, station_id, parameter, averaging, value, non_detect, qualifier, compliance,
         ratio, public, sampled_at) in chunk:  # fmt: skip
        rules = book.rules(stations[station_id], parameter, averaging)
        result = assess(value, non_detect, qualifier, rules)
        if (result.compliance, result.ratio) != (compliance, ratio):
            changed.append(Measurement(pk=pk, compliance=result.compliance, ratio=result.ratio))
            outcome.stations.add(station_id)
        for breach in result.breaches:
            wanted[(pk, breach.limit_id)] = Exceedance(
                measurement_id=pk,
                limit_id=breach.limit_id,
                level=breach.level,
                ratio=breach.ratio,
                station_id=station_id,
                sampled_at=sampled_at,
                is_public=public,
                alerted_at=timezone.now(),
            )
    outcome.results += len(chunk)
    outcome.changed += len(changed)
    Measurement.objects.bulk_update(changed, ["compliance", "ratio"], batch_size=1000)
    ids = [row[0] for row in chunk]
    stored = {
        (exceedance.measurement_id, exceedance.limit_id): exceedance
        for exceedance in Exceedance.objects.filter(measurement_id__in=ids)
    }
    gone = [stored[key].pk for key in stored.keys() - wanted.keys()]
    Exceedance.objects.filter(pk__in=gone).delete()
    outcome.exceedances_removed += len(gone)
    updated = []
    for key in stored.keys() & wanted.keys():
        old, new = stored[key], wanted[key]
        if (old.level, old.ratio) != (new.level, new.ratio):
            old.level, old.ratio = new.level, new.ratio
            updated.append(old)
    Exceedance.objects.bulk_update(updated, ["level", "ratio"], batch_size=1000)
    added = [wanted[key] for key in wanted.keys() - stored.keys()]
    Exceedance.objects.bulk_create(added, batch_size=1000)
    outcome.exceedances_added += len(added)
