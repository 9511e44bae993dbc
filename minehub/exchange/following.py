"""Following topics, regions, organisations, people and threads, and telling followers.

Three kinds of notification, each with its own e-mail choice per member
(:class:`~minehub.exchange.models.EmailPreference`; none stored means the default):

* ``exchange.post`` — a new post on something the member follows. Default: the *daily*
  digest, because a busy topic would otherwise fill an inbox.
* ``exchange.reply`` — an answer or comment in a thread the member follows. Default: *at
  once*: a conversation the member takes part in.
* ``exchange.mention`` — someone wrote ``@name`` for the member. Default: *at once*.

Authors follow their own thread, and members follow the threads they reply to, from
:func:`announce_post` and :func:`announce_reply` (the posting code needs to do nothing
more); unfollowing a thread, their own included, silences it.

A member's e-mail language is the first of the languages they speak that the hub's
interface has, else the hub's default language: no new setting to keep."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from minehub.exchange import kinds, mentions, notify
from minehub.exchange.models import (
    EmailPreference,
    Follow,
    Frequency,
    Notification,
    Post,
    PostKind,
    Reply,
    ReplyKind,
    State,
)

POST = "exchange.post"
REPLY = "exchange.reply"
MENTION = "exchange.mention"
ACCEPTED = "exchange.accepted"
# Written by the moderation module: a moderator did not publish, or hid, what you wrote.
MODERATED = "exchange.moderated"

DEFAULT_FREQUENCY: dict[str, str] = {
    POST: Frequency.DAILY,
    REPLY: Frequency.IMMEDIATE,
    MENTION: Frequency.IMMEDIATE,
    ACCEPTED: Frequency.IMMEDIATE,
    MODERATED: Frequency.IMMEDIATE,
}
# What the preferences page calls each kind, in its order.
KIND_LABELS = {
    POST: gettext_lazy("New posts on topics, regions, organisations and people you follow"),
    REPLY: gettext_lazy("Answers and comments in threads you follow"),
    MENTION: gettext_lazy("Someone mentions you (@name)"),
    ACCEPTED: gettext_lazy("An answer is accepted in a thread you follow"),
    MODERATED: gettext_lazy("The moderators did not publish, or hid, something you wrote"),
}
DIGESTS = (Frequency.DAILY, Frequency.WEEKLY)

# What the follow and unfollow URLs call each followable model.
FOLLOWABLE = {
    "topic": "core.Topic",
    "region": "core.Region",
    "organisation": "directory.Organisation",
    "person": settings.AUTH_USER_MODEL,
    "post": "exchange.Post",
}
# Users looked up per query when building recipients (well under SQLite's variable limit).
CHUNK = 2000
_UNSUBSCRIBE_SALT = "minehub.exchange.unsubscribe"


# ----------------------------------------------------------------------- following


def followable_model(model_key: str) -> type[models.Model] | None:
    label = FOLLOWABLE.get(model_key)
    return None if label is None else apps.get_model(label)


def model_key_of(target: models.Model) -> str | None:
    label = target._meta.label
    return next((key for key, value in FOLLOWABLE.items() if value == label), None)


def _content_type(target: models.Model) -> ContentType:
    return ContentType.objects.get_for_model(target, for_concrete_model=True)


def follow(user: Any, target: models.Model) -> bool:
    """``user`` follows ``target``; False when they already did (safe to repeat)."""
    _follow, created = Follow.objects.get_or_create(
        user_id=user.pk, target_type=_content_type(target), target_id=target.pk
    )
    return created


def follow_thread(user: Any, post: Post) -> bool:
    return follow(user, post)


def unfollow(user: Any, target: models.Model) -> bool:
    """``user`` stops following ``target``; False when they did not (safe to repeat)."""
    deleted, _rows = Follow.objects.filter(
        user_id=user.pk, target_type=_content_type(target), target_id=target.pk
    ).delete()
    return bool(deleted)


def is_following(user: Any, target: models.Model) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Follow.objects.filter(
        user_id=user.pk, target_type=_content_type(target), target_id=target.pk
    ).exists()


def followers_of(targets: Iterable[models.Model]) -> set[int]:
    """The ids of members who follow any of ``targets`` (one query)."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for target in targets:
        if target is not None and target.pk is not None:
            by_type[_content_type(target).pk].add(target.pk)
    if not by_type:
        return set()
    condition = Q()
    for type_id, ids in by_type.items():
        condition |= Q(target_type_id=type_id, target_id__in=ids)
    return set(Follow.objects.filter(condition).values_list("user_id", flat=True).distinct())


