"""Monitoring pages: sites, stations with their charts, exceedances, standards, imports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST, require_safe

from minehub.core.exports import csv_response, xlsx_response
from minehub.monitoring import ingest, maps, nearby, permissions, tasks
from minehub.monitoring.charts import LimitLine, build_chart
from minehub.monitoring.forms import ExceedanceFilterForm, NearForm, ResultFileForm
from minehub.monitoring.importing import default_catalogue, validate
from minehub.monitoring.models import (
    AlertSubscription,
    BatchStatus,
    Compliance,
    Exceedance,
    ExceedanceLevel,
    ImportBatch,
    Measurement,
    Site,
    Standard,
    Station,
)
from minehub.monitoring.parameters import parameter_name
from minehub.monitoring.readings import chart_series, station_summary
from minehub.monitoring.standards import LimitBook
from minehub.monitoring.trends import MIN_PERIODS

PAGE_SIZE = 50


@require_safe
def site_list(request: HttpRequest) -> HttpResponse:
    sites = (
        Site.objects.select_related("region", "operator")
        .annotate(station_count=Count("stations"))
        .order_by("country", "code")
    )
    status = maps.status_by_station(request.user)
    worst = maps.status_by_site(status, Station.objects.values_list("id", "site_id"))
    rows = [(site, worst.get(site.pk, 0)) for site in sites]
    return render(
        request,
        "monitoring/site_list.html",
        {
            "rows": rows,
            "can_import": permissions.can_import(request.user),
            "active_section": "monitoring",
        },
    )


@require_safe
def site_detail(request: HttpRequest, code: str) -> HttpResponse:
    site = get_object_or_404(
        Site.objects.select_related("region", "operator").prefetch_related(
            "minerals", Prefetch("stations", queryset=Station.objects.order_by("code"))
        ),
        code=code,
    )
    status = maps.status_by_station(request.user)
    stations = [
        (station, *status.get(station.pk, maps.NO_STATUS)) for station in site.stations.all()
    ]
    following = (
        AlertSubscription.objects.filter(user=request.user, site=site).first()
        if request.user.is_authenticated
        else None
    )
    return render(
        request,
        "monitoring/site_detail.html",
        {
            "site": site,
            "stations": stations,
            "following": following,
            "active_section": "monitoring",
        },
    )


@require_safe
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station.objects.select_related("site"), code=code)
    summary = station_summary(station, request.user)
    by_parameter = {item.parameter: item for item in summary}
    parameter = request.GET.get("parameter") or (summary[0].parameter if summary else "")
    if parameter and parameter not in by_parameter:
        raise Http404
    chart = None
    limits = []
    if parameter:
        limits = LimitBook.load().limits_for(station, parameter, station.averaging)
        lines = [
            LimitLine(float(limit.maximum), f"{limit.standard.code} {limit.maximum.normalize():f}")
            for limit in limits
            if limit.maximum is not None
        ]
        chart = build_chart(chart_series(station, by_parameter[parameter], request.user), lines)
    names = {item.parameter: parameter_name(item.parameter) for item in summary}
    return render(
        request,
        "monitoring/station_detail.html",
        {
            "station": station,
            "summary": [(item, names[item.parameter]) for item in summary],
            "parameter": parameter,
            "parameter_name": names.get(parameter, parameter),
            "chart": chart,
            "limits": limits,
            "min_periods": MIN_PERIODS,
            "active_section": "monitoring",
        },
    )


STATION_DATA_HEADER = [
    "station_code", "parameter", "sampled_at_utc", "sample_id", "value", "unit", "qualifier",
    "detection_limit", "lab", "method", "comment", "compliance", "ratio_to_limit",
]  # fmt: skip


def _station_results(request: HttpRequest, code: str) -> tuple[str, Iterator[list[Any]]]:
    """The download's file name (without extension) and the results the reader may see
    (one parameter with ``?parameter=``) as rows of :data:`STATION_DATA_HEADER`, times
    as aware datetimes."""
    station = get_object_or_404(Station, code=code)
    rows = Measurement.objects.visible_to(request.user).filter(station=station)
    parameter = request.GET.get("parameter", "")
    name = station.code
    if parameter:
        rows = rows.filter(parameter=parameter)
        if parameter in default_catalogue().parameters:  # a known code is safe in a file name
            name = f"{station.code}-{parameter}"
    values = rows.order_by("parameter", "sampled_at").values_list(
        "parameter", "sampled_at", "sample_id", "value", "unit", "non_detect", "detection_limit",
        "lab", "method", "comment", "compliance", "ratio",
    )  # fmt: skip
    labels = {value: str(label) for value, label in Compliance.choices}

    def lines() -> Iterator[list[Any]]:
        for row in values.iterator(chunk_size=5000):
            parameter, at, sample, value, unit, nd, dl, lab, method, comment, comp, ratio = row
            yield [
                station.code, parameter, at, sample, value, unit, "<" if nd else "", dl, lab,
                method, comment, labels[comp], ratio,
            ]  # fmt: skip

    return name, lines()


@require_safe
def station_data(request: HttpRequest, code: str) -> HttpResponseBase:
    """The station's results as CSV (one parameter with ``?parameter=``)."""
    name, rows = _station_results(request, code)
    lines = ([*row[:2], row[2].isoformat(), *row[3:]] for row in rows)
    return csv_response(f"{name}.csv", STATION_DATA_HEADER, lines)


