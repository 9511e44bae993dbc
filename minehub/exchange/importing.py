"""Member posts brought in by ``minehub import_documents`` (lines of type ``post``).

An imported post is what a migration from another forum or hub carries: its author (a
member found by e-mail, or the hub's import account), its text and tags, and whether it
was public there. It becomes *visible* when the line is published and waits in the
moderation queue otherwise. A moderator's later decision (rejected, hidden, deleted) is
never undone by importing the file again. Followers are not notified: an import brings
the past, not news. Changed text keeps the previous one as an :class:`Edit`, as a
member's own edit does."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from minehub.exchange import posting
from minehub.exchange.models import Post, State

# The account that writes posts whose line names no author. It cannot sign in; ``.invalid``
# is reserved (RFC 2606), so no mail is ever sent to it.
IMPORT_ACCOUNT_EMAIL = "import@minehub.invalid"
IMPORT_ACCOUNT_NAME = "MineHub import"
# States the import may set; the others are a moderator's or the author's decision.
_IMPORT_STATES = (State.VISIBLE, State.HELD)
_TEXT_FIELDS = ("title", "body")


@dataclass
class Wanted:
    """What an import line says a post should be."""

    values: dict[str, Any]  # title, body, language, kind
    author: Any
    organisation_id: int | None
    # False: not public (held); True: public since it was first published; a moment.
    published: bool | datetime.datetime
    topics: list[int] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)


def import_account() -> Any:
    user, created = get_user_model().objects.get_or_create(
        email=IMPORT_ACCOUNT_EMAIL, defaults={"name": IMPORT_ACCOUNT_NAME, "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def member_by_email(email: str) -> Any | None:
    return get_user_model().objects.filter(email__iexact=email).first()


def _state(wanted: Wanted, post: Post | None) -> tuple[str, datetime.datetime | None]:
    """The state and publication moment the line asks for."""
    if wanted.published is False:
        return State.HELD, post.published_at if post is not None else None
    if wanted.published is True:
        # "Public, date unknown": the first publication date stays, or every import would
        # move the post to the top of the lists.
        return State.VISIBLE, (post.published_at if post and post.published_at else timezone.now())
    return State.VISIBLE, wanted.published


def create(external_id: str, wanted: Wanted) -> Post:
    state, published_at = _state(wanted, None)
    post = Post(
        external_id=external_id,
        author=wanted.author,
        organisation_id=wanted.organisation_id,
        state=state,
        published_at=published_at,
        last_activity_at=published_at or timezone.now(),
        **wanted.values,
    )
    post.save()
    post.topics.set(wanted.topics)
    post.regions.set(wanted.regions)
    return post


def update(post: Post, wanted: Wanted) -> tuple[bool, str | None]:
    """Brings ``post`` in line with ``wanted``: ``(changed, kept_state)`` where
    ``kept_state`` is the moderators' state the import did not override (None if none)."""
    changes: dict[str, Any] = {
        name: value for name, value in wanted.values.items() if getattr(post, name) != value
    }
    if post.author_id != wanted.author.pk:
        changes["author_id"] = wanted.author.pk
    if post.organisation_id != wanted.organisation_id:
        changes["organisation_id"] = wanted.organisation_id
    kept_state = None
    state, published_at = _state(wanted, post)
    if post.state in _IMPORT_STATES:
        if post.state != state:
            changes["state"] = state
        if post.published_at != published_at:
            changes["published_at"] = published_at
    elif state != post.state:
        kept_state = post.state
    topics_changed = set(wanted.topics) != {topic.pk for topic in post.topics.all()}
    regions_changed = set(wanted.regions) != {region.pk for region in post.regions.all()}
    if not changes and not topics_changed and not regions_changed:
        return False, kept_state
    if any(name in changes for name in _TEXT_FIELDS):
        posting.remember_edit(post, None)
        changes["version"] = post.version + 1
        changes["edited_at"] = timezone.now()
    for name, value in changes.items():
        setattr(post, name, value)
    # A save even when only the tags changed: search re-indexes the post after it.
    post.save()
    if topics_changed:
        post.topics.set(wanted.topics)
    if regions_changed:
        post.regions.set(wanted.regions)
    return True, kept_state
