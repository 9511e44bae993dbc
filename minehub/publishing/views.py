"""News and events for readers: listings with filters, detail pages and iCalendar files.

The listings follow the library's pattern (``browse.listing``): published items, one per
translation group in the reader's language, filtered and paginated. Feeds live in
``feeds.py``, the iCalendar rendering in ``ical.py``.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import TextChoices
from django.db.models.functions import ExtractYear
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from minehub.core.i18n import active_language
from minehub.publishing import ical
from minehub.publishing.browse import ItemFilterForm, detail_context, listing, visible_item
from minehub.publishing.models import Event, News, NewsKind

NEWS_FILTERS = ("kind", "topic", "mineral", "region", "sdg", "language", "year", "organisation")
# Events have no types of their own; "when" (upcoming or past) is added as an extra field.
EVENT_FILTERS = ("topic", "mineral", "region", "sdg", "language", "year", "organisation")

# How far back the subscribable calendar reaches, so recent events stay in readers'
# calendars for a while instead of vanishing the day after they end.
CALENDAR_FEED_PAST = datetime.timedelta(days=90)
# An upper bound on one calendar download; far more than the hub will ever schedule.
CALENDAR_FEED_LIMIT = 500


class When(TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    PAST = "past", _("Past")


def _selected_topic(form: ItemFilterForm) -> tuple[str, str] | None:
    """The topic filtered on, as (slug, name), to offer that topic's feeds."""
    if not form.is_valid() or not form.cleaned_data.get("topic"):
        return None
    slug = form.cleaned_data["topic"]
    # The label comes from the choices the form already loaded: no extra query.
    return slug, dict(form.fields["topic"].choices).get(slug, slug)


@require_safe
def news_list(request: HttpRequest) -> HttpResponse:
    """Published news, newsletters and stories, filtered and paginated."""
    form = ItemFilterForm(request.GET or None, enabled=NEWS_FILTERS, kinds=NewsKind.choices)
    # ``browse.apply_filters`` filters the year on a field called ``year``, which news has
    # not; the year of publication stands in under that name. An alias is only filtered
    # on, never selected, and Django turns the year lookup into an index-friendly range.
    news = News.objects.alias(year=ExtractYear("published_at"))
    context = listing(request, news, form)
    return render(
        request,
        "publishing/news_list.html",
        {**context, "feed_topic": _selected_topic(form), "active_section": "news"},
    )


@require_safe
def news_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One news item (drafts only for its organisation's editors)."""
    news = visible_item(request, News, slug)
    context = detail_context(request, news)
    return render(
        request,
        "publishing/news_detail.html",
        {**context, "news": news, "active_section": "news"},
    )


def event_filter_form(request: HttpRequest) -> ItemFilterForm:
    """The event filters: the common ones, with "upcoming or past" first."""
    when = forms.ChoiceField(
        label=_("When"), required=False, choices=When.choices, initial=When.UPCOMING
    )
    form = ItemFilterForm(request.GET or None, enabled=EVENT_FILTERS, extra_fields={"when": when})
    form.order_fields(["when"])
    return form


@require_safe
def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming events, soonest first, or past events (``?when=past``), newest first."""
    form = event_filter_form(request)
    when = (form.cleaned_data.get("when") if form.is_valid() else "") or When.UPCOMING
    # As for news: the year filter means the year the event starts.
    events = Event.objects.alias(year=ExtractYear("starts_at"))
    now = timezone.now()
    # An event still running counts as upcoming (``Event.is_upcoming``): readers may join.
    if when == When.PAST:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "id")
    context = listing(request, events, form)
    other = When.UPCOMING if when == When.PAST else When.PAST
    query = request.GET.copy()
    query.pop("page", None)
    query["when"] = other
    return render(
        request,
        "publishing/event_list.html",
        {
            **context,
            "when": when,
            "other_when": other,
            "other_when_query": query.urlencode(),
            "active_section": "news",
        },
    )


@require_safe
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One event, its times shown in the event's own time zone."""
    event = visible_item(request, Event, slug)
    context = detail_context(request, event)
    return render(
        request,
        "publishing/event_detail.html",
        {**context, "event": event, "active_section": "news"},
    )


@require_safe
def event_ical(request: HttpRequest, slug: str) -> HttpResponse:
    """One event as an .ics file, for "add to calendar" (same visibility as its page)."""
    event = visible_item(request, Event, slug)
    calendar = ical.build_calendar(
        request, [event], name=event.title, uid_suffix=f"event-{event.pk}"
    )
    return ical.calendar_response(calendar, f"{event.slug}.ics", as_attachment=True)


@require_safe
def events_ical_feed(request: HttpRequest) -> HttpResponse:
    """The subscribable calendar: published events that have not ended or ended in the
    last 90 days, one per translation group in the reader's language."""
    since = timezone.now() - CALENDAR_FEED_PAST
    events = (
        Event.objects.published()
        .one_per_translation_group(active_language())
        .filter(ends_at__gte=since)
        .defer("body")
        .order_by("starts_at", "id")[:CALENDAR_FEED_LIMIT]
    )
    calendar = ical.build_calendar(
        request, list(events), name=ical.feed_name(), uid_suffix="events"
    )
    return ical.calendar_response(calendar, "minehub-events.ics", as_attachment=False)
