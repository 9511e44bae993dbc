"""Monitoring pages: sites, stations with their charts, exceedances, standards, imports."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from minehub.core.exports import csv_response
from minehub.monitoring import ingest, permissions, tasks
from minehub.monitoring.charts import LimitLine, build_chart
from minehub.monitoring.forms import ExceedanceFilterForm, ResultFileForm
from minehub.monitoring.importing import default_catalogue, validate
from minehub.monitoring.models import (
    BatchStatus,
    Compliance,
    Exceedance,
    ImportBatch,
    Measurement,
    Site,
    Standard,
    Station,
)
from minehub.monitoring.readings import series, station_summary
from minehub.monitoring.standards import LimitBook

PAGE_SIZE = 50


def _status_by_station(user: object) -> dict[int, tuple[int, datetime]]:
    """Station id → (worst standing in the last 12 months, latest sample)."""
    year_ago = timezone.now() - timedelta(days=365)
    rows = (
        Measurement.objects.visible_to(user)
        .values("station_id")
        .annotate(
            worst=Max("compliance", filter=Q(sampled_at__gte=year_ago)), latest=Max("sampled_at")
        )
    )
    return {row["station_id"]: (row["worst"] or 0, row["latest"]) for row in rows}


@require_safe
def site_list(request: HttpRequest) -> HttpResponse:
    sites = (
        Site.objects.select_related("region", "operator")
        .annotate(station_count=Count("stations"))
        .order_by("country", "code")
    )
    status = _status_by_station(request.user)
    worst: dict[int, int] = {}
    for station_id, site_id in Station.objects.values_list("id", "site_id"):
        worst[site_id] = max(worst.get(site_id, 0), status.get(station_id, (0, None))[0])
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
    status = _status_by_station(request.user)
    stations = [(station, *status.get(station.pk, (0, None))) for station in site.stations.all()]
    return render(
        request,
        "monitoring/site_detail.html",
        {"site": site, "stations": stations, "active_section": "monitoring"},
    )


@require_safe
def station_detail(request: HttpRequest, code: str) -> HttpResponse:
    station = get_object_or_404(Station.objects.select_related("site"), code=code)
    summary = station_summary(station, request.user)
    parameters = [item.parameter for item in summary]
    parameter = request.GET.get("parameter") or (parameters[0] if parameters else "")
    if parameter and parameter not in parameters:
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
        chart = build_chart(series(station, parameter, request.user), lines)
    catalogue = default_catalogue()
    names = {item.parameter: _parameter_name(catalogue, item.parameter) for item in summary}
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
            "active_section": "monitoring",
        },
    )


def _parameter_name(catalogue: object, code: str) -> str:
    entry = catalogue.parameters.get(code)  # type: ignore[attr-defined]
    if entry is None:
        return code
    return entry.names.get(translation.get_language() or "en") or entry.names.get("en") or code


@require_safe
def station_data(request: HttpRequest, code: str) -> HttpResponseBase:
    """The station's results as CSV (one parameter with ``?parameter=``)."""
    station = get_object_or_404(Station, code=code)
    rows = Measurement.objects.visible_to(request.user).filter(station=station)
    if request.GET.get("parameter"):
        rows = rows.filter(parameter=request.GET["parameter"])
    values = rows.order_by("parameter", "sampled_at").values_list(
        "parameter", "sampled_at", "sample_id", "value", "unit", "non_detect", "detection_limit",
        "lab", "method", "comment", "compliance", "ratio",
    )  # fmt: skip
    header = [
        "station_code", "parameter", "sampled_at_utc", "sample_id", "value", "unit", "qualifier",
        "detection_limit", "lab", "method", "comment", "compliance", "ratio_to_limit",
    ]  # fmt: skip
    labels = dict(Compliance.choices)

    def lines():  # type: ignore[no-untyped-def]
        for (
            parameter,
            at,
            sample,
            value,
            unit,
            nd,
            dl,
            lab,
            method,
            comment,
            comp,
            ratio,
        ) in values.iterator(chunk_size=5000):
            yield [
                station.code, parameter, at.isoformat(), sample, value, unit, "<" if nd else "",
                dl, lab, method, comment, str(labels[comp]), ratio,
            ]  # fmt: skip

    return csv_response(f"{station.code}.csv", header, lines())


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
    return render(
        request,
        "monitoring/import_detail.html",
        {
            "batch": batch,
            "errors": errors,
            "error_counts": batch.summary.get("error_counts", {}),
            "exceedances": batch.summary.get("exceedances", []),
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
