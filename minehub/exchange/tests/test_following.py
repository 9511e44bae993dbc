"""Following: members follow topics, regions, organisations, people and threads, and are
told — in the hub, and by e-mail as they chose — about new posts and replies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from minehub.accounts.models import User
from minehub.core.models import Region, Topic
from minehub.core.testing import (
    PERSONAS,
    Personas,
    check_permission_matrix,
    client_for,
    make_organisation,
    make_user,
)
from minehub.exchange import following
from minehub.exchange.models import (
    EmailPreference,
    Follow,
    Notification,
    Post,
    PostKind,
    Reply,
    ReplyKind,
    Standing,
    State,
)

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def make_topic(slug: str = "water") -> Topic:
    names = {f"name_{code}": slug.title() for code in ("en", "mn", "ky", "ru")}
    return Topic.objects.get_or_create(slug=f"test-{slug}", defaults=names)[0]


def make_post(author: User, *, topics: tuple[Topic, ...] = (), **values: Any) -> Post:
    fields = {
        "kind": PostKind.QUESTION,
        "title": "How do you settle tailings water?",
        "body": "We tried a pond.",
        "language": "en",
        "state": State.VISIBLE,
        "published_at": timezone.now(),
        **values,
    }
    post = Post.objects.create(author=author, **fields)
    post.topics.add(*topics)
    return post


def make_reply(author: User, post: Post | None = None, **values: Any) -> Reply:
    fields = {
        "kind": ReplyKind.ANSWER,
        "body": "Lime helps.",
        "language": "ru",
        "state": State.VISIBLE,
        **values,
    }
    return Reply.objects.create(author=author, post=post, **fields)


def publish_post(capture: Capture, post: Post) -> None:
    """As the posting code does: announce inside the transaction, e-mail after commit."""
    with capture(execute=True), transaction.atomic():
        following.announce_post(post)


def publish_reply(capture: Capture, reply: Reply) -> None:
    with capture(execute=True), transaction.atomic():
        following.announce_reply(reply)


def follow_url(model_key: str, pk: int, *, stop: bool = False) -> str:
    name = "exchange:unfollow" if stop else "exchange:follow"
    with translation.override("en"):
        return reverse(name, kwargs={"model_key": model_key, "pk": pk})


def test_a_new_post_on_a_followed_topic_tells_the_follower_once_in_the_hub(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    topic = make_topic()
    follower = make_user("follower@example.org", languages=["en"])
    author = make_user("author@example.org", name="Saruul")
    response = client_for(follower).post(follow_url("topic", topic.pk))
    assert response.status_code == 302
    post = make_post(author, topics=(topic,))

    publish_post(django_capture_on_commit_callbacks, post)
    publish_post(django_capture_on_commit_callbacks, post)  # a retried job

    notification = Notification.objects.get()
    assert notification.recipient == follower
    assert (notification.kind, notification.key) == ("exchange.post", f"post:{post.pk}")
    assert notification.text == "Saruul asked “How do you settle tailings water?”"
    # New posts default to the daily digest: nothing is mailed at once.
    assert notification.digest == "daily"
    assert mail.outbox == []


def test_a_follower_who_wants_posts_at_once_gets_one_email_with_one_click_unsubscribe(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    region = Region.objects.create(
        code="MN-T1", country="MN", name_en="Testaimag", name_mn="Т", name_ky="Т", name_ru="Т"
    )
    follower = make_user("follower@example.org", languages=["de", "ru"])
    EmailPreference.objects.create(user=follower, kind="exchange.post", frequency="immediate")
    following.follow(follower, region)
    post = make_post(make_user("author@example.org"), kind=PostKind.SOLUTION)
    post.regions.add(region)

    publish_post(django_capture_on_commit_callbacks, post)
    publish_post(django_capture_on_commit_callbacks, post)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["follower@example.org"]
    # The first spoken language the interface has: Russian.
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert "/ru/exchange/following/unsubscribe/" in unsubscribe
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get().language == "ru"
    assert f"/ru/exchange/{post.pk}/" in message.body


def test_followers_of_the_organisation_and_the_author_are_told_but_not_the_author(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    organisation = make_organisation()
    author = make_user("author@example.org")
    by_organisation = make_user("org-fan@example.org")
    by_person = make_user("person-fan@example.org")
    both = make_user("both@example.org")
    following.follow(by_organisation, organisation)
    following.follow(by_person, author)
    following.follow(both, author)
    following.follow(both, organisation)
    following.follow(author, organisation)
    post = make_post(author, organisation=organisation)

    publish_post(django_capture_on_commit_callbacks, post)

    told = set(Notification.objects.values_list("recipient__email", flat=True))
    assert told == {"org-fan@example.org", "person-fan@example.org", "both@example.org"}
    assert Notification.objects.count() == 3


def test_posts_not_visible_are_not_announced(django_capture_on_commit_callbacks: Capture) -> None:
    topic = make_topic()
    following.follow(make_user("follower@example.org"), topic)
    post = make_post(make_user("author@example.org"), topics=(topic,), state=State.HELD)
    publish_post(django_capture_on_commit_callbacks, post)
    assert not Notification.objects.exists()


def test_a_rolled_back_publication_tells_nobody() -> None:
    topic = make_topic()
    following.follow(make_user("follower@example.org"), topic)
    post = make_post(make_user("author@example.org"), topics=(topic,))
    with pytest.raises(RuntimeError), transaction.atomic():
        following.announce_post(post)
        raise RuntimeError("the publishing request failed later")
    assert not Notification.objects.exists()


def test_the_fan_out_is_a_background_job_queued_with_the_publication() -> None:
    from django_tasks_db.models import DBTaskResult

    topic = make_topic()
    follower = make_user("follower@example.org", languages=["en"])
    following.follow(follower, topic)
    post = make_post(make_user("author@example.org"), topics=(topic,))
    database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database_queue), transaction.atomic():
        following.announce_post(post)
    assert not Notification.objects.exists()  # nothing told in the request
    job = DBTaskResult.objects.get()
    assert job.args_kwargs["args"] == [post.pk]
    assert following.tell_about_post(post.pk) == 1  # what the worker runs
    assert Notification.objects.get().recipient == follower


def test_followers_of_many_targets_are_found_in_one_query() -> None:
    topics = [make_topic(f"t{n}") for n in range(3)]
    organisation = make_organisation()
    users = [make_user(f"u{n}@example.org") for n in range(4)]
    for user, target in zip(users, [*topics, organisation], strict=True):
        following.follow(user, target)
    following.follow(users[0], organisation)
    for model in (Topic, type(organisation)):
        ContentType.objects.get_for_model(model)  # the content-type cache is warm in a worker
    with CaptureQueriesContext(connection) as queries:
        found = following.followers_of([*topics, organisation])
    assert found == {user.pk for user in users}
    assert len(queries) == 1


def test_following_twice_and_unfollowing_twice_are_harmless() -> None:
    topic = make_topic()
    member = make_user("member@example.org")
    client = client_for(member)
    client.post(follow_url("topic", topic.pk))
    client.post(follow_url("topic", topic.pk))
    assert Follow.objects.filter(user=member).count() == 1
    client.post(follow_url("topic", topic.pk, stop=True))
    response = client.post(follow_url("topic", topic.pk, stop=True))
    assert response.status_code == 302
    assert not Follow.objects.exists()


def test_a_reply_tells_the_thread_followers_and_the_asker_and_makes_the_replier_follow(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    asker = make_user("asker@example.org", name="Asker")
    watcher = make_user("watcher@example.org")
    answerer = make_user("answerer@example.org", name="Answerer")
    post = make_post(asker)
    publish_post(django_capture_on_commit_callbacks, post)  # the asker follows their thread
    client_for(watcher).post(follow_url("post", post.pk))

    reply = make_reply(answerer, post)
    publish_reply(django_capture_on_commit_callbacks, reply)
    publish_reply(django_capture_on_commit_callbacks, reply)

    told = Notification.objects.filter(kind="exchange.reply")
    assert {n.recipient_id for n in told} == {asker.pk, watcher.pk}
    assert told.first().text == "Answerer answered “How do you settle tailings water?”"
    # Replies are e-mailed at once by default: one each.
    assert sorted(m.to[0] for m in mail.outbox) == ["asker@example.org", "watcher@example.org"]
    assert following.is_following(answerer, post)

    comment = make_reply(asker, post, kind=ReplyKind.COMMENT, body="Thanks!")
    publish_reply(django_capture_on_commit_callbacks, comment)
    told_now = Notification.objects.filter(key=f"reply:{comment.pk}")
    assert {n.recipient_id for n in told_now} == {watcher.pk, answerer.pk}


def test_a_member_who_unfollows_a_thread_hears_no_more(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    asker = make_user("asker@example.org")
    post = make_post(asker)
    publish_post(django_capture_on_commit_callbacks, post)
    client_for(asker).post(follow_url("post", post.pk, stop=True))
    publish_reply(django_capture_on_commit_callbacks, make_reply(make_user("a@example.org"), post))
    assert not Notification.objects.exists()


def test_preferences_are_saved_in_one_post_and_list_what_is_followed() -> None:
    member = make_user("member@example.org")
    topic = make_topic()
    organisation = make_organisation()
    following.follow(member, topic)
    following.follow(member, organisation)
    client = client_for(member)
    page = client.get("/en/exchange/following/preferences/")
    assert page.status_code == 200
    assert b"Water" in page.content and b"Test Organisation" in page.content
    response = client.post(
        "/en/exchange/following/preferences/",
        {
            "exchange_post": "weekly",
            "exchange_reply": "never",
            "exchange_mention": "daily",
            "exchange_accepted": "immediate",
            "exchange_moderated": "never",
        },
    )
    assert response.status_code == 302
    assert following.frequencies_of(member) == {
        "exchange.post": "weekly",
        "exchange.reply": "never",
        "exchange.mention": "daily",
        "exchange.accepted": "immediate",
        "exchange.moderated": "never",
    }
    bad = client.post("/en/exchange/following/preferences/", {"exchange_post": "hourly"})
    assert bad.status_code == 200
    assert following.frequencies_of(member)["exchange.post"] == "weekly"
    unfollow = client.post(
        follow_url("topic", topic.pk, stop=True),
        {"next": "/en/exchange/following/preferences/"},
    )
    assert unfollow["Location"] == "/en/exchange/following/preferences/"
    assert [key for key, _target in following.followed_by(member)] == ["organisation"]


def _token_link(capture: Capture, follower: User) -> str:
    topic = make_topic()
    EmailPreference.objects.create(user=follower, kind="exchange.post", frequency="immediate")
    following.follow(follower, topic)
    publish_post(capture, make_post(make_user("author@example.org"), topics=(topic,)))
    link = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>")
    return link.removeprefix("http://localhost:8000")


def test_unsubscribing_without_login_asks_on_get_and_stops_on_post(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    link = _token_link(django_capture_on_commit_callbacks, follower)
    visitor = Client()
    page = visitor.get(link)
    assert page.status_code == 200 and b"<form" in page.content
    assert following.frequencies_of(follower)["exchange.post"] == "immediate"  # GET changes nothing
    assert visitor.post(link).status_code == 200
    assert visitor.post(link).status_code == 200  # twice: still fine
    assert following.frequencies_of(follower)["exchange.post"] == "never"
    assert following.frequencies_of(follower)["exchange.reply"] == "immediate"


def test_one_click_unsubscribe_works_without_a_csrf_token(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    link = _token_link(django_capture_on_commit_callbacks, follower)
    mail_program = Client(enforce_csrf_checks=True)
    response = mail_program.post(link, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert EmailPreference.objects.get(user=follower, kind="exchange.post").frequency == "never"


def test_a_forged_unsubscribe_link_changes_nothing(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    follower = make_user("follower@example.org", languages=["en"])
    link = _token_link(django_capture_on_commit_callbacks, follower)
    forged = link.replace("/unsubscribe/", "/unsubscribe/x")
    response = Client().post(forged)
    assert b"not valid" in response.content
    assert following.frequencies_of(follower)["exchange.post"] == "immediate"


# ----------------------------------------------------------------------- permissions


def test_follow_permission_matrix(personas: Personas) -> None:
    topic = make_topic()
    expected = dict.fromkeys(PERSONAS, 302)  # members back to the page; others to log in
    assert check_permission_matrix(personas, follow_url("topic", topic.pk), expected, "post") == []
    followers = set(Follow.objects.values_list("user__email", flat=True))
    # The persona "suspended" is a deactivated account: it is sent to log in.
    assert followers == {
        f"{name}@personas.test" for name in PERSONAS if name not in {"anonymous", "suspended"}
    }
    # Following is a change: GET is refused.
    assert personas.client("member").get(follow_url("topic", topic.pk)).status_code == 405


def test_a_suspended_member_cannot_follow_but_can_unfollow() -> None:
    topic = make_topic()
    member = make_user("suspended@example.org")
    following.follow(member, topic)
    Standing.objects.create(user=member, suspended_until=timezone.now() + timedelta(days=3))
    client = client_for(member)
    other = make_topic("air")
    assert client.post(follow_url("topic", other.pk)).status_code == 403
    assert client.post(follow_url("topic", topic.pk, stop=True)).status_code == 302
    assert not Follow.objects.exists()


def test_preferences_permission_matrix(personas: Personas) -> None:
    expected = dict.fromkeys(PERSONAS, 200) | {"anonymous": 302, "suspended": 302}
    url = "/en/exchange/following/preferences/"
    assert check_permission_matrix(personas, url, expected) == []


def test_unfollow_permission_matrix(personas: Personas) -> None:
    topic = make_topic()
    expected = dict.fromkeys(PERSONAS, 302)
    assert (
        check_permission_matrix(
            personas, follow_url("topic", topic.pk, stop=True), expected, "post"
        )
        == []
    )


def test_unsubscribe_needs_no_login_for_anyone(
    personas: Personas, django_capture_on_commit_callbacks: Capture
) -> None:
    link = _token_link(django_capture_on_commit_callbacks, make_user("follower@example.org"))
    expected = dict.fromkeys(PERSONAS, 200)
    assert check_permission_matrix(personas, link, expected) == []


@pytest.mark.parametrize(
    ("model_key", "reason"),
    [("mineral", "not followable"), ("post", "held post"), ("person", "inactive member")],
)
def test_what_cannot_be_followed_is_not_found(model_key: str, reason: str) -> None:
    member = make_user("member@example.org")
    if model_key == "post":
        pk = make_post(make_user("a@example.org"), state=State.HELD).pk
    elif model_key == "person":
        pk = make_user("gone@example.org", is_active=False).pk
    else:
        pk = 1
    assert client_for(member).post(follow_url(model_key, pk)).status_code == 404, reason


def test_members_cannot_follow_themselves() -> None:
    member = make_user("member@example.org")
    assert client_for(member).post(follow_url("person", member.pk)).status_code == 400


def test_the_follow_button_shows_members_the_right_action() -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    topic = make_topic()
    member = make_user("member@example.org")
    template = Template('{% include "exchange/following/follow_button.html" %}')
    request = RequestFactory().get("/en/topics/water/")

    def render(user: Any) -> str:
        request.user = user
        return template.render(Context({"target": topic, "request": request}))

    from django.contrib.auth.models import AnonymousUser

    assert "<form" not in render(AnonymousUser())
    assert follow_url("topic", topic.pk) in render(member)
    following.follow(member, topic)
    assert follow_url("topic", topic.pk, stop=True) in render(member)
    # Suspended members see only the way out.
    suspended = make_user("suspended@example.org")
    Standing.objects.create(user=suspended, suspended_until=timezone.now() + timedelta(days=1))
    assert "<form" not in render(suspended)


def test_the_thread_page_offers_members_to_follow_the_thread() -> None:
    post = make_post(make_user("author@example.org"))
    page = client_for(make_user("member@example.org")).get(f"/en/exchange/{post.pk}/")
    assert page.status_code == 200
    assert follow_url("post", post.pk).encode() in page.content
    assert (
        follow_url("post", post.pk).encode() not in Client().get(f"/en/exchange/{post.pk}/").content
    )


def test_an_accepted_answer_tells_the_thread_followers_once_but_not_the_asker(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    from minehub.exchange import posting

    asker, answerer, follower = (make_user(f"{n}@example.org") for n in ("ask", "ans", "fol"))
    question = make_post(asker)
    answer = make_reply(answerer, question)
    following.follow(asker, question)
    following.follow(answerer, question)
    following.follow(follower, question)
    with django_capture_on_commit_callbacks(execute=True):
        posting.accept(asker, question, answer)
        posting.accept(asker, question, answer)  # again: nobody is told twice
    told = Notification.objects.filter(kind=following.ACCEPTED)
    assert sorted(n.recipient.email for n in told) == ["ans@example.org", "fol@example.org"]
    with translation.override("en"):
        assert told[0].text == f"ask accepted the answer by ans to “{question.title}”"
