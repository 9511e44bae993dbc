"""Moderation services: the queue, reports, and every action a moderator takes.

Each action runs in one transaction and writes one :class:`ModerationAction` (who, what,
which target, why), so the log is complete by construction. Targets are posts, replies
and members (a member's profile text, their standing). Views only parse and call these."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from minehub.accounts.models import User
from minehub.exchange import following, kinds, notify, permissions, policy, posting, spam
from minehub.exchange.models import (
    BlockedDomain,
    ModerationAction,
    Post,
    Reply,
    Report,
    Standing,
    State,
)
from minehub.exchange.policy import trust_after_approved

NOTIFICATION_KIND = following.MODERATED
Target = Post | Reply | User


class Action:
    APPROVE = "approve"
    REJECT = "reject"
    HIDE = "hide"
    EDIT = "edit"
    LOCK = "lock"
    UNLOCK = "unlock"
    SUSPEND = "suspend"
    UNSUSPEND = "unsuspend"
    DELETE_SPAMMER = "delete_spammer"
    DISMISS = "dismiss"
    BLOCK_DOMAIN = "block_domain"
    UNBLOCK_DOMAIN = "unblock_domain"


# Actions the queue offers for a selection (each applies to every selected item).
BULK_ACTIONS = (Action.APPROVE, Action.REJECT, Action.HIDE, Action.DISMISS, Action.DELETE_SPAMMER)


def action_label(action: str) -> str:
    labels = {
        Action.APPROVE: gettext("Approve"),
        Action.REJECT: gettext("Reject"),
        Action.HIDE: gettext("Hide"),
        Action.EDIT: gettext("Edit"),
        Action.LOCK: gettext("Lock thread"),
        Action.UNLOCK: gettext("Unlock thread"),
        Action.SUSPEND: gettext("Suspend"),
        Action.UNSUSPEND: gettext("End suspension"),
        Action.DELETE_SPAMMER: gettext("Delete spammer"),
        Action.DISMISS: gettext("Dismiss reports"),
        Action.BLOCK_DOMAIN: gettext("Block domain"),
        Action.UNBLOCK_DOMAIN: gettext("Unblock domain"),
    }
    return labels.get(action, action)


# ----------------------------------------------------------------------- notifications


def _describe(notification: Any) -> str:
    data = notification.data
    what = data.get("title") or gettext("your profile text")
    if data.get("action") == Action.HIDE:
        text = gettext("The moderators hid “%(what)s”.") % {"what": what}
    else:
        text = gettext("The moderators did not publish “%(what)s”.") % {"what": what}
    if data.get("message"):
        text += " " + gettext("Their message: %(message)s") % {"message": data["message"]}
    return text


def _subject(notification: Any) -> str:
    return gettext("A message from the moderators")


def connect() -> None:
    """Registers the moderation notification kind (call once from ``apps.ready``)."""
    kinds.register(NOTIFICATION_KIND, _describe, _subject)


def _tell_author(target: Target, action: str, message: str, log: ModerationAction) -> None:
    author = target if isinstance(target, User) else target.author
    if isinstance(target, Post):
        title = target.title
    elif isinstance(target, Reply):
        title = target.body[:60] + ("…" if len(target.body) > 60 else "")
    else:
        title = ""
    url = reverse("accounts:profile") if isinstance(target, User) else target.get_absolute_url()
    # In the hub, and by e-mail as the author chose for this kind (at once by default;
    # a suspended or deleted spammer's account is inactive and gets no e-mail).
    notify.record(
        NOTIFICATION_KIND,
        f"{log.pk}",
        {"action": action, "title": title, "message": message},
        url,
        following.recipients([author.pk], NOTIFICATION_KIND),
    )
    notify.send_pending_later()


# ----------------------------------------------------------------------- helpers


def _log(moderator: Any, action: str, target: Any, reason: str = "") -> ModerationAction:
    return ModerationAction.objects.create(
        moderator=moderator,
        action=action,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        reason=reason,
    )


def _require_moderator(moderator: Any) -> None:
    if not permissions.can_moderate(moderator):
        raise PermissionDenied


def _resolve_reports(target: Any) -> None:
    Report.objects.filter(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        resolved_at__isnull=True,
    ).update(resolved_at=timezone.now())


def _recount_threads(post_ids: Iterable[int]) -> None:
    """Sets each thread's reply count to its visible replies after some left the site."""
    visible = (
        Reply.objects.filter(post=OuterRef("pk"), state=State.VISIBLE)
        .order_by()
        .values("post")
        .annotate(total=Count("pk"))
        .values("total")
    )
    Post.objects.filter(pk__in=set(post_ids)).update(reply_count=Coalesce(Subquery(visible), 0))


