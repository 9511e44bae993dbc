"""Front-end editing through the views: access, creation, conflicts, preview, review."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from minehub.core.models import Region, Topic
from minehub.core.testing import active_content, check_permission_matrix, make_organisation
from minehub.library.models import Document, LegalAct
from minehub.publishing.content import Status
from minehub.publishing.models import Revision
from minehub.publishing.testing import make_item

pytestmark = pytest.mark.django_db

LOGIN_REDIRECT = 302


def document_form(**values):
    data = {
        "kind": "guideline",
        "title": "Safe use of retorts",
        "language": "en",
        "summary": "How to recover mercury.",
        "body": "## Retorts\n\nUse them.",
        "organisation": str(make_organisation().pk),
        "licence": "CC-BY-4.0",
        "submission_token": str(uuid.uuid4()),
    }
    data.update(values)
    return data


def test_only_editors_and_administrators_reach_the_editors_desk_and_forms(personas):
    expected = {
        "anonymous": LOGIN_REDIRECT,
        "member": 403,
        "editor": 200,
        "moderator": 403,
        "community_monitor": 403,
        "inspector": 403,
        "data_steward": 403,
        "administrator": 200,
        "suspended": LOGIN_REDIRECT,
    }
    for url in (
        reverse("publishing:dashboard"),
        reverse("publishing:create", args=["document"]),
        reverse("publishing:create", args=["event"]),
    ):
        assert check_permission_matrix(personas, url, expected) == []


def test_only_the_owning_organisations_editors_edit_an_item(personas):
    draft = make_item(Document, status=Status.DRAFT)
    expected = {
        "anonymous": LOGIN_REDIRECT,
        "member": 404,
        "editor": 200,
        "moderator": 404,
        "community_monitor": 404,
        "inspector": 404,
        "data_steward": 404,
        "administrator": 200,
        "suspended": LOGIN_REDIRECT,
    }
    for name in ("publishing:edit", "publishing:history"):
        url = reverse(name, args=["document", draft.pk])
        assert check_permission_matrix(personas, url, expected) == []


def test_editors_of_another_organisation_cannot_edit(personas):
    other = make_organisation("other-org")
    item = make_item(Document, status=Status.DRAFT, organisation=other)
    response = personas.client("editor").get(reverse("publishing:edit", args=["document", item.pk]))
    assert response.status_code == 404


def test_writes_are_refused_to_everyone_but_editors(personas):
    draft = make_item(Document, status=Status.DRAFT)
    expected = {
        "anonymous": LOGIN_REDIRECT,
        "member": 404,
        "editor": 302,
        "moderator": 404,
        "community_monitor": 404,
        "inspector": 404,
        "data_steward": 404,
        "administrator": 302,
        "suspended": LOGIN_REDIRECT,
    }
    url = reverse("publishing:change-status", args=["document", draft.pk])

    def fresh_version(_name):
        return url

    problems = check_permission_matrix(
        personas, fresh_version, expected, method="post", data={"action": "submit", "version": 1}
    )
    assert problems == []


def test_an_editor_creates_a_document_with_taxonomy(personas):
    client = personas.client("editor")
    topic = Topic.objects.get(slug="mercury")
    region = Region.objects.get(code="MN-035")
    data = document_form(topics=[topic.pk], regions=[region.pk], publication_date="2019-05")
    response = client.post(reverse("publishing:create", args=["document"]), data)
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.status == Status.DRAFT
    assert document.author == personas["editor"]
    assert document.slug == "safe-use-of-retorts"
    assert (document.publication_date, document.year) == ("2019-05", 2019)
    assert list(document.topics.all()) == [topic]
    assert list(document.regions.all()) == [region]


def test_a_double_submitted_create_form_makes_one_item(personas):
    client = personas.client("editor")
    data = document_form()
    url = reverse("publishing:create", args=["document"])
    first = client.post(url, data)
    second = client.post(url, data)
    assert Document.objects.count() == 1
    assert first["Location"] == second["Location"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"publication_date": "2019-13"}, "publication_date"),
        ({"title": ""}, "title"),
        ({"language": "fr"}, "language"),
        ({"slug": "taken"}, "slug"),
        ({"translation_of_slug": "no-such-item"}, "translation_of_slug"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(personas, values, field):
    make_item(Document, "Taken", slug="taken")
    response = personas.client("editor").post(
        reverse("publishing:create", args=["document"]), document_form(**values)
    )
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert Document.objects.count() == 1


def test_the_second_of_two_concurrent_saves_sees_both_versions(personas):
    document = make_item(Document, "Shared title", status=Status.DRAFT)
    client = personas.client("editor")
    url = reverse("publishing:edit", args=["document", document.pk])
    base = document_form(version="1", slug=document.slug)
    base.pop("submission_token")
    assert client.post(url, {**base, "title": "Alice's title"}).status_code == 302
    response = client.post(url, {**base, "title": "Bob's title"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "Alice&#x27;s title" in text and "Bob&#x27;s title" in text
    document.refresh_from_db()
    assert document.title == "Alice's title"
    # Saving again from the conflict page (which carries the new version) is deliberate.
    retry = {**base, "title": "Bob's title", "version": str(document.version)}
    assert client.post(url, retry).status_code == 302
    document.refresh_from_db()
    assert document.title == "Bob's title"


def test_the_live_preview_renders_markdown_without_scripts(personas):
    response = personas.client("editor").post(
        reverse("publishing:preview"),
        {
            "body": "**bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
        },
    )
    html = response.content.decode()
    assert "<strong>bold</strong>" in html
    assert active_content(html) == []
    assert (
        personas.client("member").post(reverse("publishing:preview"), {"body": "x"}).status_code
        == 403
    )


def test_preview_without_javascript_re_renders_the_form_without_saving(personas):
    response = personas.client("editor").post(
        reverse("publishing:create", args=["document"]), {**document_form(), "preview": "1"}
    )
    assert response.status_code == 200
    assert "<h2>Retorts</h2>" in response.content.decode()
    assert Document.objects.count() == 0


def test_review_journey_through_the_views(personas):
    document = make_item(Document, status=Status.DRAFT)
    editor = personas.client("editor")
    url = reverse("publishing:change-status", args=["document", document.pk])
    editor.post(url, {"action": "submit", "version": "1"})
    document.refresh_from_db()
    assert document.status == Status.REVIEW
    # The author may not approve their own submission.
    editor.post(url, {"action": "approve", "version": "2"})
    document.refresh_from_db()
    assert document.status == Status.REVIEW
    personas.client("administrator").post(url, {"action": "approve", "version": "2"})
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED


def test_history_lists_revisions_and_restore_works(personas):
    document = make_item(Document, "First", status=Status.DRAFT)
    client = personas.client("editor")
    data = document_form(title="Second", version="1", slug=document.slug)
    client.post(reverse("publishing:edit", args=["document", document.pk]), data)
    history = client.get(reverse("publishing:history", args=["document", document.pk]))
    assert history.status_code == 200
    first = Revision.objects.filter(object_id=document.pk).order_by("id").first()
    client.post(reverse("publishing:restore", args=["document", document.pk, first.pk]))
    document.refresh_from_db()
    assert (document.title, document.version) == ("First", 3)


def test_a_legal_act_records_what_it_replaces(personas):
    old = make_item(LegalAct, "Minerals Law 1997", in_force_from="1997-07-01")
    response = personas.client("editor").post(
        reverse("publishing:create", args=["legal_act"]),
        {
            "kind": "law",
            "title": "Minerals Law 2006",
            "language": "en",
            "issuing_body": "State Great Khural",
            "adopted_on": "2006-07-08",
            "in_force_from": "2006-08-26",
            "act_status": "in_force",
            "replaces_slug": old.slug,
            "organisation": str(make_organisation().pk),
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    new = LegalAct.objects.get(title="Minerals Law 2006")
    assert new.replaces == old


def test_attached_files_are_stored_once_and_a_bad_file_saves_nothing(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from minehub.library.models import Attachment, StoredFile
    from minehub.library.tests.filemakers import text_pdf

    client = personas.client("editor")
    url = reverse("publishing:create", args=["document"])
    pdf = text_pdf(["Mercury and health"])
    first = client.post(url, {**document_form(), "new_files": SimpleUploadedFile("guide.pdf", pdf)})
    assert first.status_code == 302
    second = client.post(
        url,
        {**document_form(title="Copy"), "new_files": SimpleUploadedFile("copy.pdf", pdf)},
    )
    assert second.status_code == 302
    assert StoredFile.objects.count() == 1
    assert Attachment.objects.count() == 2
    fake = SimpleUploadedFile("report.pdf", b"<html><script>alert(1)</script></html>")
    refused = client.post(url, {**document_form(title="Fake"), "new_files": fake})
    assert refused.status_code == 400
    assert refused.context["form"].errors["new_files"]
    assert not Document.objects.filter(title="Fake").exists()
