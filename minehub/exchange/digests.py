"""Digests: one e-mail a day (or a week) per member, gathering the notifications they
chose to receive that way, written in their language.

:func:`send_digests` takes a chunk of members with waiting digest notifications, locks
those rows (``skip_locked``: a second worker takes other members instead of waiting or
sending the same), sends each member one e-mail and marks the notifications e-mailed in
the same transaction. Run it twice and the second run finds nothing; crash half-way and
the unsent chunk stays queued for the next run."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from minehub.exchange import following
from minehub.exchange.kinds import describe
from minehub.exchange.models import Frequency, Notification
from minehub.exchange.notify import absolute, in_language, unsubscribe_headers

# Members per transaction: their rows stay locked while the mail server takes the e-mails.
MEMBERS_PER_CHUNK = 100
# A digest names at most this many items; the inbox has them all.
MAX_ITEMS = 50


def send_digests(frequency: str) -> int:
    """Sends the ``frequency`` ("daily" or "weekly") digests; returns how many e-mails."""
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        raise ValueError(f"not a digest: {frequency!r}")
    waiting = Notification.objects.filter(digest=frequency, emailed_at__isnull=True).exclude(
        email_to=""
    )
    connection = get_connection()
    sent = 0
    after = 0  # members are taken in id order, so rows another worker holds are passed by
    while True:
        members = list(
            waiting.filter(recipient_id__gt=after)
            .order_by("recipient_id")
            .values_list("recipient_id", flat=True)
            .distinct()[:MEMBERS_PER_CHUNK]
        )
        if not members:
            return sent
        after = members[-1]
        with transaction.atomic():
            rows = list(
                waiting.filter(recipient_id__in=members)
                .select_for_update(skip_locked=True)
                .order_by("recipient_id", "created_at", "id")
            )
            by_member: dict[int, list[Notification]] = defaultdict(list)
            for notification in rows:
                by_member[notification.recipient_id].append(notification)
            messages = [_email(items, frequency) for items in by_member.values()]
            connection.send_messages(messages)
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                emailed_at=timezone.now()
            )
        sent += len(messages)


def _email(items: list[Notification], frequency: str) -> EmailMultiAlternatives:
    newest = items[-1]
    language = newest.language or settings.LANGUAGE_CODE
    with translation.override(language):
        unsubscribe = absolute(
            following.unsubscribe_url(newest.recipient_id, language, digest=frequency)
        )
        context = {
            "frequency": frequency,
            "language": language,
            "items": [
                {
                    "text": describe(item),
                    "url": absolute(in_language(item.url, language)) if item.url else "",
                }
                for item in items[-MAX_ITEMS:]
            ],
            "more": max(0, len(items) - MAX_ITEMS),
            "site_name": settings.MINEHUB_SITE_NAME,
            "inbox_url": absolute(reverse("exchange:inbox")),
            "preferences_url": absolute(reverse("exchange:following-preferences")),
            "unsubscribe_url": unsubscribe,
        }
        subject = f"[{settings.MINEHUB_SITE_NAME}] {_subject(frequency, len(items))}"
        text = render_to_string("exchange/email/digest.txt", context)
        html = render_to_string("exchange/email/digest.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[newest.email_to],
        headers=unsubscribe_headers(unsubscribe, automatic=True),
    )
    message.attach_alternative(html, "text/html")
    return message


def _subject(frequency: str, count: int) -> str:
    if frequency == Frequency.WEEKLY:
        return ngettext(
            "Your weekly digest: %(count)d new item",
            "Your weekly digest: %(count)d new items",
            count,
        ) % {"count": count}
    return ngettext(
        "Your daily digest: %(count)d new item", "Your daily digest: %(count)d new items", count
    ) % {"count": count}