def _take_off_site(item: Post | Reply) -> None:
    """What leaving the site means beyond the state: search, counts, accepted answer."""
    if isinstance(item, Post):
        from minehub.search import indexer

        indexer.remove("post", item.pk)
    elif item.post_id is not None:
        _recount_threads([item.post_id])
        Post.objects.filter(pk=item.post_id, accepted_answer=item).update(accepted_answer=None)


def _locked(item: Post | Reply) -> Post | Reply:
    return type(item).objects.select_for_update().get(pk=item.pk)


def _promote(author_id: int) -> None:
    """Counts an approved contribution; enough of them make the author trusted."""
    standing, _created = Standing.objects.select_for_update().get_or_create(user_id=author_id)
    Standing.objects.filter(pk=standing.pk).update(approved=F("approved") + 1)
    standing.refresh_from_db(fields=["approved", "trust"])
    if standing.trust == Standing.Trust.NEW and standing.approved >= trust_after_approved():
        Standing.objects.filter(pk=standing.pk).update(trust=Standing.Trust.TRUSTED)


# ----------------------------------------------------------------------- actions


def approve(moderator: Any, target: Target, reason: str = "") -> bool:
    """Puts a held (or hidden, or rejected) contribution on the site, or a held profile
    text on the profile; resolves its reports. Returns False when there was nothing to
    do (approving twice is one approval)."""
    _require_moderator(moderator)
    with transaction.atomic():
        if isinstance(target, User):
            if not Standing.objects.filter(user=target, profile_held_since__isnull=False).update(
                profile_held_since=None
            ):
                return False
        else:
            current = _locked(target)
            if current.state in (State.VISIBLE, State.DELETED):
                return False
            was_held = current.state == State.HELD
            posting.publish(current)
            if was_held:
                _promote(current.author_id)
            target.state = current.state
        _resolve_reports(target)
        _log(moderator, Action.APPROVE, target, reason)
    return True


def _withdraw(moderator: Any, target: Target, action: str, state: State, message: str) -> bool:
    with transaction.atomic():
        if isinstance(target, User):
            # A profile text cannot be half-shown: rejecting or hiding it removes it.
            User.objects.filter(pk=target.pk).update(bio="")
            Standing.objects.filter(user=target).update(profile_held_since=None)
            target.bio = ""
        else:
            current = _locked(target)
            if current.state in (state, State.DELETED):
                return False
            current.state = state
            current.moderation_note = message
            # A save: search's signals see the post leave (and _take_off_site removes it
            # from the index at once, not after the queued re-index).
            current.save(update_fields=["state", "moderation_note"])
            _take_off_site(current)
            target.state, target.moderation_note = state, message
        _resolve_reports(target)
        log = _log(moderator, action, target, message)
        _tell_author(target, action, message, log)
    return True


def reject(moderator: Any, target: Target, message: str = "") -> bool:
    """Refuses a contribution (or profile text) with a message the author is told."""
    _require_moderator(moderator)
    return _withdraw(moderator, target, Action.REJECT, State.REJECTED, message)


def hide(moderator: Any, target: Target, message: str = "") -> bool:
    """Takes a contribution (or profile text) off the site; the author is told why."""
    _require_moderator(moderator)
    return _withdraw(moderator, target, Action.HIDE, State.HIDDEN, message)


