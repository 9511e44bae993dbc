"""Topic suggestions from the thesaurus: the matcher's counts, the suggestions, the
editing form's hint and ``minehub suggest_topics``."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from minehub.core.models import Topic
from minehub.library.models import Document
from minehub.publishing.content import Status
from minehub.publishing.models import Revision
from minehub.publishing.testing import make_item
from minehub.search import tagging, thesaurus
from minehub.search.analysis import document_terms
from minehub.search.models import Concept

pytestmark = pytest.mark.django_db

MONGOLIAN_MERCURY = (
    "Мөнгөн усны хэрэглээ бичил уурхайд их байна. Мөнгөн усыг шатаахад уур нь хортой. "
    "Мөнгөн усгүй баяжуулалт руу шилжих хэрэгтэй."
)


@pytest.fixture
def tagged(django_capture_on_commit_callbacks: Any) -> dict[str, Topic]:
    """Only the mercury, cyanide and tailings concepts tagged, with their site topics (the
    seed's mapping is data and may change; these tests check the mechanism)."""
    topics = {slug: Topic.objects.get(slug=slug) for slug in ("mercury", "cyanide", "tailings")}
    with django_capture_on_commit_callbacks(execute=True):  # the thesaurus version moves
        Concept.objects.update(topic=None)
        for code, topic in topics.items():
            Concept.objects.filter(code=code).update(topic=topic)
        thesaurus.mark_changed()
    return topics


def test_the_matcher_counts_each_mention_once_with_the_longest_label() -> None:
    matcher = thesaurus.Matcher(
        [(1, "en", "mercury"), (2, "en", "mercury retort"), (3, "en", "retort")]
    )
    terms = document_terms("A mercury retort, then mercury again; a retort.", "en")
    assert matcher.count(terms) == {2: 1, 1: 1, 3: 1}


def test_a_label_two_concepts_share_once_stemmed_counts_for_both() -> None:
    matcher = thesaurus.Matcher([(1, "en", "cyanide"), (2, "en", "cyanidation")])
    assert matcher.count(document_terms("Cyanide.", "en")) == {1: 1, 2: 1}


def test_a_text_about_mercury_in_mongolian_suggests_the_mercury_topic(tagged: dict) -> None:
    found = tagging.suggest("Мөнгөн усны аюул", MONGOLIAN_MERCURY, "mn")
    assert [suggestion.topic for suggestion in found] == [tagged["mercury"]]


def test_a_passing_mention_suggests_nothing(tagged: dict) -> None:
    text = "The cooperative washes gravel by the river. " * 10 + "Cyanide is not used."
    assert tagging.suggest("River gravel", text, "en") == []


def test_a_minor_topic_far_below_the_main_one_is_left_out(tagged: dict) -> None:
    text = "We avoid mercury. " * 12 + "Tailings. " * 3
    found = [suggestion.topic.slug for suggestion in tagging.suggest("Mercury", text, "en")]
    assert found == ["mercury"]
    text = "We avoid mercury. " * 6 + "Tailings and more tailings. " * 3
    found = [suggestion.topic.slug for suggestion in tagging.suggest("Mercury", text, "en")]
    assert found == ["mercury", "tailings"]


def test_ticked_topics_are_not_suggested_again(tagged: dict) -> None:
    found = tagging.suggest("Mercury", "Mercury. " * 5, "en", exclude=[tagged["mercury"].pk])
    assert found == []


def test_a_stewards_new_topic_for_a_concept_applies_at_once(
    tagged: dict, django_capture_on_commit_callbacks: Any
) -> None:
    text = "Cyanide is a poison. " * 5
    assert [s.topic.slug for s in tagging.suggest("Cyanide", text, "en")] == ["cyanide"]
    with django_capture_on_commit_callbacks(execute=True):
        concept = Concept.objects.get(code="cyanide")
        concept.topic = tagged["tailings"]
        concept.save()  # the admin's save: the thesaurus version moves with it
    assert [s.topic.slug for s in tagging.suggest("Cyanide", text, "en")] == ["tailings"]


def test_the_editing_form_shows_the_suggestions_for_the_stored_and_the_sent_text(
    tagged: dict, personas: Any
) -> None:
    document = make_item(Document, "Notes", status=Status.DRAFT, body="Mercury. " * 5)
    client = personas.client("editor")
    url = reverse("publishing:edit", args=["document", document.pk])
    with translation.override("en"):
        page = client.get(url).content.decode()
    assert "Suggested from the text by the thesaurus" in page
    assert "<strong>Mercury</strong>" in page

    # Preview with a new text: the suggestion follows what the editor typed.
    sent = {"title": "Notes", "language": "en", "body": "Cyanide. " * 6, "preview": "1",
            "organisation": document.organisation_id, "version": document.version}  # fmt: skip
    with translation.override("en"):
        page = client.post(url, sent).content.decode()
    assert "<strong>Cyanide</strong>" in page and "<strong>Mercury</strong>" not in page


def test_the_command_lists_and_with_apply_tags_untagged_published_items(tagged: dict) -> None:
    untagged = make_item(Document, "Ртуть в промывке", language="ru", body="Ртуть. " * 5)
    already = make_item(
        Document, "Tagged", body="Mercury. " * 5, m2m={"topics": [tagged["cyanide"].pk]}
    )
    draft = make_item(Document, "Draft", status=Status.DRAFT, body="Mercury. " * 5)

    out = io.StringIO()
    with translation.override("en"):
        call_command("suggest_topics", stdout=out)
    assert f"document {untagged.pk}" in out.getvalue()
    assert f"document {already.pk}" not in out.getvalue()
    assert f"document {draft.pk}" not in out.getvalue()
    assert not untagged.topics.exists()  # listing changes nothing

    with translation.override("en"):
        call_command("suggest_topics", "--apply", "--type", "document", stdout=io.StringIO())
    untagged.refresh_from_db()
    assert list(untagged.topics.all()) == [tagged["mercury"]]
    assert untagged.version == 2
    revision = Revision.objects.filter(object_id=untagged.pk, version=2).get()
    assert revision.comment == "Topics suggested by the thesaurus"
