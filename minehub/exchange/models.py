"""Notifications: what a member is told in the hub (the bell) and, by their choice, by e-mail.

A notification stores its *kind* and the facts (``data``), not a sentence: the text is
written when it is shown, in the reader's interface language (see :mod:`.kinds`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet["Notification"]):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # the (recipient, -created_at) index leads with it
    )
    kind = models.CharField(_("kind"), max_length=40)
    # What makes a notification the same one again (e.g. one per import batch): sending
    # twice, after a retry or a crash, finds the first instead of adding another.
    key = models.CharField(_("key"), max_length=100)
    data = models.JSONField(_("data"), default=dict)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # The outbox: set when the notification is made (the recipient's choice then), sent
    # after the making transaction commits, so a rolled-back notification is never mailed.
    email_to = models.EmailField(_("e-mail to"), blank=True)
    language = models.CharField(_("e-mail language"), max_length=5, blank=True)
    unsubscribe_url = models.CharField(_("unsubscribe link"), max_length=500, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], name="exchange_notification_once"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="exchange_notification_inbox"),
            models.Index(
                fields=["id"],
                condition=models.Q(emailed_at__isnull=True) & ~models.Q(email_to=""),
                name="exchange_notification_outbox",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def text(self) -> str:
        """The notification in the active language."""
        from minehub.exchange.kinds import describe

        return describe(self)
