"""Editors send newsletter issues to followers; readers stop them with one click."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from minehub.exchange.models import Follow
from minehub.publishing import newsletters, permissions
from minehub.publishing.content import Status
from minehub.publishing.models import Mailing, News, NewsKind
from minehub.publishing.newsletter_forms import AudienceForm, DraftForm


def _sendable(request: HttpRequest, pk: int) -> News:
    news = get_object_or_404(News, pk=pk, kind=NewsKind.NEWSLETTER)
    if not permissions.can_edit(request.user, news):
        raise PermissionDenied
    return news


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the audience of a published issue, see how many follow it, send."""
    news = _sendable(request, pk)
    form = AudienceForm(request.POST or None, user=request.user, news=news)
    if request.method == "POST":
        if news.status != Status.PUBLISHED:
            messages.error(request, _("Publish the newsletter before you send it."))
        elif form.is_valid():
            mailing = newsletters.start(news, request.user, audience=form.audience)
            return redirect("publishing:mailing-detail", pk=mailing.pk)
    return render(
        request,
        "publishing/editor/newsletter_send.html",
        {
            "news": news,
            "form": form,
            "mailings": news.mailings.select_related("organisation", "topic"),
        },
    )


@login_required
@require_safe
def mailing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = get_object_or_404(
        Mailing.objects.select_related("news", "organisation", "topic"), pk=pk
    )
    if not permissions.can_edit(request.user, mailing.news):
        raise PermissionDenied
    return render(
        request,
        "publishing/editor/mailing_detail.html",
        {"mailing": mailing, "counts": newsletters.progress(mailing)},
    )


@login_required
@require_POST
def draft(request: HttpRequest) -> HttpResponse:
    """A draft issue listing the organisation's items of the last month, to edit."""
    form = DraftForm(request.POST, user=request.user)
    if not form.is_valid():
        raise PermissionDenied
    issue = newsletters.draft_from_recent(
        request.user, form.cleaned_data["organisation"], form.cleaned_data["language"]
    )
    messages.success(request, _("A draft newsletter was made from the last month's items."))
    return redirect("publishing:edit", type_key="news", pk=issue.pk)


@csrf_exempt  # RFC 8058 one-click: the mail program posts without a page or a cookie
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners follow links); POST stops following. No log-in needed."""
    named = newsletters.follow_of_token(token)
    if named is None:
        return render(
            request, "publishing/newsletter_unsubscribe.html", {"broken": True}, status=400
        )
    user_id, type_id, target_id = named
    follow = Follow.objects.filter(user_id=user_id, target_type_id=type_id, target_id=target_id)
    if request.method == "POST":
        follow.delete()
        return render(request, "publishing/newsletter_unsubscribe.html", {"done": True})
    return render(request, "publishing/newsletter_unsubscribe.html", {"following": follow.exists()})
