"""What readers search for, for editors: the most frequent queries and the ones that found
nothing (content to write, synonyms to add to the thesaurus).

Only the normalised query and daily counts are stored: no user, session, IP address, user
agent or time of day, so the statistics hold no personal data. Queries longer than a few
words are cut, and queries seen only once stay in the table but are never shown unless
searched again, which keeps an accidental paste of private text out of view."""

from __future__ import annotations

import atexit
import datetime
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from minehub.search.models import QueryStat
from minehub.search.text import word_list

MAX_STORED_CHARS = 200
MIN_SEARCHES_SHOWN = 2

log = logging.getLogger(__name__)
# (day, normalised query) → [searches, of which found nothing], not yet written.
_pending: dict[tuple[datetime.date, str], list[int]] = {}
_lock = threading.Lock()
_writer: threading.Thread | None = None


def normalized(query: str) -> str:
    return " ".join(word_list(query))[:MAX_STORED_CHARS]


def record(query: str, found: int) -> None:
    """Counts a search. Kept in memory and written by a background thread every
    ``MINEHUB_SEARCH_STATS_SECONDS``: a write on the reader's request waits for any other
    writer, and on SQLite a large import holds the write lock for its whole transaction
    (a search then waited the 20 s busy timeout and failed with "database is locked")."""
    text = normalized(query)
    if not text:
        return
    with _lock:
        _keep((timezone.localdate(), text), 1, 1 if found == 0 else 0)
    if settings.MINEHUB_SEARCH_STATS_SECONDS <= 0:
        flush()
    else:
        _start_writer()


def flush() -> bool:
    """Writes the counts kept so far, in one transaction; on failure (the database busy or
    away) keeps them for the next time and returns False."""
    global _pending
    with _lock:
        taken, _pending = _pending, {}
    if not taken:
        return True
    try:
        with transaction.atomic():
            for (day, text), (searches, zero) in taken.items():
                _add(day, text, searches, zero)
    except DatabaseError:
        log.warning("search statistics not written yet (kept for the next try)", exc_info=True)
        with _lock:
            for key, (searches, zero) in taken.items():
                _keep(key, searches, zero)
        return False
    return True


def _keep(key: tuple[datetime.date, str], searches: int, zero: int) -> None:
    """Adds to the counts not yet written (the caller holds ``_lock``)."""
    counts = _pending.setdefault(key, [0, 0])
    counts[0] += searches
    counts[1] += zero


def _add(day: datetime.date, text: str, searches: int, zero: int) -> None:
    increments = {"searches": F("searches") + searches, "zero_results": F("zero_results") + zero}
    if QueryStat.objects.filter(day=day, query=text).update(**increments):
        return
    try:
        with transaction.atomic():
            QueryStat.objects.create(day=day, query=text, searches=searches, zero_results=zero)
    except IntegrityError:  # another process created the row meanwhile
        QueryStat.objects.filter(day=day, query=text).update(**increments)


def _start_writer() -> None:
    global _writer
    with _lock:
        if _writer is not None and _writer.is_alive():
            return
        if _writer is None:
            atexit.register(flush)  # what the last minutes counted
        _writer = threading.Thread(target=_write_periodically, name="search-stats", daemon=True)
        _writer.start()


def _write_periodically() -> None:
    while True:
        time.sleep(settings.MINEHUB_SEARCH_STATS_SECONDS)
        try:
            flush()
        finally:
            connection.close()  # this thread's own connection; a new one next time


def report(days: int = 30, limit: int = 50) -> dict[str, list[dict[str, object]]]:
    flush()  # this process's latest counts too
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    totals = (
        QueryStat.objects.filter(day__gte=since)
        .values("query")
        .annotate(searches=Sum("searches"), zero_results=Sum("zero_results"))
        .filter(searches__gte=MIN_SEARCHES_SHOWN)
    )
    top = list(totals.order_by("-searches", "query")[:limit])
    zero = list(totals.filter(zero_results__gt=0).order_by("-zero_results", "query")[:limit])
    return {"top": top, "zero": zero}
