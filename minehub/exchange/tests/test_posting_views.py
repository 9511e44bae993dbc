"""Posting views through the HTTP client: lists, threads, writing, permissions."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from minehub.accounts.models import User
from minehub.core.testing import (
    PERSONAS,
    Personas,
    active_content,
    check_permission_matrix,
    client_for,
    make_user,
)
from minehub.exchange import posting
from minehub.exchange.models import Edit, Post, Reply, Standing, State

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    with translation.override("en"):
        return reverse(f"exchange:{name}", kwargs=kwargs)


def trusted(email: str) -> User:
    user = make_user(email)
    Standing.objects.create(user=user, trust=Standing.Trust.TRUSTED)
    return user


def suspended(email: str = "suspended-member@example.org") -> User:
    user = make_user(email)
    Standing.objects.create(user=user, suspended_until=timezone.now() + timedelta(days=1))
    return user


def make_post(author: User, **values: Any) -> Post:
    fields = {"kind": "question", "title": "Mercury in the river",
              "body": f"How do we stop it? {uuid.uuid4().hex[:6]}", "language": "mn"}  # fmt: skip
    post = Post.objects.create(author=author, **{**fields, **values})
    if post.state == State.HELD and "state" not in values:
        posting.publish(post)
        post.refresh_from_db()
    return post


def make_reply(post: Post, author: User, **values: Any) -> Reply:
    fields = {"kind": "answer", "body": f"Use a retort {uuid.uuid4().hex[:6]}", "language": "ru",
              "state": State.VISIBLE}  # fmt: skip
    return Reply.objects.create(post=post, author=author, **{**fields, **values})


def post_form(**values: Any) -> dict[str, Any]:
    return {"kind": "question", "title": "Where to test water?", "body": "Any lab in Bayankhongor?",
            "language": "mn", "submission_key": str(uuid.uuid4()), **values}  # fmt: skip


# ----------------------------------------------------------------------- permissions


@pytest.fixture
def others_post(db: None) -> Post:
    return make_post(trusted("asker@example.org"))


def test_permission_matrix_of_reading(personas: Personas, others_post: Post) -> None:
    everyone = dict.fromkeys(PERSONAS, 200)
    assert check_permission_matrix(personas, url("post-list"), everyone) == []
    assert check_permission_matrix(personas, url("post-detail", pk=others_post.pk), everyone) == []


def test_permission_matrix_of_a_held_post(personas: Personas) -> None:
    held = make_post(make_user("new@example.org"), state=State.HELD)
    expected = {**dict.fromkeys(PERSONAS, 404), "moderator": 200, "administrator": 200}
    assert check_permission_matrix(personas, url("post-detail", pk=held.pk), expected) == []
    assert client_for(held.author).get(url("post-detail", pk=held.pk)).status_code == 200


def test_permission_matrix_of_writing(personas: Personas, others_post: Post) -> None:
    # The "suspended" persona is a deactivated account: it is not signed in at all.
    members = {**dict.fromkeys(PERSONAS, 200), "anonymous": 302, "suspended": 302}
    assert check_permission_matrix(personas, url("post-create"), members) == []
    edit = {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, "suspended": 302,
            "moderator": 200, "administrator": 200}  # fmt: skip
    assert check_permission_matrix(personas, url("post-edit", pk=others_post.pk), edit) == []
    assert check_permission_matrix(personas, url("post-delete", pk=others_post.pk), edit) == []
    assert (
        client_for(others_post.author).get(url("post-edit", pk=others_post.pk)).status_code == 200
    )


def test_permission_matrix_of_voting_and_accepting(personas: Personas, others_post: Post) -> None:
    answer = make_reply(others_post, trusted("answerer@example.org"))
    votes = {**dict.fromkeys(PERSONAS, 302), "anonymous": 302, "suspended": 302}
    assert (
        check_permission_matrix(
            personas, url("reply-vote", pk=answer.pk), votes, method="post", data={"up": "1"}
        )
        == []
    )
    accepting = {**dict.fromkeys(PERSONAS, 403), "anonymous": 302, "suspended": 302}
    accept_url = url("post-accept", pk=others_post.pk, reply_pk=answer.pk)
    assert check_permission_matrix(personas, accept_url, accepting, method="post") == []
    assert client_for(others_post.author).post(accept_url).status_code == 302
    others_post.refresh_from_db()
    assert others_post.accepted_answer_id == answer.pk


def test_a_suspended_member_is_refused_on_every_path(others_post: Post) -> None:
    answer = make_reply(others_post, trusted("answerer@example.org"))
    own = make_post(trusted("soon-suspended@example.org"))
    author = own.author
    Standing.objects.filter(user=author).update(suspended_until=timezone.now() + timedelta(days=1))
    for client in (client_for(suspended()), client_for(author)):
        assert client.get(url("post-create")).status_code == 403
        assert client.post(url("post-create"), post_form()).status_code == 403
        reply = {"kind": "answer", "body": "x", "language": "mn"}
        assert client.post(url("post-reply", pk=others_post.pk), reply).status_code == 403
        assert client.post(url("reply-vote", pk=answer.pk), {"up": "1"}).status_code == 403
    assert client_for(author).get(url("post-edit", pk=own.pk)).status_code == 403
    assert client_for(author).post(url("post-delete", pk=own.pk)).status_code == 403
    assert Post.objects.count() == 2 and Reply.objects.count() == 1


# ----------------------------------------------------------------------- writing


def test_double_submitting_the_form_creates_one_post() -> None:
    client = client_for(trusted("writer@example.org"))
    data = post_form()
    first = client.post(url("post-create"), data)
    second = client.post(url("post-create"), data)  # the retry after a time-out
    post = Post.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == url("post-detail", pk=post.pk)
    assert post.state == State.VISIBLE and post.language == "mn"


def test_the_form_proposes_the_interface_language_and_a_fresh_key() -> None:
    client = client_for(make_user("writer@example.org"))
    first = client.get("/ru/exchange/new/")
    second = client.get("/ru/exchange/new/")
    assert first.context["form"].initial["language"] == "ru"
    keys = [r.context["form"].initial["submission_key"] for r in (first, second)]
    assert keys[0] != keys[1]


def test_a_new_members_post_waits_for_review_and_says_so() -> None:
    client = client_for(make_user("new@example.org"))
    response = client.post(url("post-create"), post_form(), follow=True)
    post = Post.objects.get()
    assert post.state == State.HELD
    assert b"Waiting for review" in response.content
    assert post.title not in client_for(None).get(url("post-list")).content.decode()


def test_a_rate_limited_post_is_refused_with_429(monkeypatch: pytest.MonkeyPatch) -> None:
    from minehub.exchange import ratelimit

    def refuse(request: Any, action: str) -> None:
        raise ratelimit.RateLimited(action, 60)

    monkeypatch.setattr(ratelimit, "check", refuse)
    response = client_for(trusted("fast@example.org")).post(url("post-create"), post_form())
    assert response.status_code == 429
    assert Post.objects.count() == 0


def test_an_answer_in_russian_on_a_mongolian_thread_shows_both_languages() -> None:
    post = make_post(trusted("asker@example.org"))
    client = client_for(trusted("answerer@example.org"))
    data = {"kind": "answer", "body": "Используйте реторту.", "language": "ru",
            "submission_key": str(uuid.uuid4())}  # fmt: skip
    response = client.post(url("post-reply", pk=post.pk), data)
    client.post(url("post-reply", pk=post.pk), data)  # double click
    reply = Reply.objects.get()
    assert response["Location"] == f"{url('post-detail', pk=post.pk)}#reply-{reply.pk}"
    page = client_for(None).get(url("post-detail", pk=post.pk)).content.decode()
    assert '<div class="prose" lang="mn">' in page and '<div class="prose" lang="ru">' in page
    assert "Mongolian" in page and "Russian" in page  # named in the reader's language
    assert '<html lang="en">' in page
    post.refresh_from_db()
    assert post.reply_count == 1


def test_comments_on_answers_and_on_the_post_are_threaded() -> None:
    post = make_post(trusted("asker@example.org"), kind="solution")
    client = client_for(trusted("commenter@example.org"))
    data = {"kind": "comment", "body": "Which retort?", "language": "en",
            "submission_key": str(uuid.uuid4())}  # fmt: skip
    assert client.post(url("post-reply", pk=post.pk), data).status_code == 302
    # A solution takes comments, never answers.
    answer = {**data, "kind": "answer", "submission_key": str(uuid.uuid4())}
    assert client.post(url("post-reply", pk=post.pk), answer).status_code == 400
    response = client_for(None).get(url("post-detail", pk=post.pk))
    assert [c.body for c in response.context["post_comments"]] == ["Which retort?"]


def test_answers_show_accepted_first_then_by_votes() -> None:
    post = make_post(trusted("asker@example.org"))
    early = make_reply(post, trusted("a@example.org"))
    popular = make_reply(post, trusted("b@example.org"), score=5)
    accepted = make_reply(post, trusted("c@example.org"))
    comment = make_reply(post, trusted("d@example.org"), kind="comment", parent=early)
    Post.objects.filter(pk=post.pk).update(accepted_answer=accepted)
    response = client_for(None).get(url("post-detail", pk=post.pk))
    answers = response.context["answers"]
    assert [a.pk for a in answers] == [accepted.pk, popular.pk, early.pk]
    assert [c.pk for c in answers[2].thread_comments] == [comment.pk]
    assert b"Accepted answer" in response.content


def test_voting_through_the_page_twice_leaves_one_vote() -> None:
    post = make_post(trusted("asker@example.org"))
    answer = make_reply(post, trusted("a@example.org"))
    client = client_for(trusted("voter@example.org"))
    client.post(url("reply-vote", pk=answer.pk), {"up": "1"})
    client.post(url("reply-vote", pk=answer.pk), {"up": "1"})
    answer.refresh_from_db()
    assert answer.score == 1
    page = client.get(url("post-detail", pk=post.pk)).content.decode()
    assert "Withdraw my vote" in page


def test_held_replies_are_seen_by_their_author_and_moderators_only(personas: Personas) -> None:
    post = make_post(trusted("asker@example.org"))
    writer = make_user("new@example.org")
    held = make_reply(post, writer, state=State.HELD, body="Call me about gold")
    assert held.body not in client_for(None).get(url("post-detail", pk=post.pk)).content.decode()
    own_view = client_for(writer).get(url("post-detail", pk=post.pk)).content.decode()
    assert held.body in own_view and "Waiting for review" in own_view
    assert (
        held.body
        in personas.client("moderator").get(url("post-detail", pk=post.pk)).content.decode()
    )


def test_editing_keeps_history_and_a_stale_edit_shows_the_text_back() -> None:
    author = trusted("asker@example.org")
    post = make_post(author)
    client = client_for(author)
    edit_url = url("post-edit", pk=post.pk)
    saved = client.post(edit_url, {"title": "Mercury", "body": "Second version", "version": 1})
    assert saved.status_code == 302
    stale = client.post(edit_url, {"title": "Mercury", "body": "My late words", "version": 1})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else saved a change" in page and "My late words" in page
    assert 'name="version" value="2"' in page  # sending again saves on top of version 2
    post.refresh_from_db()
    assert post.body == "Second version" and post.version == 2
    assert Edit.objects.filter(post=post).count() == 1


def test_a_deleted_reply_with_comments_stays_as_a_placeholder() -> None:
    post = make_post(trusted("asker@example.org"))
    author = trusted("a@example.org")
    answered = make_reply(post, author, body="Answer with comments")
    lonely = make_reply(post, author, body="Answer without comments")
    make_reply(post, trusted("c@example.org"), kind="comment", parent=answered, body="Thanks")
    client = client_for(author)
    for reply in (answered, lonely):
        assert client.post(url("reply-delete", pk=reply.pk)).status_code == 302
    page = client_for(None).get(url("post-detail", pk=post.pk)).content.decode()
    assert "This reply was deleted." in page and "Thanks" in page
    assert f'id="reply-{lonely.pk}"' not in page
    assert "Answer with comments" not in page and "Answer without comments" not in page


def test_hostile_markdown_is_neutralised_on_the_thread_page() -> None:
    hostile = (
        "<script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(1)">\n\n<form action="/steal"><input></form>\n\n'
        "![x](javascript:alert(2))"
    )
    post = make_post(trusted("asker@example.org"), body=hostile)
    make_reply(post, trusted("a@example.org"), body=hostile)
    benign = make_post(trusted("b@example.org"), body="Plain words")
    client = client_for(None)
    page = client.get(url("post-detail", pk=post.pk)).content.decode()
    calm = client.get(url("post-detail", pk=benign.pk)).content.decode()
    found = [item for item in active_content(page) if item != "<form>"]
    assert found == []
    # The page's own forms (the language switcher) only: none came from the text.
    assert page.count("<form") == calm.count("<form")


def test_names_and_moderation_notes_on_reply_cards_are_escaped() -> None:
    post = make_post(trusted("asker@example.org"), kind="question")
    author = trusted("quote@example.org")
    author.name = '<b onmouseover="x()">"Bold"</b>'
    author.save(update_fields=["name"])
    answer = make_reply(post, author, body="An answer")
    Reply.objects.filter(pk=answer.pk).update(state=State.HIDDEN, moderation_note="<i>no</i>")
    make_reply(post, author, body="Another")

    reader = client_for(author)  # the author sees their hidden answer with the note
    page = reader.get(url("post-detail", pk=post.pk)).content.decode()

    assert "&lt;b onmouseover=&quot;x()&quot;&gt;&quot;Bold&quot;&lt;/b&gt;" in page
    assert "<b onmouseover" not in page
    assert "&lt;i&gt;no&lt;/i&gt;" in page and "<i>no</i>" not in page


def test_the_thread_page_costs_the_same_queries_for_many_replies(
    django_assert_max_num_queries: Any,
) -> None:
    post = make_post(trusted("asker@example.org"))
    people = [trusted(f"p{n}@example.org") for n in range(4)]
    reader = client_for(trusted("reader@example.org"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(url("post-detail", pk=post.pk)).status_code == 200
        return len(captured)

    for n in range(3):
        make_reply(post, people[n % 4])
    few = queries()
    for n in range(40):
        answer = make_reply(post, people[n % 4])
        make_reply(post, people[(n + 1) % 4], kind="comment", parent=answer)
    with django_assert_max_num_queries(15):
        reader.get(url("post-detail", pk=post.pk))
    assert queries() == few


def test_the_list_filters_by_kind_and_language() -> None:
    author = trusted("asker@example.org")
    make_post(author, title="A Mongolian question")
    make_post(author, title="A Russian solution", kind="solution", language="ru")
    client = client_for(None)
    titles = lambda query: [p.title for p in client.get(url("post-list"), query).context["page"]]  # noqa: E731
    assert titles({"kind": "solution"}) == ["A Russian solution"]
    assert titles({"language": "mn"}) == ["A Mongolian question"]
    assert titles({}) == ["A Russian solution", "A Mongolian question"]  # newest activity first


# ----------------------------------------------------------------------- other content


def test_members_comment_on_published_library_items_only() -> None:
    from minehub.library.models import Document
    from minehub.publishing.content import Status
    from minehub.publishing.testing import make_item

    document = make_item(Document)
    draft = make_item(Document, "Draft report", status=Status.DRAFT)
    client = client_for(trusted("reader@example.org"))
    data = {"kind": "comment", "body": "Very useful", "language": "ky",
            "submission_key": str(uuid.uuid4())}  # fmt: skip
    response = client.post(url("comment", content_type_key="document", object_pk=document.pk), data)
    assert response.status_code == 302
    client.post(url("comment", content_type_key="document", object_pk=document.pk), data)
    draft_url = url("comment", content_type_key="document", object_pk=draft.pk)
    assert client.post(draft_url, data).status_code == 404
    assert (
        client.post(url("comment", content_type_key="nothing", object_pk=1), data).status_code
        == 404
    )
    assert client_for(suspended()).post(draft_url, data).status_code == 403
    assert Reply.objects.get().target == document

    request = RequestFactory().get("/en/library/")
    request.user = make_user("viewer@example.org")
    with translation.override("en"):
        html = Template("{% load exchange_posting %}{% comments_for item %}").render(
            RequestContext(request, {"item": document})
        )
    assert "Very useful" in html and 'lang="ky"' in html
    assert re.search(r'action="/en/exchange/comment/document/\d+/"', html)


def test_anonymous_readers_are_sent_to_log_in_to_write(others_post: Post) -> None:
    response = Client().get(url("post-create"))
    assert response.status_code == 302 and "login" in response["Location"]
    page = Client().get(url("post-detail", pk=others_post.pk)).content.decode()
    assert "Log in to answer or comment." in page and 'name="body"' not in page


def test_commenting_on_an_answer_goes_through_the_one_reply_form() -> None:
    post = make_post(trusted("asker@example.org"))
    answer = make_reply(post, trusted("a@example.org"))
    client = client_for(trusted("commenter@example.org"))
    page = client.get(url("post-detail", pk=post.pk)).content.decode()
    assert f"?comment_on={answer.pk}#reply-form" in page
    response = client.get(url("post-detail", pk=post.pk), {"comment_on": answer.pk})
    form = response.context["reply_form"]
    assert form.initial["parent"] == answer.pk and form.initial["kind"] == "comment"
    assert f'name="parent" value="{answer.pk}"' in response.content.decode()
    data = {"kind": "comment", "parent": answer.pk, "body": "Which temperature?",
            "language": "en", "submission_key": str(uuid.uuid4())}  # fmt: skip
    assert client.post(url("post-reply", pk=post.pk), data).status_code == 302
    thread = client.get(url("post-detail", pk=post.pk)).context["answers"]
    assert [c.body for c in thread[0].thread_comments] == ["Which temperature?"]
