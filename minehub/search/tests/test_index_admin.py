"""The reindex command, the thesaurus seed and dense retrieval with the real model."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from minehub.library.models import Document
from minehub.publishing.content import Status
from minehub.publishing.testing import make_item
from minehub.search import embeddings, thesaurus
from minehub.search.engine import Mode, search
from minehub.search.models import Concept, ConceptLabel, Embedding, Entry

pytestmark = pytest.mark.django_db


def test_reindex_indexes_published_items_only_with_progress() -> None:
    make_item(Document, "Published report")
    make_item(Document, "Draft report", status=Status.DRAFT)
    out, err = io.StringIO(), io.StringIO()
    call_command("reindex", "--no-embeddings", "--progress", stdout=out, stderr=err)
    assert "Indexed 1 items." in out.getvalue()
    assert "1/1" in err.getvalue()
    assert list(Entry.objects.values_list("title", flat=True)) == ["Published report"]
    call_command("reindex", "--no-embeddings", stdout=io.StringIO())  # repeatable
    assert Entry.objects.count() == 1


def test_seed_thesaurus_has_300_concepts_in_four_languages() -> None:
    rows = thesaurus.read_seed()
    assert len(rows) >= 300
    for row in rows:
        assert all(row[language].strip() for language in ("en", "mn", "ky", "ru")), row["id"]
    assert Concept.objects.count() == len(rows)
    assert thesaurus.load_seed() == (0, 0)  # idempotent


def test_a_stewards_new_label_applies_to_the_next_search(
    reindex: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_item(Document, "Жез кени", language="ky", body="Жез казып алуу.")
    reindex()
    assert search("zzcopperzz").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        ConceptLabel.objects.create(
            concept=Concept.objects.get(code="copper"), language="en", label="zzcopperzz"
        )
    assert search("zzcopperzz").total == 1


def test_seed_loading_keeps_a_stewards_edits() -> None:
    label = ConceptLabel.objects.filter(concept__code="mercury", language="en").first()
    label.label = "quicksilver (edited)"
    label.save()
    thesaurus.load_seed()
    assert ConceptLabel.objects.filter(label="quicksilver (edited)").exists()


@pytest.mark.skipif(embeddings._model() is None, reason="embedding model not installed")
def test_dense_retrieval_with_the_bundled_model(settings: Any, reindex: Any) -> None:
    settings.MINEHUB_SEARCH_EMBEDDINGS = True
    make_item(Document, "Шороон алтны уурхай", language="mn", body="Алт олборлолт.")
    make_item(Document, "Coal truck traffic", body="Trucks carry coal to the border.")
    reindex()
    assert embeddings.embed_missing() == 2
    assert Embedding.objects.count() == 2
    hits = search("coal transport by lorry", mode=Mode.DENSE).hits
    assert hits and hits[0].entry.title == "Coal truck traffic"
    assert embeddings.embed_missing() == 0  # unchanged passages are not embedded again


def test_a_rebuild_leaves_no_pending_entries_in_the_postgresql_indexes() -> None:
    from django.db import DatabaseError, connection, transaction

    from minehub.search import indexer

    if connection.vendor != "postgresql":
        pytest.skip("GIN pending lists are PostgreSQL's")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
    except DatabaseError:
        pytest.skip("the pgstattuple extension is not available to this user")
    for number in range(40):
        make_item(Document, f"Tailings survey {number}", body=f"Sediment samples, cell {number}.")
    indexer.rebuild()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum((pgstatginindex(i.indexrelid)).pending_tuples) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am m ON m.oid = c.relam"
            " WHERE i.indrelid = 'search_fulltext'::regclass AND m.amname = 'gin'"
        )
        assert cursor.fetchone()[0] == 0
