"""Reading news and events: listings, filters, translations, time zones, access."""

from __future__ import annotations

import datetime
import zoneinfo
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from minehub.core.models import Mineral, Region, SustainableDevelopmentGoal, Topic
from minehub.core.testing import check_permission_matrix, make_organisation
from minehub.publishing.content import Status
from minehub.publishing.models import Event, News
from minehub.publishing.testing import EDITORS_ONLY, OPEN_TO_ALL, listed_titles, make_item

pytestmark = pytest.mark.django_db

EVERYONE = OPEN_TO_ALL

HOSTILE_MARKDOWN = (
    "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
    "[click](javascript:alert(3)) <a href='javascript:alert(4)'>x</a>\n\n"
    "<iframe src='https://evil.example'></iframe><svg onload=alert(5)></svg>"
)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, attrs))


def assert_no_active_content(html: str) -> None:
    """No script-like element, event handler or javascript: URL survives as markup
    (escaped text that merely mentions them is harmless)."""
    collector = _TagCollector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag not in ("script", "iframe", "svg", "object", "embed"), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith("javascript:"), (tag, value)


def days(number: float) -> datetime.timedelta:
    return datetime.timedelta(days=number)


def make_event(title: str, starts_in: datetime.timedelta, hours: float = 3, **fields) -> Event:
    start = timezone.now() + starts_in
    return make_item(
        Event, title, starts_at=start, ends_at=start + datetime.timedelta(hours=hours), **fields
    )


# ---------------------------------------------------------------------------- news


def test_the_news_page_lists_published_news_only_newest_first(client):
    make_item(News, "Older news", published_at=timezone.now() - days(3))
    make_item(News, "Latest news", published_at=timezone.now() - days(1))
    make_item(News, "Draft news", status=Status.DRAFT)
    make_item(News, "News in review", status=Status.REVIEW)
    make_item(News, "Archived news", status=Status.ARCHIVED)
    response = client.get(reverse("publishing:news-list"))
    assert listed_titles(response) == ["Latest news", "Older news"]
    assert response.context["active_section"] == "news"


def test_news_are_listed_once_in_the_readers_language_when_translated(client):
    original = make_item(News, "Мөнгөн усгүй алт", language="mn")
    make_item(News, "Mercury-free gold", language="en", translation_of=original)
    make_item(News, "Только по-русски", language="ru")
    assert sorted(listed_titles(client.get("/en/news/"))) == [
        "Mercury-free gold",
        "Только по-русски",
    ]
    assert sorted(listed_titles(client.get("/ky/news/"))) == [
        "Мөнгөн усгүй алт",
        "Только по-русски",
    ]
    assert listed_titles(client.get("/en/news/?language=mn")) == ["Мөнгөн усгүй алт"]


def test_a_news_page_names_the_other_languages_and_links_the_readers_one(client):
    original = make_item(News, "Мөнгөн усгүй алт", language="mn")
    english = make_item(News, "Mercury-free gold", language="en", translation_of=original)
    html = client.get(f"/en/news/{original.slug}/").content.decode()
    assert "Also available in:" in html
    assert "also available in your language" in html
    assert f'href="/en/news/{english.slug}/"' in html
    assert '<article lang="mn"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic=mercury", ["Mercury news"]),
        ("region=MN-035", ["Orkhon story"]),
        ("mineral=gold", ["Mercury news"]),
        ("sdg=6", ["Orkhon story"]),
        ("kind=story", ["Orkhon story"]),
        ("kind=newsletter", ["Spring newsletter"]),
        ("year=2021", ["Spring newsletter"]),
        ("language=ru", ["Spring newsletter"]),
        ("organisation=partner-ngo", ["Orkhon story"]),
        ("topic=mercury&region=MN-035", []),
    ],
)
def test_news_filters_combine(client, query, expected):
    make_item(
        News,
        "Mercury news",
        published_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC),
        m2m={
            "topics": [Topic.objects.get(slug="mercury")],
            "minerals": [Mineral.objects.get(slug="gold")],
        },
    )
    make_item(
        News,
        "Orkhon story",
        kind="story",
        organisation=make_organisation("partner-ngo", name_en="Partner NGO"),
        published_at=datetime.datetime(2023, 6, 1, tzinfo=datetime.UTC),
        m2m={
            "regions": [Region.objects.get(code="MN-035")],
            "sdgs": [SustainableDevelopmentGoal.objects.get(number=6)],
        },
    )
    make_item(
        News,
        "Spring newsletter",
        kind="newsletter",
        language="ru",
        published_at=datetime.datetime(2021, 4, 1, tzinfo=datetime.UTC),
    )
    response = client.get(f"/en/news/?{query}")
    assert response.status_code == 200
    assert listed_titles(response) == expected


