"""Who may do what in search. Searching is open to everyone (it only ever returns
published items); the statistics are for editors, moderators and data stewards; the
thesaurus is edited by data stewards (in the admin, with Django's model permissions)."""

from __future__ import annotations

from typing import Any

from minehub.accounts.roles import Role, has_role


def can_see_analytics(user: Any) -> bool:
    return has_role(user, Role.EDITOR, Role.MODERATOR, Role.DATA_STEWARD)


def can_edit_thesaurus(user: Any) -> bool:
    return has_role(user, Role.DATA_STEWARD)