def dismiss(moderator: Any, target: Target, reason: str = "") -> bool:
    """Closes the reports about ``target`` and leaves it as it is."""
    _require_moderator(moderator)
    with transaction.atomic():
        _resolve_reports(target)
        _log(moderator, Action.DISMISS, target, reason)
    return True


def edit(
    moderator: Any,
    item: Post | Reply,
    *,
    body: str,
    title: str | None = None,
    version: int,
    reason: str = "",
) -> Post | Reply:
    """A moderator's edit (the history keeps the text before); raises
    :class:`minehub.exchange.posting.EditConflict` on a stale version."""
    _require_moderator(moderator)
    with transaction.atomic():
        edited = posting.edit(moderator, item, body=body, title=title, version=version)
        _log(moderator, Action.EDIT, edited, reason)
    return edited


def set_locked(moderator: Any, post: Post, locked: bool, reason: str = "") -> bool:
    """Locks (no new replies) or unlocks a thread; False when it already was."""
    _require_moderator(moderator)
    with transaction.atomic():
        if not Post.objects.filter(pk=post.pk).exclude(locked=locked).update(locked=locked):
            return False
        post.locked = locked
        _log(moderator, Action.LOCK if locked else Action.UNLOCK, post, reason)
    return True


def _require_not_moderator(moderator: Any, member: User) -> None:
    # Moderators are not suspended or deleted by their peers; administrators do that in
    # the admin, where it is plainly an administrative act.
    if permissions.is_moderator(member) and not moderator.is_superuser:
        raise PermissionDenied
    if member.pk == moderator.pk:
        raise PermissionDenied


def suspend(moderator: Any, member: User, duration: timedelta, reason: str) -> Standing:
    """Suspends ``member`` for ``duration``: they cannot post, reply, vote, report or follow."""
    _require_moderator(moderator)
    _require_not_moderator(moderator, member)
    with transaction.atomic():
        until = timezone.now() + duration
        standing, _created = Standing.objects.update_or_create(
            user=member, defaults={"suspended_until": until, "suspension_reason": reason}
        )
        _log(moderator, Action.SUSPEND, member, reason)
    return standing


def unsuspend(moderator: Any, member: User, reason: str = "") -> bool:
    _require_moderator(moderator)
    with transaction.atomic():
        if not Standing.objects.filter(user=member, suspended_until__isnull=False).update(
            suspended_until=None, suspension_reason=""
        ):
            return False
        _log(moderator, Action.UNSUSPEND, member, reason)
    return True


def delete_spammer(moderator: Any, member: User, reason: str = "") -> bool:
    """In one transaction: deactivates ``member``, deletes (keeps on record) all their
    posts and replies, and resolves every report about them or their content."""
    _require_moderator(moderator)
    _require_not_moderator(moderator, member)
    with transaction.atomic():
        if not User.objects.filter(pk=member.pk, is_active=True).update(is_active=False):
            return False
        member.is_active = False
        posts = Post.objects.filter(author=member).exclude(state=State.DELETED)
        post_ids = list(posts.values_list("pk", flat=True))
        visible_posts = list(posts.filter(state=State.VISIBLE).values_list("pk", flat=True))
        replies = Reply.objects.filter(author=member).exclude(state=State.DELETED)
        reply_ids = list(replies.values_list("pk", flat=True))
        threads = set(replies.exclude(post=None).values_list("post_id", flat=True))
        posts.update(state=State.DELETED)
        replies.update(state=State.DELETED)
        from minehub.search import indexer

        for post_id in visible_posts:
            indexer.remove("post", post_id)
        _recount_threads(threads)
        Post.objects.filter(accepted_answer_id__in=reply_ids).update(accepted_answer=None)
        Standing.objects.filter(user=member).update(profile_held_since=None)
        now = timezone.now()
        about = (
            Q(target_type=ContentType.objects.get_for_model(User), target_id=member.pk)
            | Q(target_type=ContentType.objects.get_for_model(Post), target_id__in=post_ids)
            | Q(target_type=ContentType.objects.get_for_model(Reply), target_id__in=reply_ids)
        )
        Report.objects.filter(about, resolved_at__isnull=True).update(resolved_at=now)
        _log(moderator, Action.DELETE_SPAMMER, member, reason)
    return True


