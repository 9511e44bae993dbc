"""Alerts: members who follow a site or a region are told when a published result there
exceeds a limit or reaches a public alert level — once per result.

:func:`announce` is run by the worker after every import and every publication
(:func:`announce_later`). It takes the public exceedances nobody has been told about
yet, writes one notification per site to each follower (in the hub and, when they chose
it, by e-mail in their language), and marks those exceedances announced in the same
transaction. Run it twice and the second run finds nothing; crash half-way and nothing
is marked, so the next run tells everything (notifications are unique per site and run,
so nobody is told twice either).

Results sampled long ago (an archive being loaded) are marked but not announced: an alert
is about a present risk."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from minehub.exchange import notify
from minehub.monitoring.models import (
    AlertSubscription,
    Exceedance,
    ExceedanceLevel,
    Site,
)
from minehub.monitoring.parameters import parameter_name

KIND = "monitoring.exceedances"
# Older results are not news: loading a ten-year archive must not alarm anyone.
RECENT = timedelta(days=90)
# The worst results a notification names; the page it links to lists them all.
EXAMPLES = 3
READ_CHUNK = 5000
_UNSUBSCRIBE_SALT = "minehub.monitoring.alert-unsubscribe"


@dataclass
class _SiteNews:
    results: set[int] = field(default_factory=set)
    alert_results: set[int] = field(default_factory=set)
    parameters: set[str] = field(default_factory=set)
    worst: list[tuple[float, int]] = field(default_factory=list)  # (ratio, exceedance id)
    last_id: int = 0


def announce_later() -> None:
    """Queues :func:`announce` for when the current transaction commits."""
    from minehub.monitoring.tasks import announce_exceedances

    transaction.on_commit(announce_exceedances.enqueue)


def announce() -> int:
    """Tells followers about new public exceedances; returns how many results were
    announced."""
    with transaction.atomic():
        pending = list(
            Exceedance.objects.filter(alerted_at__isnull=True, is_public=True)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .values_list("id", "measurement_id", "station__site_id", "level", "ratio", "sampled_at")
        )
        if not pending:
            return 0
        since = timezone.now() - RECENT
        news: dict[int, _SiteNews] = defaultdict(_SiteNews)
        for pk, measurement_id, site_id, level, ratio, sampled_at in pending:
            if level == ExceedanceLevel.INDETERMINATE or sampled_at < since:
                continue
            item = news[site_id]
            item.results.add(measurement_id)
            if level == ExceedanceLevel.ALERT:
                item.alert_results.add(measurement_id)
            item.worst.append((ratio or 0.0, pk))
            item.last_id = max(item.last_id, pk)
        for site in Site.objects.filter(pk__in=news).select_related("region"):
            _notify_followers(site, news[site.pk])
        ids = [row[0] for row in pending]
        now = timezone.now()
        for start in range(0, len(ids), READ_CHUNK):
            Exceedance.objects.filter(pk__in=ids[start : start + READ_CHUNK]).update(alerted_at=now)
    notify.send_pending_later()
    return sum(len(item.results) for item in news.values())


def _notify_followers(site: Site, item: _SiteNews) -> None:
    followers = AlertSubscription.objects.filter(
        Q(site=site) | Q(region_id=site.region_id, region__isnull=False),
        user__is_active=True,
    ).select_related("user")
    worst_ids = [pk for _ratio, pk in sorted(item.worst, reverse=True)[:EXAMPLES]]
    examples = [
        {
            "station": exceedance.station.code,
            "parameter": exceedance.measurement.parameter,
            "value": exceedance.measurement.value,
            "unit": exceedance.measurement.unit,
            "sampled_at": exceedance.sampled_at.isoformat(),
            "ratio": exceedance.ratio,
            "level": exceedance.level,
        }
        for exceedance in Exceedance.objects.filter(pk__in=worst_ids)
        .select_related("station", "measurement")
        .order_by("-ratio")
    ]
    data: dict[str, Any] = {
        "site": site.code,
        "site_name": site.name,
        "results": len(item.results),
        "alert_results": len(item.alert_results),
        "parameters": sorted({example["parameter"] for example in examples}),
        "examples": examples,
    }
    url = reverse("monitoring:site-detail", kwargs={"code": site.code})
    notify.record(
        KIND,
        f"site:{site.pk}:upto:{item.last_id}",
        data,
        url,
        [
            notify.Recipient(
                user_id=subscription.user_id,
                email=subscription.user.email if subscription.email else "",
                language=subscription.language,
                unsubscribe_url=unsubscribe_url(subscription),
            )
            for subscription in followers
        ],
    )


def unsubscribe_url(subscription: AlertSubscription) -> str:
    token = signing.dumps(subscription.pk, salt=_UNSUBSCRIBE_SALT)
    with translation.override(subscription.language):
        return reverse("monitoring:alert-unsubscribe", kwargs={"token": token})


def subscription_from_token(token: str) -> AlertSubscription | None:
    """The subscription an e-mail's unsubscribe link names (no log-in needed: the
    signature is the proof), or None when the link is forged or the subscription gone."""
    try:
        pk = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return AlertSubscription.objects.filter(pk=pk).select_related("site", "region").first()


def describe(notification: Any) -> str:
    data = notification.data
    text = ngettext(
        "At %(site)s, %(count)d new result exceeded a limit.",
        "At %(site)s, %(count)d new results exceeded a limit.",
        data["results"],
    ) % {"site": data["site_name"], "count": data["results"]}
    if data.get("alert_results"):
        text += " " + ngettext(
            "%(count)d of them reached the public alert level.",
            "%(count)d of them reached the public alert level.",
            data["alert_results"],
        ) % {"count": data["alert_results"]}
    if data.get("examples"):
        worst = data["examples"][0]
        facts = {
            "parameter": parameter_name(worst["parameter"]),
            "value": f"{worst['value']:g}",
            "unit": worst["unit"],
            "station": worst["station"],
            "date": worst["sampled_at"][:10],
            "ratio": f"{worst.get('ratio') or 0:.1f}",
        }
        if worst.get("ratio"):
            highest = gettext(
                "Highest: %(parameter)s %(value)s %(unit)s at %(station)s on %(date)s, "
                "%(ratio)s times the limit."
            )
        else:
            highest = gettext(
                "Highest: %(parameter)s %(value)s %(unit)s at %(station)s on %(date)s."
            )
        text += " " + highest % facts
    return text


def subject(notification: Any) -> str:
    return gettext("Limit exceeded at %(site)s") % {"site": notification.data["site_name"]}
