"""Parsing and validating one line of an import file.

What a line may hold (the types and keys docs/import.md lists) and how it becomes a
:class:`Record`. Pure: nothing here touches the database, so it is tested exhaustively
without one.
"""

from __future__ import annotations

import datetime
import decimal
import json
import zoneinfo
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext as _

from minehub.core.partial_dates import PartialDate, PartialDateError, parse_partial_date
from minehub.directory.models import Project
from minehub.exchange.models import Post, PostKind
from minehub.library.ingest.summary import LineRejected
from minehub.library.models import Document, DocumentKind, LegalAct, LegalActKind
from minehub.publishing.content import Publishable
from minehub.publishing.models import Event, News, NewsKind

CONTENT_MODELS: dict[str, type[Publishable]] = {
    "document": Document,
    "legal_act": LegalAct,
    "news": News,
    "event": Event,
    "project": Project,
}
# Member posts live in the exchange app with a moderation state instead of the editorial
# workflow; the importer writes them its own way (``importer._write_post``).
IMPORTED_MODELS: dict[str, type[models.Model]] = {**CONTENT_MODELS, "post": Post}
TYPES = tuple(IMPORTED_MODELS)
REQUIRED_KEYS = ("external_id", "type", "title", "body", "language")
COMMON_KEYS = frozenset(
    {*REQUIRED_KEYS, "summary", "topics", "regions", "published", "translation_of", "files"}
)
TYPE_KEYS: dict[str, frozenset[str]] = {
    "document": frozenset({"kind", "authors", "publication_date"}),
    "legal_act": frozenset({"kind", "number", "issuing_body", "adopted_on", "in_force_from"}),
    "news": frozenset({"kind"}),
    "event": frozenset({"starts_at", "ends_at", "time_zone", "place", "online_url"}),
    "project": frozenset({"starts_on", "ends_on", "donors", "implementers", "budget", "currency"}),
    "post": frozenset({"kind", "author"}),
}
DEFAULT_TIME_ZONE = "Asia/Ulaanbaatar"
MAX_SUMMARY = 2000
MAX_EXTERNAL_ID = 200


@dataclass
class Record:
    """One validated line, ready to be compared with the database and written."""

    line: int
    external_id: str
    type: str
    values: dict[str, Any]  # model attname → value, for the fields the file carries
    # False: draft; True: published now (or since it was first published); a datetime:
    # published at that moment.
    published: bool | datetime.datetime
    relations: dict[str, list[str]]  # many-to-many field → slugs or codes as written
    translation_of: str = ""
    files: list[str] = field(default_factory=list)
    author: str = ""  # a post's author: the e-mail address of a member, lower case
    notes: list[str] = field(default_factory=list)  # warnings found while parsing


# ---------------------------------------------------------------------------- parsing


def _missing(key: str) -> LineRejected:
    return LineRejected(_("“%(key)s” is missing.") % {"key": key})


def _text(data: dict[str, Any], key: str, *, required: bool = False, strip: bool = True) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise _missing(key)
        return ""
    if not isinstance(value, str):
        raise LineRejected(_("“%(key)s” must be text.") % {"key": key})
    # PostgreSQL refuses NUL in text; SQLite would store it. Refuse it on both.
    if "\x00" in value:
        raise LineRejected(_("“%(key)s” contains a NUL character.") % {"key": key})
    return value.strip() if strip else value


def _text_list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(entry, str) for entry in value):
        raise LineRejected(_("“%(key)s” must be a list of text values.") % {"key": key})
    if any("\x00" in entry for entry in value):
        raise LineRejected(_("“%(key)s” contains a NUL character.") % {"key": key})
    # Order kept, duplicates and empty entries dropped.
    return list(dict.fromkeys(entry.strip() for entry in value if entry.strip()))


def _partial_date(data: dict[str, Any], key: str) -> PartialDate | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise LineRejected(_("“%(key)s” must be a date.") % {"key": key})
    try:
        return parse_partial_date(value)
    except PartialDateError as error:
        raise LineRejected(_("“%(key)s”: %(error)s") % {"key": key, "error": str(error)}) from error


