"""Downloading attached files safely, and the editor screens for their extracted text."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from minehub.core.testing import Personas, check_permission_matrix, make_organisation
from minehub.library.files import attach, store_upload
from minehub.library.models import Attachment, Document, ExtractionStatus, StoredFile
from minehub.library.tests import filemakers
from minehub.publishing.content import Status

pytestmark = pytest.mark.django_db

EVERYONE = ("anonymous", "member", "editor", "moderator", "community_monitor", "inspector",
            "data_steward", "administrator", "suspended")  # fmt: skip
OPEN_TO_ALL = dict.fromkeys(EVERYONE, 200)
EDITORS_ONLY = {**dict.fromkeys(EVERYONE, 404), "editor": 200, "administrator": 200}
# Editor screens: signed-out visitors (and suspended accounts, which cannot sign in) are
# sent to the login page; signed-in users who may not edit get 404.
EDITOR_SCREENS = {**EDITORS_ONLY, "anonymous": 302, "suspended": 302}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_passwords(settings: Any) -> None:
    # The personas are created with passwords; slow hashing would dominate these tests.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english() -> Any:
    with translation.override("en"):
        yield


def make_attachment(
    data: bytes,
    filename: str,
    *,
    status: str = Status.PUBLISHED,
    slug: str = "tailings-report",
    organisation: Any = None,
) -> Attachment:
    document = Document.objects.create(
        title="Tailings report",
        slug=slug,
        language="en",
        kind="report",
        status=status,
        organisation=organisation or make_organisation(),
    )
    stored = store_upload(io.BytesIO(data), filename)
    return attach(document, stored, filename)


def status_url(attachment: Attachment, name: str = "file-status") -> str:
    return reverse(f"library:{name}", args=[attachment.file_id])


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


# --- downloads ---------------------------------------------------------------------------------


def test_files_of_published_items_download_for_everyone(personas: Personas) -> None:
    attachment = make_attachment(filemakers.text_pdf(filemakers.ENGLISH), "report.pdf")
    url = attachment.get_absolute_url()
    assert check_permission_matrix(personas, url, OPEN_TO_ALL) == []


def test_files_of_drafts_download_only_for_their_editors(personas: Personas) -> None:
    attachment = make_attachment(
        filemakers.text_pdf(filemakers.ENGLISH), "draft.pdf", status=Status.DRAFT
    )
    url = attachment.get_absolute_url()
    assert check_permission_matrix(personas, url, EDITORS_ONLY) == []


def test_files_of_another_organisations_draft_are_hidden_from_the_editor(
    personas: Personas,
) -> None:
    other = make_organisation("other-org", name_en="Other")
    attachment = make_attachment(
        filemakers.png_bytes(), "map.png", status=Status.DRAFT, organisation=other
    )
    expected = {**dict.fromkeys(EVERYONE, 404), "administrator": 200}
    assert check_permission_matrix(personas, attachment.get_absolute_url(), expected) == []


def test_a_pdf_is_served_inline_with_safe_headers(client: Any) -> None:
    data = filemakers.text_pdf(filemakers.ENGLISH)
    attachment = make_attachment(data, "report.pdf")
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="report.pdf"'
    assert response["Content-Length"] == str(len(data))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert body_of(response) == data


@pytest.mark.parametrize(
    ("data", "filename", "content_type"),
    [
        (filemakers.HTML_PAGE.encode(), "page.html", "text/html; charset=utf-8"),
        (filemakers.SVG_IMAGE.encode(), "map.svg", "image/svg+xml"),
        (filemakers.docx_bytes(["x"]), "report.docx",
         "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)  # fmt: skip
def test_html_svg_and_office_files_are_only_ever_downloaded(
    client: Any, data: bytes, filename: str, content_type: str
) -> None:
    attachment = make_attachment(data, filename)
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert body_of(response) == data


def test_a_cyrillic_file_name_is_offered_under_its_own_name(client: Any) -> None:
    attachment = make_attachment(filemakers.jpeg_bytes(), "Фото карьера.jpg")
    response = client.get(attachment.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "filename*=utf-8''%D0%A4%D0%BE%D1%82%D0%BE" in response["Content-Disposition"]


def test_downloads_are_counted_on_get_but_not_on_head(client: Any) -> None:
    attachment = make_attachment(filemakers.png_bytes(), "map.png")
    url = attachment.get_absolute_url()
    client.get(url)
    client.get(url)
    head = client.head(url)
    assert head.status_code == 200
    assert head["Content-Length"] == str(attachment.file.size)
    assert head["Content-Disposition"] == 'inline; filename="map.png"'
    attachment.refresh_from_db()
    assert attachment.download_count == 2


def test_a_wrong_file_name_redirects_to_the_right_one(client: Any) -> None:
    attachment = make_attachment(filemakers.png_bytes(), "map.png")
    url = reverse("library:attachment-download", kwargs={"pk": attachment.pk, "filename": "x.png"})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == attachment.get_absolute_url()


def test_a_wrong_file_name_of_a_hidden_file_does_not_reveal_the_name(client: Any) -> None:
    attachment = make_attachment(filemakers.png_bytes(), "secret.png", status=Status.DRAFT)
    url = reverse("library:attachment-download", kwargs={"pk": attachment.pk, "filename": "x.png"})
    assert client.get(url).status_code == 404


def test_posting_to_a_download_is_not_allowed(client: Any) -> None:
    attachment = make_attachment(filemakers.png_bytes(), "map.png")
    assert client.post(attachment.get_absolute_url()).status_code == 405


# --- editor screens ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.DRAFT])
@pytest.mark.parametrize("screen", ["file-status", "file-text"])
def test_editor_screens_are_for_the_items_editors_and_administrators(
    personas: Personas, status: str, screen: str
) -> None:
    attachment = make_attachment(filemakers.text_pdf("A"), "a.pdf", status=status)
    assert check_permission_matrix(personas, status_url(attachment, screen), EDITOR_SCREENS) == []


def test_retry_is_for_the_items_editors_and_administrators(personas: Personas) -> None:
    attachment = make_attachment(filemakers.text_pdf("A"), "a.pdf")
    expected = {**EDITOR_SCREENS, "editor": 303, "administrator": 303}
    url = status_url(attachment, "file-retry")
    assert check_permission_matrix(personas, url, expected, method="post") == []


def test_editors_of_other_organisations_cannot_manage_the_file(personas: Personas) -> None:
    other = make_organisation("other-org", name_en="Other")
    attachment = make_attachment(filemakers.text_pdf("A"), "a.pdf", organisation=other)
    expected = {**EDITOR_SCREENS, "editor": 404}
    assert check_permission_matrix(personas, status_url(attachment), expected) == []


def test_a_file_shared_with_an_editable_item_can_be_managed(personas: Personas) -> None:
    other = make_organisation("other-org", name_en="Other")
    pdf = filemakers.text_pdf("A")  # made once: a PDF embeds its creation time
    foreign = make_attachment(pdf, "a.pdf", organisation=other)
    own = make_attachment(pdf, "a.pdf", slug="own-copy")
    assert own.file_id == foreign.file_id
    response = personas.client("editor").get(status_url(foreign))
    assert response.status_code == 200


def test_the_status_page_shows_progress_and_polls_while_pending(personas: Personas) -> None:
    attachment = make_attachment(filemakers.text_pdf("A"), "a.pdf")
    StoredFile.objects.filter(pk=attachment.file_id).update(
        extraction_status=ExtractionStatus.RUNNING, extraction_progress=40
    )
    client = personas.client("editor")
    page = client.get(status_url(attachment)).content.decode()
    assert "<html" in page
    assert '<progress max="100" value="40">' in page
    assert 'http-equiv="refresh"' in page  # without JavaScript the page reloads itself
    assert "htmx" in page
    fragment = client.get(status_url(attachment), headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html
    assert 'hx-trigger="every 2s"' in html
    assert "Extracting" in html


def test_the_status_page_stops_polling_when_done(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attachment = make_attachment(filemakers.text_pdf(["A page", "B page"]), "a.pdf")
    response = personas.client("editor").get(status_url(attachment), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "hx-get" not in html and "<progress" not in html
    assert "Text extracted" in html
    assert "2 pages" in html
    assert "language: English" in html


def test_retry_queues_extraction_and_returns_to_the_status_page(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    attachment = make_attachment(filemakers.text_pdf(filemakers.ENGLISH), "a.pdf")
    StoredFile.objects.filter(pk=attachment.file_id).update(
        extraction_status=ExtractionStatus.FAILED, extraction_message="boom"
    )
    client = personas.client("editor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(attachment, "file-retry"))
    assert response.status_code == 303
    assert response["Location"] == status_url(attachment)
    stored = StoredFile.objects.get(pk=attachment.file_id)
    assert stored.extraction_status == ExtractionStatus.DONE
    assert stored.extraction_message == ""
    assert client.get(status_url(attachment, "file-retry")).status_code == 405


def test_retry_by_htmx_answers_with_the_status_fragment(personas: Personas) -> None:
    attachment = make_attachment(filemakers.text_pdf("A"), "a.pdf")
    response = personas.client("administrator").post(
        status_url(attachment, "file-retry"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.content.decode()


def test_retry_does_not_redirect_to_another_site(personas: Personas) -> None:
    attachment = make_attachment(filemakers.text_pdf("A"), "a.pdf")
    response = personas.client("editor").post(
        status_url(attachment, "file-retry"), {"next": "https://evil.example/"}
    )
    assert response["Location"] == status_url(attachment)


def test_an_editor_corrects_the_text_and_extraction_keeps_it(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        attachment = make_attachment(filemakers.text_pdf("Mlning safetv"), "a.pdf")
    client = personas.client("editor")
    form = client.get(status_url(attachment, "file-text")).content.decode()
    assert "Mlning safetv" in form
    corrected = "Горное дело и безопасность на руднике, а также охрана воды"
    response = client.post(status_url(attachment, "file-text"), {"text": corrected})
    assert response.status_code == 303
    stored = StoredFile.objects.get(pk=attachment.file_id)
    assert (stored.text, stored.text_corrected, stored.text_language) == (corrected, True, "ru")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(status_url(attachment, "file-retry"))
    stored.refresh_from_db()
    assert stored.text == corrected
    assert stored.extraction_status == ExtractionStatus.DONE


def test_discarding_a_correction_reads_the_file_again(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    attachment = make_attachment(filemakers.text_pdf(filemakers.ENGLISH), "a.pdf")
    StoredFile.objects.filter(pk=attachment.file_id).update(text="mine", text_corrected=True)
    client = personas.client("editor")
    assert (
        "Discard the correction" in client.get(status_url(attachment, "file-text")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(attachment, "file-text"), {"discard": "1", "text": ""})
    assert response.status_code == 303
    stored = StoredFile.objects.get(pk=attachment.file_id)
    assert not stored.text_corrected
    assert filemakers.ENGLISH in stored.text


# --- the attachment list -----------------------------------------------------------------------------


def test_the_attachment_list_shows_name_type_size_and_downloads(rf: Any) -> None:
    attachment = make_attachment(filemakers.text_pdf(filemakers.ENGLISH), "report.pdf")
    Attachment.objects.filter(pk=attachment.pk).update(download_count=3)
    attachments = Attachment.objects.select_related("file")
    html = render_to_string(
        "library/files/attachment_list.html", {"attachments": attachments, "can_edit": False}
    )
    assert attachment.get_absolute_url() in html
    assert "report.pdf" in html
    assert "PDF" in html
    assert "KB" in html  # the size, before downloading
    assert "3 downloads" in html
    assert "file-status" not in html


def test_editors_see_extraction_status_and_actions_in_the_attachment_list() -> None:
    attachment = make_attachment(filemakers.text_pdf(filemakers.ENGLISH), "report.pdf")
    attachments = Attachment.objects.select_related("file")
    html = render_to_string(
        "library/files/attachment_list.html", {"attachments": attachments, "can_edit": True}
    )
    assert f'id="file-status-{attachment.file_id}"' in html
    assert "Waiting" in html
    assert status_url(attachment, "file-text") in html
    assert status_url(attachment) + "#retry" in html
    assert "<form" not in html  # it is shown inside the item's editing form
