import re

import pytest
from django.test import Client

from minehub.core.testing import make_organisation

pytestmark = pytest.mark.django_db

LANGUAGES = ["mn", "ky", "ru", "en"]
HEADINGS = {
    "mn": "Хариуцлагатай уул уурхайн",
    "ky": "Жоопкерчиликтүү",
    "ru": "ответственной",
    "en": "Knowledge and monitoring for responsible mining",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_is_served_in_each_language(client: Client, language: str) -> None:
    make_organisation()
    response = client.get(f"/{language}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert HEADINGS[language] in html
    for landmark in ("<header", "<main", "<footer", 'role="search"', "<nav"):
        assert landmark in html


def test_root_redirects_to_the_default_language_mongolian(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/mn/"


def test_root_follows_the_browser_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9")
    assert response["Location"] == "/ru/"


def test_language_switch_is_remembered_and_keeps_the_page(client: Client) -> None:
    response = client.post("/language/", {"language": "ky", "next": "/en/directory/?kind=cso"})
    assert response.status_code == 302
    assert response["Location"] == "/ky/directory/?kind=cso"
    assert client.cookies["django_language"].value == "ky"
    assert client.get("/")["Location"] == "/ky/"


def test_every_link_on_the_home_page_leads_somewhere(client: Client) -> None:
    make_organisation()
    html = client.get("/en/").content.decode()
    links = set(re.findall(r'href="(/[^"#]*)"', html))
    assert len(links) > 8
    for link in sorted(links):
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link


@pytest.mark.parametrize("path", ["/en/", "/mn/directory/", "/ru/accounts/login/", "/ky/search/"])
def test_pages_reference_no_external_host(client: Client, path: str) -> None:
    html = client.get(path).content.decode()
    external = re.findall(r'(?:src|href|action)="((?:https?:)?//[^"]+)"', html)
    assert external == []
    assert "Content-Security-Policy" in client.get(path).headers


def test_healthz_reports_database_and_migrations(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("https://evil.example/phish", "/ru/"),
        ("//evil.example/", "/ru/"),
        ("/en/", "/ru/"),
        ("/directory/", "/ru/directory/"),
    ],
)
def test_language_switch_never_leaves_the_site(client: Client, target: str, expected: str) -> None:
    response = client.post("/language/", {"language": "ru", "next": target})
    assert response["Location"] == expected


def test_language_switch_ignores_unknown_languages(client: Client) -> None:
    response = client.post("/language/", {"language": "xx", "next": "/en/"})
    assert response["Location"] == "/en/"
    assert "django_language" not in response.cookies


def test_healthz_is_unhealthy_while_migrations_are_pending(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == "pending"


def test_administrators_use_the_admin_in_their_own_language(client: Client) -> None:
    from minehub.core.testing import make_persona

    client.force_login(make_persona("administrator"))
    html = client.get("/ky/admin/core/topic/").content.decode()
    assert '<html lang="ky"' in html
    assert "темалар" in html.lower()  # the model name, translated
