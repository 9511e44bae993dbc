"""The roles of DESIGN.md and how a user gets them.

- *member*: every active, signed-in user;
- *editor*: editor of at least one organisation (``Membership.role``), publishes for it;
- *moderator*, *community monitor*, *inspector*, *data steward*: site-wide roles held as
  Django groups of the same name, so administrators grant them in the admin;
- *administrator*: a superuser.

Apps decide what a role may do in their own ``permissions.py``; this module only answers
"which roles does this user hold".
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    EDITOR = "editor", _("Editor")
    MODERATOR = "moderator", _("Moderator")
    COMMUNITY_MONITOR = "community_monitor", _("Community monitor")
    INSPECTOR = "inspector", _("Inspector")
    DATA_STEWARD = "data_steward", _("Data steward")
    ADMINISTRATOR = "administrator", _("Administrator")


GROUP_ROLES = (Role.MODERATOR, Role.COMMUNITY_MONITOR, Role.INSPECTOR, Role.DATA_STEWARD)
# Roles that work in the Django admin until their front-end screens exist.
STAFF_ROLES = frozenset({Role.MODERATOR, Role.DATA_STEWARD})
# Model permissions each group receives in the admin ("app_label.codename").
GROUP_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.DATA_STEWARD: tuple(
        f"{app}.{action}_{model}"
        for app, model in (
            ("core", "topic"),
            ("core", "mineral"),
            ("core", "region"),
            ("core", "sustainabledevelopmentgoal"),
            ("directory", "organisation"),
            ("search", "concept"),
            ("search", "conceptlabel"),
            ("monitoring", "site"),
            ("monitoring", "station"),
            ("monitoring", "standard"),
            ("monitoring", "limit"),
            ("monitoring", "sensortoken"),
        )
        for action in ("view", "add", "change")
    )
    + ("monitoring.delete_limit", "monitoring.view_limitchange", "monitoring.view_importbatch")
    # A wrong thesaurus label does harm in every search: stewards may remove it.
    + ("search.delete_conceptlabel",),
    Role.MODERATOR: ("accounts.view_user", "directory.view_organisation"),
    Role.INSPECTOR: (),
    Role.COMMUNITY_MONITOR: (),
}

_CACHE_ATTRIBUTE = "_minehub_roles"
_EDITOR_ORGANISATIONS_ATTRIBUTE = "_minehub_editor_organisations"


def roles_of(user: Any) -> frozenset[Role]:
    """The roles ``user`` holds; computed once per user object (one or two queries)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return frozenset()
    if not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    roles = {Role.MEMBER}
    if user.is_superuser:
        roles.add(Role.ADMINISTRATOR)
    group_names = set(user.groups.values_list("name", flat=True))
    roles.update(role for role in GROUP_ROLES if role.value in group_names)
    # The organisations come with the role: pages that ask for both pay one query.
    organisations = set(
        user.memberships.filter(role="editor").values_list("organisation_id", flat=True)
    )
    if organisations:
        roles.add(Role.EDITOR)
    result = frozenset(roles)
    setattr(user, _CACHE_ATTRIBUTE, result)
    setattr(user, _EDITOR_ORGANISATIONS_ATTRIBUTE, organisations)
    return result


def editor_organisation_ids(user: Any) -> set[int]:
    """The organisations ``user`` edits for (none for inactive or anonymous users);
    read with the roles, once per user object."""
    if not roles_of(user):
        return set()
    return getattr(user, _EDITOR_ORGANISATIONS_ATTRIBUTE, set())


def has_role(user: Any, *roles: Role) -> bool:
    """True when ``user`` holds any of ``roles`` (administrators hold every role)."""
    held = roles_of(user)
    return Role.ADMINISTRATOR in held or any(role in held for role in roles)


def forget_roles(user: Any) -> None:
    """Drops the per-object cache after roles change."""
    for attribute in (_CACHE_ATTRIBUTE, _EDITOR_ORGANISATIONS_ATTRIBUTE):
        if hasattr(user, attribute):
            delattr(user, attribute)


@transaction.atomic
def grant_role(user: Any, role: Role, organisation: Any = None) -> None:
    """Gives ``user`` a role. Editors need the organisation they publish for."""
    from minehub.accounts.models import Membership, MembershipRole

    if role == Role.ADMINISTRATOR:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    elif role == Role.EDITOR:
        if organisation is None:
            raise ValueError("An editor edits for an organisation.")
        Membership.objects.update_or_create(
            user=user, organisation=organisation, defaults={"role": MembershipRole.EDITOR}
        )
    elif role in GROUP_ROLES:
        user.groups.add(Group.objects.get(name=role.value))
        if role in STAFF_ROLES and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    forget_roles(user)


def sync_app_permissions(app_config: Any, using: str = "default") -> None:
    """Creates ``app_config``'s model permissions and gives the role groups theirs.

    For apps installed before ``django.contrib.auth``, whose permissions would otherwise
    only exist after their own post-migrate handlers have run."""
    from django.contrib.auth.management import create_permissions

    create_permissions(app_config, verbosity=0, using=using)
    sync_role_groups()


def sync_role_groups() -> None:
    """Creates the role groups and gives them their admin permissions; idempotent."""
    for role in GROUP_ROLES:
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for dotted in GROUP_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:  # absent only while its app is not migrated yet
                wanted.append(permission)
        group.permissions.add(*wanted)
