"""``POST /api/v1/monitoring/readings``: loggers and sensors push results with a token.

The readings go through the same check and commit as an uploaded file (they are written
out as a file in the template columns and kept, so the batch page and its report work
the same). Each push names a ``client_id`` of the logger's choosing: a retry with the
same id (after a timeout, say) returns the first push's outcome and adds nothing; the
same id with different readings is refused. Valid readings are imported even when others
in the push are not; the answer lists the rejected ones with their error codes."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from minehub.monitoring import ingest
from minehub.monitoring.importing.headers import FIELDS
from minehub.monitoring.models import BatchSource, BatchStatus, ImportBatch, SensorToken, Station
from minehub.monitoring.sensors import token_for

MAX_READINGS = 10_000
SENSOR_SAMPLE_ID = "sensor"
# The template's columns but the lab: a logger is its own source.
COLUMNS = tuple(field for field in FIELDS if field != "lab")


class SensorTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> SensorToken | None:
        sensor = token_for(token)
        if sensor is not None:
            SensorToken.objects.filter(pk=sensor.pk).update(last_used_at=timezone.now())
        return sensor


router = Router(tags=["monitoring"])


class Reading(Schema):
    station: str = Field(..., max_length=40, description="Station code, exactly as registered")
    parameter: str = Field(..., max_length=40, description="Parameter code or a known alias")
    sampled_at: datetime = Field(..., description="ISO 8601; without an offset, site time")
    value: float | str = Field(..., description='A number, or "<0.001" for a non-detect')
    unit: str = Field("", max_length=20)
    # A logger's reading is one per station, parameter and time: the default sample id
    # makes a reading pushed twice (under two client ids, say) one result.
    sample_id: str = Field(SENSOR_SAMPLE_ID, min_length=1, max_length=60)
    qualifier: str = Field("", max_length=10)
    detection_limit: float | str | None = None
    method: str = Field("", max_length=100)
    comment: str = Field("", max_length=500)


class Push(Schema):
    client_id: str = Field(..., min_length=1, max_length=100)
    readings: list[Reading] = Field(..., min_length=1, max_length=MAX_READINGS)


class RowErrorOut(Schema):
    row: int | None
    column: str | None
    code: str
    message: str


class PushOut(Schema):
    import_id: int
    client_id: str
    status: str
    replayed: bool
    rows_total: int
    rows_valid: int
    rows_invalid: int
    rows_added: int
    rows_present: int
    exceedance_count: int
    errors: list[RowErrorOut]


@router.post(
    "/readings",
    auth=SensorTokenAuth(),
    response={200: PushOut, 201: PushOut},
    summary="Push sensor or logger readings (idempotent on client_id)",
)
def push_readings(request: HttpRequest, push: Push) -> Status:
    sensor: SensorToken = request.auth  # type: ignore[attr-defined]
    data = _as_file(sensor, push)
    existing = ImportBatch.objects.filter(token=sensor, client_id=push.client_id).first()
    if existing is None:
        try:
            with transaction.atomic():
                batch = ingest.receive(
                    data,
                    f"{sensor.prefix}-{push.client_id}.csv",
                    user=sensor.created_by,
                    source=BatchSource.API,
                    publish=sensor.publish,
                    token=sensor,
                    client_id=push.client_id,
                )
        except IntegrityError:  # the same push, arrived twice at once
            existing = ImportBatch.objects.get(token=sensor, client_id=push.client_id)
        else:
            ingest.check(batch)
            if batch.rows_valid:
                batch = ingest.commit(batch)
            else:
                ingest.discard(batch)
                batch.refresh_from_db()
            return Status(201, _outcome(request, batch, replayed=False))
    if existing.sha256 != hashlib.sha256(data).hexdigest():
        raise HttpError(409, "This client_id was already used for different readings.")
    return Status(200, _outcome(request, existing, replayed=True))


def _as_file(sensor: SensorToken, push: Push) -> bytes:
    """The readings in the template columns; refuses stations the token may not feed."""
    codes = {reading.station for reading in push.readings}
    stations = Station.objects.filter(code__in=codes).select_related("site")
    if sensor.site_id is not None:
        foreign = sorted(s.code for s in stations if s.site_id != sensor.site_id)
        if foreign:
            raise HttpError(403, f"This token may not send results of {', '.join(foreign)}.")
    known = {station.code: station for station in stations}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for reading in push.readings:
        writer.writerow(
            [
                # Any site code will do for a station we do not know: it is reported as
                # unknown_station, like in a file.
                known[reading.station].site.code if reading.station in known else "?",
                reading.station,
                reading.sample_id,
                reading.sampled_at.isoformat(),
                known[reading.station].catalogue_medium if reading.station in known else "",
                reading.parameter,
                _text(reading.value),
                reading.unit,
                reading.qualifier,
                _text(reading.detection_limit),
                reading.method,
                reading.comment,
            ]
        )
    return out.getvalue().encode("utf-8")


def _text(number: float | str | None) -> str:
    # repr keeps every digit a float carries; the importer reads it like any lab value.
    if number is None:
        return ""
    return repr(number) if isinstance(number, float) else str(number)[:40]


def _outcome(request: HttpRequest, batch: ImportBatch, *, replayed: bool) -> dict[str, Any]:
    # Messages in the language the client asks for (Accept-Language), else English.
    asked = "HTTP_ACCEPT_LANGUAGE" in request.META
    language = (translation.get_language() if asked else None) or "en"
    summary = batch.summary or {}
    return {
        "import_id": batch.pk,
        "client_id": batch.client_id,
        "status": batch.status,
        "replayed": replayed,
        "rows_total": batch.rows_total,
        "rows_valid": batch.rows_valid,
        "rows_invalid": batch.rows_invalid,
        "rows_added": batch.rows_added if batch.status == BatchStatus.IMPORTED else 0,
        "rows_present": batch.rows_present,
        "exceedance_count": batch.exceedances,
        "errors": [
            {
                "row": error["row"],
                "column": error["column"],
                "code": error["code"],
                "message": error["messages"].get(language) or error["messages"].get("en", ""),
            }
            for error in summary.get("errors", [])
        ],
    }
