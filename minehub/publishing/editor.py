"""Front-end editing: create, edit, preview, review, history and restore for every
content type in :mod:`minehub.publishing.registry`.

Each view loads the item, checks :mod:`minehub.publishing.permissions`, and hands the
write to :mod:`minehub.publishing.workflow`; files go through :mod:`minehub.library.files`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from minehub.core.markdown import render_markdown
from minehub.library import files
from minehub.library.models import Attachment, StoredFile
from minehub.publishing import permissions, workflow
from minehub.publishing.content import Publishable, Status, editable_organisation_ids
from minehub.publishing.models import News, NewsKind, Revision, RevisionAction
from minehub.publishing.newsletter_forms import DraftForm
from minehub.publishing.registry import CONTENT_TYPES, ContentTypeEntry

SUBMISSION_TTL = 24 * 3600


def _entry(type_key: str) -> ContentTypeEntry:
    entry = CONTENT_TYPES.get(type_key)
    if entry is None:
        raise Http404
    return entry


def _editable(request: HttpRequest, entry: ContentTypeEntry, pk: int) -> Publishable:
    item = get_object_or_404(entry.model, pk=pk)
    if not permissions.can_edit(request.user, item):
        raise Http404  # others must not learn that a draft exists
    return item


def _attachments(item: Publishable) -> Any:
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    ).select_related("file")


def _store_files(
    request: HttpRequest, form: Any
) -> tuple[list[tuple[StoredFile, str]], StoredFile | None] | None:
    """Stores the form's uploads (content-addressed, so nothing is duplicated when the item
    is then not saved). Adds form errors and returns None when a file is rejected."""
    stored: list[tuple[StoredFile, str]] = []
    for rejection in files.upload_errors(request):
        form.add_error("new_files", rejection)
    for upload in form.cleaned_data.get("new_files") or []:
        try:
            stored.append((files.store_upload(upload, upload.name), upload.name))
        except ValidationError as error:
            form.add_error("new_files", error)
    cover = None
    upload = form.cleaned_data.get("cover_image")
    if upload:
        try:
            cover = files.store_upload(upload, upload.name)
        except ValidationError as error:
            form.add_error("cover_image", error)
        else:
            if not cover.is_image:
                form.add_error("cover_image", _("The cover must be an image."))
    return None if form.errors else (stored, cover)


def _attach(item: Publishable, stored: list[tuple[StoredFile, str]]) -> None:
    # store_upload already queued the extraction of files it stored for the first time.
    for stored_file, filename in stored:
        files.attach(item, stored_file, filename)


def _render_form(
    request: HttpRequest,
    entry: ContentTypeEntry,
    form: Any,
    item: Publishable | None,
    **extra: Any,
) -> HttpResponse:
    context = {
        "entry": entry,
        "form": form,
        "item": item,
        "attachments": _attachments(item) if item else [],
        "topic_suggestions": form.topic_suggestions() if "topics" in form.fields else [],
        "can_edit": True,
        "htmx_loaded": True,
        "actions": [
            (action.value, workflow.ACTION_BUTTONS[action])
            for action in (workflow.allowed_actions(request.user, item) if item else [])
        ],
        "active_section": "library",
        **extra,
    }
    return render(request, "publishing/editor/form.html", context, status=extra.get("status", 200))


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    """The editor's desk: items of their organisations by status, and what awaits review."""
    if not permissions.can_create(request.user):
        raise PermissionDenied
    organisations = editable_organisation_ids(request.user)
    groups: dict[str, list[Publishable]] = {status: [] for status in Status.values}
    for entry in CONTENT_TYPES.values():
        items = entry.model.objects.select_related("organisation").only(
            "id", "title", "status", "language", "updated_at", "organisation__name_en",
            "organisation__name_mn", "organisation__name_ky", "organisation__name_ru",
            "organisation__slug",
        )  # fmt: skip
        if not permissions.is_administrator(request.user):
            items = items.filter(organisation_id__in=organisations)
        for item in items.order_by("-updated_at")[:200]:
            groups[item.status].append(item)
    for status in groups:
        groups[status].sort(key=lambda item: item.updated_at, reverse=True)
    return render(
        request,
        "publishing/editor/dashboard.html",
        {
            "groups": [(Status(status).label, groups[status][:50]) for status in Status.values],
            "content_types": CONTENT_TYPES.values(),
            "newsletters": _newsletters(request.user, organisations),
            "draft_form": DraftForm(user=request.user),
            "active_section": "library",
        },
    )


def _newsletters(user: Any, organisations: set[int]) -> list[News]:
    issues = News.objects.filter(kind=NewsKind.NEWSLETTER).only(
        "id", "title", "language", "status", "updated_at"
    )
    if not permissions.is_administrator(user):
        issues = issues.filter(organisation_id__in=organisations)
    return list(issues.order_by("-updated_at")[:10])


