"""Who may do what in the exchange: the one place views and the API ask (DESIGN.md,
"Roles"). Each function takes the user as the request has it (anonymous included)."""

from __future__ import annotations

from typing import Any

from minehub.accounts.roles import Role, has_role
from minehub.exchange.models import Post, PostKind, Reply, ReplyKind, Standing, State


def is_moderator(user: Any) -> bool:
    return has_role(user, Role.MODERATOR, Role.ADMINISTRATOR)


def standing_of(user: Any) -> Standing | None:
    """The member's standing (None for anonymous visitors and members never judged),
    read once per request object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_minehub_standing"):
        user._minehub_standing = Standing.objects.filter(user=user).first()
    return user._minehub_standing


def is_suspended(user: Any) -> bool:
    standing = standing_of(user)
    return standing is not None and standing.is_suspended()


def can_contribute(user: Any) -> bool:
    """Write posts, answers and comments, vote, report, follow."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active) and not is_suspended(
        user
    )


def can_view(user: Any, item: Post | Reply) -> bool:
    """Visible contributions for everyone; the author sees their own held, rejected or
    hidden ones (with the moderators' message); moderators see everything."""
    if item.state == State.VISIBLE:
        return True
    if is_moderator(user):
        return True
    return item.state != State.DELETED and getattr(user, "pk", None) == item.author_id


def can_reply(user: Any, post: Post) -> bool:
    return can_contribute(user) and post.state == State.VISIBLE and not post.locked


def can_edit(user: Any, item: Post | Reply) -> bool:
    """Authors edit their own (not once hidden, rejected or deleted, nor in a locked
    thread); moderators edit anything still on record."""
    if item.state == State.DELETED:
        return False
    if is_moderator(user):
        return True
    if not can_contribute(user) or user.pk != item.author_id:
        return False
    post = item if isinstance(item, Post) else item.post
    return item.state in (State.VISIBLE, State.HELD) and not (post is not None and post.locked)


def can_delete(user: Any, item: Post | Reply) -> bool:
    return can_edit(user, item)


def can_accept(user: Any, post: Post, answer: Reply) -> bool:
    """The asker accepts one visible answer to their own question."""
    return (
        can_contribute(user)
        and user.pk == post.author_id
        and post.kind == PostKind.QUESTION
        and answer.post_id == post.pk
        and answer.kind == ReplyKind.ANSWER
        and answer.state == State.VISIBLE
    )


def can_vote(user: Any, answer: Reply) -> bool:
    """Members vote for others' visible answers."""
    return (
        can_contribute(user)
        and answer.kind == ReplyKind.ANSWER
        and answer.state == State.VISIBLE
        and user.pk != answer.author_id
    )


# ----------------------------------------------------------------------- moderation


def can_moderate(user: Any) -> bool:
    """See the queue and the log, act on contributions and members, keep the block list."""
    return is_moderator(user) and not is_suspended(user)


def can_report(user: Any, target: Any) -> bool:
    """Members report others' contributions they can see, and others' profiles."""
    if not can_contribute(user):
        return False
    if isinstance(target, Post | Reply):
        return target.author_id != user.pk and can_view(user, target)
    return getattr(target, "pk", None) != user.pk and bool(getattr(target, "is_active", False))
