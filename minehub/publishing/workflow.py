"""Saving, reviewing and restoring items: optimistic locking and the revision history.

Every write to an item goes through :func:`save_item` or :func:`transition`, so each one
bumps ``version`` exactly once and leaves a :class:`~minehub.publishing.models.Revision`.
A save states the version it started from; when someone else saved in between, the update
matches no row and :class:`EditConflict` carries the current state instead of overwriting it.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minehub.core.transliterate import latin_slug
from minehub.publishing import permissions
from minehub.publishing.content import Publishable, Status
from minehub.publishing.models import Revision, RevisionAction


class EditConflict(Exception):
    """Someone saved the item after the editor opened it."""

    def __init__(self, current: Publishable) -> None:
        super().__init__(f"{current} changed (now version {current.version})")
        self.current = current


class TransitionNotAllowed(PermissionDenied):
    pass


# ---------------------------------------------------------------------------- snapshots


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def field_state(item: Publishable) -> dict[str, Any]:
    """The item's own (non many-to-many) editable fields as JSON, saved or not."""
    return {
        field.attname: _plain(getattr(item, field.attname))
        for field in item._meta.concrete_fields
        if field.name not in item.revision_exclude
    }


def snapshot(item: Publishable) -> dict[str, Any]:
    """The item's editable state as JSON: plain fields, foreign keys as ids, many-to-many
    fields as sorted id lists."""
    data = field_state(item)
    if item.pk:
        for field in item._meta.many_to_many:
            data[field.name] = sorted(getattr(item, field.name).values_list("pk", flat=True))
    return data


def changed_fields(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    if before is None:
        return []
    return sorted(key for key in after.keys() | before.keys() if before.get(key) != after.get(key))


def field_label(item: Publishable, name: str) -> str:
    attname_to_field = {f.attname: f for f in item._meta.get_fields() if hasattr(f, "attname")}
    field = attname_to_field.get(name)
    return str(field.verbose_name) if field is not None else name


def latest_revision(item: Publishable) -> Revision | None:
    return (
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=item.pk
        )
        .order_by("-id")
        .first()
    )


def history(item: Publishable) -> models.QuerySet[Revision]:
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    ).select_related("author")


def record_revision(
    item: Publishable,
    user: Any,
    action: RevisionAction,
    comment: str = "",
    *,
    first: bool = False,
) -> Revision:
    """Stores the item's current state as a revision (call after every write); ``first``
    skips looking for an earlier revision of a just-created item."""
    previous = None if first else latest_revision(item)
    state = snapshot(item)
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        version=item.version,
        action=action,
        status=item.status,
        author=user if getattr(user, "is_authenticated", False) else None,
        changed_fields=changed_fields(previous.snapshot if previous else None, state),
        comment=comment,
        snapshot=state,
    )


def last_submitter_id(item: Publishable) -> int | None:
    revision = history(item).filter(action=RevisionAction.SUBMIT).order_by("-id").first()
    return revision.author_id if revision else None


# ---------------------------------------------------------------------------- saving


def unique_slug(model: type[Publishable], title: str, exclude_pk: int | None = None) -> str:
    """A slug made from ``title`` that no other item of ``model`` uses (-2, -3, ... added)."""
    base = latin_slug(title, 90) or model.content_type_key.replace("_", "-")
    # A range instead of startswith, and no ordering, so the unique index on slug serves it
    # ("-" sorts just before ".", so the range holds exactly base-2, base-3, ...).
    taken = set(
        model.objects.filter(Q(slug=base) | Q(slug__gt=f"{base}-", slug__lt=f"{base}."))
        .exclude(pk=exclude_pk)
        .order_by()
        .values_list("slug", flat=True)
    )
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def apply_translation_group(item: Publishable) -> None:
    """A translation joins its original's group; an original keeps (or regains) its own."""
    original = item.translation_of
    if original is not None:
        item.translation_group = original.translation_group


