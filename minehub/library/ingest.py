"""Importing content from JSON Lines: ``minehub import_documents FILE.jsonl``.

One JSON object per line describes one item (document, legal act, news, event or project;
docs/import.md lists every key). The import is idempotent on ``external_id``: a line whose
item already holds the same state is counted as unchanged and writes nothing, a changed
line is saved as a new revision (``RevisionAction.IMPORT``), a new one is created.

How it is built, and why:

* The file is read three times, line by line, never whole: a first pass checks that it is
  UTF-8 and counts the lines (so a CP1251 file is refused before anything is written and the
  progress bar knows its total); a second pass imports; a third re-reads, by byte offset,
  only the lines whose ``translation_of`` names an item further down the file.
* Each line is written in its own transaction, so a rejected line (bad data, a refused
  file) leaves nothing behind and never takes good lines down with it. ``dry_run`` wraps
  the whole run in one more transaction that is rolled back at the end.
* Lines are read in chunks so the items a chunk refers to are looked up with a few
  queries per chunk rather than per line; taxonomy terms are cached for the whole run.
* Parsing and validating a line (:func:`parse_record`) is pure, so it is tested
  exhaustively without a database.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import uuid
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator, validate_slug
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minehub.core.models import Region, Topic
from minehub.core.partial_dates import PartialDate, PartialDateError, parse_partial_date
from minehub.core.progress import Progress
from minehub.directory.models import Organisation, Project
from minehub.library import files as library_files
from minehub.library.models import (
    Attachment,
    Document,
    DocumentKind,
    LegalAct,
    LegalActKind,
    StoredFile,
)
from minehub.publishing import workflow
from minehub.publishing.content import Publishable, Status
from minehub.publishing.models import Event, News, NewsKind, RevisionAction

CONTENT_MODELS: dict[str, type[Publishable]] = {
    "document": Document,
    "legal_act": LegalAct,
    "news": News,
    "event": Event,
    "project": Project,
}
# Member posts belong to the exchange app, which does not exist yet: their lines are
# rejected with a reason rather than dropped, so nothing is lost silently.
TYPES_AWAITING_APP = ("post",)
TYPES = (*CONTENT_MODELS, *TYPES_AWAITING_APP)
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
    "post": frozenset(),
}
# Many-to-many fields the importer manages, per type (minerals and SDGs are left alone).
RELATIONS: dict[str, tuple[str, ...]] = {
    key: ("topics", "regions", "donors", "implementers")
    if key == "project"
    else ("topics", "regions")
    for key in CONTENT_MODELS
}
DEFAULT_TIME_ZONE = "Asia/Ulaanbaatar"
MAX_SUMMARY = 2000
MAX_EXTERNAL_ID = 200
# Lines per chunk: the bulk lookups of a chunk stay well under SQLite's bound-parameter
# limit (an id list of the chunk's external ids plus their translation targets).
CHUNK_LINES = 250
BOM = b"\xef\xbb\xbf"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unreadable, not UTF-8)."""


class LineRejected(Exception):
    """One line cannot be imported; ``reason`` says why (translated)."""

    def __init__(self, reason: str, external_id: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.external_id = external_id


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Problem:
    """A rejected line or a warning about an imported one."""

    line: int
    external_id: str
    message: str

    def __str__(self) -> str:
        if self.external_id:
            return _("Line %(line)s (%(external_id)s): %(message)s") % {
                "line": self.line,
                "external_id": self.external_id,
                "message": self.message,
            }
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass
class ImportSummary:
    """What an import did: counts overall and per type, rejected lines and warnings."""

    dry_run: bool = False
    lines: int = 0
    by_type: dict[str, Counter[str]] = field(default_factory=dict)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def _total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.by_type.values())

    @property
    def created(self) -> int:
        return self._total(Outcome.CREATED)

    @property
    def updated(self) -> int:
        return self._total(Outcome.UPDATED)

    @property
    def unchanged(self) -> int:
        return self._total(Outcome.UNCHANGED)

    def count(self, type_key: str, outcome: str) -> None:
        self.by_type.setdefault(type_key, Counter())[outcome] += 1


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


