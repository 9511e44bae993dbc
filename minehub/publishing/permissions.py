"""Who may read, write and review publishable items: the one place these rules live.

- Everyone reads published items; archived items stay readable by link (legal history
  must not vanish) but leave listings and feeds.
- Editors of an organisation create items for it and edit all of its items in any status;
  they may publish directly or ask a colleague to review.
- Reviewers are the organisation's other editors and administrators: nobody approves
  their own submission, unless they are an administrator.
- Administrators may do everything. Moderators and other roles have no say over the
  library; they moderate member contributions (exchange).
"""

from __future__ import annotations

from typing import Any

from minehub.accounts.roles import Role, has_role
from minehub.publishing.content import Publishable, Status, editable_organisation_ids


def is_administrator(user: Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def can_create(user: Any) -> bool:
    return is_administrator(user) or bool(editable_organisation_ids(user))


def can_edit(user: Any, item: Publishable) -> bool:
    if is_administrator(user):
        return True
    return item.organisation_id is not None and item.organisation_id in editable_organisation_ids(
        user
    )


def can_view(user: Any, item: Publishable) -> bool:
    if item.status in (Status.PUBLISHED, Status.ARCHIVED):
        return True
    return can_edit(user, item)


def can_review(user: Any, item: Publishable, submitted_by_id: int | None) -> bool:
    """Approve or send back an item in review (not one's own submission)."""
    if item.status != Status.REVIEW or not can_edit(user, item):
        return False
    return is_administrator(user) or submitted_by_id != user.pk


def can_publish_directly(user: Any, item: Publishable) -> bool:
    return can_edit(user, item)