def _day(data: dict[str, Any], key: str) -> datetime.date | None:
    partial = _partial_date(data, key)
    if partial is None:
        return None
    if partial.day is None:
        raise LineRejected(
            _("“%(key)s” needs a full date (2017-05-20), not only a year or a month.")
            % {"key": key}
        )
    return partial.first_day


def _moment(data: dict[str, Any], key: str) -> datetime.datetime | None:
    value = _text(data, key)
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise LineRejected(
            _("“%(key)s”: “%(value)s” is not a date and time (2024-05-01T09:00+08:00).")
            % {"key": key, "value": value[:40]}
        ) from error
    if moment.tzinfo is None:
        # A time without an offset is ambiguous between the server's zone and the event's.
        raise LineRejected(
            _("“%(key)s”: give the UTC offset, e.g. 2024-05-01T09:00+08:00.") % {"key": key}
        )
    return moment


def parse_published(value: Any) -> tuple[bool | datetime.datetime, PartialDate | None]:
    """Reads ``published``: ``true``/``false``, a (partial) date or a date and time.

    Returns what :attr:`Record.published` holds and the date as written (events fall back
    to it). A date means midnight UTC of its first day.
    """
    if value is None or value is False or value == "":
        return False, None
    if value is True:
        return True, None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise LineRejected(_("“published” must be true, false or a date."))
    text = str(value).strip()
    moment = _moment({"published": text}, "published") if "T" in text else None
    if moment is not None:
        return moment.astimezone(datetime.UTC), PartialDate(moment.year, moment.month, moment.day)
    partial = _partial_date({"published": text}, "published")
    if partial is None:
        return False, None
    start = datetime.datetime.combine(partial.first_day, datetime.time(), tzinfo=datetime.UTC)
    return start, partial


@cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the zone database on every call; once is enough.
    return frozenset(zoneinfo.available_timezones())


def _check_lengths(model: type[models.Model], values: dict[str, Any]) -> None:
    for attname, value in values.items():
        model_field = model._meta.get_field(attname)
        limit = getattr(model_field, "max_length", None)
        if limit and isinstance(value, str) and len(value) > limit:
            raise LineRejected(
                _("“%(key)s” is longer than %(limit)s characters (%(length)s).")
                % {"key": attname, "limit": limit, "length": len(value)}
            )


