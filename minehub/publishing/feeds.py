"""RSS 2.0 and Atom feeds of news: all news, and per topic.

A feed is in the interface language of its address (``/mn/news/feed/rss/``): it lists each
published item once, in that language when a translation exists, like the news page. Each
item carries its own content language (``dc:language`` in RSS, ``xml:lang`` in Atom), since
an item without a translation stays in its original language.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from minehub.core.i18n import active_language
from minehub.core.models import Topic
from minehub.publishing.content import PublishableQuerySet
from minehub.publishing.models import News

FEED_SIZE = 30
DUBLIN_CORE = "http://purl.org/dc/elements/1.1/"


class LanguageTaggedRssFeed(Rss201rev2Feed):
    """RSS 2.0 has no per-item language; Dublin Core's ``dc:language`` is the usual way."""

    def rss_attributes(self) -> dict[str, str]:
        return {**super().rss_attributes(), "xmlns:dc": DUBLIN_CORE}

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("language"):
            handler.addQuickElement("dc:language", item["language"])


class LanguageTaggedAtomFeed(Atom1Feed):
    """Atom marks an entry's language with ``xml:lang`` (RFC 4287, section 2)."""

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        attributes = super().item_attributes(item)
        if item.get("language"):
            attributes["xml:lang"] = item["language"]
        return attributes


class NewsFeed(Feed):
    """All published news, newest first."""

    feed_type = LanguageTaggedRssFeed

    def news(self, obj: Any) -> PublishableQuerySet:
        return (
            News.objects.published()
            .one_per_translation_group(active_language())
            .defer("body")
            .prefetch_related(Prefetch("topics", queryset=Topic.objects.all()))
        )

    def items(self, obj: Any) -> list[News]:
        return list(self.news(obj)[:FEED_SIZE])

    def title(self, obj: Any) -> str:
        return _("%(site)s: news") % {"site": settings.MINEHUB_SITE_NAME}

    def description(self, obj: Any) -> str:
        return _("News, newsletters and stories from programmes and partners.")

    def subtitle(self, obj: Any) -> str:
        return self.description(obj)

    def link(self, obj: Any) -> str:
        return reverse("publishing:news-list")

    def item_title(self, item: News) -> str:
        return item.title

    def item_description(self, item: News) -> str:
        return item.summary

    def item_pubdate(self, item: News) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: News) -> datetime.datetime:
        return item.updated_at

    def item_categories(self, item: News) -> list[str]:
        return [topic.name for topic in item.topics.all()]

    def item_extra_kwargs(self, item: News) -> dict[str, Any]:
        return {"language": item.language}


class NewsAtomFeed(NewsFeed):
    feed_type = LanguageTaggedAtomFeed


class TopicNewsFeed(NewsFeed):
    """Published news on one topic; an unknown topic is a 404."""

    def get_object(self, request: HttpRequest, slug: str) -> Topic:  # type: ignore[override]
        return get_object_or_404(Topic, slug=slug)

    def news(self, obj: Topic) -> PublishableQuerySet:
        return super().news(obj).filter(topics=obj)

    def title(self, obj: Topic) -> str:
        return _("%(site)s: news on %(topic)s") % {
            "site": settings.MINEHUB_SITE_NAME,
            "topic": obj.name,
        }

    def description(self, obj: Topic) -> str:
        return _("News on %(topic)s from programmes and partners.") % {"topic": obj.name}

    def link(self, obj: Topic) -> str:
        return f"{reverse('publishing:news-list')}?{urlencode({'topic': obj.slug})}"


class TopicNewsAtomFeed(TopicNewsFeed):
    feed_type = LanguageTaggedAtomFeed
