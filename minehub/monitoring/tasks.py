"""Background jobs of monitoring (django-tasks; see settings.TASKS): checking and
importing result files too large to handle while the uploader waits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django_tasks import task

from minehub.monitoring import ingest
from minehub.monitoring.models import BatchStatus, ImportBatch

logger = logging.getLogger(__name__)


@task()
def check_import(batch_id: int) -> str:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    ingest.check(batch)
    return batch.status


@task()
def commit_import(batch_id: int) -> str:
    """Imports a queued batch; a failure leaves no row behind (one transaction) and is
    recorded on the batch for the uploader, who may try again."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    try:
        batch = ingest.commit(batch)
    except Exception as error:
        logger.exception("Import %s failed", batch_id)
        with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
            ImportBatch.objects.filter(pk=batch_id, status=BatchStatus.QUEUED).update(
                status=BatchStatus.FAILED, message=f"{type(error).__name__}: {error}"[:2000]
            )
        raise
    return batch.status


@task()
def announce_exceedances() -> int:
    """Tells followers of sites and regions about newly published exceedances."""
    from minehub.monitoring import alerts

    return alerts.announce()


@task()
def reassess_results(
    parameters: list[str] | None = None, station_ids: list[int] | None = None
) -> int:
    """Brings stored comparisons up to date after limits or stations changed."""
    from minehub.monitoring.reassess import reassess

    return reassess(parameters=parameters, station_ids=station_ids).changed


@task()
def warm_station_pages(station_ids: list[int]) -> int:
    """Computes the station pages' summaries and charts after their results changed."""
    from minehub.monitoring.readings import warm

    return warm(station_ids)
