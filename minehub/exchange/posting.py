"""Member posts and replies: creating, editing, deleting, accepting, voting.

Every function here is the one path a change takes, whatever calls it (form, import,
API): it checks :mod:`.permissions`, asks :func:`.policy.admit` where a contribution starts,
and runs in one transaction, so a contribution becomes visible together with its counts
and the followers' notifications, or not at all."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from minehub.core.markdown import render_markdown
from minehub.exchange import following, permissions, policy
from minehub.exchange.models import Edit, Post, PostKind, Reply, ReplyKind, State, Vote
from minehub.library import files
from minehub.search.registry import Document, language_neutral_path, markdown_text


class EditConflict(Exception):
    """Someone saved the item after the editor opened it: ``current`` is what is stored
    now (the editor's own text is kept by the caller and shown back)."""

    def __init__(self, current: Post | Reply) -> None:
        super().__init__(f"{type(current).__name__} {current.pk} is at version {current.version}")
        self.current = current


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _created_once(
    model: type[Post] | type[Reply], item: Post | Reply, submission_key: uuid.UUID | None
) -> tuple[Post | Reply, bool]:
    """Saves ``item``, or finds what the same form sent before made: ``(item, created)``.

    The savepoint keeps the outer transaction usable after the unique constraint on
    (author, submission_key) refuses a second row from a concurrent double submission."""
    if submission_key is not None:
        existing = model.objects.filter(author=item.author, submission_key=submission_key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        if submission_key is None:
            raise
        return model.objects.get(author=item.author, submission_key=submission_key), False
    return item, True


def create_post(
    user: Any,
    *,
    kind: str,
    title: str,
    body: str,
    language: str,
    topics: Iterable[Any] = (),
    minerals: Iterable[Any] = (),
    regions: Iterable[Any] = (),
    organisation: Any = None,
    submission_key: uuid.UUID | None = None,
    attachments: Iterable[tuple[Any, str]] = (),
) -> Post:
    """A new post by ``user``: visible at once or held for review (:func:`.policy.admit`),
    with ``attachments`` (stored files and their names, see ``library.files``). Sending
    the same ``submission_key`` again returns the post the first sending made."""
    _require(permissions.can_contribute(user))
    if kind not in PostKind.values:
        raise ValidationError(_("Choose what kind of post this is."))
    with transaction.atomic():
        state, reasons = policy.assess(user, f"{title}\n\n{body}")
        post = Post(
            author=user,
            kind=kind,
            title=title,
            body=body,
            language=language,
            organisation=organisation,
            submission_key=submission_key,
            state=state,
            held_reasons=reasons,
        )
        if post.state == State.VISIBLE:
            post.published_at = post.last_activity_at = timezone.now()
        post, created = _created_once(Post, post, submission_key)
        if not created:
            return post
        post.topics.set(topics)
        post.minerals.set(minerals)
        post.regions.set(regions)
        for stored_file, filename in attachments:
            files.attach(post, stored_file, filename)
        if post.state == State.VISIBLE:
            following.announce_post(post)
    return post


def _check_reply_place(
    *, post: Post | None, target: models.Model | None, parent: Reply | None, kind: str
) -> None:
    if (post is None) == (target is None):
        raise ValidationError(_("A reply belongs either to a thread or to other content."))
    if kind not in ReplyKind.values:
        raise ValidationError(_("Choose whether this is an answer or a comment."))
    if kind == ReplyKind.ANSWER:
        if post is None or post.kind != PostKind.QUESTION:
            raise ValidationError(_("Only questions take answers; write a comment instead."))
        if parent is not None:
            raise ValidationError(_("An answer answers the question, not another reply."))
    if parent is None:
        return
    if parent.state != State.VISIBLE:
        raise ValidationError(_("The reply you are commenting on is no longer on the site."))
    same_place = (
        parent.post_id == post.pk
        if post is not None
        else (parent.target_type_id, parent.target_id) == (target_type_of(target).pk, target.pk)
    )
    if not same_place:
        raise ValidationError(_("The reply you are commenting on is elsewhere."))


def target_type_of(target: models.Model) -> Any:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(target)


def add_reply(
    user: Any,
    *,
    post: Post | None = None,
    target: models.Model | None = None,
    parent: Reply | None = None,
    kind: str,
    body: str,
    language: str,
    submission_key: uuid.UUID | None = None,
) -> Reply:
    """An answer or comment in a thread (``post``), or a comment on other content
    (``target``: a library item, news…), optionally under ``parent``. The caller checks
    that ``target`` is published; permissions and admission are checked here."""
    if post is not None:
        _require(permissions.can_reply(user, post))
    else:
        _require(permissions.can_contribute(user))
    _check_reply_place(post=post, target=target, parent=parent, kind=kind)
    with transaction.atomic():
        state, reasons = policy.assess(user, body)
        reply = Reply(
            author=user,
            kind=kind,
            post=post,
            parent=parent,
            body=body,
            language=language,
            submission_key=submission_key,
            state=state,
            held_reasons=reasons,
        )
        if target is not None:
            reply.target_type = target_type_of(target)
            reply.target_id = target.pk
        reply, created = _created_once(Reply, reply, submission_key)
        if created and reply.state == State.VISIBLE:
            _reply_became_visible(reply)
    return reply


def _reply_became_visible(reply: Reply) -> None:
    if reply.post_id is not None:
        Post.objects.filter(pk=reply.post_id).update(
            reply_count=F("reply_count") + 1, last_activity_at=timezone.now()
        )
    following.announce_reply(reply)


def publish(item: Post | Reply) -> None:
    """Makes a held item visible: sets its dates and the thread's counts and tells the
    followers. Nothing happens to an item already visible (approving twice is one)."""
    with transaction.atomic():
        model = type(item)
        claimed = model.objects.filter(pk=item.pk).exclude(state=State.VISIBLE)
        if not claimed.update(state=State.VISIBLE):
            return
        item.state = State.VISIBLE
        if isinstance(item, Post):
            now = timezone.now()
            item.published_at = item.published_at or now
            item.last_activity_at = now
            # A save, not an update: search re-indexes the post it now may find.
            item.save(update_fields=["state", "published_at", "last_activity_at"])
            following.announce_post(item)
        else:
            _reply_became_visible(item)


def remember_edit(item: Post | Reply, editor: Any) -> None:
    """Keeps ``item``'s current text in its history before it changes (``editor`` None:
    changed by an import)."""
    Edit.objects.create(
        post=item if isinstance(item, Post) else None,
        reply=item if isinstance(item, Reply) else None,
        editor=editor,
        title=getattr(item, "title", ""),
        body=item.body,
        version=item.version,
    )


def edit(
    user: Any, item: Post | Reply, *, body: str, title: str | None = None, version: int
) -> Any:
    """Saves new text for ``item``, keeping the previous text as an :class:`Edit`.

    ``version`` is the one the editor started from; when another edit came first the
    stored item is left alone and :class:`EditConflict` is raised. An edit that adds
    links the rules would have held (:func:`.policy.assess_edit`) takes a visible item
    off the site until a moderator looks at it."""
    _require(permissions.can_edit(user, item))
    model = type(item)
    with transaction.atomic():
        current = model.objects.select_for_update().get(pk=item.pk)
        # The conditional update claims the next version even where SELECT … FOR UPDATE
        # does not lock (SQLite): of two concurrent editors only one matches.
        if current.version != version or not model.objects.filter(
            pk=item.pk, version=version
        ).update(version=F("version") + 1):
            raise EditConflict(current)
        remember_edit(current, user)
        before = f"{getattr(current, 'title', '')}\n\n{current.body}"
        current.body = body
        fields = ["body", "edited_at"]
        if title is not None and isinstance(current, Post):
            current.title = title
            fields.append("title")
        current.edited_at = timezone.now()
        current.version = version + 1
        reasons = policy.assess_edit(user, before, f"{getattr(current, 'title', '')}\n\n{body}")
        if reasons and current.state == State.VISIBLE:
            _hold_after_edit(current, reasons)
            fields += ["state", "held_reasons"]
        current.save(update_fields=fields)
    return current


def _hold_after_edit(item: Post | Reply, reasons: list[policy.Reason]) -> None:
    """Back to the queue: off the site (the save takes it out of search) and out of its
    thread's count; approving it again (:func:`publish`) puts both back."""
    item.state = State.HELD
    item.held_reasons = reasons
    if isinstance(item, Reply) and item.post_id is not None:
        Post.objects.filter(pk=item.post_id, reply_count__gt=0).update(
            reply_count=F("reply_count") - 1
        )


def delete(user: Any, item: Post | Reply) -> None:
    """Takes ``item`` off the site for good; it stays on record (state *deleted*, with
    its edit history). A deleted answer is no longer the accepted one."""
    if item.state == State.DELETED and (
        user.pk == item.author_id or permissions.is_moderator(user)
    ):
        return  # deleting twice (a double click) is deleting once
    _require(permissions.can_delete(user, item))
    with transaction.atomic():
        model = type(item)
        was_visible = model.objects.filter(pk=item.pk, state=State.VISIBLE).exists()
        if not model.objects.filter(pk=item.pk).exclude(state=State.DELETED).exists():
            return
        item.state = State.DELETED
        item.save(update_fields=["state"])
        if isinstance(item, Post):
            _unindex(item)
            return
        if item.post_id is None:
            return
        if was_visible:
            Post.objects.filter(pk=item.post_id, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
        Post.objects.filter(pk=item.post_id, accepted_answer=item).update(accepted_answer=None)


def _unindex(post: Post) -> None:
    # At once, in this transaction: a withdrawn post must not be findable even while the
    # background re-index waits in the queue.
    from minehub.search import indexer

    indexer.remove("post", post.pk)


def accept(user: Any, post: Post, answer: Reply) -> None:
    """The asker marks ``answer`` as the one that answered their question (replacing the
    answer accepted before, if any)."""
    _require(permissions.can_accept(user, post, answer))
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(accepted_answer=answer)
        post.accepted_answer = answer
        following.announce_acceptance(post, answer)


def vote(user: Any, answer: Reply, *, up: bool | None = None) -> bool:
    """Toggles ``user``'s up-vote of ``answer`` (``up`` sets it instead, so a form sent
    twice leaves one vote); returns whether the vote now stands. ``Reply.score`` follows
    in the same transaction."""
    _require(permissions.can_vote(user, answer))
    with transaction.atomic():
        has_vote = Vote.objects.filter(user=user, reply=answer).exists()
        want = (not has_vote) if up is None else up
        if want and not has_vote:
            try:
                with transaction.atomic():
                    Vote.objects.create(user=user, reply=answer)
            except IntegrityError:
                return True  # a concurrent request cast the same vote and counted it
            Reply.objects.filter(pk=answer.pk).update(score=F("score") + 1)
        elif not want and has_vote:
            removed, _kinds = Vote.objects.filter(user=user, reply=answer).delete()
            if removed:
                Reply.objects.filter(pk=answer.pk).update(score=F("score") - 1)
        answer.refresh_from_db(fields=["score"])
    return want


# ----------------------------------------------------------------------- rendering

# Rendering Markdown costs about half a millisecond a reply (markdown-it is pure Python):
# 100 ms for a thread of 200. Each web process keeps the HTML of recently shown texts,
# keyed by a digest of the text, so an edit is a new key and nothing needs invalidating.
# Bounded: at most RENDERED_ITEMS entries of texts up to RENDERED_MAX_CHARS (~30 MB at worst).
RENDERED_ITEMS = 2048
RENDERED_MAX_CHARS = 10_000
_rendered: OrderedDict[bytes, SafeString] = OrderedDict()
_rendered_lock = threading.Lock()


def body_html(body: str) -> SafeString:
    """``render_markdown(body)``, remembered for the texts shown most recently."""
    if len(body) > RENDERED_MAX_CHARS:
        return render_markdown(body)
    key = hashlib.blake2b(body.encode(), digest_size=16).digest()
    with _rendered_lock:
        html = _rendered.get(key)
        if html is not None:
            _rendered.move_to_end(key)
            return html
    html = render_markdown(body)
    with _rendered_lock:
        _rendered[key] = html
        if len(_rendered) > RENDERED_ITEMS:
            _rendered.popitem(last=False)
    return html


# ----------------------------------------------------------------------- search


def post_document(post: Post) -> Document | None:
    """The index document of a post; ``None`` unless it is on the site."""
    if post.state != State.VISIBLE:
        return None
    from minehub.search.registry import taxonomy_keywords

    topics = list(post.topics.all())
    regions = list(post.regions.all())
    return Document(
        title=post.title,
        language=post.language,
        path=language_neutral_path(post),
        text=markdown_text(post.body),
        keywords=taxonomy_keywords([*topics, *post.minerals.all(), *regions]),
        external_id=post.external_id,
        organisation_id=post.organisation_id,
        published_at=post.published_at,
        topic_ids=[topic.pk for topic in topics],
        region_ids=[region.pk for region in regions],
    )


def connect() -> None:
    """Registers posts with search (called once from ``ExchangeConfig.ready``)."""
    from minehub.search import signals
    from minehub.search.registry import register

    register(Post, document=post_document, key="post")
    # Search connected its save/delete signals in its own ready(), before this app's;
    # connecting again adds the one for posts (dispatch ids keep the others single).
    signals.connect()
