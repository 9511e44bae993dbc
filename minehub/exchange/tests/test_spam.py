"""Spam signals and how admission uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minehub.accounts.models import User
from minehub.core.testing import make_user
from minehub.exchange import policy, posting, spam
from minehub.exchange.models import BlockedDomain, Post, Standing, State

pytestmark = pytest.mark.django_db


def _trusted(email: str) -> User:
    user = make_user(email)
    Standing.objects.create(user=user, trust=Standing.Trust.TRUSTED)
    return user


def _links(count: int) -> str:
    return " ".join(f"see https://site{n}.example/page" for n in range(count))


def test_links_are_found_in_markdown_autolinks_and_bare_text() -> None:
    text = "[a](https://a.example/x) <http://b.example> and www.c.example/y, not d.example"
    assert len(spam.links(text)) == 3
    assert spam.domains(text) == {"a.example", "b.example", "c.example"}


@given(st.text(max_size=200))
def test_every_link_found_is_a_web_address_from_the_text(text: str) -> None:
    for link in spam.links(text):
        assert link in text
        assert link.lower().startswith(("http://", "https://", "www."))
    for domain in spam.domains(text):
        assert domain and domain in text.lower()


def test_trusted_members_with_many_links_are_held() -> None:
    member = _trusted("links@example.org")
    assert policy.admit(member, _links(10)) == State.VISIBLE
    state, reasons = policy.assess(member, _links(11))
    assert state == State.HELD
    assert any("11 links" in reason for reason in reasons)


def test_new_members_have_a_lower_link_limit() -> None:
    newcomer = make_user("newlinks@example.org")
    assert not any("links" in reason for reason in policy.assess(newcomer, _links(2))[1])
    assert any("3 links" in reason for reason in policy.assess(newcomer, _links(3))[1])


def test_link_limits_are_settings(settings: object) -> None:
    settings.MINEHUB_TRUSTED_MAX_LINKS = 1
    assert policy.admit(_trusted("strict@example.org"), _links(2)) == State.HELD


def test_blocked_domains_and_their_subdomains_hold_even_trusted_members() -> None:
    member = _trusted("blocked@example.org")
    BlockedDomain.objects.create(domain="casino.example")
    assert policy.admit(member, "fine https://mining.example/") == State.VISIBLE
    for text in (
        "see https://casino.example/win",
        "see http://www.casino.example",
        "x https://eu.casino.example",
    ):
        state, reasons = policy.assess(member, text)
        assert state == State.HELD, text
        assert any("casino.example" in reason for reason in reasons)
    # Not a subdomain: a different domain that merely ends alike.
    assert policy.admit(member, "https://notcasino.example/") == State.VISIBLE


def test_the_same_text_twice_in_a_day_by_one_member_is_held() -> None:
    member = _trusted("repeat@example.org")
    body = "Our federation offers training on mercury-free processing in Bayankhongor."
    first = posting.create_post(
        member, kind="experience", title="Training", body=body, language="en"
    )
    assert first.state == State.VISIBLE
    second = posting.create_post(member, kind="experience", title="Again", body=body, language="en")
    assert second.state == State.HELD
    # After a day the same announcement may go out again.
    Post.objects.filter(pk__in=[first.pk, second.pk]).update(
        created_at=first.created_at - timedelta(hours=25)
    )
    third = posting.create_post(member, kind="experience", title="Weekly", body=body, language="en")
    assert third.state == State.VISIBLE


def test_short_replies_may_repeat() -> None:
    member = _trusted("thanks@example.org")
    post = posting.create_post(member, kind="question", title="Q", body="Question?", language="en")
    for _ in range(2):
        reply = posting.add_reply(
            member, post=post, kind="comment", body="Thank you!", language="en"
        )
        assert reply.state == State.VISIBLE


def test_the_same_text_from_three_members_within_an_hour_is_held() -> None:
    body = "Best prices for gold buying, contact us on our channel right now!"
    states = [
        posting.create_post(
            _trusted(f"wave{n}@example.org"),
            kind="question",
            title=f"T{n}",
            body=body,
            language="en",
        ).state
        for n in range(3)
    ]
    assert states == [State.VISIBLE, State.VISIBLE, State.HELD]


def test_suspended_members_are_never_admitted_visible() -> None:
    from django.utils import timezone

    member = make_user("susp@example.org")
    Standing.objects.create(
        user=member,
        trust=Standing.Trust.TRUSTED,
        suspended_until=timezone.now() + timedelta(days=1),
    )
    assert policy.admit(member, "hello") == State.HELD
