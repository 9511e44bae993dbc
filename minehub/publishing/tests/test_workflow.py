"""The workflow service: optimistic locking, revisions, transitions and restore."""

from __future__ import annotations

import pytest

from minehub.core.models import Topic
from minehub.library.models import Document
from minehub.publishing import workflow
from minehub.publishing.content import Status
from minehub.publishing.models import Revision, RevisionAction
from minehub.publishing.testing import make_item

pytestmark = pytest.mark.django_db


def test_a_save_from_a_stale_version_raises_a_conflict_and_writes_nothing(personas):
    editor = personas["editor"]
    document = make_item(Document, status=Status.DRAFT)
    first = Document.objects.get(pk=document.pk)
    second = Document.objects.get(pk=document.pk)
    first.title = "First editor's title"
    workflow.save_item(first, editor, expected_version=1)
    second.title = "Second editor's title"
    with pytest.raises(workflow.EditConflict) as raised:
        workflow.save_item(second, editor, expected_version=1)
    assert raised.value.current.title == "First editor's title"
    stored = Document.objects.get(pk=document.pk)
    assert (stored.title, stored.version) == ("First editor's title", 2)
    assert Revision.objects.filter(object_id=document.pk).count() == 2


def test_every_save_records_who_and_what_changed(personas):
    editor = personas["editor"]
    document = make_item(Document, status=Status.DRAFT)
    topic = Topic.objects.first()
    document.summary = "A new summary"
    workflow.save_item(document, editor, 1, m2m={"topics": [topic]})
    revision = workflow.latest_revision(document)
    assert revision.author == editor
    assert revision.version == 2
    assert revision.changed_fields == ["summary", "topics"]
    assert revision.snapshot["topics"] == [topic.pk]


def test_restoring_a_revision_brings_back_its_text_as_a_new_version(personas):
    editor = personas["editor"]
    document = make_item(Document, "Original title", status=Status.DRAFT)
    original = workflow.latest_revision(document)
    document.title = "Changed title"
    workflow.save_item(document, editor, 1)
    workflow.restore_revision(document, original, editor)
    stored = Document.objects.get(pk=document.pk)
    assert stored.title == "Original title"
    assert stored.version == 3
    assert workflow.latest_revision(stored).action == RevisionAction.RESTORE


def test_an_editor_cannot_approve_their_own_submission_but_a_colleague_can(personas):
    from minehub.accounts.roles import Role, grant_role
    from minehub.core.testing import make_organisation, make_user

    editor = personas["editor"]
    colleague = make_user("colleague@personas.test")
    grant_role(colleague, Role.EDITOR, make_organisation())
    document = make_item(Document, status=Status.DRAFT)
    workflow.transition(document, editor, RevisionAction.SUBMIT, 1)
    assert RevisionAction.APPROVE not in workflow.allowed_actions(editor, document)
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.transition(document, editor, RevisionAction.APPROVE, 2)
    assert RevisionAction.APPROVE in workflow.allowed_actions(colleague, document)
    workflow.transition(document, colleague, RevisionAction.APPROVE, 2)
    document.refresh_from_db()
    assert document.status == Status.PUBLISHED
    assert document.published_at is not None


def test_sending_back_needs_a_comment_which_is_kept(personas):
    administrator = personas["administrator"]
    document = make_item(Document, status=Status.DRAFT)
    workflow.transition(document, personas["editor"], RevisionAction.SUBMIT, 1)
    with pytest.raises(ValueError):
        workflow.transition(document, administrator, RevisionAction.SEND_BACK, 2, "  ")
    workflow.transition(
        document, administrator, RevisionAction.SEND_BACK, 2, "Cite the 2019 survey."
    )
    document.refresh_from_db()
    assert document.status == Status.DRAFT
    assert workflow.latest_revision(document).comment == "Cite the 2019 survey."


def test_people_outside_the_organisation_have_no_workflow_actions(personas):
    document = make_item(Document, status=Status.DRAFT)
    for name in ("member", "moderator", "inspector", "data_steward", "anonymous"):
        assert workflow.allowed_actions(personas[name], document) == []


def test_a_translation_joins_its_originals_group():
    original = make_item(Document, "Mercury and health", language="en")
    translation = Document(
        title="Мөнгөн ус ба эрүүл мэнд",
        language="mn",
        kind="report",
        translation_of=original,
        status=Status.PUBLISHED,
    )
    workflow.create_item(translation, None)
    assert translation.translation_group == original.translation_group
    assert translation.slug == "mongon-us-ba-eruul-mend"
    assert [t.pk for t in original.translations()] == [translation.pk]


def test_slugs_are_made_unique():
    first = make_item(Document, "Same title")
    second = make_item(Document, "Same title")
    assert (first.slug, second.slug) == ("same-title", "same-title-2")
