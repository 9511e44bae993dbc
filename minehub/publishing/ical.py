"""Events as iCalendar (RFC 5545): one event to add to a calendar, or a feed to subscribe to.

Times are written in the event's own time zone (``DTSTART;TZID=Asia/Bishkek:...``) with the
matching VTIMEZONE component, so a calendar shows 10:00 in Bishkek as 10:00 Bishkek time
wherever the reader is. All text goes through icalendar, which escapes commas, semicolons,
backslashes and line breaks: a hostile title cannot start a property or an event of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import icalendar
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from minehub.core.i18n import active_language
from minehub.publishing.models import Event

CONTENT_TYPE = "text/calendar; charset=utf-8"


def uid_host(request: HttpRequest) -> str:
    """The host name in event UIDs.

    A UID must not change, or calendars show an event twice; the request's host can vary
    (proxies, aliases), so the first configured host name is preferred.
    """
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and host != "*":
            return host
    return request.get_host().split(":")[0]


def event_uid(event: Event, host: str) -> str:
    """The event's stable UID: ``event-<pk>@<host>``."""
    return f"event-{event.pk}@{host}"


def feed_name() -> str:
    """The subscribable calendar's name, in the interface language."""
    return _("%(site)s events") % {"site": settings.MINEHUB_SITE_NAME}


def _one_line(text: str) -> str:
    # A summary is a title: line breaks in it are typing accidents, not structure.
    return " ".join(text.split())


def event_description(event: Event, url: str) -> str:
    """Plain text for DESCRIPTION: summary, organiser, links, and the page address."""
    lines = [event.summary.strip()] if event.summary.strip() else []
    if event.organiser:
        lines.append(_("Organiser: %(organiser)s") % {"organiser": event.organiser})
    if event.online_url:
        lines.append(_("Online: %(url)s") % {"url": event.online_url})
    if event.registration_url:
        lines.append(_("Registration: %(url)s") % {"url": event.registration_url})
    lines.append(_("Details: %(url)s") % {"url": url})
    return "\n".join(lines)


def vevent(request: HttpRequest, event: Event, host: str) -> icalendar.Event:
    """The VEVENT for ``event``, its times in the event's own time zone."""
    url = request.build_absolute_uri(event.get_absolute_url())
    component = icalendar.Event.new(
        uid=event_uid(event, host),
        summary=_one_line(event.title),
        start=event.local_start,
        end=event.local_end,
        description=event_description(event, url),
        location=event.place or event.online_url or None,
        url=url,
        # Without METHOD, DTSTAMP is when the event was last revised (RFC 5545 3.8.7.2);
        # using it also makes the output reproducible.
        stamp=event.updated_at,
        last_modified=event.updated_at,
        created=event.created_at,
        sequence=event.version - 1,
    )
    # The title is in the content's language, which may differ from the interface's.
    component["SUMMARY"].params["LANGUAGE"] = event.language
    return component


def build_calendar(
    request: HttpRequest, events: Sequence[Event], *, name: str, uid_suffix: str
) -> icalendar.Calendar:
    """A VCALENDAR with ``events`` and the VTIMEZONE components their times refer to."""
    host = uid_host(request)
    calendar = icalendar.Calendar.new(
        prodid=f"-//{settings.MINEHUB_SITE_NAME}//Events//{active_language().upper()}",
        uid=f"{uid_suffix}@{host}",
        calscale="GREGORIAN",
        language=active_language(),
    )
    # Not ``Calendar.new(name=...)``: icalendar writes that value unescaped, and a line
    # break in an event's title would then break the file. vText escapes it.
    for property_name in ("NAME", "X-WR-CALNAME"):
        calendar.add(property_name, icalendar.vText(_one_line(name)))
    for event in events:
        calendar.add_component(vevent(request, event, host))
    if events:
        # Time zone rules only for the years the events span keep the file small.
        first = min(event.local_start.date() for event in events)
        last = max(event.local_end.date() for event in events)
        calendar.add_missing_timezones(
            first_date=datetime.date(first.year, 1, 1),
            last_date=datetime.date(last.year + 1, 12, 31),
        )
    return calendar


def calendar_response(
    calendar: icalendar.Calendar, filename: str, *, as_attachment: bool
) -> HttpResponse:
    """``calendar`` served as ``text/calendar`` under ``filename``."""
    response = HttpResponse(calendar.to_ical(), content_type=CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response
