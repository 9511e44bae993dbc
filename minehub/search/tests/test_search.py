"""Searching indexed content: languages, facets, filters, sorting, freshness."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minehub.core.models import Region, Topic
from minehub.library.models import Document, LegalAct
from minehub.publishing.content import Status
from minehub.publishing.models import News
from minehub.publishing.testing import make_item
from minehub.search import indexer, snapshot
from minehub.search.engine import Filters, Mode, Sort, search
from minehub.search.models import Entry

pytestmark = pytest.mark.django_db


def titles(query: str, **options: Any) -> list[str]:
    return [hit.entry.title for hit in search(query, **options).hits]


@pytest.fixture
def library(reindex: Any) -> dict[str, Any]:
    mercury = Topic.objects.get(slug="mercury")
    gobi = Region.objects.get(code="MN-053")
    items = {
        "mn": make_item(
            Document,
            "Мөнгөн ус ба бичил уурхайчдын эрүүл мэнд",
            language="mn",
            body="Бичил уурхайн олборлолтод мөнгөн усыг хэрэглэхгүй байх аргууд.",
            m2m={"topics": [mercury], "regions": [gobi]},
        ),
        "ru": make_item(
            Document,
            "Рекультивация россыпных месторождений",
            language="ru",
            body="Этапы технической и биологической рекультивации нарушенных земель.",
        ),
        "ky": make_item(
            News,
            "Кумтор кенинде суу сапаты текшерилди",
            language="ky",
            body="Кендердин жанындагы суулардын сапаты боюнча изилдөө.",
        ),
        "en": make_item(
            LegalAct,
            "Tailings dam safety standard",
            language="en",
            body="Requirements for tailings storage facilities and their monitoring.",
        ),
    }
    reindex()
    return items


def test_inflected_forms_find_each_language(library: dict[str, Any]) -> None:
    assert titles("рекультивации месторождения")[0] == library["ru"].title
    assert titles("бичил уурхайн")[0] == library["mn"].title
    assert titles("кендерде")[0] == library["ky"].title
    assert titles("tailing")[0] == library["en"].title


def test_latin_letters_find_cyrillic_text(library: dict[str, Any]) -> None:
    assert titles("bichil uurkhai")[0] == library["mn"].title
    assert titles("mongon us")[0] == library["mn"].title
    assert library["ky"].title in titles("kumtor")


def test_thesaurus_carries_a_query_into_other_languages(library: dict[str, Any]) -> None:
    found = titles("mercury")
    assert library["mn"].title in found  # мөнгөн ус
    assert library["ru"].title in titles("reclamation", mode=Mode.THESAURUS)
    assert library["ru"].title not in titles("reclamation", mode=Mode.LEXICAL)


def test_misspelt_word_is_corrected_and_suggested(library: dict[str, Any]) -> None:
    results = search("rekultivatsiya tailngs")
    assert library["en"].title in [hit.entry.title for hit in results.hits]
    assert results.plan.suggestion == "rekultivatsiya tailings"


def test_snippet_marks_the_matched_inflected_words(library: dict[str, Any]) -> None:
    hit = search("рекультивация")
    assert "<mark>рекультивации</mark>" in hit.hits[0].snippet


def test_facets_count_the_whole_result_set(library: dict[str, Any]) -> None:
    results = search("мөнгөн ус tailings рекультивация кумтор")
    assert results.total == 4
    facets = results.facets
    assert dict(facets["language"]) == {"mn": 1, "ru": 1, "ky": 1, "en": 1}
    assert dict(facets["type"]) == {"document": 2, "news": 1, "legal_act": 1}
    mercury = Topic.objects.get(slug="mercury").pk
    assert dict(facets["topic"]) == {mercury: 1}


def test_filters_combine_with_the_query(library: dict[str, Any]) -> None:
    query = "мөнгөн ус tailings рекультивация кумтор"
    assert titles(query, filters=Filters(language="ru")) == [library["ru"].title]
    assert titles(query, filters=Filters(kind="news")) == [library["ky"].title]
    gobi = Region.objects.get(code="MN-053").pk
    assert titles(query, filters=Filters(region=gobi)) == [library["mn"].title]
    assert titles(query, filters=Filters(kind="event")) == []


def test_newest_first_and_pagination(reindex: Any) -> None:
    start = timezone.now() - datetime.timedelta(days=100)
    for day in range(25):
        make_item(News, f"Gold price report {day}", published_at=start + datetime.timedelta(day))
    reindex()
    first = search("gold price", sort=Sort.NEWEST, page=1)
    second = search("gold price", sort=Sort.NEWEST, page=2)
    assert first.total == 25 and first.pages == 2
    assert [hit.entry.title for hit in first.hits][:2] == [
        "Gold price report 24",
        "Gold price report 23",
    ]
    assert len(second.hits) == 5
    assert second.hits[-1].entry.title == "Gold price report 0"


def test_unpublishing_removes_at_once_and_publishing_indexes_on_commit(
    reindex: Any, django_capture_on_commit_callbacks: Any
) -> None:
    item = make_item(Document, "Cyanide heap leaching guideline")
    reindex()
    assert titles("cyanide") == [item.title]

    item.status = Status.ARCHIVED
    item.save()  # no commit needed: it is gone for every reader now
    assert titles("cyanide") == []

    with django_capture_on_commit_callbacks(execute=True):
        item.status = Status.PUBLISHED
        item.title = "Cyanide heap leaching guideline, second edition"
        item.save()
    assert titles("cyanide") == [item.title]


def test_deleting_removes_at_once(reindex: Any) -> None:
    item = make_item(Document, "Fluorspar mining in Dornogovi")
    reindex()
    assert titles("fluorspar")
    item.delete()
    assert titles("fluorspar") == []
    assert not Entry.objects.exists()


def test_extracted_file_text_is_indexed_when_extraction_ends(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from minehub.library.files import attach, store_upload
    from minehub.library.tasks import extract_text

    item = make_item(Document, "Annual report")
    with django_capture_on_commit_callbacks(execute=True):
        upload = SimpleUploadedFile("report.txt", b"Molybdenum concentrate exports")
        stored = store_upload(upload, "report.txt")
        attach(item, stored, "report.txt")
    with django_capture_on_commit_callbacks(execute=True):
        extract_text.call(stored.pk)  # the upload queued it; run it here, inside the test
    assert titles("molybdenum") == ["Annual report"]


def test_an_entry_indexed_after_the_snapshot_is_found(reindex: Any) -> None:
    make_item(Document, "Coal dust on roads")
    reindex()
    assert titles("coal") == ["Coal dust on roads"]
    second = make_item(Document, "Coal washing plant")
    indexer.index_by_key("document", second.pk)
    assert sorted(titles("coal")) == ["Coal dust on roads", "Coal washing plant"]
    assert snapshot.current().size == 2


def test_search_works_without_the_embedding_model(
    library: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from minehub.search import embeddings

    monkeypatch.setattr(embeddings, "_model", lambda: None)
    assert not embeddings.enabled()
    assert titles("mercury")[0] == library["mn"].title
    assert titles("mercury", mode=Mode.DENSE) == []
