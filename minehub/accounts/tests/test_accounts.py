import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.test import Client

from minehub.accounts.models import Membership, User
from minehub.core.testing import PASSWORD, make_organisation, make_persona, make_user
from minehub.exchange import moderation

pytestmark = pytest.mark.django_db


def _login(client: Client, email: str, password: str = PASSWORD) -> object:
    return client.post("/en/accounts/login/", {"login": email, "password": password})


def test_sign_up_verify_email_and_log_in(client: Client) -> None:
    response = client.post(
        "/ru/accounts/signup/",
        {"email": "Saruul@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(email="saruul@example.org")
    assert user.languages == ["ru"]
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[0].body).group(1)
    # Unverified: logging in leads to the "verify your e-mail" page, not into the hub.
    client.logout()
    assert _login(client, "saruul@example.org")["Location"].endswith("/confirm-email/")
    assert client.get(link).status_code == 200
    # The link is in the language the member signed up in.
    assert client.post(link)["Location"] == "/ru/accounts/profile/"
    assert client.get("/en/accounts/profile/").status_code == 200


def test_sign_up_rejects_a_duplicate_email_case_insensitively(client: Client) -> None:
    make_user("amar@example.org")
    client.post(
        "/en/accounts/signup/",
        {"email": "AMAR@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.filter(email__iexact="amar@example.org").count() == 1


def test_failed_logins_are_rate_limited_per_account(client: Client) -> None:
    make_user("target@example.org")
    for _ in range(5):
        response = _login(client, "target@example.org", "wrong-password")
        assert "Too many failed login attempts" not in response.content.decode()
    response = _login(client, "target@example.org", "wrong-password")
    assert "Too many failed login attempts" in response.content.decode()
    # Even the right password waits while the account is throttled.
    assert _login(client, "target@example.org").status_code == 200


def test_login_attempts_from_one_address_are_throttled(client: Client, settings: object) -> None:
    for number in range(12):
        response = _login(client, f"nobody{number}@example.org", "wrong-password")
    assert "Too many failed login attempts" in response.content.decode()


def test_password_reset_by_email(client: Client) -> None:
    make_user("reset@example.org")
    client.post("/en/accounts/password/reset/", {"email": "reset@example.org"})
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body).group(1)
    form_url = client.get(link)["Location"]
    new_password = "a-brand-new-passphrase-2026"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    client.logout()
    assert _login(client, "reset@example.org", new_password).status_code == 302


def test_member_edits_profile_and_joins_an_organisation(client: Client) -> None:
    organisation = make_organisation()
    user = make_user("bat@example.org")
    client.force_login(user)
    response = client.post(
        "/mn/accounts/profile/",
        {
            "name": "  Бат-Эрдэнэ   Дорж ",
            "organisation": organisation.pk,
            "languages": ["mn", "ru"],
            "bio": "<script>alert(1)</script>Бичил *уурхай*",
            "listed_in_directory": "on",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "Бат-Эрдэнэ Дорж"
    assert user.languages == ["mn", "ru"]
    assert Membership.objects.filter(user=user, organisation=organisation, role="member").exists()
    url = f"/en/accounts/people/{user.pk}/"
    # A new member's profile text waits for a moderator; the rest of the profile shows.
    page = Client().get(url).content.decode()
    assert "уурхай" not in page and organisation.name_en in page
    moderation.approve(make_persona("moderator"), user)
    page = Client().get(url).content.decode()
    assert "<em>уурхай</em>" in page
    assert "<script>alert" not in page


def test_profile_rejects_unknown_languages_and_saves_nothing(client: Client) -> None:
    user = make_user("x@example.org", name="Before")
    client.force_login(user)
    response = client.post("/en/accounts/profile/", {"name": "After", "languages": ["xx"]})
    assert response.status_code == 200
    assert "is not one of the available choices" in response.content.decode()
    user.refresh_from_db()
    assert user.name == "Before"


def test_staff_enable_totp_and_then_need_the_code_to_log_in(client: Client) -> None:
    user = make_user("staff@example.org", is_staff=True)
    assert _login(client, user.email).status_code == 302
    # Activating two-factor login asks for the password again.
    step = client.get("/en/accounts/2fa/totp/activate/")
    if step.status_code == 302:
        client.post(step["Location"], {"password": PASSWORD})
    page = client.get("/en/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/en/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type="totp").exists()

    fresh = Client()
    step = _login(fresh, user.email)
    assert step["Location"] == "/en/accounts/2fa/authenticate/"
    assert fresh.get("/en/accounts/profile/").status_code == 302  # not logged in yet
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    assert fresh.post(step["Location"], {"code": code}).status_code == 302
    assert fresh.get("/en/accounts/profile/").status_code == 200


def test_expired_session_sends_to_login_and_saves_nothing(client: Client) -> None:
    from django.contrib.sessions.models import Session

    user = make_user("sleepy@example.org", name="Before")
    client.force_login(user)
    Session.objects.all().delete()  # the session expired on the server
    response = client.post("/en/accounts/profile/", {"name": "After"})
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")
    user.refresh_from_db()
    assert user.name == "Before"
