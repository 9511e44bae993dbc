"""iCalendar export: one event to add to a calendar, and the subscribable feed."""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
import pytest
from django.utils import timezone

from minehub.publishing.content import Status
from minehub.publishing.models import Event
from minehub.publishing.testing import make_item

pytestmark = pytest.mark.django_db

BISHKEK = zoneinfo.ZoneInfo("Asia/Bishkek")


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def make_event(title: str, starts_in: datetime.timedelta, **fields) -> Event:
    start = timezone.now() + starts_in
    return make_item(
        Event, title, starts_at=start, ends_at=start + datetime.timedelta(hours=2), **fields
    )


def test_an_event_file_has_its_times_in_the_events_own_time_zone(client):
    event = make_item(
        Event,
        "Chatkal community meeting",
        starts_at=datetime.datetime(2031, 5, 1, 4, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2031, 5, 1, 7, 30, tzinfo=datetime.UTC),
        time_zone="Asia/Bishkek",
        place="Bishkek, Orozbekova 44",
        summary="Results of the water sampling.",
    )
    response = client.get(f"/en/events/{event.slug}/event.ics")
    calendar = parse(response)
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}.ics"'
    assert b"DTSTART;TZID=Asia/Bishkek:20310501T100000" in response.content
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.start == datetime.datetime(2031, 5, 1, 10, 0, tzinfo=BISHKEK)
    assert vevent.start.tzinfo.key == "Asia/Bishkek"
    assert vevent.end == datetime.datetime(2031, 5, 1, 13, 30, tzinfo=BISHKEK)
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Bishkek"]
    assert calendar.get_missing_tzids() == set()
    assert str(vevent["UID"]) == f"event-{event.pk}@localhost"
    assert str(vevent["SUMMARY"]) == "Chatkal community meeting"
    assert vevent["SUMMARY"].params["LANGUAGE"] == "en"
    assert str(vevent["LOCATION"]) == "Bishkek, Orozbekova 44"
    assert str(vevent["URL"]) == f"http://testserver/en/events/{event.slug}/"
    assert "Results of the water sampling." in str(vevent["DESCRIPTION"])
    # iCalendar times have whole seconds.
    assert event.updated_at.replace(microsecond=0) == vevent.DTSTAMP
    assert vevent.last_modified == event.updated_at.replace(microsecond=0)


def test_the_uid_is_stable_across_requests_and_languages(client):
    event = make_event("Stable", datetime.timedelta(days=3))
    url = f"/en/events/{event.slug}/event.ics"
    first = parse(client.get(url)).walk("VEVENT")[0]["UID"]
    second = parse(client.get(url.replace("/en/", "/mn/"))).walk("VEVENT")[0]["UID"]
    assert first == second == f"event-{event.pk}@localhost"


def test_text_with_commas_semicolons_and_line_breaks_survives_the_round_trip(client):
    hostile_title = "Mining, water; and\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:injected"
    hostile_summary = "Line one; with, punctuation\nLine two \\ backslash\nATTENDEE:mailto:x@evil"
    event = make_event(
        hostile_title,
        datetime.timedelta(days=3),
        summary=hostile_summary,
        place="Room 3; floor 2, \nBEGIN:VALARM",
        organiser='Org, Inc.; "quoted"',
    )
    response = client.get(f"/en/events/{event.slug}/event.ics")
    calendar = parse(response)
    (vevent,) = calendar.walk("VEVENT")
    # A title is one line: its line breaks become spaces, its punctuation is escaped.
    assert str(vevent["SUMMARY"]) == ("Mining, water; and END:VEVENT BEGIN:VEVENT SUMMARY:injected")
    assert b"SUMMARY;LANGUAGE=en:Mining\\, water\\; and END:VEVENT" in response.content
    description = str(vevent["DESCRIPTION"])
    assert description.startswith(hostile_summary)
    assert 'Organiser: Org, Inc.; "quoted"' in description
    assert str(vevent["LOCATION"]) == "Room 3; floor 2, \nBEGIN:VALARM"
    assert "ATTENDEE" not in vevent
    assert calendar.walk("VALARM") == []
    assert b"\nBEGIN:VALARM" not in response.content


def test_an_online_event_uses_its_link_as_location_and_lists_links_in_the_description(client):
    event = make_event(
        "Webinar",
        datetime.timedelta(days=3),
        place="",
        online_url="https://meet.example.org/abc",
        registration_url="https://forms.example.org/r",
    )
    vevent = parse(client.get(f"/en/events/{event.slug}/event.ics")).walk("VEVENT")[0]
    assert str(vevent["LOCATION"]) == "https://meet.example.org/abc"
    description = str(vevent["DESCRIPTION"])
    assert "Online: https://meet.example.org/abc" in description
    assert "Registration: https://forms.example.org/r" in description


def test_the_calendar_feed_holds_upcoming_and_recent_published_events(client):
    make_event("Next week", datetime.timedelta(days=7), time_zone="Asia/Bishkek")
    make_event("Last month", -datetime.timedelta(days=30), time_zone="Asia/Ulaanbaatar")
    make_event("Half a year ago", -datetime.timedelta(days=180))
    make_event("Draft", datetime.timedelta(days=3), status=Status.DRAFT)
    make_event("Archived", datetime.timedelta(days=3), status=Status.ARCHIVED)
    response = client.get("/en/events/calendar.ics")
    calendar = parse(response)
    assert response["Content-Disposition"] == 'inline; filename="minehub-events.ics"'
    summaries = [str(vevent["SUMMARY"]) for vevent in calendar.walk("VEVENT")]
    assert summaries == ["Last month", "Next week"]
    assert {tz.tz_name for tz in calendar.timezones} == {"Asia/Bishkek", "Asia/Ulaanbaatar"}
    assert calendar.get_missing_tzids() == set()


def test_the_calendar_feed_shows_each_event_once_in_the_readers_language(client):
    original = make_event("Уулзалт", datetime.timedelta(days=7), language="mn")
    make_event("Meeting", datetime.timedelta(days=7), language="en", translation_of=original)
    english = parse(client.get("/en/events/calendar.ics"))
    assert [str(v["SUMMARY"]) for v in english.walk("VEVENT")] == ["Meeting"]
    kyrgyz = parse(client.get("/ky/events/calendar.ics"))
    assert [str(v["SUMMARY"]) for v in kyrgyz.walk("VEVENT")] == ["Уулзалт"]


def test_an_empty_calendar_feed_is_still_a_valid_calendar(client):
    calendar = parse(client.get("/en/events/calendar.ics"))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["VERSION"]) == "2.0"


def test_the_event_list_links_the_calendar_feed(client):
    html = client.get("/en/events/").content.decode()
    assert '<link rel="alternate" type="text/calendar"' in html
    assert 'href="/en/events/calendar.ics"' in html
