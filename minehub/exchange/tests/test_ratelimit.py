"""Rate limits per member and per address, and sign-up throttling."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory

from minehub.accounts.models import User
from minehub.core.testing import PASSWORD, make_persona, make_user
from minehub.exchange import ratelimit
from minehub.exchange.models import Standing

pytestmark = pytest.mark.django_db


def _request(user: object, ip: str = "203.0.113.5", **headers: str) -> object:
    request = RequestFactory().post("/en/exchange/new/", REMOTE_ADDR=ip, **headers)
    request.user = user
    return request


def _allowed(user: object, action: str, times: int, **kwargs: str) -> int:
    allowed = 0
    for _ in range(times):
        try:
            ratelimit.check(_request(user, **kwargs), action)
        except ratelimit.RateLimited:
            continue
        allowed += 1
    return allowed


def test_new_members_post_five_times_an_hour() -> None:
    member = make_user("fast@example.org")
    assert _allowed(member, "post", 8) == 5
    with pytest.raises(ratelimit.RateLimited) as limited:
        ratelimit.check(_request(member), "post")
    assert 0 < limited.value.retry_after <= 3601


def test_replies_have_their_own_higher_limit() -> None:
    member = make_user("chatty@example.org")
    assert _allowed(member, "post", 5) == 5
    assert _allowed(member, "reply", 25) == 20


def test_trusted_members_have_a_higher_limit() -> None:
    member = make_user("trusted@example.org")
    Standing.objects.create(user=member, trust=Standing.Trust.TRUSTED)
    assert _allowed(member, "post", 35, ip="198.51.100.1") == 30


def test_one_address_is_limited_across_accounts() -> None:
    users = [make_user(f"sock{n}@example.org") for n in range(10)]
    allowed = sum(_allowed(user, "post", 5, ip="192.0.2.9") for user in users)
    assert allowed == 30


def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit() -> None:
    users = [make_user(f"forger{n}@example.org") for n in range(10)]
    allowed = sum(
        _allowed(user, "post", 5, ip="192.0.2.10", HTTP_X_FORWARDED_FOR=f"10.0.0.{index}")
        for index, user in enumerate(users)
    )
    assert allowed == 30


def test_behind_a_trusted_proxy_the_forwarded_address_counts(settings: object) -> None:
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    users = [make_user(f"proxied{n}@example.org") for n in range(10)]
    allowed = sum(
        _allowed(user, "post", 5, ip="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
        for index, user in enumerate(users)
    )
    assert allowed == 50  # each client its own address: only the per-member limit applies


def test_limits_are_settings(settings: object) -> None:
    settings.MINEHUB_RATE_LIMITS = {"post": {"new": (2, 60)}}
    assert _allowed(make_user("two@example.org"), "post", 4) == 2


def test_moderators_are_not_limited() -> None:
    assert _allowed(make_persona("moderator"), "post", 40) == 40


def test_anonymous_requests_count_per_address() -> None:
    assert _allowed(AnonymousUser(), "reply", 130, ip="192.0.2.77") == 120


def test_unknown_actions_are_a_programming_error() -> None:
    with pytest.raises(ValueError):
        ratelimit.check(_request(make_user("x@example.org")), "vote")


def test_too_many_answers_429_with_a_translated_message_and_retry_after() -> None:
    from django.utils import translation

    request = _request(make_user("wait@example.org"))
    with translation.override("en"):
        response = ratelimit.too_many(request, ratelimit.RateLimited("post", 600))
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "try again in 10 minutes" in response.content.decode()


def test_rate_limited_is_a_permission_refusal() -> None:
    from django.core.exceptions import PermissionDenied

    assert issubclass(ratelimit.RateLimited, PermissionDenied)


def test_signups_from_one_address_are_throttled() -> None:
    # settings.ACCOUNT_RATE_LIMITS["signup"] is "20/h/ip" by default (allauth).
    client = Client(REMOTE_ADDR="203.0.113.200")
    statuses = []
    for number in range(22):
        response = client.post(
            "/en/accounts/signup/",
            {"email": f"bot{number}@spam.example", "password1": PASSWORD, "password2": PASSWORD},
        )
        statuses.append(response.status_code)
        client.logout()
    assert statuses[:20] == [302] * 20
    assert statuses[20:] == [429, 429]
    assert User.objects.filter(email__endswith="@spam.example").count() == 20
    # Another address still signs up.
    other = Client(REMOTE_ADDR="203.0.113.201")
    response = other.post(
        "/en/accounts/signup/",
        {"email": "human@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
