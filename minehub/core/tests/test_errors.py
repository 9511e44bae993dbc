import pytest
from django.test import Client, override_settings
from django.urls import path

from minehub.core.testing import make_user
from minehub.urls import urlpatterns as site_urls

pytestmark = pytest.mark.django_db


def _boom(request: object) -> None:
    raise RuntimeError("deliberate failure")


urlpatterns = [path("boom/", _boom), *site_urls]
handler500 = "minehub.core.views.server_error"


def test_unknown_url_gets_a_translated_not_found_page(client: Client) -> None:
    response = client.get("/ru/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert "Страница не найдена" in html
    assert "Traceback" not in html


def test_invalid_language_prefix_is_not_found(client: Client) -> None:
    response = client.get("/xx/")
    assert response.status_code == 404
    assert "<main" in response.content.decode()


def test_csrf_failure_explains_nothing_was_saved(client: Client) -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post("/en/accounts/login/", {"login": "a@b.c", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "Nothing was saved" in html


def test_oversized_form_post_is_rejected_with_400(client: Client, settings: object) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    user = make_user("big@example.org")
    client.force_login(user)
    response = client.post("/en/accounts/profile/", {"name": "x", "bio": "y" * 20_000})
    assert response.status_code == 400
    assert "We could not understand that request" in response.content.decode()
    user.refresh_from_db()
    assert user.name == ""


def test_too_many_form_fields_are_rejected_with_400(client: Client) -> None:
    data = {f"field{i}": "x" for i in range(1100)}
    response = client.post("/en/accounts/login/", data)
    assert response.status_code == 400


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_has_no_stack_trace() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "deliberate failure" not in html
