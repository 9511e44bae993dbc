"""Permission matrices: every view × every role."""

import pytest

from minehub.accounts.roles import Role, roles_of
from minehub.core.testing import Personas, check_permission_matrix, make_user

pytestmark = pytest.mark.django_db

EVERYONE_200 = dict.fromkeys(
    ["anonymous", "member", "editor", "moderator", "community_monitor", "inspector",
     "data_steward", "administrator", "suspended"],
    200,
)  # fmt: skip


@pytest.mark.parametrize(
    "url", ["/en/", "/mn/directory/", "/ky/library/", "/ru/search/?q=алтан", "/en/monitoring/"]
)
def test_public_pages_are_open_to_every_role(personas: Personas, url: str) -> None:
    assert check_permission_matrix(personas, url, EVERYONE_200) == []


def test_profile_editing_needs_an_active_account(personas: Personas) -> None:
    expected = {**dict.fromkeys(EVERYONE_200, 200), "anonymous": 302, "suspended": 302}
    assert check_permission_matrix(personas, "/en/accounts/profile/", expected) == []


def test_hidden_profile_is_seen_by_its_owner_and_moderators_only(personas: Personas) -> None:
    expected = {
        "anonymous": 404, "member": 200, "editor": 404, "moderator": 200,
        "community_monitor": 404, "inspector": 404, "data_steward": 404,
        "administrator": 200, "suspended": 404,
    }  # fmt: skip
    member = personas["member"]
    assert not member.listed_in_directory
    url = f"/en/accounts/people/{member.pk}/"
    assert check_permission_matrix(personas, url, expected) == []


def test_public_profile_is_seen_by_everyone(personas: Personas) -> None:
    person = make_user("public@example.org", listed_in_directory=True)
    url = f"/en/accounts/people/{person.pk}/"
    assert check_permission_matrix(personas, url, EVERYONE_200) == []


def test_admin_is_open_to_staff_roles_only(personas: Personas) -> None:
    expected = {
        "anonymous": 302, "member": 302, "editor": 302, "moderator": 200,
        "community_monitor": 302, "inspector": 302, "data_steward": 200,
        "administrator": 200, "suspended": 302,
    }  # fmt: skip
    assert check_permission_matrix(personas, "/en/admin/", expected) == []


def test_data_stewards_edit_taxonomy_and_moderators_do_not(personas: Personas) -> None:
    expected = {
        "anonymous": 302, "member": 302, "editor": 302, "moderator": 403,
        "community_monitor": 302, "inspector": 302, "data_steward": 200,
        "administrator": 200, "suspended": 302,
    }  # fmt: skip
    assert check_permission_matrix(personas, "/en/admin/core/topic/add/", expected) == []


def test_each_persona_holds_exactly_its_role(personas: Personas) -> None:
    assert roles_of(personas["anonymous"]) == frozenset()
    assert roles_of(personas["suspended"]) == frozenset()
    assert roles_of(personas["member"]) == {Role.MEMBER}
    assert roles_of(personas["editor"]) == {Role.MEMBER, Role.EDITOR}
    for role in (Role.MODERATOR, Role.COMMUNITY_MONITOR, Role.INSPECTOR, Role.DATA_STEWARD):
        assert roles_of(personas[role.value]) == {Role.MEMBER, role}
    assert Role.ADMINISTRATOR in roles_of(personas["administrator"])


def test_matrix_must_name_every_persona(personas: Personas) -> None:
    with pytest.raises(AssertionError, match="lacks personas"):
        check_permission_matrix(personas, "/en/", {"anonymous": 200})