def _check_lengths(model: type[Publishable], values: dict[str, Any]) -> None:
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
    if type_key in TYPES_AWAITING_APP:
        raise LineRejected(
            _(
                "type “%(type)s” is imported once the member exchange is installed; "
                "this line was not imported."
            )
            % {"type": type_key}
        )
    if type_key not in CONTENT_MODELS:
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
    type_values, type_relations = _type_values(type_key, data, published_on)
    values.update(type_values)
    model = CONTENT_MODELS[type_key]
    _check_lengths(model, values)
    relations = {
        "topics": _text_list(data, "topics"),
        # Region codes are upper case (MN-1, KG-C); accept them written in any case.
        "regions": [code.upper() for code in _text_list(data, "regions")],
        **type_relations,
    }
    notes = []
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
        translation_of=(
            read_external_id(data, "translation_of")
            if data.get("translation_of") not in (None, "")
            else ""
        ),
        files=_text_list(data, "files"),
        notes=notes,
    )


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


# ---------------------------------------------------------------------------- the file


def check_file(path: Path) -> int:
    """Checks that ``path`` is readable UTF-8 text and returns its number of lines.

    Reads in constant memory; raises :class:`ImportFileError` naming the first line that
    is not UTF-8, so a file saved in a legacy encoding (CP1251, ...) is refused before
    anything is written instead of half-imported.
    """
    if not path.is_file():
        raise ImportFileError(_("%(path)s is not a file.") % {"path": path})
    lines = 0
    try:
        with path.open("rb") as handle:
            for lines, raw in enumerate(handle, start=1):
                try:
                    (raw[len(BOM) :] if lines == 1 and raw.startswith(BOM) else raw).decode("utf-8")
                except UnicodeDecodeError as error:
                    raise ImportFileError(
                        _(
                            "%(path)s is not UTF-8 text (line %(line)s cannot be read as "
                            "UTF-8). Save it as UTF-8 and import it again."
                        )
                        % {"path": path.name, "line": lines}
                    ) from error
    except OSError as error:
        raise ImportFileError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error.strerror}
        ) from error
    return lines


def _read_lines(handle: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes without the BOM) for each line."""
    offset = 0
    for number, raw in enumerate(handle, start=1):
        yield number, offset, (raw[len(BOM) :] if number == 1 and raw.startswith(BOM) else raw)
        offset += len(raw)


def _chunks(lines: Iterator[tuple[int, int, bytes]]) -> Iterator[list[tuple[int, int, bytes]]]:
    chunk: list[tuple[int, int, bytes]] = []
    for entry in lines:
        chunk.append(entry)
        if len(chunk) >= CHUNK_LINES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def resolve_file(root: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``root``; refuses anything outside it.

    The path is resolved with symbolic links followed before the check, so neither
    ``../`` nor a link pointing elsewhere can read a file outside the import folder.
    """
    candidate = Path(relative)
    if candidate.is_absolute() or relative.startswith("~"):
        raise LineRejected(
            _("File path “%(path)s” must be relative to the import folder.")
            % {"path": relative[:200]}
        )
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise LineRejected(
            _("File path “%(path)s” points outside the import folder; it was refused.")
            % {"path": relative[:200]}
        )
    if not resolved.is_file():
        raise LineRejected(_("File “%(path)s” does not exist.") % {"path": relative[:200]})
    return resolved


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- importing


@dataclass
class _Pending:
    """A line whose ``translation_of`` names an item not seen yet: imported at the end."""

    line: int
    offset: int
    external_id: str
    translation_of: str


@dataclass
class _LineState:
    """What one line produced besides the item; kept only when its transaction commits."""

    warnings: list[str] = field(default_factory=list)
    new_topics: dict[str, int] = field(default_factory=dict)
    new_blobs: list[tuple[str, str]] = field(default_factory=list)  # (sha256, storage name)


@dataclass(frozen=True)
class _File:
    path: Path  # resolved, inside the import folder
    name: str  # the file name as written in the line, offered for download
    sha256: str


# external_id → {type: pk}; more than one type only when the database already holds a
# conflict (the same external_id in two tables), which the importer reports.
Found = dict[str, dict[str, int]]


