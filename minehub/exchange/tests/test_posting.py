"""Posting services: creating, publishing, editing, deleting, accepting, voting."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from minehub.accounts.models import User
from minehub.core.models import Region, Topic
from minehub.core.testing import make_user
from minehub.exchange import following, posting
from minehub.exchange.models import Edit, Post, Reply, Standing, State, Vote
from minehub.search.registry import SEARCHABLE

pytestmark = pytest.mark.django_db


def trusted(email: str) -> User:
    user = make_user(email)
    Standing.objects.create(user=user, trust=Standing.Trust.TRUSTED)
    return user


def suspended(email: str) -> User:
    user = make_user(email)
    Standing.objects.create(user=user, suspended_until=timezone.now() + timedelta(days=1))
    return user


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(following, "announce_post", lambda post: calls.append(("post", post.pk)))
    monkeypatch.setattr(
        following, "announce_reply", lambda reply: calls.append(("reply", reply.pk))
    )
    return calls


def question(author: User, **values: Any) -> Post:
    # A new text each time: the same text twice is a spam signal that holds a post.
    body = f"We wash ore by the **river** ({uuid.uuid4().hex[:6]})."
    fields = {"kind": "question", "title": "How to keep mercury out of the river?",
              "body": body, "language": "mn", **values}  # fmt: skip
    return posting.create_post(author, **fields)


def test_a_trusted_member_posts_at_once_and_followers_are_told(announced: list) -> None:
    topic = Topic.objects.first()
    region = Region.objects.get(code="MN-047")
    post = question(trusted("t@example.org"), topics=[topic], regions=[region])
    assert post.state == State.VISIBLE
    assert post.published_at is not None
    assert list(post.topics.all()) == [topic] and list(post.regions.all()) == [region]
    assert announced == [("post", post.pk)]


def test_a_new_members_post_is_held_and_nobody_is_told_until_published(announced: list) -> None:
    post = question(make_user("new@example.org"))
    assert post.state == State.HELD and post.published_at is None
    assert announced == []
    posting.publish(post)
    posting.publish(post)  # approving twice is one approval
    post.refresh_from_db()
    assert post.state == State.VISIBLE and post.published_at is not None
    assert announced == [("post", post.pk)]


def test_the_same_submission_key_makes_one_post() -> None:
    author = trusted("t@example.org")
    key = uuid.uuid4()
    first = question(author, submission_key=key)
    second = question(author, submission_key=key, title="Sent again")
    assert first.pk == second.pk
    assert Post.objects.count() == 1


def test_a_key_colliding_in_the_database_returns_the_stored_post(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A concurrent double submission: the look-up misses, the unique constraint catches it.
    author = trusted("t@example.org")
    key = uuid.uuid4()
    first = question(author, submission_key=key)
    real_filter = Post.objects.filter

    def blind_filter(*args: Any, **kwargs: Any) -> Any:
        if "submission_key" in kwargs:
            return Post.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Post.objects, "filter", blind_filter)
    again = question(author, submission_key=key)
    assert again.pk == first.pk
    assert Post.objects.count() == 1


def test_a_suspended_member_cannot_post_reply_or_vote() -> None:
    blocked = suspended("s@example.org")
    with pytest.raises(PermissionDenied):
        question(blocked)
    post = question(trusted("t@example.org"))
    answer = posting.add_reply(
        trusted("a@example.org"), post=post, kind="answer", body="Use a retort.", language="ru"
    )
    with pytest.raises(PermissionDenied):
        posting.add_reply(blocked, post=post, kind="answer", body="x", language="mn")
    with pytest.raises(PermissionDenied):
        posting.vote(blocked, answer)


def test_an_answer_in_russian_to_a_mongolian_question_counts_and_is_announced(
    announced: list,
) -> None:
    post = question(trusted("t@example.org"))
    answer = posting.add_reply(
        trusted("a@example.org"), post=post, kind="answer", body="Реторта.", language="ru"
    )
    post.refresh_from_db()
    assert answer.language == "ru" and post.language == "mn"
    assert post.reply_count == 1
    assert ("reply", answer.pk) in announced


def test_a_held_reply_counts_only_once_published(announced: list) -> None:
    post = question(trusted("t@example.org"))
    reply = posting.add_reply(
        make_user("new@example.org"), post=post, kind="comment", body="Me too", language="mn"
    )
    post.refresh_from_db()
    assert reply.state == State.HELD and post.reply_count == 0
    posting.publish(reply)
    posting.publish(reply)
    post.refresh_from_db()
    assert post.reply_count == 1
    assert announced.count(("reply", reply.pk)) == 1


def test_answers_only_on_questions_and_never_under_another_reply() -> None:
    author = trusted("t@example.org")
    experience = question(author, kind="experience")
    with pytest.raises(ValidationError):
        posting.add_reply(author, post=experience, kind="answer", body="x", language="en")
    post = question(author)
    answer = posting.add_reply(author, post=post, kind="answer", body="a", language="en")
    with pytest.raises(ValidationError):
        posting.add_reply(author, post=post, parent=answer, kind="answer", body="b", language="en")
    other = question(author, title="Another")
    with pytest.raises(ValidationError):
        posting.add_reply(
            author, post=other, parent=answer, kind="comment", body="c", language="en"
        )


def test_edit_keeps_the_previous_text_and_refuses_a_stale_version() -> None:
    author = trusted("t@example.org")
    post = question(author)
    edited = posting.edit(author, post, title="Keeping mercury out", body="Version two", version=1)
    assert edited.version == 2
    history = Edit.objects.get(post=post)
    assert (history.version, history.title) == (1, "How to keep mercury out of the river?")
    assert history.body.startswith("We wash ore by the **river**")
    with pytest.raises(posting.EditConflict) as conflict:
        posting.edit(author, post, body="Late edit from an old tab", version=1)
    assert conflict.value.current.body == "Version two"
    post.refresh_from_db()
    assert post.body == "Version two" and Edit.objects.filter(post=post).count() == 1


def test_only_the_author_or_a_moderator_edits() -> None:
    post = question(trusted("t@example.org"))
    with pytest.raises(PermissionDenied):
        posting.edit(trusted("other@example.org"), post, body="mine now", version=1)


def test_deleting_a_reply_keeps_it_on_record_and_fixes_the_thread() -> None:
    asker = trusted("t@example.org")
    post = question(asker)
    answerer = trusted("a@example.org")
    answer = posting.add_reply(answerer, post=post, kind="answer", body="a", language="en")
    posting.accept(asker, post, answer)
    posting.delete(answerer, answer)
    posting.delete(answerer, Reply.objects.get(pk=answer.pk))  # twice changes nothing more
    answer.refresh_from_db()
    post.refresh_from_db()
    assert answer.state == State.DELETED
    assert post.reply_count == 0 and post.accepted_answer_id is None


def test_accept_is_for_the_asker_and_replaces_the_earlier_answer() -> None:
    asker = trusted("t@example.org")
    post = question(asker)
    first = posting.add_reply(trusted("a@example.org"), post=post, kind="answer", body="a", language="en")  # fmt: skip
    second = posting.add_reply(trusted("b@example.org"), post=post, kind="answer", body="b", language="ru")  # fmt: skip
    with pytest.raises(PermissionDenied):
        posting.accept(trusted("c@example.org"), post, first)
    posting.accept(asker, post, first)
    posting.accept(asker, post, second)
    post.refresh_from_db()
    assert post.accepted_answer_id == second.pk


def test_accept_only_on_questions() -> None:
    asker = trusted("t@example.org")
    post = question(asker, kind="solution")
    comment = posting.add_reply(trusted("a@example.org"), post=post, kind="comment", body="c", language="en")  # fmt: skip
    with pytest.raises(PermissionDenied):
        posting.accept(asker, post, comment)


def test_votes_toggle_and_the_score_follows() -> None:
    post = question(trusted("t@example.org"))
    answerer = trusted("a@example.org")
    answer = posting.add_reply(answerer, post=post, kind="answer", body="a", language="en")
    voter = trusted("v@example.org")
    assert posting.vote(voter, answer) is True
    assert posting.vote(voter, answer, up=True) is True  # the same form sent twice
    answer.refresh_from_db()
    assert answer.score == 1 and Vote.objects.count() == 1
    assert posting.vote(voter, answer) is False
    answer.refresh_from_db()
    assert answer.score == 0 and Vote.objects.count() == 0
    with pytest.raises(PermissionDenied):
        posting.vote(answerer, answer)  # not for one's own answer


def test_comments_on_library_items_are_stored_against_the_item() -> None:
    from minehub.library.models import Document
    from minehub.publishing.testing import make_item

    document = make_item(Document)
    comment = posting.add_reply(
        trusted("t@example.org"), target=document, kind="comment", body="Useful", language="ky"
    )
    assert comment.target == document and comment.post is None
    with pytest.raises(ValidationError):
        posting.add_reply(
            trusted("u@example.org"), target=document, kind="answer", body="x", language="en"
        )


def test_posts_are_searchable_only_while_visible() -> None:
    assert SEARCHABLE["post"].document is posting.post_document
    post = question(make_user("new@example.org"))
    assert posting.post_document(post) is None
    posting.publish(post)
    document = posting.post_document(Post.objects.get(pk=post.pk))
    assert document is not None
    assert document.language == "mn" and "river" in document.text
    assert document.path.endswith(f"/exchange/{post.pk}/")


def test_saving_a_post_reaches_the_search_index_signals() -> None:
    from django.db.models.signals import post_save

    from minehub.search import signals

    receivers = post_save._live_receivers(Post)
    receivers = receivers[0] if isinstance(receivers, tuple) else receivers
    assert signals._saved in receivers
