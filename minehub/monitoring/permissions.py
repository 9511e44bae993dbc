"""Who may do what in monitoring — the one place these rules live (tested as a matrix).

Everyone reads published results. Inspectors import lab files and decide when their
results become public; inspectors and data stewards see results not yet public. Data
stewards keep the standards registry, sites and stations (in the admin).
"""

from __future__ import annotations

from typing import Any

from minehub.accounts.roles import Role, has_role


def can_see_unpublished(user: Any) -> bool:
    return has_role(user, Role.INSPECTOR, Role.DATA_STEWARD)


def can_import(user: Any) -> bool:
    """Upload result files, read their reports, commit and publish them."""
    return has_role(user, Role.INSPECTOR)


def can_manage_batch(user: Any, batch: Any) -> bool:
    """Commit, discard or publish an import: its uploader, or any administrator."""
    if not can_import(user):
        return False
    return has_role(user, Role.ADMINISTRATOR) or batch.uploaded_by_id == user.pk


def can_edit_standards(user: Any) -> bool:
    return has_role(user, Role.DATA_STEWARD)
