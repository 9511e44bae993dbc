"""Newsletters by e-mail: audience, one delivery per follower, progress, resuming, stopping."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from minehub.core.models import Topic
from minehub.core.testing import (
    Personas,
    check_permission_matrix,
    client_for,
    make_organisation,
    make_user,
)
from minehub.exchange.models import Follow
from minehub.library.models import Document
from minehub.publishing import newsletters
from minehub.publishing.content import Status
from minehub.publishing.models import Delivery, Mailing, News, NewsKind
from minehub.publishing.testing import make_item

pytestmark = pytest.mark.django_db


def _issue(**fields: Any) -> News:
    return make_item(News, "Hub newsletter, November", kind=NewsKind.NEWSLETTER, **fields)  # type: ignore[return-value]


def _followers(target: Any, count: int, **values: Any) -> list[Any]:
    people = [make_user(f"reader{n}@example.org", **values) for n in range(count)]
    kind = ContentType.objects.get_for_model(target)
    Follow.objects.bulk_create(
        [Follow(user=person, target_type=kind, target_id=target.pk) for person in people]
    )
    return people


def _send(client: Client, issue: News, **audience: Any) -> Any:
    url = reverse("publishing:newsletter-send", kwargs={"pk": issue.pk})
    return client.post(url, {key: value.pk for key, value in audience.items()})


def test_an_editor_sends_an_issue_to_the_organisations_followers_once_each(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    issue = _issue()
    _followers(issue.organisation, 3)
    with django_capture_on_commit_callbacks(execute=True):
        first = _send(personas.client("editor"), issue, organisation=issue.organisation)
        second = _send(personas.client("editor"), issue, organisation=issue.organisation)
    mailing = Mailing.objects.get()
    assert first.url == second.url == reverse("publishing:mailing-detail", args=[mailing.pk])
    assert len(mail.outbox) == 3  # the double click sent nothing more
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.org" for n in range(3)]
    message = mail.outbox[0]
    assert message.subject.endswith(issue.title)
    assert "List-Unsubscribe" in message.extra_headers
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENT and mailing.finished_at is not None
    page = personas.client("editor").get(first.url)
    assert b"3 of 3 sent" in page.content or page.status_code == 200


def test_a_crashed_sending_resumes_without_sending_anyone_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issue = _issue()
    _followers(issue.organisation, 5)
    mailing = Mailing.objects.create(news=issue, organisation=issue.organisation)
    monkeypatch.setattr(newsletters, "SEND_CHUNK", 2)
    real = newsletters._message
    built = []

    def crash_on_the_fourth(*args: Any) -> Any:
        built.append(1)
        if len(built) == 4:
            raise SystemExit("worker killed")  # not an ordinary failure: the run dies
        return real(*args)

    monkeypatch.setattr(newsletters, "_message", crash_on_the_fourth)
    with pytest.raises(SystemExit):
        newsletters.send(mailing.pk)
    assert len(mail.outbox) == 3  # two chunks: the first committed, the second died
    committed = [m.to[0] for m in mail.outbox[:2]]
    monkeypatch.setattr(newsletters, "_message", real)
    newsletters.send(mailing.pk)
    recipients = [m.to[0] for m in mail.outbox]
    # The chunk that died mid-way is sent again whole (documented); the committed one not.
    assert len(set(recipients)) == 5 and len(recipients) == 6
    assert all(recipients.count(address) == 1 for address in committed)
    assert newsletters.progress(mailing) == {"total": 5, "pending": 0, "sent": 5, "failed": 0}
    assert newsletters.send(mailing.pk) == 0  # nothing left


def test_a_failing_address_is_recorded_and_the_rest_go(monkeypatch: pytest.MonkeyPatch) -> None:
    issue = _issue()
    people = _followers(issue.organisation, 3)
    mailing = Mailing.objects.create(news=issue, organisation=issue.organisation)
    real = newsletters._message

    def refuse_one(mailing: Any, issues: Any, recipient: Any) -> Any:
        if recipient == people[1]:
            raise ValueError("bad address")
        return real(mailing, issues, recipient)

    monkeypatch.setattr(newsletters, "_message", refuse_one)
    assert newsletters.send(mailing.pk) == 2
    failed = Delivery.objects.get(state=Delivery.State.FAILED)
    assert failed.recipient == people[1] and "bad address" in failed.error


def test_each_reader_gets_the_translation_in_their_language() -> None:
    issue = _issue()
    make_item(
        News, "Мэдээллийн товхимол", kind=NewsKind.NEWSLETTER, language="mn",
        translation_of=issue, organisation=issue.organisation,
    )  # fmt: skip
    _followers(issue.organisation, 1, languages=["mn", "en"])
    make_user("english@example.org")
    Follow.objects.create(
        user=make_user("ru@example.org", languages=["ru"]),
        target_type=ContentType.objects.get_for_model(issue.organisation),
        target_id=issue.organisation.pk,
    )
    mailing = Mailing.objects.create(news=issue, organisation=issue.organisation)
    newsletters.send(mailing.pk)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["reader0@example.org"].endswith("Мэдээллийн товхимол")
    assert subjects["ru@example.org"].endswith(issue.title)  # no Russian issue: the original


def test_topic_followers_are_an_audience_and_nobody_following_is_refused(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    issue = _issue()
    topic = Topic.objects.first()  # the shipped topics are there
    with translation.override("en"):
        empty = _send(personas.client("editor"), issue, topic=topic)
    assert empty.status_code == 200 and b"Nobody follows" in empty.content
    both = _send(personas.client("editor"), issue, topic=topic, organisation=issue.organisation)
    assert both.status_code == 200 and not Mailing.objects.exists()
    _followers(topic, 2)
    with django_capture_on_commit_callbacks(execute=True):
        _send(personas.client("editor"), issue, topic=topic)
    assert len(mail.outbox) == 2


def test_a_draft_issue_cannot_be_sent(personas: Personas) -> None:
    issue = _issue(status=Status.DRAFT)
    _followers(issue.organisation, 1)
    _send(personas.client("editor"), issue, organisation=issue.organisation)
    assert not Mailing.objects.exists()


def test_the_one_click_unsubscribe_stops_following_without_login() -> None:
    organisation = make_organisation()
    (reader,) = _followers(organisation, 1)
    url = newsletters.unsubscribe_url(reader, organisation)
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.get(url).status_code == 200
    assert Follow.objects.filter(user=reader).exists()  # a GET (link scanner) changes nothing
    assert anonymous.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not Follow.objects.filter(user=reader).exists()
    assert anonymous.post(url).status_code == 200  # again: still fine
    assert anonymous.get(url.replace("unsubscribe/", "unsubscribe/x")).status_code == 400


def test_a_draft_is_made_from_the_months_published_items(personas: Personas) -> None:
    make_item(Document, "Field guide to borax smelting", summary="Step by step.")
    make_item(Document, "Unpublished guide", status=Status.DRAFT)
    make_item(News, "Earlier issue", kind=NewsKind.NEWSLETTER)
    organisation = make_organisation()
    response = personas.client("editor").post(
        reverse("publishing:newsletter-draft"), {"organisation": organisation.pk, "language": "en"}
    )
    draft = News.objects.get(kind=NewsKind.NEWSLETTER, status=Status.DRAFT)
    assert response.url == reverse("publishing:edit", args=["news", draft.pk])
    assert "Field guide to borax smelting" in draft.body and "Step by step." in draft.body
    assert "Unpublished guide" not in draft.body and "Earlier issue" not in draft.body


def test_only_the_issues_editors_and_administrators_send_or_watch_it(personas: Personas) -> None:
    issue = _issue()
    mailing = Mailing.objects.create(news=issue, organisation=issue.organisation)
    expected = {
        "anonymous": 302, "member": 403, "editor": 200, "moderator": 403,
        "community_monitor": 403, "inspector": 403, "data_steward": 403,
        "administrator": 200, "suspended": 302,
    }  # fmt: skip
    send_url = reverse("publishing:newsletter-send", args=[issue.pk])
    watch_url = reverse("publishing:mailing-detail", args=[mailing.pk])
    assert check_permission_matrix(personas, send_url, expected) == []
    assert check_permission_matrix(personas, watch_url, expected) == []
    draft = {**expected, "editor": 403, "administrator": 403}  # no organisation given
    assert (
        check_permission_matrix(personas, reverse("publishing:newsletter-draft"), draft, "post")
        == []
    )
    assert client_for(personas["member"]).post(send_url, {}).status_code == 403
