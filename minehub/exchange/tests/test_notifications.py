"""Notifications: the inbox and bell, and the e-mail outbox that sends each message once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from minehub.core.testing import client_for, make_user
from minehub.exchange import notify
from minehub.exchange.models import Notification

pytestmark = pytest.mark.django_db


def _recipients(count: int, *, by_email: bool = True) -> list[notify.Recipient]:
    users = [make_user(f"r{index}@example.org") for index in range(count)]
    return [
        notify.Recipient(
            user_id=user.pk,
            email=user.email if by_email else "",
            language="ru" if index % 2 else "en",
            unsubscribe_url=f"/en/stop/{index}/",
        )
        for index, user in enumerate(users)
    ]


def test_recording_twice_notifies_once_and_each_email_goes_once() -> None:
    recipients = _recipients(3)
    notify.record("test.kind", "k1", {}, "/en/", recipients)
    notify.record("test.kind", "k1", {}, "/en/", recipients)
    assert Notification.objects.count() == 3
    assert notify.send_pending() == 3
    assert notify.send_pending() == 0
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert "/en/stop/" in message.body


def test_recipients_without_email_are_told_in_the_hub_only() -> None:
    notify.record("test.kind", "k2", {}, "/en/", _recipients(2, by_email=False))
    assert Notification.objects.count() == 2
    assert notify.send_pending() == 0 and mail.outbox == []


def test_a_crash_while_sending_leaves_the_rest_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    notify.record("test.kind", "k3", {}, "/en/", _recipients(3))
    monkeypatch.setattr(notify, "SEND_CHUNK", 2)
    calls = {"count": 0}
    real = notify._email

    def failing(notification: Notification) -> object:
        calls["count"] += 1
        if calls["count"] == 3:
            raise ConnectionError("mail server went away")
        return real(notification)

    monkeypatch.setattr(notify, "_email", failing)
    with pytest.raises(ConnectionError):
        notify.send_pending()
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1
    monkeypatch.setattr(notify, "_email", real)
    assert notify.send_pending() == 1
    assert len(mail.outbox) == 3


def test_the_inbox_is_private_and_marks_read() -> None:
    owner = make_user("owner@example.org")
    notify.record("unknown.kind", "k4", {}, "/en/library/", [notify.Recipient(owner.pk)])
    notification = Notification.objects.get()
    assert Client().get(reverse("exchange:inbox")).status_code == 302
    client = client_for(owner)
    with translation.override("en"):
        page = client.get(reverse("exchange:inbox"))
    assert b"Something changed that you follow." in page.content
    client.post(reverse("exchange:mark-all-read"))
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_never_leaves_the_site() -> None:
    owner = make_user("owner@example.org")
    notify.record("unknown.kind", "k5", {}, "https://evil.example/", [notify.Recipient(owner.pk)])
    notification = Notification.objects.get()
    response = client_for(owner).get(reverse("exchange:open", kwargs={"pk": notification.pk}))
    assert response["Location"] == reverse("exchange:inbox")
