"""Newsletters by e-mail: an editor sends a published newsletter issue (a news item of
kind *newsletter*) to the members who follow their organisation or a topic.

Sending is a background job (:func:`send`): it first writes one :class:`Delivery` per
follower (the audience as it was when the sending began), then sends the pending ones a
chunk at a time, each chunk locked and marked sent in one transaction. A second run — a
retry after a crash, or a second worker — only finds what is still pending, so nobody
gets the issue twice (but for a crash between the mail server taking a chunk and the
commit, which can repeat that chunk). Each reader gets the issue in their language when
a published translation exists.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.translation import gettext

from minehub.accounts.models import User
from minehub.core.markdown import render_markdown
from minehub.exchange.following import language_of
from minehub.exchange.models import Follow
from minehub.exchange.notify import absolute, unsubscribe_headers
from minehub.publishing import workflow
from minehub.publishing.content import Publishable, Status
from minehub.publishing.models import Delivery, Mailing, News, NewsKind
from minehub.publishing.registry import CONTENT_TYPES

SEND_CHUNK = 100
DRAFT_DAYS = 31
DRAFT_ITEMS_PER_TYPE = 10
_UNSUBSCRIBE_SALT = "minehub.publishing.newsletter-unsubscribe"


def followers(target: Any) -> Any:
    """The active members who follow ``target`` (an organisation or a topic)."""
    follows = Follow.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )
    return User.objects.filter(is_active=True, pk__in=follows.values("user_id"))


def start(news: News, user: Any, *, audience: Any) -> Mailing:
    """The mailing of ``news`` to the followers of ``audience`` — a new one queued for
    sending, or the one that exists already (a double click sends once)."""
    field = "organisation" if audience._meta.model_name == "organisation" else "topic"
    try:
        with transaction.atomic():
            mailing = Mailing.objects.create(news=news, created_by=user, **{field: audience})
            transaction.on_commit(lambda: _enqueue(mailing.pk))
    except IntegrityError:
        mailing = Mailing.objects.get(news=news, **{field: audience})
    return mailing


def _enqueue(mailing_id: int) -> None:
    from minehub.publishing.tasks import send_mailing

    send_mailing.enqueue(mailing_id)


def progress(mailing: Mailing) -> dict[str, int]:
    """How many deliveries are waiting, sent and failed (and in all)."""
    counts = mailing.deliveries.aggregate(
        total=Count("id"),
        pending=Count("id", filter=Q(state=Delivery.State.PENDING)),
        sent=Count("id", filter=Q(state=Delivery.State.SENT)),
        failed=Count("id", filter=Q(state=Delivery.State.FAILED)),
    )
    return {key: value or 0 for key, value in counts.items()}


def send(mailing_id: int) -> int:
    """Sends what is pending of a mailing; returns how many e-mails this run sent."""
    _prepare(mailing_id)
    mailing = Mailing.objects.select_related("news", "organisation", "topic").get(pk=mailing_id)
    issues = _issues_by_language(mailing.news)
    connection = get_connection()
    sent = 0
    while True:
        with transaction.atomic():
            chunk = list(
                Delivery.objects.filter(mailing=mailing, state=Delivery.State.PENDING)
                .select_related("recipient")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("id")[:SEND_CHUNK]
            )
            if not chunk:
                break
            now = timezone.now()
            for delivery in chunk:
                try:
                    connection.send_messages([_message(mailing, issues, delivery.recipient)])
                except Exception as error:  # noqa: BLE001 - recorded per recipient, sending goes on
                    delivery.state, delivery.error = Delivery.State.FAILED, str(error)[:300]
                else:
                    delivery.state, delivery.sent_at = Delivery.State.SENT, now
                    sent += 1
            Delivery.objects.bulk_update(chunk, ["state", "sent_at", "error"])
    _finish(mailing_id)
    return sent


def _prepare(mailing_id: int) -> None:
    """Writes a delivery per follower, once (the mailing row is locked meanwhile)."""
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        if mailing.state != Mailing.State.PREPARING:
            return
        recipients = followers(mailing.audience).values_list("pk", flat=True)
        Delivery.objects.bulk_create(
            [Delivery(mailing=mailing, recipient_id=pk) for pk in recipients.iterator()],
            batch_size=1000,
            ignore_conflicts=True,
        )
        mailing.state = Mailing.State.SENDING
        mailing.save(update_fields=["state"])


def _finish(mailing_id: int) -> None:
    with transaction.atomic():
        mailing = Mailing.objects.select_for_update().get(pk=mailing_id)
        pending = mailing.deliveries.filter(state=Delivery.State.PENDING).exists()
        if mailing.state == Mailing.State.SENDING and not pending:
            mailing.state, mailing.finished_at = Mailing.State.SENT, timezone.now()
            mailing.save(update_fields=["state", "finished_at"])


def _issues_by_language(news: News) -> dict[str, News]:
    """The issue and its published translations, by language."""
    issues = {news.language: news}
    for translation_item in news.translations():
        issues.setdefault(translation_item.language, News.objects.get(pk=translation_item.pk))
    return issues


def _message(mailing: Mailing, issues: dict[str, News], recipient: Any) -> EmailMultiAlternatives:
    language = language_of(recipient.languages)
    issue = issues.get(language, mailing.news)
    stop = absolute(unsubscribe_url(recipient, mailing.audience))
    with translation.override(language):
        why = gettext("You receive this because you follow %(name)s. Stop: %(link)s") % {
            "name": str(mailing.audience),
            "link": stop,
        }
        web = absolute(issue.get_absolute_url())
        text = f"{issue.title}\n\n{issue.body}\n\n{web}\n\n-- \n{why}\n"
        html = (
            f'<html lang="{issue.language}"><body><h1>{escape(issue.title)}</h1>'
            f"{render_markdown(issue.body)}"
            f'<p><a href="{escape(web)}">{escape(gettext("Read it on the hub"))}</a></p>'
            f"<hr><p>{escape(why)}</p></body></html>"
        )
    message = EmailMultiAlternatives(
        subject=f"[{settings.MINEHUB_SITE_NAME}] {issue.title}",
        body=text,
        to=[recipient.email],
        headers=unsubscribe_headers(stop, automatic=False),
    )
    message.attach_alternative(html, "text/html")
    return message


def unsubscribe_url(user: Any, target: Any) -> str:
    """A link that stops this member following ``target`` without logging in."""
    kind = ContentType.objects.get_for_model(target)
    token = signing.dumps([user.pk, kind.pk, target.pk], salt=_UNSUBSCRIBE_SALT)
    return reverse("publishing:newsletter-unsubscribe", kwargs={"token": token})


def follow_of_token(token: str) -> tuple[int, int, int] | None:
    """(user, content type, target) a link names, or None for a forged or broken one."""
    try:
        user_id, type_id, target_id = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return int(user_id), int(type_id), int(target_id)


def draft_from_recent(user: Any, organisation: Any, language: str) -> News:
    """A draft newsletter issue listing what ``organisation`` published in the last month
    (one item per translation group, in ``language`` when there is one)."""
    since = timezone.now() - timedelta(days=DRAFT_DAYS)
    with translation.override(language):
        sections = []
        for entry in CONTENT_TYPES.values():
            items = entry.model.objects.published().filter(
                organisation=organisation, published_at__gte=since
            )
            if entry.model is News:  # earlier issues are not news of the month
                items = items.exclude(kind=NewsKind.NEWSLETTER)
            chosen = items.one_per_translation_group(language).order_by("-published_at")
            lines = [_draft_line(item) for item in chosen[:DRAFT_ITEMS_PER_TYPE]]
            if lines:
                sections.append(f"## {entry.model._meta.verbose_name_plural.capitalize()}\n\n")
                sections[-1] += "\n".join(lines)
        today = timezone.localdate()
        title = gettext("%(organisation)s: newsletter, %(month)s %(year)s") % {
            "organisation": organisation.name,
            "month": MONTHS[today.month],
            "year": today.year,
        }
        body = "\n\n".join(sections) or gettext("Nothing was published in the last month.")
    issue = News(
        kind=NewsKind.NEWSLETTER,
        title=title[:300],
        body=body,
        language=language,
        organisation=organisation,
        status=Status.DRAFT,
    )
    with transaction.atomic():
        return workflow.create_item(issue, user)


def _draft_line(item: Publishable) -> str:
    summary = f" — {item.summary.strip()}" if item.summary.strip() else ""
    return f"- [{item.title}]({absolute(item.get_absolute_url())}){summary}"
