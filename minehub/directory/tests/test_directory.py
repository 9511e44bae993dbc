import pytest
from django.test import Client

from minehub.accounts.models import Membership
from minehub.core.models import Region
from minehub.core.testing import make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations() -> None:
    make_organisation(
        "mmhi", name_en="Ministry of Mining", name_mn="Уул уурхайн яам", kind="government"
    )
    make_organisation(
        "chatkal-monitors",
        name_en="Chatkal Community Monitors",
        name_ky="Чаткал коомдук мониторинги",
        kind="cso",
        country="KG",
        region=Region.objects.get(code="KG-J"),
    )


def test_directory_lists_and_filters_organisations(client: Client, organisations: None) -> None:
    html = client.get("/en/directory/", {"kind": "cso", "country": "KG"}).content.decode()
    assert "Chatkal Community Monitors" in html
    assert "Ministry of Mining" not in html
    assert "Kyrgyzstan" in html  # countries are named, not coded


def test_directory_name_search_works_in_any_language(client: Client, organisations: None) -> None:
    html = client.get("/en/directory/", {"q": "уурхайн"}).content.decode()
    assert "Ministry of Mining" in html
    assert "Chatkal" not in html


def test_directory_ignores_invalid_filters_instead_of_failing(
    client: Client, organisations: None
) -> None:
    response = client.get("/en/directory/", {"kind": "bogus", "page": "999"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_organisation_page_shows_its_name_in_the_interface_language(
    client: Client, organisations: None
) -> None:
    html = client.get("/mn/directory/organisations/mmhi/").content.decode()
    assert "Уул уурхайн яам" in html
    html = client.get("/ky/directory/organisations/chatkal-monitors/").content.decode()
    assert "Чаткал коомдук мониторинги" in html


def test_organisation_page_lists_only_public_members(client: Client, organisations: None) -> None:
    from minehub.directory.models import Organisation

    organisation = Organisation.objects.get(slug="mmhi")
    public = make_user("public@example.org", name="Oyun Public", listed_in_directory=True)
    hidden = make_user("hidden@example.org", name="Hidden Person")
    for user in (public, hidden):
        Membership.objects.create(user=user, organisation=organisation)
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert "Oyun Public" in html
    assert "Hidden Person" not in html


def test_unknown_organisation_is_not_found(client: Client) -> None:
    assert client.get("/en/directory/organisations/nope/").status_code == 404
