"""Dates known only to the year or the month ("2017", "2017-05", "2017-05-20").

Legal acts and old reports are often dated by year alone; storing a made-up day would
state something the source does not. A partial date is stored as its ISO text (which sorts
correctly) and parsed here, in one pure function the forms and the importer share.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_ISO = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?$")
# Day-first forms as written in Mongolian, Kyrgyz and Russian documents: 20.05.2017, 05.2017.
_DOTTED = re.compile(r"^(?:(?P<day>\d{1,2})\.)?(?P<month>\d{1,2})\.(?P<year>\d{4})$")


class PartialDateError(ValueError):
    """The text is not a year, a year-month or a full date."""


@dataclass(frozen=True, order=True)
class PartialDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> datetime.date:
        month = self.month or 12
        return datetime.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])


def parse_partial_date(text: str | int | None) -> PartialDate | None:
    """Parses ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``, ``MM.YYYY`` or ``DD.MM.YYYY``.

    Empty input gives ``None``; anything else that is not a real date raises
    :class:`PartialDateError` with a translated message.
    """
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    match = _ISO.match(text) or _DOTTED.match(text)
    if match is None:
        raise PartialDateError(
            _(
                "“%(value)s” is not a date. Write a year (2017), a month (2017-05) or a day (2017-05-20)."
            )
            % {"value": text[:40]}
        )
    year = int(match["year"])
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if year < 1000:
        raise PartialDateError(_("The year %(year)s is not plausible.") % {"year": year})
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError as error:
        raise PartialDateError(
            _("“%(value)s” is not a real date.") % {"value": text[:40]}
        ) from error
    return PartialDate(year, month, day)
