"""Digests: one e-mail per member a day (or a week), in their language, sent once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from minehub.accounts.models import User
from minehub.core.testing import make_user
from minehub.exchange import digests, following, notify
from minehub.exchange.models import EmailPreference, Notification, PostKind
from minehub.exchange.tests.test_following import Capture, make_post, make_topic, publish_post

pytestmark = pytest.mark.django_db


def _two_posts_for(capture: Capture, follower: User) -> None:
    topic = make_topic()
    following.follow(follower, topic)
    author = make_user("author@example.org", name="Gulnara")
    publish_post(capture, make_post(author, topics=(topic,), title="Mercury-free gold"))
    publish_post(
        capture, make_post(author, topics=(topic,), title="Dust at night", kind=PostKind.EXPERIENCE)
    )


def test_the_daily_digest_gathers_the_posts_and_is_sent_once(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    _two_posts_for(django_capture_on_commit_callbacks, follower)
    # The immediate outbox leaves digest notifications alone.
    assert notify.send_pending() == 0 and mail.outbox == []
    assert digests.send_digests("weekly") == 0

    assert digests.send_digests("daily") == 1
    assert digests.send_digests("daily") == 0  # a second run, or a second worker
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["follower@example.org"]
    assert "2 new items" in message.subject
    assert "Gulnara asked “Mercury-free gold”" in message.body
    assert "Gulnara shared an experience: “Dust at night”" in message.body
    html = message.alternatives[0][0]
    assert "Gulnara asked “Mercury-free gold”" in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


def test_weekly_readers_get_only_the_weekly_digest(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    EmailPreference.objects.create(user=follower, kind="exchange.post", frequency="weekly")
    _two_posts_for(django_capture_on_commit_callbacks, follower)
    assert digests.send_digests("daily") == 0
    assert digests.send_digests("weekly") == 1
    assert "weekly" in mail.outbox[0].subject


def test_each_member_gets_their_digest_in_their_language(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    russian = make_user("ru@example.org", languages=["ru"])
    kyrgyz = make_user("ky@example.org", languages=["uz", "ky"])
    nobody_said = make_user("default@example.org")
    topic = make_topic()
    for member in (russian, kyrgyz, nobody_said):
        following.follow(member, topic)
    post = make_post(make_user("a@example.org"), topics=(topic,))
    publish_post(django_capture_on_commit_callbacks, post)
    assert digests.send_digests("daily") == 3
    by_address = {message.to[0]: message for message in mail.outbox}
    for address, language in [
        ("ru@example.org", "ru"),
        ("ky@example.org", "ky"),
        ("default@example.org", "mn"),  # settings.LANGUAGE_CODE
    ]:
        message = by_address[address]
        assert f'lang="{language}"' in message.alternatives[0][0]
        assert f"/{language}/exchange/following/unsubscribe/" in message.body
        assert f"/{language}/exchange/{post.pk}/" in message.body  # the thread, in their language


def test_a_crash_while_sending_leaves_the_digest_queued(
    django_capture_on_commit_callbacks: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    _two_posts_for(django_capture_on_commit_callbacks, follower)
    real = digests._email

    def failing(*args: object) -> object:
        raise ConnectionError("mail server went away")

    monkeypatch.setattr(digests, "_email", failing)
    with pytest.raises(ConnectionError):
        digests.send_digests("daily")
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 2
    monkeypatch.setattr(digests, "_email", real)
    assert digests.send_digests("daily") == 1
    assert len(mail.outbox) == 1


def test_the_digest_unsubscribe_link_stops_the_digest_in_one_click(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    EmailPreference.objects.create(user=follower, kind="exchange.mention", frequency="daily")
    _two_posts_for(django_capture_on_commit_callbacks, follower)
    digests.send_digests("daily")
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    link = link.removeprefix("http://localhost:8000")
    page = Client().get(link)
    assert b"daily digest" in page.content
    assert Client(enforce_csrf_checks=True).post(link).status_code == 200
    assert following.frequencies_of(follower) == {
        "exchange.post": "never",
        "exchange.reply": "immediate",  # not part of the digest: unchanged
        "exchange.mention": "never",
        "exchange.accepted": "immediate",
        "exchange.moderated": "immediate",
    }


def test_stopping_the_digest_drops_what_was_waiting_for_it(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    _two_posts_for(django_capture_on_commit_callbacks, follower)
    token = following.unsubscribe_token(follower.pk, digest="daily")
    Client().post(f"/en/exchange/following/unsubscribe/{token}/")
    assert digests.send_digests("daily") == 0
    assert Notification.objects.filter(recipient=follower).count() == 2  # still in the hub


def test_the_command_sends_the_digests(django_capture_on_commit_callbacks: Capture) -> None:
    _two_posts_for(django_capture_on_commit_callbacks, make_user("follower@example.org"))
    out = StringIO()
    call_command("send_digests", "--daily", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert len(mail.outbox) == 1
