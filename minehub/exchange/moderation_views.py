"""Moderation views: the queue (with bulk actions), the log, reports, the block list,
moderator edits, thread locks and member actions. Every view asks
:mod:`.permissions`; every change goes through :mod:`.moderation`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from minehub.accounts.models import User
from minehub.exchange import moderation, permissions
from minehub.exchange.models import BlockedDomain, ModerationAction, Post, Reply, Standing
from minehub.exchange.moderation_forms import (
    BulkActionForm,
    DomainForm,
    LockForm,
    MemberActionForm,
    ModeratorEditForm,
    ReportForm,
)
from minehub.exchange.posting import EditConflict

LOG_PER_PAGE = 50
View = Callable[..., HttpResponse]


def moderator_required(view: View) -> View:
    """Visitors are sent to sign in; members who are not moderators are refused."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.can_moderate(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@moderator_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    waiting = moderation.queue()
    return render(
        request,
        "exchange/moderation/queue.html",
        {
            "queue": waiting,
            "entries": waiting.entries[:100],
            "more": max(0, len(waiting.entries) - 100),
            "form": BulkActionForm(),
        },
    )


@moderator_required
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        waiting = moderation.queue()
        return render(
            request,
            "exchange/moderation/queue.html",
            {"queue": waiting, "entries": waiting.entries[:100], "form": form},
            status=400,
        )
    targets = moderation.resolve_keys(form.cleaned_data["items"])
    done = moderation.apply(
        request.user, form.cleaned_data["action"], targets, form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("%(action)s: %(count)d of %(selected)d selected items changed.")
        % {
            "action": moderation.action_label(form.cleaned_data["action"]),
            "count": done,
            "selected": len(targets),
        },
    )
    return redirect("exchange:moderation-queue")


@moderator_required
@require_safe
def log(request: HttpRequest) -> HttpResponse:
    actions = ModerationAction.objects.select_related("moderator", "target_type").prefetch_related(
        "target"
    )
    page = Paginator(actions, LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "exchange/moderation/log.html", {"page_obj": page})


_REPORTABLE: dict[str, type] = {"post": Post, "reply": Reply, "user": User}


def _report_target(kind: str, pk: int) -> Any:
    model = _REPORTABLE.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=pk)


def _target_url(target: Any) -> str:
    if isinstance(target, User):
        return reverse("accounts:person-detail", kwargs={"pk": target.pk})
    return target.get_absolute_url()


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, content_type: str, pk: int) -> HttpResponse:
    target = _report_target(content_type, pk)
    # What the member may not see, they cannot learn exists by reporting it.
    if isinstance(target, Post | Reply) and not permissions.can_view(request.user, target):
        raise Http404
    if not permissions.can_report(request.user, target):
        raise PermissionDenied
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moderation.report(
            request.user, target, form.cleaned_data["reason"], form.cleaned_data["detail"]
        )
        messages.success(request, _("Thank you: the moderators will look at it."))
        return redirect(_target_url(target))
    return render(
        request,
        "exchange/moderation/report_form.html",
        {"form": form, "target": target, "target_url": _target_url(target)},
    )


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def domains(request: HttpRequest) -> HttpResponse:
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        moderation.block_domain(request.user, form.cleaned_data["domain"])
        messages.success(
            request,
            _("Links to %(domain)s now hold a contribution for review.")
            % {"domain": form.cleaned_data["domain"]},
        )
        return redirect("exchange:moderation-domains")
    blocked = BlockedDomain.objects.select_related("added_by")
    return render(request, "exchange/moderation/domains.html", {"form": form, "blocked": blocked})


@moderator_required
@require_POST
def domain_delete(request: HttpRequest, pk: int) -> HttpResponse:
    blocked = BlockedDomain.objects.filter(pk=pk).first()
    if blocked is not None:  # a second click finds it gone: nothing left to do
        moderation.unblock_domain(request.user, blocked)
    return redirect("exchange:moderation-domains")


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, content_type: str, pk: int) -> HttpResponse:
    model = {"post": Post, "reply": Reply}.get(content_type)
    if model is None:
        raise Http404
    item = get_object_or_404(model, pk=pk)
    if not permissions.can_edit(request.user, item):
        raise PermissionDenied
    is_post = isinstance(item, Post)
    initial = {"body": item.body, "version": item.version, "title": getattr(item, "title", "")}
    form = ModeratorEditForm(request.POST or None, initial=initial, with_title=is_post)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            moderation.edit(
                request.user,
                item,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title") if is_post else None,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except EditConflict as error:
            conflict = True
            item = error.current
            # The moderator's text stays in the form; the version moves on to the stored one.
            data = request.POST.copy()
            data["version"] = str(item.version)
            form = ModeratorEditForm(data, with_title=is_post)
        else:
            messages.success(request, _("The text has been changed."))
            return redirect(item.get_absolute_url())
    return render(
        request,
        "exchange/moderation/edit.html",
        {"form": form, "item": item, "conflict": conflict, "kind": content_type},
        status=409 if conflict else 200,
    )


@moderator_required
@require_POST
def lock(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(Post, pk=pk)
    form = LockForm(request.POST)
    if form.is_valid():
        moderation.set_locked(
            request.user, post, form.cleaned_data["locked"], form.cleaned_data["reason"]
        )
    return redirect(post.get_absolute_url())


@moderator_required
@require_http_methods(["GET", "HEAD", "POST"])
def member(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    form = MemberActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        reason = form.cleaned_data["reason"]
        if action == moderation.Action.SUSPEND:
            moderation.suspend(
                request.user, person, timedelta(days=form.cleaned_data["days"]), reason
            )
        elif action == moderation.Action.UNSUSPEND:
            moderation.unsuspend(request.user, person, reason)
        else:
            moderation.delete_spammer(request.user, person, reason)
        messages.success(
            request, _("Done: %(action)s.") % {"action": moderation.action_label(action)}
        )
        return redirect("exchange:moderation-member", pk=person.pk)
    standing = Standing.objects.filter(user=person).first()
    history = ModerationAction.objects.filter(
        target_type__model="user", target_type__app_label="accounts", target_id=person.pk
    ).select_related("moderator")[:50]
    return render(
        request,
        "exchange/moderation/member.html",
        {
            "person": person,
            "standing": standing,
            "form": form,
            "history": history,
            "post_count": Post.objects.filter(author=person).count(),
            "reply_count": Reply.objects.filter(author=person).count(),
        },
    )
