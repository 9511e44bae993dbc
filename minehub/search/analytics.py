"""What readers search for, for editors: the most frequent queries and the ones that found
nothing (content to write, synonyms to add to the thesaurus).

Only the normalised query and daily counts are stored: no user, session, IP address, user
agent or time of day, so the statistics hold no personal data. Queries longer than a few
words are cut, and queries seen only once stay in the table but are never shown unless
searched again, which keeps an accidental paste of private text out of view."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from minehub.search.models import QueryStat
from minehub.search.text import word_list

MAX_STORED_CHARS = 200
MIN_SEARCHES_SHOWN = 2


def normalized(query: str) -> str:
    return " ".join(word_list(query))[:MAX_STORED_CHARS]


def record(query: str, found: int) -> None:
    text = normalized(query)
    if not text:
        return
    day = timezone.localdate()
    zero = 1 if found == 0 else 0
    updated = QueryStat.objects.filter(day=day, query=text).update(
        searches=F("searches") + 1, zero_results=F("zero_results") + zero
    )
    if updated:
        return
    try:
        with transaction.atomic():
            QueryStat.objects.create(day=day, query=text, searches=1, zero_results=zero)
    except IntegrityError:  # another request created the row meanwhile
        QueryStat.objects.filter(day=day, query=text).update(
            searches=F("searches") + 1, zero_results=F("zero_results") + zero
        )


def report(days: int = 30, limit: int = 50) -> dict[str, list[dict[str, object]]]:
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