def read_external_id(data: dict[str, Any], key: str = "external_id") -> str:
    """The identifier under ``key`` (text, or a whole number written as a number)."""
    value = data.get(key)
    if value is None:
        raise _missing(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise LineRejected(_("“%(key)s” must be text.") % {"key": key})
    value = value.strip()
    if not value:
        raise LineRejected(_("“%(key)s” is empty.") % {"key": key})
    if len(value) > MAX_EXTERNAL_ID:
        raise LineRejected(
            _("“%(key)s” is longer than %(limit)s characters.")
            % {"key": key, "limit": MAX_EXTERNAL_ID}
        )
    if "\x00" in value:
        raise LineRejected(_("“%(key)s” contains a NUL character.") % {"key": key})
    return value


def _event_values(data: dict[str, Any], published_on: PartialDate | None) -> dict[str, Any]:
    time_zone = _text(data, "time_zone") or DEFAULT_TIME_ZONE
    if time_zone not in _time_zones():
        raise LineRejected(_("“%(value)s” is not a time zone.") % {"value": time_zone[:64]})
    zone = zoneinfo.ZoneInfo(time_zone)
    starts_at = _moment(data, "starts_at")
    ends_at = _moment(data, "ends_at")
    if starts_at is None:
        if ends_at is not None or published_on is None:
            raise LineRejected(
                _("An event needs “starts_at”, or a “published” date to take its day from.")
            )
        # The event spans the period the date covers, in the event's own zone: one day for
        # a full date, the month or year for a partial one.
        starts_at = datetime.datetime.combine(published_on.first_day, datetime.time(), zone)
        ends_at = datetime.datetime.combine(published_on.last_day, datetime.time(23, 59), zone)
    elif ends_at is None:
        ends_at = starts_at
    if ends_at < starts_at:
        raise LineRejected(_("The event cannot end before it starts."))
    online_url = _text(data, "online_url")
    if online_url:
        try:
            URLValidator()(online_url)
        except ValidationError as error:
            raise LineRejected(
                _("“online_url” is not a web address: %(value)s") % {"value": online_url[:80]}
            ) from error
    return {
        "starts_at": starts_at.astimezone(datetime.UTC),
        "ends_at": ends_at.astimezone(datetime.UTC),
        "time_zone": time_zone,
        "place": _text(data, "place"),
        "online_url": online_url,
    }


def _kind(data: dict[str, Any], choices: type[models.TextChoices], default: str) -> str:
    kind = _text(data, "kind") or default
    if kind not in choices.values:
        raise LineRejected(
            _("“kind” must be one of %(choices)s, not “%(value)s”.")
            % {"choices": ", ".join(choices.values), "value": kind[:40]}
        )
    return kind


def _budget(data: dict[str, Any]) -> decimal.Decimal | None:
    value = data.get("budget")
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise LineRejected(_("“budget” must be a number."))
    try:
        # Through str() so a float such as 0.1 becomes 0.1, not its binary expansion.
        budget = decimal.Decimal(str(value).strip().replace(" ", ""))
    except decimal.InvalidOperation as error:
        raise LineRejected(_("“budget” must be a number.")) from error
    if not budget.is_finite() or budget < 0:
        raise LineRejected(_("“budget” must be a positive number."))
    if budget.as_tuple().exponent < -2:  # type: ignore[operator]
        raise LineRejected(_("“budget” has more than two decimal places."))
    if budget >= 10**14:
        raise LineRejected(_("“budget” is too large."))
    return budget


def _type_values(
    type_key: str, data: dict[str, Any], published_on: PartialDate | None
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    if type_key == "document":
        authors = data.get("authors")
        if isinstance(authors, list):
            authors = "\n".join(_text_list(data, "authors"))
        else:
            authors = _text(data, "authors")
        publication = _partial_date(data, "publication_date")
        return {
            "kind": _kind(data, DocumentKind, DocumentKind.OTHER),
            "authors": authors,
            "publication_date": str(publication) if publication else "",
        }, {}
    if type_key == "legal_act":
        adopted = _partial_date(data, "adopted_on")
        return {
            "kind": _kind(data, LegalActKind, LegalActKind.REGULATION),
            "number": _text(data, "number"),
            "issuing_body": _text(data, "issuing_body"),
            "adopted_on": str(adopted) if adopted else "",
            "in_force_from": _day(data, "in_force_from"),
        }, {}
    if type_key == "news":
        return {"kind": _kind(data, NewsKind, NewsKind.NEWS)}, {}
    if type_key == "event":
        return _event_values(data, published_on), {}
    # project
    starts_on, ends_on = _day(data, "starts_on"), _day(data, "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise LineRejected(_("A project cannot end before it starts."))
    currency = _text(data, "currency").upper()
    if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
        raise LineRejected(
            _("“currency” must be an ISO 4217 code such as USD or MNT, not “%(value)s”.")
            % {"value": currency[:20]}
        )
    return {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "budget": _budget(data),
        "currency": currency,
    }, {"donors": _text_list(data, "donors"), "implementers": _text_list(data, "implementers")}


def parse_record(data: Any, line: int) -> Record:
    """Validates one decoded JSON line and turns it into a :class:`Record`.

    Pure: touches no database. Raises :class:`LineRejected` with a translated reason.
    Unknown keys are not an error (an export may carry more than MineHub stores) but are
    noted as a warning, so a misspelt key does not go unnoticed.
    """
    if not isinstance(data, dict):
        raise LineRejected(_("The line is not a JSON object."))
    external_id = read_external_id(data)
    missing = [key for key in REQUIRED_KEYS if data.get(key) is None]
    if missing:
        raise LineRejected(
            _("Required keys are missing: %(keys)s.") % {"keys": ", ".join(missing)}, external_id
        )
    try:
        return _parse_record(data, line, external_id)
    except LineRejected as error:
        error.external_id = external_id
        raise


def _parse_record(data: dict[str, Any], line: int, external_id: str) -> Record:
    type_key = _text(data, "type", required=True)
    if type_key not in IMPORTED_MODELS:
        raise LineRejected(
            _("Unknown type “%(type)s”; use one of %(types)s.")
            % {"type": type_key[:40], "types": ", ".join(TYPES)}
        )
    language = _text(data, "language", required=True)
    if language not in settings.LANGUAGE_CODES:
        raise LineRejected(
            _("Unknown language “%(language)s”; use one of %(languages)s.")
            % {"language": language[:20], "languages": ", ".join(settings.LANGUAGE_CODES)}
        )
    title = _text(data, "title", required=True)
    if not title:
        raise LineRejected(_("“title” is empty."))
    summary = _text(data, "summary")
    if len(summary) > MAX_SUMMARY:
        raise LineRejected(
            _("“summary” is longer than %(limit)s characters (%(length)s).")
            % {"limit": MAX_SUMMARY, "length": len(summary)}
        )
    published, published_on = parse_published(data.get("published"))
    values: dict[str, Any] = {
        "title": title,
        "summary": summary,
        # Markdown: leading spaces can be an indented code block, so the body is kept as is.
        "body": _text(data, "body", required=True, strip=False),
        "language": language,
    }
    notes: list[str] = []
    relations = {
        "topics": _text_list(data, "topics"),
        # Region codes are upper case (MN-1, KG-C); accept them written in any case.
        "regions": [code.upper() for code in _text_list(data, "regions")],
    }
    translation_of = (
        read_external_id(data, "translation_of")
        if data.get("translation_of") not in (None, "")
        else ""
    )
    author = ""
    if type_key == "post":
        author = _post_author(data)
        values = _post_values(values, data)
        if translation_of:
            # A thread is one conversation whatever languages it holds; posts are not
            # grouped as translations of each other.
            notes.append(_("posts are not linked as translations; “translation_of” was ignored."))
            translation_of = ""
    else:
        type_values, type_relations = _type_values(type_key, data, published_on)
        values.update(type_values)
        relations.update(type_relations)
    _check_lengths(IMPORTED_MODELS[type_key], values)
    if type_key == "event" and not values["place"] and not values["online_url"]:
        # Left empty rather than invented: pages omit an empty place, and the editing form
        # asks for one the next time someone edits the event.
        notes.append(_("the event has neither a place nor an online link."))
    unknown = sorted(set(data) - COMMON_KEYS - TYPE_KEYS[type_key])
    if unknown:
        notes.append(
            _("keys not used for a %(type)s were ignored: %(keys)s.")
            % {"type": type_key, "keys": ", ".join(unknown)}
        )
    return Record(
        line=line,
        external_id=external_id,
        type=type_key,
        values=values,
        published=published,
        relations=relations,
        translation_of=translation_of,
        files=_text_list(data, "files"),
        author=author,
        notes=notes,
    )


def _post_author(data: dict[str, Any]) -> str:
    """The e-mail address in ``author`` (a member of the hub, checked by the importer)."""
    author = _text(data, "author").lower()
    if author and ("@" not in author or len(author) > 254):
        raise LineRejected(
            _("“author” must be the e-mail address of a member, not “%(value)s”.")
            % {"value": author[:60]}
        )
    return author


def _post_values(values: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A post's fields from the common ones: posts have no summary, so a summary opens
    the body as its first paragraph (unless the body already starts with it), and
    nothing of the line is lost."""
    summary, body = values["summary"], values["body"]
    if summary and not body.lstrip().startswith(summary):
        body = f"{summary}\n\n{body}" if body.strip() else summary
    return {
        "title": values["title"],
        "body": body,
        "language": values["language"],
        "kind": _kind(data, PostKind, PostKind.EXPERIENCE),
    }


def decode_line(raw: bytes) -> Any:
    """The JSON value of one line (bytes without the BOM); raises :class:`LineRejected`."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise LineRejected(_("The line is not UTF-8 text.")) from error
    except json.JSONDecodeError as error:
        raise LineRejected(
            _("The line is not valid JSON (%(error)s, column %(column)s).")
            % {"error": error.msg, "column": error.colno}
        ) from error
    except RecursionError as error:
        # json recurses per nesting level; a hostile line must not end the whole import.
        raise LineRejected(_("The line nests JSON too deeply.")) from error


def parse_line(raw: bytes, line: int) -> Record:
    """Decodes and validates one line of the file (bytes without the BOM)."""
    return parse_record(decode_line(raw), line)