def apply(moderator: Any, action: str, targets: Sequence[Target], reason: str = "") -> int:
    """One queue action for a whole selection, in one transaction; how many changed.
    "Delete spammer" on a contribution deletes its author."""
    if action not in BULK_ACTIONS:
        raise ValueError(action)
    _require_moderator(moderator)
    done = 0
    with transaction.atomic():
        for target in targets:
            if action == Action.APPROVE:
                done += approve(moderator, target, reason)
            elif action == Action.REJECT:
                done += reject(moderator, target, reason)
            elif action == Action.HIDE:
                done += hide(moderator, target, reason)
            elif action == Action.DISMISS:
                done += dismiss(moderator, target, reason)
            else:
                member = target if isinstance(target, User) else target.author
                try:
                    done += delete_spammer(moderator, member, reason)
                except PermissionDenied:
                    continue  # a moderator's own or a peer's item in the selection: skipped
    return done


def block_domain(moderator: Any, domain: str) -> BlockedDomain:
    _require_moderator(moderator)
    domain = domain.strip().lower().removeprefix("www.").rstrip(".")
    with transaction.atomic():
        blocked, created = BlockedDomain.objects.get_or_create(
            domain=domain, defaults={"added_by": moderator}
        )
        if created:
            _log(moderator, Action.BLOCK_DOMAIN, blocked, domain)
    return blocked


def unblock_domain(moderator: Any, blocked: BlockedDomain) -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        _log(moderator, Action.UNBLOCK_DOMAIN, blocked, blocked.domain)
        blocked.delete()


# ----------------------------------------------------------------------- reports


def report(reporter: Any, target: Target, reason: str, detail: str = "") -> tuple[Report, bool]:
    """Files a report: one open report per reporter and target (a second one updates the
    first; one about a target already dealt with opens it again). ``(report, created)``."""
    if not permissions.can_report(reporter, target):
        raise PermissionDenied
    if reason not in Report.Reason.values:
        raise ValueError(reason)
    with transaction.atomic():
        existing, created = Report.objects.select_for_update().get_or_create(
            reporter=reporter,
            target_type=ContentType.objects.get_for_model(target),
            target_id=target.pk,
            defaults={"reason": reason, "detail": detail},
        )
        if not created:
            reopened = existing.resolved_at is not None
            Report.objects.filter(pk=existing.pk).update(
                reason=reason,
                detail=detail,
                resolved_at=None,
                **({"created_at": timezone.now()} if reopened else {}),
            )
            existing.refresh_from_db()
            created = reopened
    return existing, created


# ----------------------------------------------------------------------- the queue


@dataclass
class QueueEntry:
    """One thing waiting for a moderator: a held or reported contribution or profile."""

    key: str  # "post:12", "reply:5", "user:7": what the bulk form sends back
    kind: str  # "post", "reply", "profile"
    target: Target
    waiting_since: datetime
    held: bool
    reports: list[Report] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)

    @property
    def author(self) -> User:
        return self.target if isinstance(self.target, User) else self.target.author

    @property
    def text(self) -> str:
        return self.target.bio if isinstance(self.target, User) else self.target.body

    @property
    def held_reasons(self) -> list[str]:
        """Why the rules held it, as stored when it was written or edited."""
        if not self.held or isinstance(self.target, User):
            return []
        return [policy.describe(reason) for reason in self.target.held_reasons]


@dataclass
class Queue:
    entries: list[QueueEntry]
    oldest_wait: timedelta | None
    median_wait: timedelta | None
    now: datetime

    # As moments, for the template's ``timesince`` (which words a wait in any language).
    @property
    def oldest_since(self) -> datetime | None:
        return None if self.oldest_wait is None else self.now - self.oldest_wait

    @property
    def median_since(self) -> datetime | None:
        return None if self.median_wait is None else self.now - self.median_wait


