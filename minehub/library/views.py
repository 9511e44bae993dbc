"""Library: browse and read documents and legal acts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from minehub.library.forms import legal_act_filter_fields
from minehub.library.models import Document, DocumentKind, LegalAct, LegalActKind
from minehub.publishing.browse import ItemFilterForm, detail_context, listing, visible_item

COMMON_FILTERS = ("kind", "topic", "mineral", "region", "sdg", "language", "year", "organisation")


@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(request.GET or None, enabled=COMMON_FILTERS, kinds=DocumentKind.choices)
    context = listing(request, Document.objects.all(), form)
    return render(request, "library/document_list.html", {**context, "active_section": "library"})


@require_safe
def document_detail(request: HttpRequest, slug: str) -> HttpResponse:
    document = visible_item(request, Document, slug)
    context = detail_context(request, document)
    return render(
        request,
        "library/document_detail.html",
        {**context, "document": document, "active_section": "library"},
    )


@require_safe
def legal_act_list(request: HttpRequest) -> HttpResponse:
    form = ItemFilterForm(
        request.GET or None,
        enabled=COMMON_FILTERS,
        kinds=LegalActKind.choices,
        extra_fields=legal_act_filter_fields(),
    )
    acts = LegalAct.objects.all()
    if form.is_valid():
        if form.cleaned_data.get("act_status"):
            acts = acts.filter(act_status=form.cleaned_data["act_status"])
        if form.cleaned_data.get("in_force_on"):
            acts = acts.in_force_on(form.cleaned_data["in_force_on"])
    context = listing(request, acts, form)
    return render(request, "library/legal_act_list.html", {**context, "active_section": "library"})


@require_safe
def legal_act_detail(request: HttpRequest, slug: str) -> HttpResponse:
    act = visible_item(request, LegalAct, slug)
    context = detail_context(request, act)
    chain = act.version_chain()
    current = next(
        (version for version in reversed(chain) if version.act_status != "repealed"), None
    )
    return render(
        request,
        "library/legal_act_detail.html",
        {
            **context,
            "act": act,
            "versions": chain if len(chain) > 1 else [],
            "current_version": current if current and current.pk != act.pk else None,
            "amendments": act.amended_by.published().only("id", "slug", "title", "language"),
            "active_section": "library",
        },
    )