@login_required
def create(request: HttpRequest, type_key: str) -> HttpResponse:
    entry = _entry(type_key)
    if not permissions.can_create(request.user):
        raise PermissionDenied
    form = entry.form(
        request.POST or None, request.FILES or None, user=request.user, instance=entry.model()
    )
    if request.method != "POST":
        return _render_form(request, entry, form, None)
    if "preview" in request.POST:
        form.is_valid()
        return _render_form(request, entry, form, None, preview=_preview_of(request))
    if not form.is_valid():
        return _render_form(request, entry, form, None, status=400)
    token = form.cleaned_data.get("submission_token")
    key = f"publishing:submission:{token}"
    if token and (done := cache.get(key)):
        # A double click or a retried request: the item exists already.
        return redirect("publishing:edit", type_key=type_key, pk=done)
    stored = _store_files(request, form)
    if stored is None:
        return _render_form(request, entry, form, None, status=400)
    new_files, cover = stored
    with transaction.atomic():
        item = form.apply()
        if cover is not None:
            item.cover = cover
        workflow.create_item(item, request.user, m2m=form.m2m_values())
        _attach(item, new_files)
    if token:
        cache.set(key, item.pk, SUBMISSION_TTL)
    messages.success(request, _("Saved as a draft."))
    return redirect("publishing:edit", type_key=type_key, pk=item.pk)


def _conflict_rows(item: Publishable, current: Publishable) -> list[tuple[str, Any, Any]]:
    """(field, the other editor's saved value, this editor's value) for each difference."""
    theirs = workflow.snapshot(current)
    mine = {**theirs, **workflow.field_state(item)}
    return [
        (workflow.field_label(item, name), theirs.get(name), mine.get(name))
        for name in workflow.changed_fields(theirs, mine)
    ]


@login_required
def edit(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    entry = _entry(type_key)
    item = _editable(request, entry, pk)
    form = entry.form(request.POST or None, request.FILES or None, user=request.user, instance=item)
    if request.method != "POST":
        return _render_form(request, entry, form, item)
    if "preview" in request.POST:
        form.is_valid()
        return _render_form(request, entry, form, item, preview=_preview_of(request))
    if not form.is_valid():
        return _render_form(request, entry, form, item, status=400)
    stored = _store_files(request, form)
    if stored is None:
        return _render_form(request, entry, form, item, status=400)
    new_files, cover = stored
    expected = form.cleaned_data.get("version") or item.version
    try:
        with transaction.atomic():
            item = form.apply()
            if cover is not None:
                item.cover = cover
            elif form.cleaned_data.get("remove_cover"):
                item.cover = None
            workflow.save_item(item, request.user, expected, m2m=form.m2m_values())
            _attach(item, new_files)
            removed = request.POST.getlist("remove_attachment")
            if removed:
                _attachments(item).filter(pk__in=[int(x) for x in removed if x.isdigit()]).delete()
    except workflow.EditConflict as conflict:
        rows = _conflict_rows(item, conflict.current)
        # The form keeps this editor's text; saving again now deliberately replaces theirs.
        data = request.POST.copy()
        data["version"] = str(conflict.current.version)
        form = entry.form(data, user=request.user, instance=conflict.current)
        form.is_valid()
        return _render_form(request, entry, form, conflict.current, conflict_rows=rows, status=409)
    messages.success(request, _("Saved."))
    return redirect("publishing:edit", type_key=type_key, pk=item.pk)


def _preview_of(request: HttpRequest) -> str:
    return render_markdown(request.POST.get("body", "")[:200_000])


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """Rendered Markdown for the live preview (an htmx fragment)."""
    if not permissions.can_create(request.user):
        raise PermissionDenied
    return HttpResponse(format_html('<div class="markdown">{}</div>', _preview_of(request)))


@login_required
@require_POST
def change_status(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    entry = _entry(type_key)
    item = _editable(request, entry, pk)
    try:
        action = RevisionAction(request.POST.get("action", ""))
        expected = int(request.POST.get("version", ""))
    except ValueError as error:
        raise PermissionDenied from error
    try:
        workflow.transition(item, request.user, action, expected, request.POST.get("comment", ""))
    except workflow.TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    except workflow.EditConflict:
        messages.error(
            request, _("Someone changed this item meanwhile. Check the current version first.")
        )
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(action)s: %(title)s") % {"action": action.label, "title": item.title}
        )
    return redirect("publishing:edit", type_key=type_key, pk=item.pk)


@login_required
@require_safe
def history(request: HttpRequest, type_key: str, pk: int) -> HttpResponse:
    entry = _entry(type_key)
    item = _editable(request, entry, pk)
    revisions = list(workflow.history(item))
    for revision in revisions:
        revision.changed_labels = [
            workflow.field_label(item, name) for name in revision.changed_fields
        ]
    return render(
        request,
        "publishing/editor/history.html",
        {"entry": entry, "item": item, "revisions": revisions, "active_section": "library"},
    )


@login_required
@require_POST
def restore(request: HttpRequest, type_key: str, pk: int, revision_id: int) -> HttpResponse:
    entry = _entry(type_key)
    item = _editable(request, entry, pk)
    revision = get_object_or_404(
        Revision,
        pk=revision_id,
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
    )
    workflow.restore_revision(item, revision, request.user)
    messages.success(
        request, _("Version %(version)s is the current text again.") % {"version": revision.version}
    )
    return redirect(reverse("publishing:edit", kwargs={"type_key": type_key, "pk": item.pk}))
