"""Who may do what with accounts and profiles: the one place these rules live."""

from __future__ import annotations

from typing import Any

from minehub.accounts.roles import Role, has_role, roles_of


def can_edit_profile(user: Any, person: Any) -> bool:
    return bool(roles_of(user)) and user.pk == person.pk


def can_view_profile(user: Any, person: Any) -> bool:
    """Public profiles are open to all; others to their owner, moderators and administrators."""
    if not person.is_active:
        return has_role(user, Role.MODERATOR)
    if person.listed_in_directory:
        return True
    return can_edit_profile(user, person) or has_role(user, Role.MODERATOR)
