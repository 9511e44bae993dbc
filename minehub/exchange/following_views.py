"""Following and unfollowing, e-mail preferences, and leaving e-mails from a link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from minehub.exchange import following, permissions
from minehub.exchange.following_forms import PreferencesForm
from minehub.exchange.models import Frequency, Post, State


def _target(model_key: str, pk: int) -> models.Model:
    """The followable object, or 404 for unknown kinds, missing objects, posts not on the
    site and inactive members."""
    model = following.followable_model(model_key)
    if model is None:
        raise Http404
    queryset = model._default_manager.all()
    if model is Post:
        queryset = queryset.filter(state=State.VISIBLE)
    elif model_key == "person":
        queryset = queryset.filter(is_active=True)
    target = queryset.filter(pk=pk).first()
    if target is None:
        raise Http404
    return target


def _back(request: HttpRequest, target: models.Model) -> HttpResponse:
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(wanted)
    # Topics and regions have no page of their own: back to the list of what one follows.
    if hasattr(target, "get_absolute_url"):
        return redirect(target.get_absolute_url())
    return redirect("exchange:following-preferences")


@login_required
@require_POST
def follow_target(request: HttpRequest, model_key: str, pk: int) -> HttpResponse:
    if not permissions.can_contribute(request.user):
        raise PermissionDenied
    target = _target(model_key, pk)
    if model_key == "person" and target.pk == request.user.pk:
        return HttpResponseBadRequest(_("You cannot follow yourself."))
    with transaction.atomic():
        following.follow(request.user, target)
    messages.success(request, _("You now follow %(target)s.") % {"target": target})
    return _back(request, target)


# Suspended members may still unfollow: it only means less e-mail for them.
@login_required
@require_POST
def unfollow_target(request: HttpRequest, model_key: str, pk: int) -> HttpResponse:
    model = following.followable_model(model_key)
    if model is None:
        raise Http404
    target = model._default_manager.filter(pk=pk).first()
    if target is None:
        raise Http404
    with transaction.atomic():
        following.unfollow(request.user, target)
    messages.success(request, _("You no longer follow %(target)s.") % {"target": target})
    return _back(request, target)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """E-mail choices per kind, saved together, and what the member follows."""
    current = following.frequencies_of(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for kind, frequency in form.chosen().items():
                if frequency != current[kind]:
                    following.set_frequency(request.user.pk, kind, frequency)
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("exchange:following-preferences")
    return render(
        request,
        "exchange/following/preferences.html",
        {"form": form, "followed": following.followed_by(request.user)},
    )


# No log-in and no CSRF token: the signed link is the proof, and mail programs post here
# for RFC 8058 one-click unsubscribe. A GET only asks, so link scanners change nothing.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = following.read_unsubscribe_token(token)
    if found is None:
        return render(request, "exchange/following/unsubscribed.html", {"gone": True})
    user, kinds, digest = found
    if request.method == "POST":
        following.unsubscribe(user, kinds, digest)
        return render(request, "exchange/following/unsubscribed.html", {"digest": digest})
    if request.method != "GET":
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    return render(
        request,
        "exchange/following/unsubscribe.html",
        {
            "digest": digest,
            "daily": digest == Frequency.DAILY,
            "labels": [following.KIND_LABELS[kind] for kind in kinds],
        },
    )
