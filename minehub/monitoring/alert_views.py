"""Following sites and regions for exceedance alerts, and leaving them from an e-mail."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from minehub.monitoring.alerts import subscription_from_token
from minehub.monitoring.forms import RegionAlertForm
from minehub.monitoring.models import AlertSubscription, Site


def _follow(request: HttpRequest, *, email: bool, **target: object) -> bool:
    """Adds the subscription; False when the member already had it (a double click)."""
    try:
        with transaction.atomic():
            AlertSubscription.objects.create(
                user=request.user,
                email=email,
                language=translation.get_language() or "en",
                **target,
            )
    except IntegrityError:
        return False
    return True


@login_required
def alert_settings(request: HttpRequest) -> HttpResponse:
    """The member's followed sites and regions; follow a region."""
    form = RegionAlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        if _follow(request, email=form.cleaned_data["email"], region=region):
            messages.success(request, _("You now follow %(region)s.") % {"region": region.name})
        return redirect("monitoring:alerts")
    subscriptions = AlertSubscription.objects.filter(user=request.user).select_related(
        "site", "region"
    )
    return render(
        request,
        "monitoring/alerts.html",
        {"form": form, "subscriptions": subscriptions, "active_section": "monitoring"},
    )


@login_required
@require_POST
def follow_site(request: HttpRequest, code: str) -> HttpResponse:
    site = get_object_or_404(Site, code=code)
    if _follow(request, email=bool(request.POST.get("email")), site=site):
        messages.success(
            request,
            _("You will be told when a result at %(site)s exceeds a limit.") % {"site": site.name},
        )
    return redirect("monitoring:site-detail", code=site.code)


@login_required
@require_POST
def unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(AlertSubscription, pk=pk, user=request.user)
    subscription.delete()
    messages.success(
        request, _("You no longer follow %(target)s.") % {"target": _target(subscription)}
    )
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("monitoring:alerts")


# No log-in and no CSRF token: the signed link is the proof, and mail programs post here
# for RFC 8058 one-click unsubscribe. A GET only asks, so link scanners change nothing.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_from_token(token)
    if request.method == "POST":
        if subscription is not None:
            subscription.delete()
        return render(request, "monitoring/unsubscribed.html", status=200)
    if subscription is None:
        return render(request, "monitoring/unsubscribed.html", {"gone": True}, status=200)
    return render(
        request,
        "monitoring/unsubscribe.html",
        {"subscription": subscription, "target": _target(subscription)},
    )


def _target(subscription: AlertSubscription) -> str:
    return subscription.site.name if subscription.site else subscription.region.name
