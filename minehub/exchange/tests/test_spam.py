"""Spam signals and how admission uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import translation
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
    assert reasons == [{"code": policy.LINKS, "count": 11, "limit": 10}]
    with translation.override("en"):
        assert policy.describe(reasons[0]) == "11 links (at most 10 without review)."


def test_new_members_have_a_lower_link_limit() -> None:
    newcomer = make_user("newlinks@example.org")
    codes = [reason["code"] for reason in policy.assess(newcomer, _links(2))[1]]
    assert codes == [policy.NEW_MEMBER]
    assert {"code": policy.LINKS, "count": 3, "limit": 2} in policy.assess(newcomer, _links(3))[1]


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
        assert any(reason.get("domains") == ["casino.example"] for reason in reasons)
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


def test_why_a_contribution_was_held_is_stored_with_it() -> None:
    newcomer = make_user("held-reasons@example.org")
    post = posting.create_post(
        newcomer, kind="question", title="Links", body=_links(3), language="en"
    )
    assert post.state == State.HELD
    assert [reason["code"] for reason in post.held_reasons] == [policy.NEW_MEMBER, policy.LINKS]


def test_an_edit_that_adds_spam_links_sends_a_visible_post_back_for_review(
    django_capture_on_commit_callbacks: object,
) -> None:
    from minehub.search.models import Entry

    member = _trusted("editor-spam@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        post = posting.create_post(
            member, kind="experience", title="Washing without mercury", language="en",
            body="We built a sluice. https://mining.example/sluice",
        )  # fmt: skip
    assert post.state == State.VISIBLE
    assert Entry.objects.filter(object_id=post.pk, kind="post").exists()
    BlockedDomain.objects.create(domain="casino.example")

    # Rewording keeps it on the site, even with the link it already had.
    post = posting.edit(member, post, body=post.body + " It works.", version=post.version)
    assert post.state == State.VISIBLE

    post = posting.edit(
        member, post, body=post.body + " Win big https://casino.example/", version=post.version
    )
    post.refresh_from_db()
    assert post.state == State.HELD
    assert post.held_reasons == [{"code": policy.BLOCKED, "domains": ["casino.example"]}]
    assert not Entry.objects.filter(object_id=post.pk, kind="post").exists()


def test_an_edit_over_the_link_limit_holds_a_reply_and_takes_it_out_of_the_count() -> None:
    member = _trusted("reply-links@example.org")
    post = posting.create_post(
        member, kind="question", title="Which pump?", body="For a small sluice.", language="en"
    )
    reply = posting.add_reply(member, post=post, kind="answer", body="A 2 kW one.", language="en")
    post.refresh_from_db()
    assert (reply.state, post.reply_count) == (State.VISIBLE, 1)

    posting.edit(member, reply, body=_links(11), version=reply.version)

    reply.refresh_from_db()
    post.refresh_from_db()
    assert (reply.state, post.reply_count) == (State.HELD, 0)
    posting.publish(reply)
    post.refresh_from_db()
    assert post.reply_count == 1


def test_a_moderator_editing_links_in_is_not_held() -> None:
    moderator = make_user("links-moderator@example.org", is_superuser=True)
    post = posting.create_post(
        moderator, kind="solution", title="Links", body="none yet", language="en"
    )
    post = posting.edit(moderator, post, body=_links(20), version=post.version)
    assert post.state == State.VISIBLE
