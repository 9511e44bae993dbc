"""Serving attached files, and the editor screens for their text extraction.

Downloads follow the visibility of the item a file is attached to. The editor screens
(status, retry, text correction) concern a stored file and are open to administrators and to
editors who may edit at least one item the file is attached to; anyone else gets 404, and
visitors who are not signed in are sent to the login page.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from minehub.core.language_detect import detect_language
from minehub.library import sniff
from minehub.library.extract import file_text_changed
from minehub.library.files import queue_extraction
from minehub.library.models import Attachment, ExtractionStatus, StoredFile
from minehub.publishing.content import Publishable
from minehub.publishing.permissions import can_edit, can_view, is_administrator

# Browsers show these inline safely (no script can run in them); everything else,
# notably HTML and SVG, is only ever downloaded.
INLINE_KINDS = frozenset({"pdf"}) | sniff.RASTER_KINDS
DOWNLOAD_CSP = "sandbox; default-src 'none'"
PENDING_STATES = frozenset({ExtractionStatus.PENDING, ExtractionStatus.RUNNING})


# --- downloads --------------------------------------------------------------------------------


@require_safe
def attachment_download(request: HttpRequest, pk: int, filename: str) -> HttpResponseBase:
    """The attached file, with headers that keep a browser from running anything in it."""
    attachment = get_object_or_404(Attachment.objects.select_related("file"), pk=pk)
    item = attachment.item
    if item is None or not _may_see(request.user, item):
        raise Http404
    if filename != attachment.filename:
        # An old or mistyped name: send the reader to the current one. Not permanent: a
        # browser-cached 301 would loop if the file were renamed back.
        return redirect(attachment.get_absolute_url())
    stored = attachment.file
    inline = stored.kind in INLINE_KINDS
    if request.method == "HEAD":
        response: HttpResponseBase = HttpResponse(content_type=stored.media_type)
        response.headers["Content-Disposition"] = _disposition(attachment.filename, inline)
    else:
        response = FileResponse(
            stored.blob.open("rb"),
            as_attachment=not inline,
            filename=attachment.filename,
            content_type=stored.media_type,
        )
        Attachment.objects.filter(pk=attachment.pk).update(download_count=F("download_count") + 1)
    response.headers["Content-Length"] = str(stored.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = "private, max-age=0"
    return response


def _may_see(user: Any, item: Any) -> bool:
    """Whether ``user`` sees the item a file is attached to: publishable content by its
    workflow, a member's post by its moderation state."""
    if isinstance(item, Publishable):
        return can_view(user, item)
    from minehub.exchange import permissions as exchange_permissions

    return exchange_permissions.can_view(user, item)


def _disposition(filename: str, inline: bool) -> str:
    return content_disposition_header(not inline, filename) or "attachment"


# --- editor screens -----------------------------------------------------------------------------


def _items_of(stored: StoredFile) -> list[Any]:
    ids_by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, object_id in stored.attachments.values_list(
        "content_type_id", "object_id"
    ):
        ids_by_type[content_type_id].append(object_id)
    items: list[Any] = []
    for content_type_id, ids in ids_by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is not None:
            items.extend(model._default_manager.filter(pk__in=ids))
    return items


def can_manage_file(user: Any, stored: StoredFile) -> bool:
    """Administrators, and editors of at least one item ``stored`` is attached to."""
    if is_administrator(user):
        return True
    return any(isinstance(item, Publishable) and can_edit(user, item) for item in _items_of(stored))


def _managed_file(request: HttpRequest, pk: int) -> StoredFile:
    stored = get_object_or_404(StoredFile, pk=pk)
    if not can_manage_file(request.user, stored):
        raise Http404
    return stored


def _status_context(stored: StoredFile) -> dict[str, Any]:
    return {
        "stored": stored,
        "polling": stored.extraction_status in PENDING_STATES,
        "filenames": sorted(set(stored.attachments.values_list("filename", flat=True))),
    }


@login_required
@require_safe
def file_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Extraction status of a stored file: a fragment for htmx polling, else a page."""
    stored = _managed_file(request, pk)
    template = (
        "library/files/status.html"
        if getattr(request, "htmx", False)
        else "library/files/status_page.html"
    )
    return render(request, template, _status_context(stored))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _see_other(url: str) -> HttpResponse:
    # 303: after a POST the browser fetches the next page with GET.
    response = redirect(url)
    response.status_code = 303
    return response


@login_required
@require_POST
def file_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queues the text extraction of a stored file again."""
    stored = _managed_file(request, pk)
    queue_extraction(stored)
    if getattr(request, "htmx", False):
        return render(request, "library/files/status.html", _status_context(stored))
    messages.success(request, _("Text extraction will run again shortly."))
    return _see_other(_safe_next(request, reverse("library:file-status", args=[stored.pk])))


class CorrectedTextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the file"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "dir": "auto"}),
        help_text=gettext_lazy(
            "Search uses this text. Your correction is kept when extraction runs again."
        ),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def file_text(request: HttpRequest, pk: int) -> HttpResponse:
    """Editors read and correct the text extracted from a stored file; "discard" goes back
    to the extracted text (extraction runs again)."""
    stored = _managed_file(request, pk)
    status_url = reverse("library:file-status", args=[stored.pk])
    if request.method == "POST":
        if "discard" in request.POST:
            stored.text_corrected = False
            stored.save(update_fields=["text_corrected"])
            queue_extraction(stored)
            messages.success(request, _("The correction was discarded; the text is read again."))
            return _see_other(_safe_next(request, status_url))
        form = CorrectedTextForm(request.POST)
        if form.is_valid():
            text = form.cleaned_data["text"].replace("\r\n", "\n")
            stored.text = text
            stored.text_corrected = True
            stored.text_language = detect_language(text) or ""
            stored.save(update_fields=["text", "text_corrected", "text_language"])
            file_text_changed.send(sender=StoredFile, stored_file_id=stored.pk)
            messages.success(request, _("The corrected text was saved."))
            return _see_other(_safe_next(request, status_url))
    else:
        form = CorrectedTextForm(initial={"text": stored.text})
    return render(
        request,
        "library/files/text_form.html",
        {**_status_context(stored), "form": form, "next": _safe_next(request, "")},
    )
