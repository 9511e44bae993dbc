"""The exchange: notifications (what a member is told in the hub, the bell, and by their
choice by e-mail), member posts and replies, following, and moderation.

A notification stores its *kind* and the facts (``data``), not a sentence: the text is
written when it is shown, in the reader's interface language (see :mod:`.kinds`)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
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
    # Blank: e-mailed on its own. "daily" or "weekly": waits for that digest instead.
    digest = models.CharField(_("digest"), max_length=10, blank=True)

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


# ----------------------------------------------------------------------- member posts


class PostKind(models.TextChoices):
    EXPERIENCE = "experience", _("Experience")
    SOLUTION = "solution", _("Solution")
    QUESTION = "question", _("Question")


class State(models.TextChoices):
    """Where a contribution stands. Only *visible* ones are on the site; *held* ones wait
    in the moderation queue; the others are kept (with their history) for the record."""

    VISIBLE = "visible", _("Visible")
    HELD = "held", _("Waiting for review")
    REJECTED = "rejected", _("Rejected")
    HIDDEN = "hidden", _("Hidden by a moderator")
    DELETED = "deleted", _("Deleted")


class ContributionQuerySet(models.QuerySet):
    def visible(self) -> ContributionQuerySet:
        return self.filter(state=State.VISIBLE)


class Contribution(models.Model):
    """What posts and replies share: an author, Markdown text in a language, a moderation
    state, an edit version, and the key that makes a double-submitted form one item."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )
    body = models.TextField(_("text"), max_length=40_000, help_text=_("Markdown is supported."))
    language = models.CharField(_("language of the text"), max_length=2, choices=settings.LANGUAGES)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.HELD, db_index=True
    )
    # Why a moderator rejected or hid it: shown to the author.
    moderation_note = models.TextField(_("message from the moderators"), blank=True)
    # Why the rules held it (reason codes, see ``policy.describe``): for the moderators,
    # kept so the queue shows what the rules saw when it was written or edited.
    held_reasons = models.JSONField(_("why it was held"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    # Optimistic locking: an edit names the version it started from.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # A random key the form carries: the same form sent twice (double click, retry after
    # a time-out) finds the contribution the first sending made.
    submission_key = models.UUIDField(_("submission key"), null=True, blank=True, editable=False)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_visible(self) -> bool:
        return self.state == State.VISIBLE


class Post(Contribution):
    """An experience, a solution or a question a member shares."""

    kind = models.CharField(_("kind"), max_length=10, choices=PostKind.choices)
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    topics = models.ManyToManyField(
        "core.Topic", verbose_name=_("topics"), blank=True, related_name="posts"
    )
    minerals = models.ManyToManyField(
        "core.Mineral", verbose_name=_("minerals"), blank=True, related_name="posts"
    )
    regions = models.ManyToManyField(
        "core.Region", verbose_name=_("regions"), blank=True, related_name="posts"
    )
    # Locked threads take no new answers or comments.
    locked = models.BooleanField(_("locked"), default=False)
    accepted_answer = models.ForeignKey(
        "Reply",
        verbose_name=_("accepted answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the post first becomes visible; lists sort by the latest activity.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    external_id = models.CharField(
        _("external identifier"), max_length=200, null=True, blank=True, unique=True
    )

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="exchange_post_submitted_once"
            )
        ]
        indexes = [
            models.Index(fields=["state", "-last_activity_at"], name="exchange_post_list"),
            models.Index(fields=["author", "-created_at"], name="exchange_post_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("exchange:post-detail", kwargs={"pk": self.pk})


class ReplyKind(models.TextChoices):
    ANSWER = "answer", _("Answer")
    COMMENT = "comment", _("Comment")


class Reply(Contribution):
    """An answer to a question, or a comment on a post, on an answer, or on a library
    item or news (``target``: any other content, by content type and id)."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReplyKind.choices)
    post = models.ForeignKey(
        Post,
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    # A comment on an answer or another comment of the same thread.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    # A comment on content outside the exchange (a document, a legal act, news…).
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    score = models.IntegerField(_("votes"), default=0)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "submission_key"], name="exchange_reply_submitted_once"
            ),
            # Either in a thread, or on other content: never both, never neither.
            models.CheckConstraint(
                condition=(
                    models.Q(post__isnull=False, target_type__isnull=True)
                    | models.Q(post__isnull=True, target_type__isnull=False)
                ),
                name="exchange_reply_one_place",
            ),
        ]
        indexes = [
            models.Index(fields=["post", "state", "created_at"], name="exchange_reply_thread"),
            models.Index(
                fields=["target_type", "target_id", "state", "created_at"],
                name="exchange_reply_on_content",
            ),
            models.Index(fields=["author", "-created_at"], name="exchange_reply_author"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        if self.post_id is not None:
            return f"{reverse('exchange:post-detail', kwargs={'pk': self.post_id})}#reply-{self.pk}"
        target = self.target
        url = target.get_absolute_url() if target is not None else "/"
        return f"{url}#reply-{self.pk}"


class Edit(models.Model):
    """The text of a post or reply before an edit: the history a member's edits keep."""

    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="edits"
    )
    reply = models.ForeignKey(
        Reply, null=True, blank=True, on_delete=models.CASCADE, related_name="edits"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    version = models.PositiveIntegerField(_("version"))
    edited_at = models.DateTimeField(_("edited"), auto_now_add=True)

    class Meta:
        ordering = ["-edited_at", "-id"]
        verbose_name = _("edit")
        verbose_name_plural = _("edits")

    def __str__(self) -> str:
        return f"v{self.version} · {self.edited_at:%Y-%m-%d %H:%M}"


class Vote(models.Model):
    """One member's up-vote of an answer (the reply's ``score`` counts them)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reply", "user"], name="exchange_vote_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.reply_id}"


# ----------------------------------------------------------------------- following


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NEVER = "never", _("Only in the hub")


class Follow(models.Model):
    """A member follows a topic, a region, an organisation, a person or one thread."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_type", "target_id"], name="exchange_follow_once"
            )
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="exchange_follow_target"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.target_type_id}:{self.target_id}"


