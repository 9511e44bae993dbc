"""Directory: browse organisations."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from minehub.core.i18n import active_language
from minehub.directory.forms import OrganisationFilterForm
from minehub.directory.models import Organisation

PAGE_SIZE = 24


@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET or None)
    organisations = Organisation.objects.for_listing().order_by(f"name_{active_language()}")
    if form.is_valid():
        data = form.cleaned_data
        if data.get("kind"):
            organisations = organisations.filter(kind=data["kind"])
        if data.get("country"):
            organisations = organisations.filter(country=data["country"])
        if data.get("q"):
            text = data["q"]
            organisations = organisations.filter(
                Q(name_en__icontains=text)
                | Q(name_mn__icontains=text)
                | Q(name_ky__icontains=text)
                | Q(name_ru__icontains=text)
                | Q(acronym__icontains=text)
            )
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "directory/organisation_list.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


@require_safe
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.for_listing(), slug=slug)
    people = [
        membership.user
        for membership in organisation.memberships.select_related("user").filter(
            user__is_active=True, user__listed_in_directory=True
        )
    ]
    # At most 20 of each, one language version per project, without their text.
    language = active_language()
    funded = organisation.projects_funded.published().one_per_translation_group(language)
    implemented = organisation.projects_implemented.published().one_per_translation_group(language)
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "organisation": organisation,
            "people": people,
            "funded": list(funded.for_listing()[:20]),
            "implemented": list(implemented.for_listing()[:20]),
        },
    )