def _save_m2m(item: Publishable, m2m: dict[str, Iterable[Any]] | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(item, name).set(values)


@transaction.atomic
def create_item(
    item: Publishable,
    user: Any,
    m2m: dict[str, Iterable[Any]] | None = None,
    action: RevisionAction = RevisionAction.CREATE,
) -> Publishable:
    """Saves a new item (version 1) and its first revision."""
    if not item.slug:
        item.slug = unique_slug(type(item), item.title)
    if item.author_id is None and getattr(user, "is_authenticated", False):
        item.author = user
    apply_translation_group(item)
    if item.status == Status.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    item.version = 1
    item.save()
    _save_m2m(item, m2m)
    record_revision(item, user, action, first=True)
    return item


@transaction.atomic
def save_item(
    item: Publishable,
    user: Any,
    expected_version: int,
    m2m: dict[str, Iterable[Any]] | None = None,
    action: RevisionAction = RevisionAction.EDIT,
    comment: str = "",
) -> Publishable:
    """Saves an edited item if nobody saved it since ``expected_version``.

    The version check and the increment are one UPDATE, so two concurrent saves cannot
    both succeed. Raises :class:`EditConflict` (nothing written) when the item moved on.
    """
    model = type(item)
    apply_translation_group(item)
    claimed = model.objects.filter(pk=item.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise EditConflict(model.objects.get(pk=item.pk))
    item.version = expected_version + 1
    item.save()
    _save_m2m(item, m2m)
    if model.objects.filter(translation_of=item).exists():
        model.objects.filter(translation_of=item).update(translation_group=item.translation_group)
    record_revision(item, user, action, comment)
    return item


# ---------------------------------------------------------------------------- workflow

# action → (statuses it starts from, status it leads to)
TRANSITIONS: dict[RevisionAction, tuple[tuple[Status, ...], Status]] = {
    RevisionAction.SUBMIT: ((Status.DRAFT,), Status.REVIEW),
    RevisionAction.APPROVE: ((Status.REVIEW,), Status.PUBLISHED),
    RevisionAction.SEND_BACK: ((Status.REVIEW,), Status.DRAFT),
    RevisionAction.PUBLISH: ((Status.DRAFT, Status.ARCHIVED), Status.PUBLISHED),
    RevisionAction.ARCHIVE: ((Status.PUBLISHED,), Status.ARCHIVED),
    RevisionAction.UNPUBLISH: ((Status.PUBLISHED, Status.ARCHIVED), Status.DRAFT),
}


# What the buttons say (the revision history uses the past-tense labels of RevisionAction).
ACTION_BUTTONS: dict[RevisionAction, Any] = {
    RevisionAction.SUBMIT: _("Submit for review"),
    RevisionAction.APPROVE: _("Approve and publish"),
    RevisionAction.SEND_BACK: _("Send back"),
    RevisionAction.PUBLISH: _("Publish"),
    RevisionAction.ARCHIVE: _("Archive"),
    RevisionAction.UNPUBLISH: _("Return to draft"),
}


def allowed_actions(user: Any, item: Publishable) -> list[RevisionAction]:
    """The workflow actions ``user`` may take on ``item`` now, in display order."""
    if not permissions.can_edit(user, item):
        return []
    reviewer = item.status != Status.REVIEW or permissions.can_review(
        user, item, last_submitter_id(item)
    )
    review_actions = (RevisionAction.APPROVE, RevisionAction.SEND_BACK)
    return [
        action
        for action, (sources, _target) in TRANSITIONS.items()
        if item.status in sources and (reviewer or action not in review_actions)
    ]


@transaction.atomic
def transition(
    item: Publishable, user: Any, action: RevisionAction, expected_version: int, comment: str = ""
) -> Publishable:
    """Moves ``item`` through the workflow (submit, approve, send back, publish, archive).

    Sending back requires a comment, so the author learns what to change."""
    if action not in allowed_actions(user, item):
        raise TransitionNotAllowed(_("This action is not available for this item now."))
    if action == RevisionAction.SEND_BACK and not comment.strip():
        raise ValueError(_("Say what should change before sending the item back."))
    item.status = TRANSITIONS[action][1]
    if item.status == Status.PUBLISHED and item.published_at is None:
        item.published_at = timezone.now()
    return save_item(item, user, expected_version, action=action, comment=comment.strip())


@transaction.atomic
def restore_revision(item: Publishable, revision: Revision, user: Any) -> Publishable:
    """Makes an earlier revision's content current again, as a new revision (the workflow
    status is kept: restoring text does not publish or unpublish)."""
    if revision.object_id != item.pk:
        raise ValueError("The revision belongs to another item.")
    m2m = {
        field.name: revision.snapshot[field.name]
        for field in item._meta.many_to_many
        if field.name in revision.snapshot
    }
    for field in item._meta.concrete_fields:
        if field.attname in revision.snapshot:
            setattr(item, field.attname, field.to_python(revision.snapshot[field.attname]))
    return save_item(
        item,
        user,
        item.version,
        m2m=m2m,
        action=RevisionAction.RESTORE,
        comment=str(_("Restored version %(version)s") % {"version": revision.version}),
    )
