"""Telling members: :func:`record` puts a notification in each recipient's inbox (inside
the caller's transaction) and queues an e-mail for those who asked for one;
:func:`send_pending` sends the queued e-mails, in the recipient's language, once the
transaction has committed.

Safe to repeat: a notification is unique on (recipient, kind, key), so a retried fan-out
adds nothing twice, and only e-mails not yet sent are sent. A crash between handing a
message to the mail server and recording it can send that one message twice; a queued
message is never lost."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from minehub.exchange.kinds import describe, subject_of
from minehub.exchange.models import Notification

CHUNK = 1000
# E-mails sent per transaction: the rows stay locked while the mail server takes them,
# so a second worker skips them (PostgreSQL) or waits (SQLite) rather than send twice.
SEND_CHUNK = 200


@dataclass(frozen=True)
class Recipient:
    user_id: int
    # Blank: in the hub only. E-mail also needs a one-click unsubscribe link.
    email: str = ""
    language: str = "en"
    unsubscribe_url: str = ""
    # Blank: e-mailed on its own. "daily" or "weekly": waits for that digest
    # (:mod:`minehub.exchange.digests`), which :func:`send_pending` leaves alone.
    digest: str = ""


def absolute(url: str) -> str:
    return url if "://" in url else f"{settings.MINEHUB_BASE_URL}{url}"


def in_language(url: str, language: str) -> str:
    """``url`` (a path of the hub) with its language prefix switched to ``language``: a
    notification's link is made once, by whoever's language was active then (the worker:
    the hub's default), but each e-mail links to the page in its reader's language."""
    for code, _name in settings.LANGUAGES:
        if url.startswith(f"/{code}/"):
            return f"/{language}/{url.removeprefix(f'/{code}/')}"
    return url


def record(
    kind: str, key: str, data: dict[str, Any], url: str, recipients: Iterable[Recipient]
) -> None:
    """Notifies every recipient once (a second call with the same kind and key adds
    nothing); e-mails wait in the outbox for :func:`send_pending`."""
    unique = list({recipient.user_id: recipient for recipient in recipients}.values())
    for start in range(0, len(unique), CHUNK):
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=recipient.user_id,
                    kind=kind,
                    key=key,
                    data=data,
                    url=url,
                    email_to=recipient.email if recipient.unsubscribe_url else "",
                    language=recipient.language,
                    unsubscribe_url=absolute(recipient.unsubscribe_url)
                    if recipient.unsubscribe_url
                    else "",
                    digest=recipient.digest,
                )
                for recipient in unique[start : start + CHUNK]
            ],
            ignore_conflicts=True,
        )


def send_pending_later() -> None:
    """Queues :func:`send_pending` for when the current transaction commits."""
    from minehub.exchange.tasks import send_notification_emails

    transaction.on_commit(send_notification_emails.enqueue)


def send_pending() -> int:
    """Sends the queued e-mails, a chunk at a time; returns how many were sent."""
    sent = 0
    connection = get_connection()
    while True:
        with transaction.atomic():
            chunk = list(
                Notification.objects.filter(emailed_at__isnull=True, digest="")
                .exclude(email_to="")
                .select_for_update(skip_locked=True)
                .order_by("id")[:SEND_CHUNK]
            )
            if not chunk:
                return sent
            connection.send_messages([_email(notification) for notification in chunk])
            Notification.objects.filter(pk__in=[n.pk for n in chunk]).update(
                emailed_at=timezone.now()
            )
        sent += len(chunk)


def unsubscribe_headers(url: str, *, automatic: bool) -> dict[str, str]:
    """Headers of a hub e-mail: RFC 8058 — mail programs offer a one-click "unsubscribe"
    that posts to ``url`` — and what kind of mail it is (``automatic``: a notification
    or digest, else a bulk mailing such as a newsletter)."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        **({"Auto-Submitted": "auto-generated"} if automatic else {"Precedence": "bulk"}),
    }


def _email(notification: Notification) -> EmailMessage:
    language = notification.language or settings.LANGUAGE_CODE
    with translation.override(language):
        body = "\n\n".join(
            [
                describe(notification),
                absolute(in_language(notification.url, language)),
                "-- ",
                gettext("You receive this because you asked to be told. Stop these e-mails:"),
                notification.unsubscribe_url,
            ]
        )
        subject = f"[{settings.MINEHUB_SITE_NAME}] {subject_of(notification)}"
    return EmailMessage(
        subject=subject,
        body=body,
        to=[notification.email_to],
        headers=unsubscribe_headers(notification.unsubscribe_url, automatic=True),
    )
