"""Photos and files attached to posts: sniffed and capped like every upload, shown with
the post, downloadable only by those who may see the post."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from minehub.core.testing import client_for, make_user
from minehub.exchange.models import Post, Standing, State
from minehub.library import files
from minehub.library.tests.filemakers import png_bytes, text_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _form(**extra: Any) -> dict[str, Any]:
    return {
        "kind": "experience",
        "title": "Our sluice box after the rains",
        "body": "We rebuilt it with local timber.",
        "language": "mn",
        **extra,
    }


def _member(*, trusted: bool) -> Any:
    member = make_user("miner@example.org")
    if trusted:
        Standing.objects.create(user=member, trust=Standing.Trust.TRUSTED)
    return member


def test_a_post_shows_its_photo_and_lists_its_file() -> None:
    client = client_for(_member(trusted=True))
    photo = SimpleUploadedFile("sluice.png", png_bytes(), content_type="image/png")
    report = SimpleUploadedFile("costs.pdf", text_pdf("Costs: 120 000 MNT"), "application/pdf")
    response = client.post("/en/exchange/new/", _form(new_files=[photo, report]))
    post = Post.objects.get()
    assert response.status_code == 302 and post.state == State.VISIBLE
    image, document = sorted(files.attachments_of(post), key=lambda a: a.filename, reverse=True)
    page = Client().get(post.get_absolute_url()).content.decode()
    assert f'<img src="{image.get_absolute_url()}"' in page
    assert document.get_absolute_url() in page
    assert Client().get(image.get_absolute_url()).status_code == 200


def test_a_disguised_file_is_refused_and_nothing_is_posted() -> None:
    client = client_for(_member(trusted=True))
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", "image/png")
    with translation.override("en"):
        response = client.post("/en/exchange/new/", _form(new_files=[fake]))
    assert response.status_code == 400
    assert not Post.objects.exists()


def test_the_files_of_a_held_post_are_for_its_author_and_the_moderators_only(
    personas: Any,
) -> None:
    member = _member(trusted=False)
    photo = SimpleUploadedFile("sluice.png", png_bytes(), content_type="image/png")
    client_for(member).post("/en/exchange/new/", _form(new_files=[photo]))
    post = Post.objects.get()
    assert post.state == State.HELD
    url = files.attachments_of(post).get().get_absolute_url()
    assert Client().get(url).status_code == 404
    assert client_for(make_user("other@example.org")).get(url).status_code == 404
    assert client_for(member).get(url).status_code == 200
    assert personas.client("moderator").get(url).status_code == 200
