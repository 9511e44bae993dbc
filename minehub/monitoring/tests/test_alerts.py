"""Alerts: followers of a site or region are told once per result that exceeds a limit,
in the hub and by e-mail in their language, and can stop from the e-mail without log-in."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from minehub.core.models import Region
from minehub.core.testing import client_for, make_user
from minehub.exchange.models import Notification
from minehub.monitoring import alerts, ingest
from minehub.monitoring.models import AlertSubscription, Exceedance, Site, Station
from minehub.monitoring.tests.helpers import csv_bytes

pytestmark = pytest.mark.django_db


def _well() -> Station:
    site = Site.objects.get(code="KG-CHT")
    return Station.objects.get_or_create(
        site=site, code="KG-CHT-DW1", defaults={"name": "Village well", "medium": "drinking_water"}
    )[0]


def _import(*values: str, days_ago: int = 3, publish: bool = True) -> Any:
    """Imports arsenic results at the drinking-water well (WHO limit 0.01 mg/L)."""
    _well()
    day = (timezone.now() - timedelta(days=days_ago)).date().isoformat()
    rows = [
        f"KG-CHT,KG-CHT-DW1,A-{days_ago}-{index},{day},water,As,{value},mg/L,,,,,"
        for index, value in enumerate(values)
    ]
    batch = ingest.receive(csv_bytes(*rows), "well.csv", publish=publish)
    ingest.check(batch)
    with after_commit():
        return ingest.commit(batch)


def after_commit() -> Any:
    """Runs what a commit queues for after it (the test's own transaction never ends)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def _follow_site(email: str, language: str = "en", by_email: bool = True) -> Any:
    user = make_user(email)
    AlertSubscription.objects.create(
        user=user, site=Site.objects.get(code="KG-CHT"), email=by_email, language=language
    )
    return user


def test_a_follower_is_told_once_in_the_hub_and_by_email(registry: None) -> None:
    user = _follow_site("follower@example.org")
    _import("0.025", "0.05", "0.001")  # two exceed the WHO 0.01 mg/L
    notification = Notification.objects.get(recipient=user)
    assert notification.data["results"] == 2
    assert notification.url == reverse("monitoring:site-detail", kwargs={"code": "KG-CHT"})
    with translation.override("en"):
        assert "2 new results exceeded a limit" in notification.text
        assert "5.0 times the limit" in notification.text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["follower@example.org"]
    assert "Limit exceeded at" in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Announcing again, or importing the same file again, tells nobody twice.
    assert alerts.announce() == 0
    _import("0.025", "0.05", "0.001")
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
    assert not Exceedance.objects.filter(alerted_at__isnull=True).exists()


def test_a_region_follower_is_told_and_a_follower_elsewhere_is_not(registry: None) -> None:
    site = Site.objects.get(code="KG-CHT")
    near, far = make_user("near@example.org"), make_user("far@example.org")
    AlertSubscription.objects.create(user=near, region=site.region, email=False)
    other = Region.objects.exclude(pk=site.region_id).first()
    AlertSubscription.objects.create(user=far, region=other, email=False)
    _import("0.03")
    assert list(Notification.objects.values_list("recipient__email", flat=True)) == [
        "near@example.org"
    ]
    assert mail.outbox == []  # in the hub only, as chosen


def test_the_email_is_written_in_the_followers_language(registry: None) -> None:
    _follow_site("reader@example.ru", language="ru")
    _import("0.03")
    body = mail.outbox[0].body
    assert "/ru/monitoring/alerts/unsubscribe/" in body
    with translation.override("ru"):
        expected = Notification.objects.get().text
    assert expected in body and expected != Notification.objects.get().text


def test_unpublished_results_alert_nobody_until_published(registry: None) -> None:
    user = _follow_site("watcher@example.org")
    batch = _import("0.03", publish=False)
    assert not Notification.objects.exists()
    with after_commit():
        ingest.set_public(batch, True)
    assert Notification.objects.filter(recipient=user).count() == 1
    # Withdrawing and publishing again is not news.
    with after_commit():
        ingest.set_public(batch, False)
        ingest.set_public(batch, True)
    assert Notification.objects.count() == 1


def test_old_results_and_indeterminate_ones_are_not_announced(registry: None) -> None:
    _follow_site("calm@example.org")
    _import("0.03", days_ago=400)  # an archive
    _import("<0.05")  # detection limit above the limit: indeterminate, not an exceedance
    assert Exceedance.objects.count() == 2
    assert not Notification.objects.exists() and mail.outbox == []
    assert not Exceedance.objects.filter(alerted_at__isnull=True).exists()


def test_the_email_link_stops_alerts_without_log_in(registry: None) -> None:
    _follow_site("leaver@example.org")
    _import("0.03")
    link = re.search(r"https?://\S+/unsubscribe/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client(enforce_csrf_checks=True)
    # Opening the link (or a mail scanner fetching it) only asks.
    response = anonymous.get(f"/{path}")
    assert response.status_code == 200 and AlertSubscription.objects.exists()
    # The one-click post of a mail program needs no CSRF token and no session.
    response = anonymous.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not AlertSubscription.objects.exists()
    # A forged or spent link changes nothing and says so.
    response = anonymous.post(f"/{path[:-3]}xx/")
    assert b"no longer valid" in anonymous.get(f"/{path[:-3]}xx/").content
    assert response.status_code == 200


def test_members_follow_a_site_once_and_stop_from_their_settings(registry: None) -> None:
    user = make_user("member@example.org")
    client = client_for(user)
    follow = reverse("monitoring:site-follow", kwargs={"code": "KG-CHT"})
    client.post(follow, {"email": "on"})
    client.post(follow, {"email": "on"})  # a double click
    subscription = AlertSubscription.objects.get(user=user)
    assert subscription.email and subscription.language == "en"
    page = client.get(reverse("monitoring:site-detail", kwargs={"code": "KG-CHT"}))
    assert b"Stop alerts" in page.content
    region = Region.objects.first()
    client.post(reverse("monitoring:alerts"), {"region": region.pk})
    assert AlertSubscription.objects.filter(user=user, region=region, email=False).exists()
    settings_page = client.get(reverse("monitoring:alerts"))
    assert region.name.encode() in settings_page.content
    client.post(reverse("monitoring:alert-unfollow", kwargs={"pk": subscription.pk}))
    assert not AlertSubscription.objects.filter(pk=subscription.pk).exists()


def test_only_the_owner_can_stop_a_subscription_and_visitors_must_log_in(
    registry: None,
) -> None:
    _follow_site("owner@example.org")
    subscription = AlertSubscription.objects.get()
    stranger = client_for(make_user("stranger@example.org"))
    response = stranger.post(reverse("monitoring:alert-unfollow", kwargs={"pk": subscription.pk}))
    assert response.status_code == 404 and AlertSubscription.objects.exists()
    anonymous = Client()
    response = anonymous.post(reverse("monitoring:site-follow", kwargs={"code": "KG-CHT"}))
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert anonymous.get(reverse("monitoring:alerts")).status_code == 302


def test_the_bell_counts_unread_notifications_and_opening_one_reads_it(registry: None) -> None:
    user = _follow_site("bell@example.org")
    _import("0.03")
    client = client_for(user)
    home = client.get("/en/")
    assert b"1 new notification" in home.content
    notification = Notification.objects.get()
    response = client.get(reverse("exchange:open", kwargs={"pk": notification.pk}))
    assert response["Location"] == notification.url
    assert b"1 new notification" not in client.get("/en/").content
    # Someone else's notification is not there for them.
    other = client_for(make_user("other@example.org"))
    assert other.get(reverse("exchange:open", kwargs={"pk": notification.pk})).status_code == 404


MEMBERS = {
    "anonymous": 302, "member": 200, "editor": 200, "moderator": 200,
    "community_monitor": 200, "inspector": 200, "data_steward": 200, "administrator": 200,
    "suspended": 302,
}  # fmt: skip


def test_alert_settings_and_the_inbox_are_for_signed_in_members(
    registry: None, personas: Any
) -> None:
    from minehub.core.testing import check_permission_matrix

    for url in (reverse("monitoring:alerts"), reverse("exchange:inbox")):
        assert check_permission_matrix(personas, url, MEMBERS) == []
    follow = reverse("monitoring:site-follow", kwargs={"code": "KG-CHT"})
    following = dict.fromkeys(MEMBERS, 302)  # every post redirects: to log in or back
    assert check_permission_matrix(personas, follow, following, method="post") == []
    # Everyone but the visitor and the suspended member now follows the site.
    assert AlertSubscription.objects.count() == 7
    assert not AlertSubscription.objects.filter(user__is_active=False).exists()
