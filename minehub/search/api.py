"""``GET /api/v1/search``: the search as JSON, for other tools (stable; see DESIGN.md).

``{total, results: [{type, id, external_id, title, url, language, snippet, score}],
facets}``; ``snippet`` is HTML-escaped text with matched words in ``<mark>``; ``facets``
maps each facet to ``[{value, label, count}]`` where ``value`` is what the matching
parameter accepts. ``lang`` filters by the language of the content (queries in any
language find content in every language)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError

from minehub.search.forms import SearchForm
from minehub.search.presentation import facet_values, hit_url
from minehub.search.views import run_search

api = NinjaAPI(title="MineHub API", version="1", urls_namespace="api-v1")


class Result(Schema):
    type: str
    id: int
    external_id: str | None
    title: str
    url: str
    language: str
    snippet: str
    score: float


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    total: int
    results: list[Result]
    facets: dict[str, list[FacetValueOut]]


@api.get("/search", response=SearchOut, summary="Search published content")
def search(
    request: HttpRequest,
    q: str = "",
    lang: str = "",
    type: str = "",  # noqa: A002 - the public parameter name
    topic: str = "",
    region: str = "",
    organisation: str = "",
    year: str = "",
    sort: str = "",
    page: str = "",
) -> dict[str, object]:
    form = SearchForm(
        {"q": q, "lang": lang, "type": type, "topic": topic, "region": region,
         "organisation": organisation, "year": year, "sort": sort, "page": page}
    )  # fmt: skip
    if not form.is_valid():
        messages = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        raise HttpError(400, messages)
    results = run_search(form)
    if results is None:  # no words to search for
        return {"total": 0, "results": [], "facets": {}}
    return {
        "total": results.total,
        "results": [
            {
                "type": hit.entry.kind,
                "id": hit.entry.object_id,
                "external_id": hit.entry.external_id,
                "title": hit.entry.title,
                "url": request.build_absolute_uri(hit_url(hit.entry.path)),
                "language": hit.entry.language,
                "snippet": str(hit.snippet),
                "score": hit.score,
            }
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": v.parameter, "label": v.label, "count": v.count} for v in values]
            for name, values in facet_values(results.facets).items()
        },
    }