def _signals(text: str) -> list[str]:
    """What the spam signals see in a waiting text now (a domain may have been blocked
    since it was held); repeats are left out, as the item would match itself."""
    found = []
    count = len(spam.links(text))
    if count:
        found.append(gettext("%(count)d links") % {"count": count})
    blocked = spam.blocked_domains(text)
    if blocked:
        found.append(gettext("blocked domains: %(domains)s") % {"domains": ", ".join(blocked)})
    return found


_PREFIXES: dict[Any, str] = {Post: "post", Reply: "reply", User: "user"}


def target_key(target: Target) -> str:
    if isinstance(target, Post):
        return f"post:{target.pk}"
    if isinstance(target, Reply):
        return f"reply:{target.pk}"
    return f"user:{target.pk}"


def resolve_keys(keys: Iterable[str]) -> list[Target]:
    """The targets the queue's checkboxes name (unknown keys are skipped)."""
    wanted: dict[str, set[int]] = {"post": set(), "reply": set(), "user": set()}
    for key in keys:
        kind, _sep, pk = key.partition(":")
        if kind in wanted and pk.isdigit():
            wanted[kind].add(int(pk))
    return [
        *Post.objects.filter(pk__in=wanted["post"]).select_related("author"),
        *Reply.objects.filter(pk__in=wanted["reply"]).select_related("author"),
        *User.objects.filter(pk__in=wanted["user"]),
    ]


def queue(now: datetime | None = None, shown: int = 100) -> Queue:
    """Held posts, replies and profile texts and reported items, oldest first, with the
    oldest and the median wait (spam signals worked out for the first ``shown``)."""
    now = now or timezone.now()
    entries: dict[str, QueueEntry] = {}
    for post in Post.objects.filter(state=State.HELD).select_related("author"):
        entries[target_key(post)] = QueueEntry(
            target_key(post), "post", post, post.created_at, held=True
        )
    for reply in Reply.objects.filter(state=State.HELD).select_related("author", "post"):
        entries[target_key(reply)] = QueueEntry(
            target_key(reply), "reply", reply, reply.created_at, held=True
        )
    for standing in Standing.objects.filter(
        profile_held_since__isnull=False, user__is_active=True
    ).select_related("user"):
        user = standing.user
        entries[target_key(user)] = QueueEntry(
            target_key(user), "profile", user, standing.profile_held_since, held=True
        )
    open_reports = list(
        Report.objects.filter(resolved_at__isnull=True).select_related("reporter", "target_type")
    )
    by_model: dict[type, set[int]] = {}
    for item in open_reports:
        model = item.target_type.model_class()
        if model in _PREFIXES:
            by_model.setdefault(model, set()).add(item.target_id)
    loaded: dict[str, Target] = {}
    for model, ids in by_model.items():
        query = model.objects.filter(pk__in=ids)
        if model is not User:
            query = query.select_related("author")
        loaded.update({target_key(target): target for target in query})
    for item in open_reports:
        prefix = _PREFIXES.get(item.target_type.model_class())
        target = loaded.get(f"{prefix}:{item.target_id}")
        if target is None:
            continue  # reported content since removed for good
        key = target_key(target)
        if key not in entries:
            kind = "profile" if isinstance(target, User) else prefix
            entries[key] = QueueEntry(key, kind, target, item.created_at, held=False)
        entry = entries[key]
        entry.reports.append(item)
        entry.waiting_since = min(entry.waiting_since, item.created_at)
    ordered = sorted(entries.values(), key=lambda entry: entry.waiting_since)
    for entry in ordered[:shown]:
        entry.signals = _signals(entry.text)
    waits = [now - entry.waiting_since for entry in ordered]
    return Queue(
        entries=ordered,
        oldest_wait=max(waits) if waits else None,
        median_wait=statistics.median(waits) if waits else None,
        now=now,
    )