def test_invalid_news_filters_are_reported_not_fatal(client):
    make_item(News, "Anything")
    response = client.get("/en/news/?kind=bogus&year=abc&page=999")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_news_listing_is_paginated_and_keeps_filters_in_page_links(client):
    for number in range(25):
        make_item(News, f"Item {number}", kind="story")
    first = client.get("/en/news/?kind=story")
    assert len(first.context["page"].object_list) == 20
    assert "kind=story&amp;page=2" in first.content.decode()
    second = client.get("/en/news/?kind=story&page=2")
    assert len(second.context["page"].object_list) == 5


def test_the_news_list_stays_within_the_query_budget(client, django_assert_max_num_queries):
    topic = Topic.objects.get(slug="mercury")
    for number in range(30):
        make_item(News, f"News {number}", m2m={"topics": [topic]})
    with django_assert_max_num_queries(15):
        response = client.get("/en/news/?topic=mercury")
    assert len(listed_titles(response)) == 20


def test_the_news_page_announces_its_feeds_and_the_topics_feed_when_filtered(client):
    html = client.get("/en/news/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in html
    assert 'href="/en/news/feed/rss/"' in html
    assert 'href="/en/news/feed/atom/"' in html
    assert "/feed/topic/" not in html
    html = client.get("/en/news/?topic=mercury").content.decode()
    assert 'href="/en/news/feed/topic/mercury/rss/"' in html
    assert 'href="/en/news/feed/topic/mercury/atom/"' in html


def test_archived_news_are_readable_by_link_but_not_listed(client):
    archived = make_item(News, "Old announcement", status=Status.ARCHIVED)
    assert listed_titles(client.get("/en/news/")) == []
    response = client.get(archived.get_absolute_url())
    assert response.status_code == 200
    assert "This item is archived" in response.content.decode()


# ---------------------------------------------------------------------------- events


def test_events_are_split_into_upcoming_soonest_first_and_past_newest_first(client):
    make_event("Next month", days(30))
    make_event("Next week", days(7))
    make_event("Running now", -datetime.timedelta(hours=1))
    make_event("Last week", -days(7))
    make_event("Last year", -days(365))
    make_event("Draft event", days(3), status=Status.DRAFT)
    upcoming = client.get(reverse("publishing:event-list"))
    assert listed_titles(upcoming) == ["Running now", "Next week", "Next month"]
    assert listed_titles(client.get("/en/events/?when=upcoming")) == listed_titles(upcoming)
    past = client.get("/en/events/?when=past")
    assert listed_titles(past) == ["Last week", "Last year"]
    assert "See upcoming events" in past.content.decode()
    assert "when=past" in upcoming.content.decode()


def test_event_filters_apply_within_upcoming_or_past(client):
    mercury = Topic.objects.get(slug="mercury")
    make_event("Mercury workshop", days(5), m2m={"topics": [mercury]})
    make_event("Mercury conference 2020", -days(900), m2m={"topics": [mercury]})
    make_event("Water forum", days(6), language="ru")
    assert listed_titles(client.get("/en/events/?topic=mercury")) == ["Mercury workshop"]
    assert listed_titles(client.get("/en/events/?topic=mercury&when=past")) == [
        "Mercury conference 2020"
    ]
    assert listed_titles(client.get("/en/events/?language=ru")) == ["Water forum"]


def test_the_event_year_filter_uses_the_start(client):
    make_item(
        Event,
        "Forum 2031",
        starts_at=datetime.datetime(2031, 3, 1, 2, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 3, 2, 2, tzinfo=datetime.UTC),
        published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    )
    make_event("Soon", days(2))
    assert listed_titles(client.get("/en/events/?year=2031")) == ["Forum 2031"]
    assert listed_titles(client.get("/en/events/?year=2024")) == []


def test_events_are_shown_at_their_local_time_with_the_zone(client):
    # 04:00 UTC is 10:00 in Bishkek (UTC+6) and would be 12:00 in Ulaanbaatar (UTC+8).
    event = make_item(
        Event,
        "Chatkal community meeting",
        starts_at=datetime.datetime(2031, 5, 1, 4, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 5, 1, 7, 30, tzinfo=datetime.UTC),
        time_zone="Asia/Bishkek",
        place="Bishkek, Orozbekova 44",
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "10:00" in html and "13:30" in html
    assert "12:00" not in html
    assert "Asia/Bishkek (UTC+0600)" in html
    assert "2031-05-01T10:00:00+06:00" in html
    listing = client.get("/en/events/").content.decode()
    assert "10:00" in listing and "Asia/Bishkek" in listing


def test_an_event_page_shows_place_link_organiser_registration_and_calendar(client):
    event = make_event(
        "Tailings safety webinar",
        days(4),
        place="Ulaanbaatar, Chinggis Square 1",
        online_url="https://meet.example.org/tailings",
        organiser="Ministry of Mining and Heavy Industry",
        registration_url="https://forms.example.org/register",
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "Ulaanbaatar, Chinggis Square 1" in html
    assert 'href="https://meet.example.org/tailings"' in html
    assert "Ministry of Mining and Heavy Industry" in html
    assert 'href="https://forms.example.org/register"' in html
    assert f'href="/en/events/{event.slug}/event.ics"' in html
    assert "This event has ended" not in html


def test_a_past_event_says_it_has_ended_and_hides_registration(client):
    event = make_event(
        "Old training", -days(10), registration_url="https://forms.example.org/register"
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert "This event has ended" in html
    assert "forms.example.org" not in html


def test_the_event_list_stays_within_the_query_budget(client, django_assert_max_num_queries):
    topic = Topic.objects.get(slug="mercury")
    for number in range(30):
        make_event(f"Event {number}", days(number + 1), m2m={"topics": [topic]})
    with django_assert_max_num_queries(15):
        response = client.get("/en/events/?topic=mercury")
    assert len(listed_titles(response)) == 20


def test_archived_events_are_readable_by_link_but_not_listed(client):
    archived = make_event("Cancelled forum", days(3), status=Status.ARCHIVED)
    assert listed_titles(client.get("/en/events/")) == []
    assert client.get(archived.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------------------- access


def test_published_news_and_events_are_readable_by_everyone(personas):
    news = make_item(News, "Published news")
    event = make_event("Published event", days(3))
    for url in (
        reverse("publishing:news-list"),
        reverse("publishing:event-list"),
        "/en/events/?when=past",
        news.get_absolute_url(),
        event.get_absolute_url(),
        reverse("publishing:event-ical", args=[event.slug]),
        reverse("publishing:events-ical-feed"),
        reverse("publishing:news-rss"),
        reverse("publishing:news-atom"),
        reverse("publishing:news-topic-rss", args=["mercury"]),
        reverse("publishing:news-topic-atom", args=["mercury"]),
    ):
        assert check_permission_matrix(personas, url, EVERYONE) == []


def test_drafts_are_hidden_from_all_but_their_organisations_editors(personas):
    news = make_item(News, "Draft news", status=Status.DRAFT)
    event = make_event("Draft event", days(3), status=Status.REVIEW)
    for url in (
        news.get_absolute_url(),
        event.get_absolute_url(),
        reverse("publishing:event-ical", args=[event.slug]),
    ):
        assert check_permission_matrix(personas, url, EDITORS_ONLY) == []


def test_another_organisations_editor_does_not_see_a_draft(client):
    from minehub.accounts.roles import Role, grant_role
    from minehub.core.testing import make_user

    other = make_user("other-editor@example.org")
    grant_role(other, Role.EDITOR, make_organisation("other-org", name_en="Other"))
    draft = make_item(News, "Draft news", status=Status.DRAFT)
    client.force_login(other)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_unknown_news_and_events_are_not_found(client):
    assert client.get("/en/news/nope/").status_code == 404
    assert client.get("/en/events/nope/").status_code == 404
    assert client.get("/en/events/nope/event.ics").status_code == 404


@pytest.mark.parametrize("model", [News, Event])
def test_hostile_markdown_is_neutralised_on_the_page(client, model):
    fields = {"body": HOSTILE_MARKDOWN}
    if model is Event:
        fields["starts_at"] = timezone.now() + days(2)
        fields["ends_at"] = fields["starts_at"] + days(1)
    item = make_item(model, "Hostile", **fields)
    html = client.get(item.get_absolute_url()).content.decode()
    article = html.split("<article", 1)[1].split("</article>", 1)[0]
    assert "alert(1)" in article  # shown as text, not dropped silently
    assert_no_active_content(article)


def test_hostile_event_fields_are_escaped(client):
    event = make_event(
        '<script>alert("t")</script>',
        days(2),
        place="<img src=x onerror=alert(1)>",
        organiser="<b>Org</b>",
    )
    html = client.get(event.get_absolute_url()).content.decode()
    assert_no_active_content(html)
    assert "<img src=x" not in html
    assert "&lt;b&gt;Org&lt;/b&gt;" in html


def test_the_header_links_news_and_events_to_the_news_page(client):
    html = client.get("/en/").content.decode()
    assert 'href="/en/news/"' in html
    response = client.get("/en/news/")
    assert 'aria-current="page">News &amp; events<' in response.content.decode()


def test_local_time_helpers_agree_with_the_page(client):
    event = make_event("Zone check", days(2), time_zone="Asia/Bishkek")
    assert event.local_start.tzinfo == zoneinfo.ZoneInfo("Asia/Bishkek")
    html = client.get(event.get_absolute_url()).content.decode()
    assert event.local_start.strftime("%H:%M") in html


def test_detail_pages_stay_within_the_query_budget(personas, django_assert_max_num_queries):
    mercury = Topic.objects.get(slug="mercury")
    news = make_item(News, "News", m2m={"topics": [mercury]})
    event = make_event("Event", days(2), m2m={"topics": [mercury]})
    make_item(News, "Other news", m2m={"topics": [mercury]})
    for name in ("anonymous", "editor"):
        client = personas.client(name)
        for url in (news.get_absolute_url(), event.get_absolute_url()):
            with django_assert_max_num_queries(15):
                assert client.get(url).status_code == 200