class Importer:
    """Imports one JSON Lines file; see :func:`import_documents`."""

    def __init__(
        self,
        *,
        organisation: Organisation | None = None,
        files_root: Path | None = None,
        create_missing_topics: bool = False,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> None:
        self.organisation = organisation
        self.files_root = files_root
        self.create_missing_topics = create_missing_topics
        self.dry_run = dry_run
        self.progress = progress
        self.summary = ImportSummary(dry_run=dry_run)
        self._seen: dict[str, int] = {}  # external_id → the line that first used it
        self._known: Found = {}  # items this run created or checked
        self._pending: list[_Pending] = []
        self._topics: dict[str, int] = {}
        self._regions: dict[str, int] = {}
        self._organisations: dict[str, int | None] = {}
        self._root = Path()
        self._new_blobs: list[tuple[str, str]] = []  # written by this run's committed lines

    # -- the run

    def run(self, path: Path) -> ImportSummary:
        path = Path(path)
        self.summary.lines = check_file(path)
        self._root = (self.files_root or path.parent).resolve()
        if self.progress is not None:
            self.progress.total = self.summary.lines
        # A dry run does everything a real one does, then rolls it all back; each line's
        # own transaction becomes a savepoint inside this one.
        with transaction.atomic() if self.dry_run else nullcontext():
            self._topics = dict(Topic.objects.values_list("slug", "pk"))
            self._regions = dict(Region.objects.values_list("code", "pk"))
            with path.open("rb") as handle:
                for chunk in _chunks(_read_lines(handle)):
                    self._import_chunk(chunk)
                self._import_pending(handle)
            if self.dry_run:
                transaction.set_rollback(True)
        if self.dry_run:
            _remove_orphan_blobs(self._new_blobs)
        self.summary.rejected.sort(key=lambda problem: problem.line)
        self.summary.warnings.sort(key=lambda problem: problem.line)
        return self.summary

    def _advance(self) -> None:
        if self.progress is not None:
            self.progress.advance()

    def _reject(self, line: int, external_id: str, reason: str, type_key: str = "") -> None:
        self.summary.rejected.append(Problem(line, external_id, reason))
        if type_key in TYPES:
            self.summary.count(type_key, Outcome.REJECTED)

    def _parse(self, number: int, raw: bytes) -> Record:
        """Parses a line and claims its external_id (the first line using an id keeps it,
        even when rejected for another reason, so fixing that line and importing again
        gives the same result)."""
        data = decode_line(raw)
        if isinstance(data, dict):
            try:
                external_id = read_external_id(data)
            except LineRejected:
                pass  # parse_record reports it
            else:
                first = self._seen.setdefault(external_id, number)
                if first != number:
                    raise LineRejected(
                        _("external_id “%(external_id)s” already appears on line %(first)s.")
                        % {"external_id": external_id, "first": first},
                        external_id,
                    )
        return parse_record(data, number)

    def _import_chunk(self, chunk: list[tuple[int, int, bytes]]) -> None:
        records: list[tuple[Record, int]] = []
        for number, offset, raw in chunk:
            if not raw.strip():
                self._advance()
                continue
            try:
                record = self._parse(number, raw)
            except LineRejected as error:
                self._reject(number, error.external_id, error.reason, _type_of(raw))
                self._advance()
                continue
            records.append((record, offset))
        if not records:
            return
        found = self._lookup(
            {record.external_id for record, _offset in records}
            | {record.translation_of for record, _offset in records if record.translation_of}
        )
        instances = self._instances([record for record, _offset in records], found)
        for record, offset in records:
            target = record.translation_of
            if target and target != record.external_id and not self._where(target, found):
                # Perhaps further down the file: import it once the whole file was read.
                self._pending.append(_Pending(record.line, offset, record.external_id, target))
                continue
            self._import_record(record, found, instances)
            self._advance()

    def _import_pending(self, handle: BinaryIO) -> None:
        """Imports the lines held back for their translation target, targets first (a
        translation of a translation waits for its own target; a cycle is broken at the
        first line met, which is imported without the link)."""
        by_id = {pending.external_id: pending for pending in self._pending}
        done: set[str] = set()
        for pending in self._pending:
            chain: list[_Pending] = []
            in_chain: set[str] = set()
            current: _Pending | None = pending
            while (
                current is not None
                and current.external_id not in done
                and current.external_id not in in_chain
            ):
                chain.append(current)
                in_chain.add(current.external_id)
                current = by_id.get(current.translation_of)
            for entry in reversed(chain):
                self._import_pending_line(handle, entry)
                done.add(entry.external_id)

    def _import_pending_line(self, handle: BinaryIO, pending: _Pending) -> None:
        handle.seek(pending.offset)
        raw = handle.readline()
        if pending.line == 1 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
        try:
            record = parse_line(raw, pending.line)
        except LineRejected as error:  # the file changed under us
            self._reject(pending.line, pending.external_id, error.reason, _type_of(raw))
        else:
            found = self._lookup({record.external_id, record.translation_of})
            self._import_record(record, found, self._instances([record], found))
        self._advance()

    # -- lookups

    def _lookup(self, external_ids: set[str]) -> Found:
        found: Found = {}
        ids = sorted(external_ids)
        for type_key, model in CONTENT_MODELS.items():
            for external_id, pk in model.objects.filter(external_id__in=ids).values_list(
                "external_id", "pk"
            ):
                found.setdefault(external_id, {})[type_key] = pk
        return found

    def _where(self, external_id: str, found: Found) -> dict[str, int]:
        return self._known.get(external_id) or found.get(external_id) or {}

    def _instances(self, records: list[Record], found: Found) -> dict[tuple[str, int], Publishable]:
        """The stored items the records update, with their relations prefetched."""
        wanted: dict[str, list[int]] = {}
        for record in records:
            pk = found.get(record.external_id, {}).get(record.type)
            if pk is not None:
                wanted.setdefault(record.type, []).append(pk)
        instances: dict[tuple[str, int], Publishable] = {}
        for type_key, pks in wanted.items():
            model = CONTENT_MODELS[type_key]
            for item in model.objects.filter(pk__in=pks).prefetch_related(*RELATIONS[type_key]):
                instances[(type_key, item.pk)] = item
        return instances

    def _organisation_ids(self, slugs: Iterable[str]) -> None:
        missing = [slug for slug in slugs if slug not in self._organisations]
        if missing:
            stored = dict(Organisation.objects.filter(slug__in=missing).values_list("slug", "pk"))
            for slug in missing:
                self._organisations[slug] = stored.get(slug)

    # -- one line

    def _import_record(
        self, record: Record, found: Found, instances: dict[tuple[str, int], Publishable]
    ) -> None:
        state = _LineState(warnings=list(record.notes))
        try:
            with transaction.atomic():
                outcome, item = self._write(record, found, instances, state)
        except (
            LineRejected,
            ValidationError,
            workflow.EditConflict,
            IntegrityError,
            DataError,
        ) as error:
            _remove_orphan_blobs(state.new_blobs)
            self._reject(record.line, record.external_id, _reason(error), record.type)
            return
        self._new_blobs.extend(state.new_blobs)
        self._known[record.external_id] = {record.type: item.pk}
        self._topics.update(state.new_topics)
        self.summary.count(record.type, outcome)
        self.summary.warnings.extend(
            Problem(record.line, record.external_id, message) for message in state.warnings
        )

    def _write(
        self,
        record: Record,
        found: Found,
        instances: dict[tuple[str, int], Publishable],
        state: _LineState,
    ) -> tuple[str, Publishable]:
        model = CONTENT_MODELS[record.type]
        stored = found.get(record.external_id, {})
        if stored and record.type not in stored:
            raise LineRejected(
                _(
                    "external_id “%(external_id)s” belongs to a stored %(stored)s; "
                    "an imported item cannot change its type."
                )
                % {"external_id": record.external_id, "stored": ", ".join(sorted(stored))}
            )
        pk = stored.get(record.type)
        item = instances.get((record.type, pk)) if pk is not None else None
        values = dict(record.values)
        values.update(self._status_values(record, item))
        values["translation_of_id"] = self._translation_target(record, found, state)
        if self.organisation is not None:
            values["organisation_id"] = self.organisation.pk
        relations = self._relation_ids(record, state)
        files = self._files(record)

        if item is None:
            item = model(external_id=record.external_id, **values)
            workflow.create_item(
                item,
                None,
                m2m={name: ids for name, ids in relations.items() if ids},
                action=RevisionAction.IMPORT,
            )
            self._attach(item, files, state)
            return Outcome.CREATED, item

        changed = [name for name, value in values.items() if getattr(item, name) != value]
        changed_relations = {
            name: ids
            for name, ids in relations.items()
            if set(ids) != {related.pk for related in getattr(item, name).all()}
        }
        new_files = self._unattached(item, files)
        if not changed and not changed_relations and not new_files:
            return Outcome.UNCHANGED, item
        unlinked = "translation_of_id" in changed and values["translation_of_id"] is None
        for name in changed:
            setattr(item, name, values[name])
        if unlinked:
            # No longer a translation: it leaves its former original's group.
            item.translation_group = uuid.uuid4()
        comment = ""
        if new_files:
            comment = _("Files attached by the import: %(files)s") % {
                "files": ", ".join(file.name for file in new_files)
            }
        workflow.save_item(
            item,
            None,
            item.version,
            m2m=changed_relations,
            action=RevisionAction.IMPORT,
            comment=comment,
        )
        self._attach(item, new_files, state)
        return Outcome.UPDATED, item

    def _status_values(self, record: Record, item: Publishable | None) -> dict[str, Any]:
        if record.published is False:
            return {"status": Status.DRAFT, "published_at": None}
        if record.published is True:
            # "Published, date unknown": keep the first publication date once there is
            # one, or every import would move the item to the top of the listings.
            if item is not None and item.status == Status.PUBLISHED and item.published_at:
                return {"status": Status.PUBLISHED, "published_at": item.published_at}
            return {"status": Status.PUBLISHED, "published_at": timezone.now()}
        return {"status": Status.PUBLISHED, "published_at": record.published}

    def _translation_target(self, record: Record, found: Found, state: _LineState) -> int | None:
        target = record.translation_of
        if not target:
            return None
        if target == record.external_id:
            state.warnings.append(_("an item cannot be a translation of itself; link ignored."))
            return None
        where = self._where(target, found)
        if record.type in where:
            return where[record.type]
        if where:
            state.warnings.append(
                _(
                    "translation_of “%(target)s” is a %(target_type)s, not a %(type)s; "
                    "imported without the translation link."
                )
                % {"target": target, "target_type": ", ".join(sorted(where)), "type": record.type}
            )
        else:
            state.warnings.append(
                _(
                    "translation_of “%(target)s” names no item in the hub or in this file; "
                    "imported without the translation link."
                )
                % {"target": target}
            )
        return None

    def _relation_ids(self, record: Record, state: _LineState) -> dict[str, list[int]]:
        relations: dict[str, list[int]] = {}
        topics, unknown_topics = [], []
        for slug in record.relations["topics"]:
            pk = self._topics.get(slug) or state.new_topics.get(slug)
            if pk is None and self.create_missing_topics:
                pk = self._create_topic(slug, state)
            if pk is None:
                unknown_topics.append(slug)
            else:
                topics.append(pk)
        if unknown_topics:
            state.warnings.append(
                _("unknown topics were skipped: %(topics)s.")
                % {"topics": ", ".join(unknown_topics)}
            )
        relations["topics"] = topics
        regions = [
            self._regions[code] for code in record.relations["regions"] if code in self._regions
        ]
        unknown_regions = [
            code for code in record.relations["regions"] if code not in self._regions
        ]
        if unknown_regions:
            state.warnings.append(
                _("unknown region codes were skipped: %(regions)s.")
                % {"regions": ", ".join(unknown_regions)}
            )
        relations["regions"] = regions
        for name in ("donors", "implementers"):
            if name not in RELATIONS[record.type]:
                continue
            slugs = record.relations.get(name, [])
            self._organisation_ids(slugs)
            relations[name] = [
                pk for slug in slugs if (pk := self._organisations.get(slug)) is not None
            ]
            unknown = [slug for slug in slugs if self._organisations.get(slug) is None]
            if unknown:
                state.warnings.append(
                    _("unknown organisations in “%(key)s” were skipped: %(slugs)s.")
                    % {"key": name, "slugs": ", ".join(unknown)}
                )
        return relations

    def _create_topic(self, slug: str, state: _LineState) -> int | None:
        try:
            validate_slug(slug)
        except ValidationError:
            return None  # reported with the unknown topics
        if len(slug) > Topic._meta.get_field("slug").max_length:
            return None
        # Named after its slug in English only; the other languages fall back to English
        # until a data steward names the topic properly.
        name = slug.replace("-", " ").replace("_", " ").capitalize()
        topic = Topic.objects.create(
            slug=slug, name_en=name, name_mn="", name_ky="", name_ru="", position=1000
        )
        state.new_topics[slug] = topic.pk
        state.warnings.append(_("topic “%(slug)s” was created.") % {"slug": slug})
        return topic.pk

    # -- files

    def _files(self, record: Record) -> list[_File]:
        files = []
        for relative in record.files:
            path = resolve_file(self._root, relative)
            files.append(_File(path, Path(relative).name, _sha256(path)))
        return files

    def _unattached(self, item: Publishable, files: list[_File]) -> list[_File]:
        """The files not attached to ``item`` yet (compared by content, as stored)."""
        if not files:
            return []
        attached = set(
            Attachment.objects.filter(
                content_type=ContentType.objects.get_for_model(item), object_id=item.pk
            ).values_list("file__sha256", flat=True)
        )
        return [file for file in files if file.sha256 not in attached]

    def _attach(self, item: Publishable, files: list[_File], state: _LineState) -> None:
        for file in files:
            is_new = not StoredFile.objects.filter(sha256=file.sha256).exists()
            with file.path.open("rb") as handle:
                # Refuses what the library refuses (FileRejected, a ValidationError: the
                # line is rejected) and queues text extraction for new bytes on commit.
                stored = library_files.store_upload(handle, file.name)
            if is_new:
                # The blob is written outside the database transaction; remembered so it
                # can be removed if the line (or the dry run) is rolled back.
                state.new_blobs.append((stored.sha256, stored.blob.name))
            library_files.attach(item, stored, file.name)


def _remove_orphan_blobs(blobs: Iterable[tuple[str, str]]) -> None:
    """Deletes stored bytes whose database row was rolled back with their line."""
    for sha256, name in blobs:
        if not StoredFile.objects.filter(sha256=sha256).exists():
            default_storage.delete(name)


def _reason(error: Exception) -> str:
    """The message a rejected line is reported with."""
    if isinstance(error, LineRejected):
        return error.reason
    if isinstance(error, ValidationError):  # a refused file (FileRejected), among others
        return " ".join(error.messages)
    if isinstance(error, workflow.EditConflict):
        return _("The item was changed in the hub during the import; import the file again.")
    return _("The database refused the line: %(error)s") % {"error": error}


def _type_of(raw: bytes) -> str:
    """The ``type`` of a rejected line when it can be read, for the per-type counts."""
    try:
        data = decode_line(raw)
    except LineRejected:
        return ""
    value = data.get("type") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value in TYPES else ""


def import_documents(
    path: Path | str,
    *,
    organisation: Organisation | None = None,
    files_root: Path | None = None,
    create_missing_topics: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Imports the JSON Lines file at ``path`` and returns what happened.

    ``organisation`` owns the imported items (existing items keep theirs when it is not
    given); ``files_root`` is where ``files`` paths are looked up (default: the file's
    folder); with ``create_missing_topics`` unknown topic slugs become new topics instead
    of warnings; ``dry_run`` validates and writes nothing. Raises
    :class:`ImportFileError` when the file as a whole cannot be read; problems with single
    lines are in the summary instead.
    """
    importer = Importer(
        organisation=organisation,
        files_root=files_root,
        create_missing_topics=create_missing_topics,
        dry_run=dry_run,
        progress=progress,
    )
    return importer.run(Path(path))