class EmailPreference(models.Model):
    """How often a member wants e-mail about one kind of notification (none stored: the
    default of the kind)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences"
    )
    kind = models.CharField(_("kind"), max_length=40)
    frequency = models.CharField(_("e-mail"), max_length=10, choices=Frequency.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="exchange_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}: {self.frequency}"


# ----------------------------------------------------------------------- moderation


class Standing(models.Model):
    """A member's standing with the moderators: trust and suspension."""

    class Trust(models.IntegerChoices):
        NEW = 0, _("New member: first posts are reviewed")
        TRUSTED = 1, _("Trusted: posts appear at once")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing"
    )
    trust = models.PositiveSmallIntegerField(_("trust"), choices=Trust.choices, default=Trust.NEW)
    # Contributions a moderator approved: enough of them make a member trusted.
    approved = models.PositiveIntegerField(_("approved contributions"), default=0)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    suspension_reason = models.TextField(_("reason for the suspension"), blank=True)
    # A new member's profile text waits for review like their first posts (since when).
    profile_held_since = models.DateTimeField(_("profile text held since"), null=True, blank=True)

    class Meta:
        verbose_name = _("member standing")
        verbose_name_plural = _("member standings")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.get_trust_display()}"

    def is_suspended(self, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or timezone.now())


class Report(models.Model):
    """A member flags a contribution (or a profile) for the moderators, with a reason."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or hateful")
        WRONG = "wrong", _("Dangerous or wrong information")
        OTHER = "other", _("Something else")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    detail = models.TextField(_("details"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"], name="exchange_report_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(resolved_at__isnull=True),
                name="exchange_report_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.target_type_id}:{self.target_id}"


class ModerationAction(models.Model):
    """The moderation log: who did what to which contribution or member, when and why."""

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=20)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("moderation action")
        verbose_name_plural = _("moderation actions")

    def __str__(self) -> str:
        return f"{self.action} · {self.target_type_id}:{self.target_id}"


class BlockedDomain(models.Model):
    """A web domain whose links mark a contribution as spam (moderators keep the list)."""

    domain = models.CharField(_("domain"), max_length=253, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]
        verbose_name = _("blocked domain")
        verbose_name_plural = _("blocked domains")

    def __str__(self) -> str:
        return self.domain
