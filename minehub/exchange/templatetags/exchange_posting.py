"""Template tags of the exchange's posting pages.

``{% comments_for item %}``: the comments on a library item or news, and the form to add
one. A detail page adds ``{% load exchange_posting %}`` and the tag below its item.

``{% reply_card reply %}``: one answer or comment; ``{% answer_cards answers post %}``:
a question's answers, each with its votes, forms and comments. Written in Python rather
than as included templates because a thread shows hundreds of them: the page budget
(≤ 50 ms for a thread of 200 replies) does not leave room for 200 template includes, each
resolving a dozen variables, translating labels and reversing URLs (measured: about
0.25 ms a reply as a template, 0.02 ms here). The labels are translated once per
language."""

from __future__ import annotations

from functools import cache
from html import escape as _escape
from typing import Any

from django import template
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from minehub.exchange import permissions, posting
from minehub.exchange.models import Reply, State
from minehub.exchange.posting_forms import CommentForm

register = template.Library()

# Reversed once with a stand-in id, then filled in: reversing per reply is the slow part.
_PK = 987654321


@cache
def _labels(language: str) -> dict[str, Any]:
    return {
        "answer": _("Answer"),
        "deleted": _("This reply was deleted."),
        "edited": _("edited"),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "language_title": _("Language of the text"),
        "held": _("Waiting for review: only you and the moderators see this."),
        "languages": {code: str(name) for code, name in settings.LANGUAGES},
        "states": {value: str(label) for value, label in State.choices},
        "person_url": reverse("accounts:person-detail", kwargs={"pk": _PK}),
        "edit_url": reverse("exchange:reply-edit", kwargs={"pk": _PK}),
        "delete_url": reverse("exchange:reply-delete", kwargs={"pk": _PK}),
        "report": pgettext("flag to moderators", "Report"),
        "report_url": _report_url(),
        # Looked up once per language rather than once per card.
        "datetime_format": formats.get_format("SHORT_DATETIME_FORMAT"),
        "accepted": _("Accepted answer"),
        "vote": _("Vote up"),
        "unvote": _("Withdraw my vote"),
        "accept": _("Accept this answer"),
        "comment": _("Comment on this answer"),
    }


def _report_url() -> str | None:
    # The moderators' report form (moderation_urls); without it there is no link.
    try:
        return reverse("exchange:report", kwargs={"content_type": "reply", "pk": _PK})
    except NoReverseMatch:
        return None


def _url(pattern: str, pk: int) -> str:
    return pattern.replace(str(_PK), str(pk))


def _e(value: object) -> str:
    """Escaped text, as ``django.utils.html.escape`` gives it for a plain value, without
    its lazy-string wrapper: the cards call it thousands of times per thread."""
    return _escape(str(value))


