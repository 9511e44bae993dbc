"""News (incl. newsletters and stories), events, and the revision history of every item."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minehub.publishing.content import Publishable, Status


class RevisionAction(models.TextChoices):
    CREATE = "create", _("Created")
    EDIT = "edit", _("Edited")
    SUBMIT = "submit", _("Submitted for review")
    APPROVE = "approve", _("Approved and published")
    PUBLISH = "publish", _("Published")
    SEND_BACK = "send_back", _("Sent back")
    ARCHIVE = "archive", _("Archived")
    UNPUBLISH = "unpublish", _("Returned to draft")
    RESTORE = "restore", _("Restored an earlier revision")
    IMPORT = "import", _("Imported")


class Revision(models.Model):
    """One saved state of an item: who, when, what changed, and the full snapshot."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=12, choices=RevisionAction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    changed_fields = models.JSONField(_("changed fields"), default=list)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    snapshot = models.JSONField(_("snapshot"))

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} v{self.version} {self.action}"


class NewsKind(models.TextChoices):
    NEWS = "news", _("News")
    NEWSLETTER = "newsletter", _("Newsletter")
    STORY = "story", _("Story")


class News(Publishable):
    content_type_key = "news"
    detail_url_name = "publishing:news-detail"

    kind = models.CharField(_("type"), max_length=12, choices=NewsKind.choices, default="news")

    class Meta(Publishable.Meta):
        verbose_name = _("news item")
        verbose_name_plural = _("news")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a time zone."), params={"value": value})


class Event(Publishable):
    content_type_key = "event"
    detail_url_name = "publishing:event-detail"

    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Ulaanbaatar",
        validators=[validate_time_zone],
        help_text=_("Where the event happens, e.g. Asia/Ulaanbaatar or Asia/Bishkek."),
    )
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    organiser = models.CharField(
        _("organiser"),
        max_length=300,
        blank=True,
        help_text=_("When it is not the publishing organisation alone."),
    )
    registration_url = models.URLField(_("registration link"), blank=True)

    class Meta(Publishable.Meta):
        ordering = ["starts_at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("The event cannot end before it starts.")})
        if not self.place and not self.online_url:
            raise ValidationError(_("Give a place, an online meeting link, or both."))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_start(self) -> Any:
        return timezone.localtime(self.starts_at, self.zone)

    @property
    def local_end(self) -> Any:
        return timezone.localtime(self.ends_at, self.zone)

    @property
    def is_upcoming(self) -> bool:
        return self.ends_at >= timezone.now()


class Mailing(models.Model):
    """A newsletter issue (a published news item of kind *newsletter*) sent by e-mail to
    the members who follow an organisation or a topic. Each recipient has a
    :class:`Delivery`, so the sending shows its progress and resumes after a crash without
    sending anyone the issue twice."""

    class State(models.TextChoices):
        PREPARING = "preparing", _("Preparing")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")

    news = models.ForeignKey(
        News, verbose_name=_("newsletter"), on_delete=models.CASCADE, related_name="mailings"
    )
    # The audience: the followers of one organisation or of one topic.
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("followers of the organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    topic = models.ForeignKey(
        "core.Topic",
        verbose_name=_("followers of the topic"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PREPARING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("newsletter mailing")
        verbose_name_plural = _("newsletter mailings")
        constraints = [
            # The same issue goes to the same audience once: a second click finds the first.
            models.UniqueConstraint(
                fields=["news", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="publishing_mailing_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["news", "topic"],
                condition=models.Q(topic__isnull=False),
                name="publishing_mailing_once_per_topic",
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, topic__isnull=True)
                | models.Q(organisation__isnull=True, topic__isnull=False),
                name="publishing_mailing_one_audience",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.news} → {self.audience}"

    @property
    def audience(self) -> Any:
        return self.organisation or self.topic


class Delivery(models.Model):
    """One recipient of a mailing: pending until the e-mail is handed to the mail server."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "recipient"], name="publishing_delivery_once"
            )
        ]
        indexes = [
            models.Index(fields=["mailing", "state"], name="publishing_delivery_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id} → {self.recipient_id}: {self.state}"