@require_safe
def station_data_xlsx(request: HttpRequest, code: str) -> HttpResponseBase:
    """The station's results as an Excel workbook, the same columns as the CSV."""
    name, rows = _station_results(request, code)
    return xlsx_response(f"{name}.xlsx", STATION_DATA_HEADER, rows, sheet=name)


@require_safe
def exceedance_list(request: HttpRequest) -> HttpResponse:
    form = ExceedanceFilterForm(request.GET or None)
    exceedances = Exceedance.objects.select_related(
        "station__site", "limit__standard", "measurement"
    )
    if not permissions.can_see_unpublished(request.user):
        exceedances = exceedances.filter(is_public=True)
    if form.is_valid():
        data = form.cleaned_data
        if data["site"]:
            exceedances = exceedances.filter(station__site=data["site"])
        if data["parameter"]:
            exceedances = exceedances.filter(limit__parameter=data["parameter"])
        if data["level"]:
            exceedances = exceedances.filter(level=data["level"])
        zone = timezone.get_current_timezone()
        if data["since"]:
            exceedances = exceedances.filter(
                sampled_at__gte=datetime.combine(data["since"], time.min, zone)
            )
        if data["until"]:
            exceedances = exceedances.filter(
                sampled_at__lt=datetime.combine(data["until"] + timedelta(days=1), time.min, zone)
            )
    page = Paginator(exceedances.order_by("-sampled_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoring/exceedance_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "active_section": "monitoring"},
    )


@require_safe
def standard_list(request: HttpRequest) -> HttpResponse:
    standards = Standard.objects.annotate(limit_count=Count("limits")).order_by(
        "-is_active", "code"
    )
    return render(
        request,
        "monitoring/standard_list.html",
        {"standards": standards, "active_section": "monitoring"},
    )


@require_safe
def standard_detail(request: HttpRequest, code: str) -> HttpResponse:
    standard = get_object_or_404(Standard.objects.select_related("legal_act"), code=code)
    return render(
        request,
        "monitoring/standard_detail.html",
        {
            "standard": standard,
            "limits": standard.limits.order_by("parameter", "medium", "averaging"),
            "history": standard.history.select_related("changed_by")[:50],
            "can_edit": permissions.can_edit_standards(request.user),
            "active_section": "monitoring",
        },
    )


# --- Imports ---------------------------------------------------------------------------


def _require_importer(request: HttpRequest) -> None:
    if not permissions.can_import(request.user):
        raise PermissionDenied


def _managed_batch(request: HttpRequest, pk: int) -> ImportBatch:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not permissions.can_manage_batch(request.user, batch):
        raise PermissionDenied
    return batch


@login_required
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ResultFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = ingest.receive(
            upload.read(), upload.name, user=request.user, publish=form.cleaned_data["publish"]
        )
        if upload.size <= ingest.SYNC_BYTES:
            ingest.check(batch)
        else:
            tasks.check_import.enqueue(batch.pk)
        return redirect("monitoring:import-detail", pk=batch.pk)
    recent = ImportBatch.objects.filter(uploaded_by=request.user)[:20]
    return render(
        request,
        "monitoring/import_upload.html",
        {"form": form, "recent": recent, "active_section": "monitoring"},
    )


@login_required
@require_safe
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _managed_batch(request, pk)
    language = translation.get_language() or "en"
    errors = [
        {**error, "message": error["messages"].get(language) or error["messages"].get("en")}
        for error in batch.summary.get("errors", [])
    ]
    running = batch.status in (BatchStatus.QUEUED, BatchStatus.IMPORTING) or (
        batch.status == BatchStatus.CHECKED and not batch.summary
    )
    progress = ingest.read_progress(batch.pk) if running else None
    # The summary keeps the level's code; the reader sees its name in their language.
    levels = dict(ExceedanceLevel.choices)
    return render(
        request,
        "monitoring/import_detail.html",
        {
            "batch": batch,
            "errors": errors,
            "error_counts": batch.summary.get("error_counts", {}),
            "exceedances": [
                {**item, "level": levels.get(item["level"], item["level"])}
                for item in batch.summary.get("exceedances", [])
            ],
            "running": running,
            "progress": progress,
            "percent": int(100 * progress[0] / progress[1]) if progress and progress[1] else None,
            "active_section": "monitoring",
        },
    )


@login_required
@require_safe
def import_errors_csv(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Every error of the batch's report, in the reader's language (the file is read
    again: the page keeps only the first errors)."""
    batch = _managed_batch(request, pk)
    if not batch.file:
        raise Http404
    with batch.file.open("rb") as handle:
        data = handle.read()
    catalogue, _stations = ingest.registry_catalogue()
    today = ingest.import_day(batch.created_at)
    report = validate(data, batch.filename, catalogue, today, keep_rows=False)
    rows = ([e.row, e.line, e.column, e.code, e.message] for e in report.errors)
    name = batch.filename.rsplit(".", 1)[0]
    return csv_response(f"{name}-errors.csv", ["row", "line", "column", "code", "message"], rows)


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _managed_batch(request, pk)
    if batch.status in (BatchStatus.CHECKED, BatchStatus.FAILED) and batch.summary:
        if batch.file.size <= ingest.SYNC_BYTES:
            batch = ingest.commit(batch)
            messages.success(
                request,
                _("%(added)s results imported, %(present)s were already stored.")
                % {"added": batch.rows_added, "present": batch.rows_present},
            )
        else:
            updated = ImportBatch.objects.filter(
                pk=batch.pk, status__in=(BatchStatus.CHECKED, BatchStatus.FAILED)
            ).update(status=BatchStatus.QUEUED, message="")
            if updated:  # a double click queues the import once
                tasks.commit_import.enqueue(batch.pk)
    return redirect("monitoring:import-detail", pk=batch.pk)


@login_required
@require_POST
def import_discard(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _managed_batch(request, pk)
    ingest.discard(batch)
    return redirect("monitoring:import-upload")


@login_required
@require_POST
def import_publish(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _managed_batch(request, pk)
    if batch.status == BatchStatus.IMPORTED:
        ingest.set_public(batch, request.POST.get("public") == "1")
    return redirect("monitoring:import-detail", pk=batch.pk)


# --- Map and "near me" ---------------------------------------------------------------------


@require_safe
def monitoring_map(request: HttpRequest) -> HttpResponse:
    """Sites and stations with their status: a list that reads without JavaScript, drawn
    on the offline map by ``map.js`` when it runs."""
    tiles_url = settings.MINEHUB_MAP_TILES_URL
    response = render(
        request,
        "monitoring/map.html",
        {
            "places": maps.monitoring_places(request.user),
            "legend": [(status, maps.status_word(status)) for status in maps.LEGEND],
            "tiles_url": tiles_url,
            "tiles_attribution": settings.MINEHUB_MAP_TILES_ATTRIBUTION,
            "can_import": permissions.can_import(request.user),
            "active_section": "monitoring",
        },
    )
    if tiles_url:
        response["Content-Security-Policy"] = maps.policy_with_tiles(tiles_url)
    return response


def _revalidated(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """``response`` with an ETag, or 304 when the client already holds it."""
    set_response_etag(response)
    return get_conditional_response(request, etag=response["ETag"], response=response)


@require_safe
@gzip_page
def map_features(request: HttpRequest) -> HttpResponse:
    """Sites and stations as GeoJSON, coloured only by results the reader may see."""
    collection = maps.feature_collection(maps.monitoring_places(request.user))
    response = JsonResponse(
        collection,
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    # Inspectors see unpublished results: their answer must stay out of shared caches.
    patch_cache_control(response, private=True, no_cache=True)
    return _revalidated(request, response)


@require_safe
@gzip_page
def map_outlines(request: HttpRequest) -> HttpResponse:
    """The shipped admin-1 outlines, simplified for the screen (the same for everyone)."""
    response = HttpResponse(maps.outlines_geojson(), content_type="application/geo+json")
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return _revalidated(request, response)


@require_safe
def near(request: HttpRequest) -> HttpResponse:
    """The stations near a settlement or a point, with a plain-language summary."""
    asked = any(name in request.GET for name in NearForm.base_fields)
    data = request.GET if asked else None
    # Two forms on the page (by settlement, by coordinates) share the fields' names: each
    # sends only its own, so the reader never has to say which of two filled-in places counts.
    by_place = NearForm(data, auto_id="place-%s")
    by_point = NearForm(data, auto_id="point-%s")
    result = place = None
    if by_place.is_valid():
        latitude, longitude, place = by_place.place()
        result = nearby.stations_near(
            latitude, longitude, by_place.cleaned_data["distance"], request.user
        )
    return render(
        request,
        "monitoring/near.html",
        {
            "by_place": by_place,
            "by_point": by_point,
            "result": result,
            "place": place,
            "can_import": permissions.can_import(request.user),
            "active_section": "monitoring",
        },
    )
