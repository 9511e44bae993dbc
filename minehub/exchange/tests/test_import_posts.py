"""Member posts brought in by ``minehub import_documents`` (lines of type ``post``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from minehub.core.models import Topic
from minehub.core.testing import PASSWORD, make_user
from minehub.exchange import following, moderation
from minehub.exchange.importing import IMPORT_ACCOUNT_EMAIL
from minehub.exchange.models import Edit, Notification, Post, State
from minehub.library.ingest import import_documents
from minehub.search.engine import Mode, search

pytestmark = pytest.mark.django_db


def post_line(external_id: str = "old-1", **values: Any) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "type": "post",
        "title": "Сорьцоо усаар угаахад мөнгөн ус хэрэглэхгүй байх нь",
        "body": "Манай нөхөрлөл **гравитацийн** төхөөрөмж ашиглаж эхэлсэн.",
        "language": "mn",
        "published": "2022-04-05",
        **values,
    }


def write(tmp_path: Path, *lines: dict[str, Any], name: str = "posts.jsonl") -> Path:
    path = tmp_path / name
    path.write_text(
        "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8"
    )
    return path


def imported(tmp_path: Path, *lines: dict[str, Any], **options: Any) -> Any:
    with translation.override("en"):
        return import_documents(write(tmp_path, *lines), **options)


def test_a_published_post_line_becomes_a_visible_post_by_the_member_it_names(
    tmp_path: Path,
) -> None:
    author = make_user("tsetseg@example.org", name="Tsetseg")
    topic = Topic.objects.first()
    line = post_line(author="Tsetseg@Example.org", kind="solution", topics=[topic.slug],
                     regions=["mn-047"])  # fmt: skip

    summary = imported(tmp_path, line)

    assert not summary.rejected and not summary.warnings
    post = Post.objects.get(external_id="old-1")
    assert (post.author, post.kind, post.language, post.state) == (
        author, "solution", "mn", State.VISIBLE
    )  # fmt: skip
    assert post.published_at.isoformat() == "2022-04-05T00:00:00+00:00"
    # An old post is not new activity: it does not jump to the top of the lists.
    assert post.last_activity_at == post.published_at
    assert list(post.topics.all()) == [topic]
    assert list(post.regions.values_list("code", flat=True)) == ["MN-047"]


def test_an_imported_post_is_found_by_search(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        imported(tmp_path, post_line())

    results = search("мөнгөн ус", mode=Mode.THESAURUS)
    assert [hit.entry.external_id for hit in results.hits] == ["old-1"]


def test_a_summary_opens_the_body_so_nothing_of_the_line_is_lost(tmp_path: Path) -> None:
    imported(tmp_path, post_line(summary="Мөнгөн усгүй угаалга."))
    assert Post.objects.get().body == (
        "Мөнгөн усгүй угаалга.\n\nМанай нөхөрлөл **гравитацийн** төхөөрөмж ашиглаж эхэлсэн."
    )

    # Importing again does not add it twice.
    second = imported(tmp_path, post_line(summary="Мөнгөн усгүй угаалга."))
    assert second.by_type["post"]["unchanged"] == 1


def test_a_line_without_an_author_is_written_by_the_import_account_that_cannot_sign_in(
    tmp_path: Path,
) -> None:
    imported(tmp_path, post_line("old-1"), post_line("old-2", title="Second"))

    authors = set(Post.objects.values_list("author__email", flat=True))
    assert authors == {IMPORT_ACCOUNT_EMAIL}
    account = Post.objects.first().author
    assert not account.is_active and not account.has_usable_password()
    assert authenticate(email=IMPORT_ACCOUNT_EMAIL, password=PASSWORD) is None


def test_the_command_names_the_default_author_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    author = make_user("federation@example.org")
    path = write(tmp_path, post_line())
    with translation.override("en"):
        with pytest.raises(CommandError, match="No member of the hub has the e-mail address"):
            call_command("import_documents", str(path), "--post-author", "nobody@example.org",
                         "--no-progress", stdout=io.StringIO())  # fmt: skip
        assert not Post.objects.exists()
        call_command("import_documents", str(path), "--post-author", author.email,
                     "--no-progress", stdout=io.StringIO())  # fmt: skip
    assert Post.objects.get().author == author


def test_lines_with_an_unknown_author_or_kind_are_rejected_with_a_reason(tmp_path: Path) -> None:
    summary = imported(
        tmp_path,
        post_line("a", author="ghost@example.org"),
        post_line("b", author="not an address"),
        post_line("c", kind="rumour"),
        post_line("d", title="x" * 201),
    )

    reasons = {problem.external_id: problem.message for problem in summary.rejected}
    assert reasons == {
        "a": "“author”: no member of the hub has the e-mail address “ghost@example.org”.",
        "b": "“author” must be the e-mail address of a member, not “not an address”.",
        "c": "“kind” must be one of experience, solution, question, not “rumour”.",
        "d": "“title” is longer than 200 characters (201).",
    }
    assert not Post.objects.exists()


def test_an_unpublished_line_waits_in_the_moderation_queue(tmp_path: Path) -> None:
    imported(tmp_path, post_line(published=False))

    post = Post.objects.get()
    assert post.state == State.HELD and post.published_at is None
    assert [entry.target for entry in moderation.queue().entries] == [post]


def test_importing_notifies_no_follower(
    tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    topic = Topic.objects.first()
    following.follow(make_user("reader@example.org"), topic)

    with django_capture_on_commit_callbacks(execute=True):
        imported(tmp_path, post_line(topics=[topic.slug]))

    assert Post.objects.get().state == State.VISIBLE
    assert not Notification.objects.exists()


def test_a_changed_text_keeps_the_previous_one_in_the_history(tmp_path: Path) -> None:
    imported(tmp_path, post_line())
    before = Post.objects.get()

    summary = imported(tmp_path, post_line(body="Шинэчилсэн текст."))

    assert summary.by_type["post"]["updated"] == 1
    post = Post.objects.get()
    assert (post.body, post.version) == ("Шинэчилсэн текст.", 2)
    assert post.edited_at is not None
    edit = Edit.objects.get(post=post)
    assert (edit.body, edit.version, edit.editor) == (before.body, 1, None)


def test_a_moderators_decision_is_not_undone_by_importing_again(tmp_path: Path) -> None:
    imported(tmp_path, post_line())
    Post.objects.update(state=State.HIDDEN)

    summary = imported(tmp_path, post_line())

    assert Post.objects.get().state == State.HIDDEN
    assert [problem.message for problem in summary.warnings] == [
        "the post is “Hidden by a moderator” on the hub; the import left it so."
    ]


def test_a_dry_run_writes_no_post_and_no_account(tmp_path: Path) -> None:
    summary = imported(tmp_path, post_line(), dry_run=True)

    assert summary.by_type["post"]["created"] == 1
    assert not Post.objects.exists()
    assert not type(make_user("x@example.org")).objects.filter(email=IMPORT_ACCOUNT_EMAIL).exists()


def test_a_posts_files_are_attached_once(tmp_path: Path, settings: Any) -> None:
    from minehub.library.files import attachments_of

    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "sluice.txt").write_text("Sluice drawing notes.", encoding="utf-8")
    imported(tmp_path, post_line(files=["sluice.txt"]))
    post = Post.objects.get()
    assert [attachment.filename for attachment in attachments_of(post)] == ["sluice.txt"]

    again = imported(tmp_path, post_line(files=["sluice.txt"]))
    assert again.by_type["post"]["unchanged"] == 1
    assert attachments_of(post).count() == 1
