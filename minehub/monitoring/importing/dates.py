"""Reading ``sampled_at``: the accepted date and time forms, and nothing that needs a guess.

Accepted: ``yyyy-mm-dd``; ISO 8601 date-times with ``T`` or a space, seconds and fractions
optional, with or without an offset (``Z``, ``+08:00``, ``+0800``, ``+08``); ``dd.mm.yyyy``
with an optional ``HH:MM[:SS]`` (Russian); ``yyyy.mm.dd`` likewise (Mongolian); Excel date
cells (the reader hands them over in ISO form). Never ``mm/dd``: ``07/13/2024`` and
``13/07/2024`` are both refused, since one of the two readings would be a silent swap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from django.utils.translation import gettext_lazy as _

from minehub.monitoring.importing.problems import BAD_DATE, Problem

# Results from before environmental monitoring existed are typos (1024 for 2024).
EARLIEST_YEAR = 1900

_TIME = r"(?:(?:T|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,6}))?)?)?"
_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    + _TIME
    + r"(?:\s*(?P<offset>Z|[+\-\u2212]\d{2}(?::?\d{2})?))?",
    re.ASCII | re.IGNORECASE,
)
_DAY_FIRST = re.compile(
    r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})" + _TIME, re.ASCII | re.IGNORECASE
)
_YEAR_FIRST = re.compile(
    r"(?P<year>\d{4})\.(?P<month>\d{1,2})\.(?P<day>\d{1,2})" + _TIME, re.ASCII | re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class SampleTime:
    """A parsed ``sampled_at``: ``iso`` is the value as given in ISO form (date only, local
    date-time, or date-time with its own offset); ``utc`` is set only when an offset was
    given; ``day`` is the calendar date as written, for the future-date check."""

    iso: str
    utc: str | None
    day: date


def parse_sampled_at(text: str) -> SampleTime:
    """The :class:`SampleTime` in ``text``; raises :class:`Problem` (``bad_date``) for
    any other form and for impossible dates and times (30 February, month 13, 25:00)."""
    value = text.strip()
    match = _ISO.fullmatch(value) or _DAY_FIRST.fullmatch(value) or _YEAR_FIRST.fullmatch(value)
    if match is None:
        raise Problem(
            BAD_DATE,
            _(
                "“%(value)s” is not a date in an accepted form (yyyy-mm-dd, dd.mm.yyyy, "
                "yyyy.mm.dd, ISO 8601 date and time)."
            ),
            {"value": value},
        )
    parts = match.groupdict()
    try:
        day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        if day.year < EARLIEST_YEAR:
            raise ValueError("year before monitoring began")
        if parts["hour"] is None:
            return SampleTime(day.isoformat(), None, day)
        fraction = (parts["fraction"] or "").ljust(6, "0")
        moment = datetime(
            day.year,
            day.month,
            day.day,
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts["second"] or 0),
            int(fraction or 0),
            tzinfo=_offset(parts.get("offset")),
        )
    except ValueError:
        raise Problem(
            BAD_DATE, _("“%(value)s” is not a possible date or time."), {"value": value}
        ) from None
    utc = None
    if moment.tzinfo is not None:
        utc = moment.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"
    return SampleTime(moment.isoformat(), utc, day)


def _offset(text: str | None) -> timezone | None:
    """The UTC offset ``Z``/``±HH[:MM]``; ``ValueError`` beyond ±18 h or 59 minutes."""
    if text is None:
        return None
    if text in ("Z", "z"):
        return UTC
    sign = -1 if text[0] in "-\u2212" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 18 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