def followed_by(user: Any) -> list[tuple[str, models.Model]]:
    """What ``user`` follows, as (model key, object), one query per kind of target."""
    ids: dict[int, list[int]] = defaultdict(list)
    for type_id, target_id in Follow.objects.filter(user_id=user.pk).values_list(
        "target_type_id", "target_id"
    ):
        ids[type_id].append(target_id)
    found: list[tuple[str, models.Model]] = []
    for type_id, target_ids in ids.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        key = model_key_of(model) if model is not None else None
        if model is None or key is None:
            continue
        objects = model._default_manager.in_bulk(target_ids)
        found.extend((key, objects[pk]) for pk in target_ids if pk in objects)
    return sorted(found, key=lambda item: (list(FOLLOWABLE).index(item[0]), str(item[1])))


# ----------------------------------------------------------------------- e-mail choices


def frequencies_of(user: Any) -> dict[str, str]:
    """The member's e-mail choice for every exchange kind (defaults filled in)."""
    chosen = dict(
        EmailPreference.objects.filter(user_id=user.pk, kind__in=KIND_LABELS).values_list(
            "kind", "frequency"
        )
    )
    return {kind: chosen.get(kind, DEFAULT_FREQUENCY[kind]) for kind in KIND_LABELS}


def set_frequency(user_id: int, kind: str, frequency: str) -> None:
    """Stores the choice; when it is *never*, e-mails of that kind still waiting (on their
    own or for a digest) stay in the hub."""
    EmailPreference.objects.update_or_create(
        user_id=user_id, kind=kind, defaults={"frequency": frequency}
    )
    if frequency == Frequency.NEVER:
        Notification.objects.filter(
            recipient_id=user_id, kind=kind, emailed_at__isnull=True
        ).exclude(email_to="").update(email_to="")


def language_of(languages: Sequence[str] | None) -> str:
    """The e-mail language for a member who speaks ``languages`` (in their order)."""
    interface = {code for code, _name in settings.LANGUAGES}
    return next((code for code in languages or () if code in interface), settings.LANGUAGE_CODE)


def recipients(user_ids: Iterable[int], kind: str) -> list[notify.Recipient]:
    """Active members among ``user_ids``, each with their e-mail choice for ``kind``."""
    ids = sorted(set(user_ids))
    default = DEFAULT_FREQUENCY.get(kind, Frequency.IMMEDIATE)
    links = _UnsubscribeLinks()
    found: list[notify.Recipient] = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        chosen = dict(
            EmailPreference.objects.filter(kind=kind, user_id__in=chunk).values_list(
                "user_id", "frequency"
            )
        )
        users = (
            get_user_model()
            .objects.filter(pk__in=chunk, is_active=True)
            .values_list("pk", "email", "languages")
        )
        for pk, email, languages in users:
            language = language_of(languages)
            frequency = chosen.get(pk, default)
            if frequency == Frequency.NEVER or not email:
                found.append(notify.Recipient(user_id=pk, language=language))
                continue
            found.append(
                notify.Recipient(
                    user_id=pk,
                    email=email,
                    language=language,
                    unsubscribe_url=links.for_kind(pk, kind, language),
                    digest="" if frequency == Frequency.IMMEDIATE else frequency,
                )
            )
    return found


# ----------------------------------------------------------------------- unsubscribing


def unsubscribe_token(user_id: int, *, kind: str = "", digest: str = "") -> str:
    """A signed token that stops one kind of e-mail, or one digest, for one member."""
    payload = {"u": user_id, "d": digest} if digest else {"u": user_id, "k": kind}
    return signing.dumps(payload, salt=_UNSUBSCRIBE_SALT)


