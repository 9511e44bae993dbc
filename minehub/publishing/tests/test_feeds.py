"""RSS and Atom feeds of news: all news and per topic, with each item's language."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from minehub.core.models import Topic
from minehub.publishing.content import Status
from minehub.publishing.models import News
from minehub.publishing.testing import make_item

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def rss_items(client, url: str) -> tuple[ET.Element, list[ET.Element]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    channel = ET.fromstring(response.content).find("channel")  # noqa: S314 - our own output
    return channel, channel.findall("item")


def atom_entries(client, url: str) -> tuple[ET.Element, list[ET.Element]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = ET.fromstring(response.content)  # noqa: S314 - our own output
    return feed, feed.findall(f"{ATOM}entry")


@pytest.fixture
def news() -> dict[str, News]:
    mercury = Topic.objects.get(slug="mercury")
    water = Topic.objects.get(slug="water")
    now = timezone.now()
    return {
        "mercury": make_item(
            News,
            "Retorts for Bayankhongor",
            summary="Cooperatives received <b>retorts</b> & training.",
            published_at=now - datetime.timedelta(days=1),
            m2m={"topics": [mercury, water]},
        ),
        "russian": make_item(
            News,
            "Мониторинг воды",
            language="ru",
            summary="Новые данные.",
            published_at=now - datetime.timedelta(days=2),
            m2m={"topics": [water]},
        ),
        "draft": make_item(News, "Draft news", status=Status.DRAFT, m2m={"topics": [mercury]}),
        "archived": make_item(
            News, "Archived news", status=Status.ARCHIVED, m2m={"topics": [mercury]}
        ),
    }


def test_the_rss_feed_lists_published_news_with_their_languages_and_topics(client, news):
    channel, items = rss_items(client, "/en/news/feed/rss/")
    assert channel.findtext("language") == "en"
    assert channel.findtext("link") == "http://testserver/en/news/"
    assert [item.findtext("title") for item in items] == [
        "Retorts for Bayankhongor",
        "Мониторинг воды",
    ]
    first, second = items
    assert first.findtext("link") == f"http://testserver/en/news/{news['mercury'].slug}/"
    assert first.findtext("description") == "Cooperatives received <b>retorts</b> & training."
    assert first.findtext("pubDate").endswith(("+0000", "GMT", "-0000"))
    assert sorted(category.text for category in first.findall("category")) == [
        "Mercury",
        "Water",
    ]
    assert first.findtext(f"{DC}language") == "en"
    assert second.findtext(f"{DC}language") == "ru"


def test_the_atom_feed_marks_each_entry_with_its_language(client, news):
    feed, entries = atom_entries(client, "/en/news/feed/atom/")
    assert feed.get(XML_LANG) == "en"
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Retorts for Bayankhongor",
        "Мониторинг воды",
    ]
    assert [entry.get(XML_LANG) for entry in entries] == ["en", "ru"]
    first = entries[0]
    assert first.find(f"{ATOM}link").get("href") == (
        f"http://testserver/en/news/{news['mercury'].slug}/"
    )
    assert first.findtext(f"{ATOM}summary") == "Cooperatives received <b>retorts</b> & training."
    assert first.findtext(f"{ATOM}published")
    assert sorted(c.get("term") for c in first.findall(f"{ATOM}category")) == ["Mercury", "Water"]


def test_feeds_show_each_item_once_in_the_feeds_language(client):
    original = make_item(News, "Мөнгөн усгүй алт", language="mn")
    make_item(News, "Mercury-free gold", language="en", translation_of=original)
    _channel, english = rss_items(client, "/en/news/feed/rss/")
    assert [item.findtext("title") for item in english] == ["Mercury-free gold"]
    channel, kyrgyz = rss_items(client, "/ky/news/feed/rss/")
    assert channel.findtext("language") == "ky"
    assert [item.findtext("title") for item in kyrgyz] == ["Мөнгөн усгүй алт"]
    assert kyrgyz[0].findtext(f"{DC}language") == "mn"


def test_topic_names_in_a_feed_follow_the_feeds_language(client, news):
    _channel, items = rss_items(client, "/ru/news/feed/rss/")
    categories = {category.text for item in items for category in item.findall("category")}
    assert categories == {"Ртуть", "Вода"}


def test_a_topic_feed_lists_only_that_topics_published_news(client, news):
    channel, items = rss_items(client, "/en/news/feed/topic/mercury/rss/")
    assert [item.findtext("title") for item in items] == ["Retorts for Bayankhongor"]
    assert "Mercury" in channel.findtext("title")
    assert channel.findtext("link") == "http://testserver/en/news/?topic=mercury"
    _feed, entries = atom_entries(client, "/en/news/feed/topic/water/atom/")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Retorts for Bayankhongor",
        "Мониторинг воды",
    ]


def test_an_unknown_topic_feed_is_not_found(client):
    assert client.get("/en/news/feed/topic/no-such-topic/rss/").status_code == 404
    assert client.get("/en/news/feed/topic/no-such-topic/atom/").status_code == 404


def test_an_empty_feed_is_still_valid(client):
    _channel, items = rss_items(client, "/en/news/feed/rss/")
    assert items == []
    _feed, entries = atom_entries(client, "/en/news/feed/atom/")
    assert entries == []


def test_feeds_stay_cheap_however_many_topics_items_have(
    client, news, django_assert_max_num_queries
):
    topics = list(Topic.objects.all()[:5])
    for number in range(40):
        make_item(News, f"News {number}", m2m={"topics": topics})
    with django_assert_max_num_queries(6):
        _channel, items = rss_items(client, "/en/news/feed/rss/")
    assert len(items) == 30
