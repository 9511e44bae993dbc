"""Donor projects for readers: a filtered list and the project profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from minehub.core.i18n import active_language
from minehub.directory.models import Organisation, Project, ProjectStatus
from minehub.publishing.browse import ItemFilterForm, detail_context, listing, visible_item

# "organisation" (the publishing organisation) is left out: readers look for projects by
# who funds them, offered as the "donor" filter instead.
PROJECT_FILTERS = ("topic", "mineral", "region", "sdg", "language", "year")

ORGANISATION_NAME_FIELDS = ("id", "slug", "acronym", "name_en", "name_mn", "name_ky", "name_ru")


def project_filter_fields() -> dict[str, forms.Field]:
    """The filters only projects have: their status and their donor."""
    donors = (
        Organisation.objects.filter(projects_funded__isnull=False)
        .distinct()
        .only(*ORGANISATION_NAME_FIELDS)
        .order_by(f"name_{active_language()}")
    )
    return {
        "status": forms.ChoiceField(
            label=_("Project status"),
            required=False,
            choices=[("", _("Any status")), *ProjectStatus.choices],
        ),
        "donor": forms.ChoiceField(
            label=_("Donor"),
            required=False,
            choices=[("", _("All donors")), *((donor.slug, donor.name) for donor in donors)],
        ),
    }


def _organisations() -> Prefetch:
    return Prefetch("donors", queryset=Organisation.objects.only(*ORGANISATION_NAME_FIELDS))


@require_safe
def project_list(request: HttpRequest) -> HttpResponse:
    """Published donor projects, latest start first, filtered and paginated."""
    form = ItemFilterForm(
        request.GET or None, enabled=PROJECT_FILTERS, extra_fields=project_filter_fields()
    )
    # ``browse.apply_filters`` filters the year on a field called ``year``: for projects it
    # is the year implementation starts (an alias: filtered on, never selected).
    projects = (
        Project.objects.alias(year=ExtractYear("starts_on"))
        # Explicit NULL placement: SQLite and PostgreSQL disagree on where NULLs sort.
        .order_by(F("starts_on").desc(nulls_last=True), "-id")
        .prefetch_related(_organisations())
    )
    if form.is_valid():
        if form.cleaned_data.get("status"):
            projects = projects.filter(project_status=form.cleaned_data["status"])
        if form.cleaned_data.get("donor"):
            projects = projects.filter(donors__slug=form.cleaned_data["donor"])
    context = listing(request, projects, form)
    return render(
        request,
        "directory/project_list.html",
        {**context, "active_section": "directory"},
    )


def coordinate_text(value: float) -> str:
    """Decimal degrees to six places (about 10 cm) without trailing zeros, and with a
    decimal point in every language: a decimal comma would blur "lat, lon"."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def points_for_display(points: Any) -> list[dict[str, Any]]:
    """The project's points with numeric coordinates, skipping malformed entries (the
    JSON field may hold data imported before validation)."""
    if not isinstance(points, list):
        return []
    shown = []
    for point in points:
        try:
            lat, lon = float(point["lat"]), float(point["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        shown.append(
            {
                "label": str(point.get("label") or ""),
                "lat": lat,
                "lon": lon,
                "lat_text": coordinate_text(lat),
                "lon_text": coordinate_text(lon),
            }
        )
    return shown


def outcomes_for_display(outcomes: Any) -> list[str]:
    """Expected outcomes as non-empty strings, whatever the JSON holds."""
    if not isinstance(outcomes, list):
        return []
    return [str(outcome).strip() for outcome in outcomes if str(outcome).strip()]


def budget_amount(budget: Decimal | None) -> Decimal | None:
    """The budget without trailing ".00", so whole amounts read as such."""
    if budget is None:
        return None
    return budget.quantize(Decimal(1)) if budget == budget.to_integral_value() else budget


def project_organisations(project: Project) -> tuple[list[Organisation], list[Organisation]]:
    """The project's donors and implementing organisations, fetched in one query (a
    detail page already spends most of its query budget on the shared parts)."""
    donors = Project.donors.through.objects.filter(project_id=project.pk)
    implementers = Project.implementers.through.objects.filter(project_id=project.pk)
    organisations = list(
        Organisation.objects.only(*ORGANISATION_NAME_FIELDS)
        .filter(
            Q(pk__in=donors.values("organisation_id"))
            | Q(pk__in=implementers.values("organisation_id"))
        )
        .annotate(
            funds=Exists(donors.filter(organisation_id=OuterRef("pk"))),
            implements=Exists(implementers.filter(organisation_id=OuterRef("pk"))),
        )
        .order_by(f"name_{active_language()}", "pk")
    )
    return (
        [organisation for organisation in organisations if organisation.funds],
        [organisation for organisation in organisations if organisation.implements],
    )


@require_safe
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A project profile: donors, implementers, period, budget, outcomes, places."""
    project = visible_item(request, Project, slug)
    context = detail_context(request, project)
    donors, implementers = project_organisations(project)
    return render(
        request,
        "directory/project_detail.html",
        {
            **context,
            "project": project,
            "donors": donors,
            "implementers": implementers,
            "budget": budget_amount(project.budget),
            "outcomes": outcomes_for_display(project.outcomes),
            "points": points_for_display(project.points),
            "active_section": "directory",
        },
    )
