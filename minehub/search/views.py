"""The results page and the editors' search statistics."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from minehub.search import analytics, engine
from minehub.search.forms import SearchForm
from minehub.search.permissions import can_see_analytics
from minehub.search.presentation import (
    FACET_TITLES,
    PARAMETERS,
    facet_values,
    hit_url,
    type_label,
    with_parameter,
)


class _Sized:
    """Stands for the full result list in Django's paginator, which only needs its size."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: Any) -> list[object]:
        return []


def run_search(form: SearchForm) -> engine.Results | None:
    """Searches with a bound, valid form; records the query (first page only, so paging
    through results counts one search)."""
    if not form.is_valid() or not form.cleaned_data["q"]:
        return None
    results = engine.search(
        form.cleaned_data["q"], form.filters, sort=form.sort_order, page=form.page_number
    )
    if form.page_number == 1:
        analytics.record(results.plan.text, results.total)
    return results


@require_safe
def results_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    results = run_search(form)
    context: dict[str, Any] = {"form": form, "results": results, "query": request.GET.get("q", "")}
    if results is not None:
        query = request.GET
        facets = facet_values(results.facets)
        context["facet_groups"] = [
            {
                "title": FACET_TITLES[name],
                "active": query.get(PARAMETERS[name]),
                "remove_url": "?" + with_parameter(query, PARAMETERS[name], None),
                "values": [
                    {
                        "label": value.label,
                        "count": value.count,
                        "url": "?" + with_parameter(query, PARAMETERS[name], value.parameter),
                        "selected": query.get(PARAMETERS[name]) == value.parameter,
                    }
                    for value in values
                ],
            }
            for name, values in facets.items()
            if values
        ]
        context["hits"] = [
            {
                "title": hit.entry.title,
                "url": hit_url(hit.entry.path),
                "type": type_label(hit.entry.kind),
                "language": hit.entry.language,
                "published_at": hit.entry.published_at,
                "snippet": hit.snippet,
            }
            for hit in results.hits
        ]
        paginator = Paginator(_Sized(results.total), results.page_size)
        context["page"] = paginator.get_page(results.page)
        context["query_string"] = with_parameter(query, "page", None)
        context["sort_links"] = [
            (label, "?" + with_parameter(query, "sort", value), form.sort_order == value)
            for value, label in form.fields["sort"].choices
        ]
        if results.plan.suggestion:
            context["suggestion"] = results.plan.suggestion
            context["suggestion_url"] = "?" + with_parameter(query, "q", results.plan.suggestion)
    status = 400 if form.errors else 200
    return render(request, "search/results.html", context, status=status)


@require_safe
def statistics(request: HttpRequest) -> HttpResponse:
    if not can_see_analytics(request.user):
        raise PermissionDenied
    return render(request, "search/statistics.html", analytics.report())
