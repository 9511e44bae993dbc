"""Warming a new web process: its snapshot and the clause cache for the queries readers
search most, so the first readers after a restart do not wait for them.

A search whose clauses are not cached asks the full-text index for each of them (tens of
milliseconds at 100k entries, most of a search's time) and loading the snapshot takes a
few seconds. The most frequent queries of the last days (``QueryStat``) share most of
their clauses with what readers search next, so one background look-up at start covers
most of the cold start."""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from minehub.search import snapshot
from minehub.search.backends import Clause, get_backend
from minehub.search.models import IndexState, QueryStat
from minehub.search.query import plan

log = logging.getLogger(__name__)

DAYS = 7
# Clauses per look-up: bounds one statement (and the time the cache waits for it).
BATCH = 300


def frequent_queries(limit: int | None = None, days: int = DAYS) -> list[str]:
    if limit is None:
        limit = settings.MINEHUB_SEARCH_WARMUP_QUERIES
    if limit <= 0:
        return []
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    return list(
        QueryStat.objects.filter(day__gte=since)
        .values("query")
        .annotate(total=Sum("searches"))
        .order_by("-total", "query")
        .values_list("query", flat=True)[:limit]
    )


def warm_up(queries: list[str] | None = None) -> int:
    """Loads the snapshot and caches the clauses of ``queries`` (by default the most
    frequent recent ones). Returns the number of clauses asked for."""
    epoch, thesaurus_version, removals = IndexState.read()
    snap = snapshot.current(epoch, removals)
    backend = get_backend()
    clauses: dict[Clause, None] = {}
    for text in frequent_queries() if queries is None else queries:
        query_plan = plan(
            text, matches=lambda _group: True, correct=False, thesaurus_version=thesaurus_version
        )
        clauses.update(dict.fromkeys(query_plan.all_clauses))
    wanted = [clause for clause in clauses if clause not in snap.clauses]
    for start in range(0, len(wanted), BATCH):
        snap.clauses.rows_of(snap, backend, wanted[start : start + BATCH])
    return len(wanted)


def warm_up_in_background(then: Callable[[], object] | None = None) -> threading.Thread | None:
    """Warms up in a daemon thread (with its own database connection) while the process
    starts serving, and calls ``then`` after (failed or not); nothing when
    ``MINEHUB_SEARCH_WARMUP_QUERIES`` is 0."""
    if settings.MINEHUB_SEARCH_WARMUP_QUERIES <= 0:
        return None

    def run() -> None:
        try:
            warm_up()
        except Exception:  # a cold cache is slower, never wrong: log and carry on
            log.exception("search warm-up failed")
        finally:
            connection.close()
            if then is not None:
                then()

    thread = threading.Thread(target=run, name="search-warm-up", daemon=True)
    thread.start()
    return thread