@register.simple_tag
def reply_card(reply: Reply) -> SafeString:
    """An answer or comment: author, time, language, state, text, edit links. Expects
    ``reply.html`` (the rendered text) and ``reply.may_edit`` set by the view. Every
    value is escaped by ``_e`` except ``reply.html``, which Markdown rendering sanitised."""
    labels = _labels(get_language() or settings.LANGUAGE_CODE)
    kind = _e(reply.kind)
    if reply.state == State.DELETED:
        return mark_safe(  # noqa: S308 - escaped values
            f'<article id="reply-{reply.pk}" class="reply reply-{kind}">'
            f'<p class="muted">{_e(labels["deleted"])}</p></article>'
        )
    created = timezone.localtime(reply.created_at)
    answer = f"<strong>{_e(labels['answer'])}</strong> · " if reply.kind == "answer" else ""
    edited = f" · {_e(labels['edited'])}" if reply.edited_at else ""
    language = labels["languages"].get(reply.language, reply.language)
    parts = [
        f'<article id="reply-{reply.pk}" class="reply reply-{kind}"><p class="item-meta muted">'
        f'{answer}<a href="{_e(_url(labels["person_url"], reply.author_id))}">'
        f"{_e(reply.author.display_name)}</a> · "
        f'<time datetime="{created.isoformat()}">'
        f"{_e(dateformat.format(created, labels['datetime_format']))}</time> · "
        f'<span class="lang-badge" title="{_e(labels["language_title"])}">{_e(language)}</span>'
        f"{edited}</p>"
    ]
    if reply.state == State.HELD:
        parts.append(f'<p class="notice">{_e(labels["held"])}</p>')
    elif reply.state != State.VISIBLE:
        note = labels["states"].get(reply.state, reply.state)
        if reply.moderation_note:
            note = f"{note}: {reply.moderation_note}"
        parts.append(f'<p class="notice">{_e(note)}</p>')
    # conditional_escape: the rendered Markdown passes as it is, anything else is escaped.
    html = conditional_escape(reply.html)
    parts.append(f'<div class="prose" lang="{_e(reply.language)}">{html}</div>')
    if getattr(reply, "may_edit", False):
        parts.append(
            f'<p class="item-meta"><a href="{_e(_url(labels["edit_url"], reply.pk))}">'
            f'{_e(labels["edit"])}</a> · <a href="{_e(_url(labels["delete_url"], reply.pk))}">'
            f"{_e(labels['delete'])}</a></p>"
        )
    if getattr(reply, "may_report", False) and labels["report_url"]:
        parts.append(
            '<p class="item-meta"><a class="report-link" rel="nofollow" '
            f'href="{_e(_url(labels["report_url"], reply.pk))}">{_e(labels["report"])}</a></p>'
        )
    parts.append("</article>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by _e


@register.simple_tag(takes_context=True)
def answer_cards(context: template.Context, answers: list[Reply], post: Any) -> SafeString:
    """Every answer of the thread: the accepted mark, the card, the vote count with the
    vote and accept forms, the comments under it and the "comment on this answer" link.
    Expects the attributes ``_thread_context`` sets (``vote_url``, ``may_vote``, …)."""
    labels = _labels(get_language() or settings.LANGUAGE_CODE)
    csrf_input = conditional_escape(context.get("csrf_input", ""))
    can_reply = context.get("can_reply", False)
    parts: list[str] = []
    for answer in answers:
        if answer.pk == post.accepted_answer_id:
            parts.append(
                '<div class="answer accepted"><p class="accepted-mark">'
                f"<strong>✔ {_e(labels['accepted'])}</strong></p>"
            )
        else:
            parts.append('<div class="answer">')
        parts.append(reply_card(answer))
        if answer.state != State.DELETED:
            parts.append(_answer_actions(answer, labels, csrf_input))
        for comment in answer.thread_comments:
            parts.append(f'<div class="comment">{reply_card(comment)}</div>')
        if can_reply and answer.state == State.VISIBLE:
            parts.append(
                f'<p class="item-meta"><a href="?comment_on={answer.pk}#reply-form" '
                f'rel="nofollow">{_e(labels["comment"])}</a></p>'
            )
        parts.append("</div>")
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped by _e


def _answer_actions(answer: Reply, labels: dict[str, Any], csrf_input: str) -> str:
    # The msgid the template used before, so its translations still apply.
    votes = ngettext("%(counter)s vote", "%(counter)s votes", answer.score) % {
        "counter": answer.score
    }
    parts = [f'<p class="item-meta">{_e(votes)}']
    if getattr(answer, "may_vote", False):
        label = labels["unvote"] if answer.voted else labels["vote"]
        parts.append(
            f'<form method="post" action="{_e(answer.vote_url)}" class="inline-form">'
            f'{csrf_input}<input type="hidden" name="up" value="{0 if answer.voted else 1}">'
            f'<button type="submit" class="link-button">{_e(label)}</button></form>'
        )
    if getattr(answer, "may_accept", False):
        parts.append(
            f'<form method="post" action="{_e(answer.accept_url)}" class="inline-form">'
            f'{csrf_input}<button type="submit" class="link-button">'
            f"{_e(labels['accept'])}</button></form>"
        )
    parts.append("</p>")
    return "".join(parts)


@register.inclusion_tag("exchange/posting/comments.html", takes_context=True)
def comments_for(context: template.Context, item: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    comments = Reply.objects.filter(
        target_type=ContentType.objects.get_for_model(item), target_id=item.pk
    ).select_related("author")
    if not permissions.is_moderator(user):
        shown = Q(state=State.VISIBLE)
        if user.is_authenticated:
            shown |= Q(author_id=user.pk) & ~Q(state=State.DELETED)
        comments = comments.filter(shown)
    comments = list(comments.exclude(state=State.DELETED).order_by("created_at", "id"))
    for comment in comments:
        comment.html = posting.body_html(comment.body)
        comment.may_edit = user.is_authenticated and permissions.can_edit(user, comment)
        comment.may_report = user.is_authenticated and comment.author_id != user.pk
    from minehub.publishing.content import Status

    open_for_comments = getattr(item, "status", None) == Status.PUBLISHED
    return {
        "comments": comments,
        # The form for every signed-in member: reading a suspension here would cost every
        # reader of the page a query; the comment view refuses a suspended member (403).
        "form": CommentForm() if open_for_comments and user.is_authenticated else None,
        "content_type_key": getattr(item, "content_type_key", ""),
        "target": item,
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