def unsubscribe_url(user_id: int, language: str, *, kind: str = "", digest: str = "") -> str:
    token = unsubscribe_token(user_id, kind=kind, digest=digest)
    with translation.override(language):
        return reverse("exchange:unsubscribe", kwargs={"token": token})


class _UnsubscribeLinks:
    """Unsubscribe links for a fan-out: the URL is reversed once per language, only the
    token differs per member."""

    def __init__(self) -> None:
        self._templates: dict[str, str] = {}

    def for_kind(self, user_id: int, kind: str, language: str) -> str:
        if language not in self._templates:
            with translation.override(language):
                self._templates[language] = reverse(
                    "exchange:unsubscribe", kwargs={"token": "TOKEN"}
                )
        return self._templates[language].replace("TOKEN", unsubscribe_token(user_id, kind=kind))


def read_unsubscribe_token(token: str) -> tuple[Any, list[str], str] | None:
    """(member, kinds the link stops, digest or "") from a link's token; None when forged
    or the member is gone. No log-in needed: the signature is the proof."""
    try:
        payload = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
        user_id = int(payload["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    digest = payload.get("d", "")
    if digest in DIGESTS:
        current = frequencies_of(user)
        return user, [kind for kind, frequency in current.items() if frequency == digest], digest
    kind = payload.get("k", "")
    if kind not in KIND_LABELS:
        return None
    return user, [kind], ""


def unsubscribe(user: Any, kinds_to_stop: Sequence[str], digest: str = "") -> None:
    """Turns e-mail off for ``kinds_to_stop`` (safe to repeat), including a digest's
    notifications still waiting."""
    with transaction.atomic():
        for kind in kinds_to_stop:
            set_frequency(user.pk, kind, Frequency.NEVER)
        if digest:
            Notification.objects.filter(
                recipient_id=user.pk, digest=digest, emailed_at__isnull=True
            ).exclude(email_to="").update(email_to="")


# ----------------------------------------------------------------------- announcing


def announce_post(post: Post) -> None:
    """Tells the followers of a post's topics, regions, organisation and author that it
    is on the site, and the people its text mentions. Called inside the transaction that
    makes the post visible; calling it again tells nobody twice.

    The author follows their thread at once; the telling is a background job
    (:func:`tell_about_post`): a post followed by thousands must not slow the page that
    publishes it. The job is queued in the same transaction, so a rolled-back post tells
    nobody and a committed one is never forgotten."""
    if post.state != State.VISIBLE:
        return
    from minehub.exchange.tasks import tell_about_post_task

    follow_thread(post.author, post)
    tell_about_post_task.enqueue(post.pk)


def announce_reply(reply: Reply) -> None:
    """Tells the followers of a thread (its author among them) and people mentioned about
    a visible reply; for a comment on a library item or news, only people mentioned.
    Called inside the transaction that makes the reply visible; the replier follows the
    thread at once, the telling is a background job (:func:`tell_about_reply`)."""
    if reply.state != State.VISIBLE:
        return
    from minehub.exchange.tasks import tell_about_reply_task

    if reply.post_id is not None:
        follow_thread(reply.author, reply.post)
    tell_about_reply_task.enqueue(reply.pk)


def tell_about_post(post_id: int) -> int:
    """The fan-out of :func:`announce_post`; returns how many members were told (safe to
    repeat: nobody is told twice)."""
    with transaction.atomic():
        post = Post.objects.select_related("author", "organisation").filter(pk=post_id).first()
        if post is None or post.state != State.VISIBLE:
            return 0
        author = post.author
        mentioned = mentions.mentioned_user_ids(post.body) - {author.pk}
        targets: list[models.Model] = [*post.topics.all(), *post.regions.all(), author]
        if post.organisation is not None:
            targets.append(post.organisation)
        followers = followers_of(targets) - {author.pk} - mentioned
        data = {"author": author.display_name, "title": post.title, "post_kind": post.kind}
        url = post.get_absolute_url()
        key = f"post:{post.pk}"
        told = recipients(followers, POST)
        named = recipients(mentioned, MENTION)
        notify.record(POST, key, data, url, told)
        notify.record(MENTION, key, data, url, named)
        notify.send_pending_later()
    return len(told) + len(named)


def tell_about_reply(reply_id: int) -> int:
    """The fan-out of :func:`announce_reply`; returns how many members were told."""
    with transaction.atomic():
        reply = Reply.objects.select_related("author", "post").filter(pk=reply_id).first()
        if reply is None or reply.state != State.VISIBLE:
            return 0
        author = reply.author
        mentioned = mentions.mentioned_user_ids(reply.body) - {author.pk}
        key = f"reply:{reply.pk}"
        url = reply.get_absolute_url()
        told: list[notify.Recipient] = []
        if reply.post is None:
            title = str(reply.target or "")
        else:
            title = reply.post.title
            followers = followers_of([reply.post]) - {author.pk} - mentioned
            told = recipients(followers, REPLY)
        data = {"author": author.display_name, "title": title, "kind": reply.kind}
        named = recipients(mentioned, MENTION)
        notify.record(REPLY, key, data, url, told)
        notify.record(MENTION, key, data, url, named)
        notify.send_pending_later()
    return len(told) + len(named)


def announce_acceptance(post: Post, answer: Reply) -> int:
    """Tells the thread's followers (the one who answered among them) that the asker
    accepted ``answer``; inside the accepting transaction (a thread's followers are few).
    Accepting the same answer again tells nobody twice."""
    asker = post.author
    followers = followers_of([post]) - {asker.pk}
    data = {
        "author": asker.display_name,
        "answerer": answer.author.display_name,
        "title": post.title,
    }
    told = recipients(followers, ACCEPTED)
    notify.record(ACCEPTED, f"accepted:{answer.pk}", data, answer.get_absolute_url(), told)
    notify.send_pending_later()
    return len(told)


# ----------------------------------------------------------------------- wording


def _describe_post(notification: Notification) -> str:
    data = notification.data
    facts = {"author": data.get("author", ""), "title": data.get("title", "")}
    kind = data.get("post_kind")
    if kind == PostKind.QUESTION:
        return gettext("%(author)s asked “%(title)s”") % facts
    if kind == PostKind.SOLUTION:
        return gettext("%(author)s shared a solution: “%(title)s”") % facts
    return gettext("%(author)s shared an experience: “%(title)s”") % facts


def _subject_post(notification: Notification) -> str:
    return gettext("New post: %(title)s") % {"title": notification.data.get("title", "")}


def _describe_reply(notification: Notification) -> str:
    data = notification.data
    facts = {"author": data.get("author", ""), "title": data.get("title", "")}
    if data.get("kind") == ReplyKind.ANSWER:
        return gettext("%(author)s answered “%(title)s”") % facts
    return gettext("%(author)s commented on “%(title)s”") % facts


def _subject_reply(notification: Notification) -> str:
    return gettext("New reply: %(title)s") % {"title": notification.data.get("title", "")}


def _describe_mention(notification: Notification) -> str:
    data = notification.data
    return gettext("%(author)s mentioned you in “%(title)s”") % {
        "author": data.get("author", ""),
        "title": data.get("title", ""),
    }


def _subject_mention(notification: Notification) -> str:
    return gettext("%(author)s mentioned you") % {"author": notification.data.get("author", "")}


def _describe_accepted(notification: Notification) -> str:
    data = notification.data
    return gettext("%(author)s accepted the answer by %(answerer)s to “%(title)s”") % {
        "author": data.get("author", ""),
        "answerer": data.get("answerer", ""),
        "title": data.get("title", ""),
    }


def _subject_accepted(notification: Notification) -> str:
    return gettext("Answer accepted: %(title)s") % {"title": notification.data.get("title", "")}


def connect() -> None:
    """Registers the notification kinds of the exchange (from ``ExchangeConfig.ready``)."""
    kinds.register(POST, _describe_post, _subject_post)
    kinds.register(REPLY, _describe_reply, _subject_reply)
    kinds.register(MENTION, _describe_mention, _subject_mention)
    kinds.register(ACCEPTED, _describe_accepted, _subject_accepted)
