"""The demo library: documents, legal acts, news, events and projects loaded by load_demo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from minehub.core.demo import DEMO_DIR, LIBRARY_FILE, load_demo, read_library
from minehub.directory.models import Organisation, Project
from minehub.library.models import Attachment, Document, LegalAct, StoredFile
from minehub.publishing.content import Status
from minehub.publishing.models import Event, News, Revision

pytestmark = pytest.mark.django_db

MODELS = (Document, LegalAct, News, Event, Project)
# Each list page with a demo item it must show; a URL name not (yet) in the URLconf is skipped.
LIST_PAGES = {
    "library:document-list": "demo-doc-mercury-free-guide-en",
    "library:legal-act-list": "demo-act-mn-minerals-law-2006-en",
    "publishing:news-list": "demo-news-demo-hub-en",
    "publishing:event-list": "demo-event-mercury-free-webinar-2026-12-en",
    "directory:project-list": "demo-project-amep2-en",
}


@pytest.fixture(autouse=True)
def _media(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the attachments' bytes land here


def _state() -> tuple[object, ...]:
    return (
        tuple(model.objects.count() for model in MODELS),
        tuple(
            tuple(model.objects.order_by("pk").values_list("pk", "version", "updated_at"))
            for model in MODELS
        ),
        Attachment.objects.count(),
        StoredFile.objects.count(),
        Revision.objects.count(),
    )


def test_loading_the_demo_twice_changes_nothing_the_second_time() -> None:
    first = load_demo()
    assert first.library_problems == []
    assert first.library_created == len(read_library())
    before = _state()
    second = load_demo()
    assert (second.library_created, second.library_updated, second.library_problems) == (0, 0, [])
    assert _state() == before


def test_every_demo_item_is_published_flagged_and_owned_by_a_demo_organisation() -> None:
    load_demo()
    for model in MODELS:
        items = model.objects.all()
        assert items.exists(), model
        assert not items.filter(is_demo=False).exists(), model
        assert not items.exclude(status=Status.PUBLISHED).exists(), model
        assert not items.filter(organisation__isnull=True).exists(), model
        assert not items.filter(organisation__is_demo=False).exists(), model
    slugs = {item["slug"] for item in json.loads((DEMO_DIR / "organisations.json").read_text())}
    assert set(Organisation.objects.values_list("slug", flat=True)) == slugs


def test_demo_items_are_published_in_all_four_languages_with_translations() -> None:
    load_demo()
    languages = set()
    for model in MODELS:
        languages |= set(model.objects.published().values_list("language", flat=True))
    assert languages == {"mn", "ky", "ru", "en"}
    news = News.objects.get(external_id="demo-news-demo-hub-en")
    assert {item.language for item in news.translations()} == {"mn", "ky", "ru"}
    translated_documents = Document.objects.filter(translation_of__isnull=False)
    assert translated_documents.count() >= 5


def test_the_demo_attachments_are_stored_once_and_attached() -> None:
    load_demo()
    stored = StoredFile.objects.all()
    assert {file.kind for file in stored} == {"pdf", "docx", "txt"}
    for file in stored:
        assert file.size < 30 * 1024
    # The same PDF is attached to the guide and to its Mongolian translation.
    guide = Document.objects.get(external_id="demo-doc-mercury-free-guide-mn")
    original = Document.objects.get(external_id="demo-doc-mercury-free-guide-en")
    assert guide.translation_of == original
    pdfs = Attachment.objects.filter(file__kind="pdf")
    assert set(pdfs.values_list("object_id", flat=True)) == {guide.pk, original.pk}
    assert pdfs.values("file").distinct().count() == 1


def test_legal_act_versions_and_other_details_the_importer_does_not_read_are_set() -> None:
    load_demo()
    old = LegalAct.objects.get(external_id="demo-act-mn-minerals-law-1997-en")
    new = LegalAct.objects.get(external_id="demo-act-mn-minerals-law-2006-en")
    assert (old.act_status, new.act_status, new.replaces) == ("repealed", "amended", old)
    assert [act.pk for act in new.version_chain()][0] == old.pk
    assert old.year == 1997  # a partial date: the day is not stated
    project = Project.objects.get(external_id="demo-project-sam-mongolia-en")
    assert project.project_status == "completed"
    assert list(project.donors.values_list("slug", flat=True)) == ["sdc"]
    event = Event.objects.get(external_id="demo-event-chatkal-training-2026-12-ky")
    assert event.time_zone == "Asia/Bishkek"
    assert event.local_start.hour == 10


def test_the_demo_file_is_valid_import_data() -> None:
    lines = read_library(LIBRARY_FILE)
    assert 40 <= len(lines) <= 80
    assert all(line["external_id"].startswith("demo-") for line in lines)
    for line in lines:
        for relative in line.get("files", []):
            assert (DEMO_DIR / relative).stat().st_size < 30 * 1024


def test_list_pages_show_demo_content(client: Client) -> None:
    load_demo()
    shown = 0
    for name, external_id in LIST_PAGES.items():
        try:
            with translation.override("en"):  # the items named are English originals
                url = reverse(name)
        except NoReverseMatch:
            continue  # the section is not installed yet
        response = client.get(url)
        assert response.status_code == 200, url
        item = next(
            m.objects.get(external_id=external_id)
            for m in MODELS
            if m.objects.filter(external_id=external_id).exists()
        )
        assert item.title in response.content.decode(), url
        shown += 1
    assert shown >= 2


def test_detail_pages_of_demo_items_open(client: Client) -> None:
    load_demo()
    for model in MODELS:
        for item in model.objects.all():
            try:
                url = item.get_absolute_url()
            except NoReverseMatch:
                break  # the section's pages are not installed yet
            assert client.get(url).status_code == 200, url
