"""Library and publishing pages at scale: 10,000 items on top of the demo content.

Fills the bench's throw-away SQLite database with a mix like a real hub's (about 7,000
documents, 1,000 legal acts, 1,500 news, 300 events and 200 projects in four languages,
with translations, topics, regions, minerals and legal act version chains), written with
``bulk_create`` so loading takes seconds, then measures each list and detail page the way
``bench/__main__.py`` does: median and p95 server time, SQL queries, and the bytes a
browser transfers. Each row says whether the page is within the DESIGN.md budgets.

``run()`` expects Django to be set up on the bench database (``bench/__main__.py`` does it)
and returns the lines to print. Figures are printed, never asserted. To see the pages at
the scale of the DESIGN.md budget, ``MINEHUB_BENCH_DOCUMENTS=100000 make bench`` changes
the number of documents (loading 100k takes about a minute).
"""

from __future__ import annotations

import datetime
import gzip
import json
import os
import random
import re
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REQUESTS = 200
# Items per type; the mix of a hub a few years after launch.
MIX = {"document": 7000, "legal_act": 1000, "news": 1500, "event": 300, "project": 200}
LANGUAGES = ("mn", "ky", "ru", "en")
LANGUAGE_WEIGHTS = (40, 15, 30, 15)
# Share of originals that get translations, and how many at most.
TRANSLATED_SHARE = 0.3
MAX_TRANSLATIONS = 3
BATCH = 500
SEED = 20261121

# DESIGN.md, "Budgets": server time at scale, SQL queries, transferred page weight.
BUDGET_P95_MS = 50.0
BUDGET_QUERIES = 15
BUDGET_KB = 150.0

DEMO_LIBRARY = Path(__file__).resolve().parent.parent / "minehub/core/demo_data/library.jsonl"


# ---------------------------------------------------------------------------- loading


def _word_pools() -> dict[str, list[str]]:
    """Words per language, taken from the demo library so the text looks like real
    Mongolian, Kyrgyz, Russian and English (script, word lengths) without shipping more."""
    pools: dict[str, list[str]] = {language: [] for language in LANGUAGES}
    for raw in DEMO_LIBRARY.read_text(encoding="utf-8").splitlines():
        item = json.loads(raw)
        words = re.findall(r"\w{2,}", f"{item['title']} {item.get('summary', '')} {item['body']}")
        pools[item["language"]].extend(word.lower() for word in words)
    return pools


class TextMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools = _word_pools()

    def words(self, language: str, count: int) -> str:
        return " ".join(self.rng.choices(self.pools[language], k=count))

    def title(self, language: str) -> str:
        return self.words(language, self.rng.randint(4, 11)).capitalize()[:300]

    def body(self, language: str) -> str:
        # About 2 KB of Markdown: a few paragraphs and a list, like a typical summary page.
        paragraphs = [self.words(language, self.rng.randint(40, 80)) for _ in range(3)]
        bullets = "\n".join(f"- {self.words(language, 6)}" for _ in range(4))
        return "\n\n".join([*paragraphs, bullets])


@dataclass
class Taxonomy:
    topics: list[int]
    regions: list[int]
    minerals: list[int]
    organisations: list[int]


@dataclass
class Targets:
    """The items whose detail pages are measured (the busiest kind of each)."""

    document: str = ""
    legal_act: str = ""
    news: str = ""
    event: str = ""
    project: str = ""


def _groups(rng: random.Random, total: int) -> Iterator[list[str]]:
    """Languages of each translation group (original first) until ``total`` items."""
    made = 0
    while made < total:
        original = rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        group = [original]
        if rng.random() < TRANSLATED_SHARE:
            others = [language for language in LANGUAGES if language != original]
            group += rng.sample(others, rng.randint(1, MAX_TRANSLATIONS))
        group = group[: total - made]
        made += len(group)
        yield group


def _type_fields(type_key: str, rng: random.Random, when: datetime.datetime) -> dict[str, Any]:
    """Fields of one content type (the same for all languages of a group)."""
    if type_key == "document":
        year = when.year - rng.randint(0, 3)
        return {
            "kind": rng.choice(["guideline", "report", "study", "training", "manual", "lessons"]),
            "authors": "Bench Author\nSecond Author",
            "publication_date": f"{year}-{rng.randint(1, 12):02d}",
            "year": year,
            "licence": "CC-BY-4.0",
            "pages": rng.randint(2, 200),
        }
    if type_key == "legal_act":
        adopted = when.date() - datetime.timedelta(days=rng.randint(0, 3000))
        return {
            "kind": rng.choice(["law", "regulation", "resolution", "order", "standard"]),
            "number": str(rng.randint(1, 500)),
            "issuing_body": rng.choice(["State Great Khural", "Government", "Jogorku Kenesh"]),
            "adopted_on": adopted.isoformat(),
            "year": adopted.year,
            "in_force_from": adopted + datetime.timedelta(days=30),
            "act_status": "in_force",
        }
    if type_key == "news":
        return {"kind": rng.choice(["news", "news", "news", "story", "newsletter"])}
    if type_key == "event":
        # Spread from two years back to one year ahead, so both event lists are full.
        starts = datetime.datetime(2026, 11, 1, 2, 0, tzinfo=datetime.UTC) + datetime.timedelta(
            days=rng.randint(-730, 365)
        )
        return {
            "starts_at": starts,
            "ends_at": starts + datetime.timedelta(hours=rng.choice([2, 8, 32])),
            "time_zone": rng.choice(["Asia/Ulaanbaatar", "Asia/Bishkek"]),
            "place": rng.choice(["Ulaanbaatar", "Bishkek", "Osh", "Erdenet"]),
        }
    starts = when.date() - datetime.timedelta(days=rng.randint(0, 2000))
    return {
        "starts_on": starts,
        "ends_on": starts + datetime.timedelta(days=rng.randint(365, 1500)),
        "budget": rng.randint(50, 5000) * 1000,
        "currency": rng.choice(["USD", "EUR", "CHF", "MNT", "KGS"]),
        "objectives": "Bench objectives.",
        "outcomes": [{"text": "Outcome one"}, {"text": "Outcome two"}],
        "points": [{"label": "Site", "lat": 47.9, "lon": 106.9}],
        "project_status": rng.choice(["ongoing", "completed", "planned"]),
    }


def populate(counts: dict[str, int] = MIX, seed: int = SEED) -> Targets:
    """Adds ``counts`` items per type with their many-to-many rows; returns the detail
    pages to measure. Uses explicit primary keys so a translation can point at its
    original within the same ``bulk_create`` batch."""
    from django.db import transaction
    from django.db.models import Max

    from minehub.core.models import Mineral, Region, Topic
    from minehub.directory.models import Organisation
    from minehub.library.ingest import CONTENT_MODELS

    rng = random.Random(seed)
    text = TextMaker(rng)
    taxonomy = Taxonomy(
        topics=list(Topic.objects.values_list("pk", flat=True)),
        regions=list(Region.objects.values_list("pk", flat=True)),
        minerals=list(Mineral.objects.values_list("pk", flat=True)),
        organisations=list(Organisation.objects.values_list("pk", flat=True)),
    )
    targets = Targets()
    now = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
    with transaction.atomic():
        for type_key, total in counts.items():
            model = CONTENT_MODELS[type_key]
            next_pk = (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
            items: list[Any] = []
            m2m: dict[str, list[tuple[int, int]]] = {
                name: [] for name in ("topics", "regions", "minerals", "donors", "implementers")
            }
            previous_act: int | None = None
            for group in _groups(rng, total):
                when = now - datetime.timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 8))
                shared = _type_fields(type_key, rng, when)
                group_id = uuid.uuid4()
                topics = rng.sample(taxonomy.topics, rng.randint(1, 3))
                regions = rng.sample(taxonomy.regions, rng.randint(0, 2))
                minerals = rng.sample(taxonomy.minerals, rng.randint(0, 1))
                original_pk = next_pk
                organisation = rng.choice(taxonomy.organisations)
                status = rng.choices(["published", "draft", "archived"], [94, 5, 1])[0]
                if type_key == "legal_act" and previous_act and rng.random() < 0.2:
                    # A new version of the previous act: a chain the detail page walks.
                    shared["replaces_id"] = previous_act
                for language in group:
                    pk = next_pk
                    next_pk += 1
                    items.append(
                        model(
                            pk=pk,
                            title=text.title(language),
                            slug=f"bench-{type_key.replace('_', '-')}-{pk}",
                            summary=text.words(language, 30),
                            body=text.body(language),
                            language=language,
                            translation_of_id=None if pk == original_pk else original_pk,
                            translation_group=group_id,
                            status=status,
                            organisation_id=organisation,
                            published_at=when if status != "draft" else None,
                            **shared,
                        )
                    )
                    for name, ids in (
                        ("topics", topics),
                        ("regions", regions),
                        ("minerals", minerals),
                    ):
                        m2m[name] += [(pk, term) for term in ids]
                    if type_key == "project":
                        m2m["donors"] += [(pk, rng.choice(taxonomy.organisations))]
                        m2m["implementers"] += [(pk, organisation)]
                if type_key == "legal_act":
                    previous_act = original_pk
                if status == "published" and len(group) == 4 and len(topics) == 3:
                    # Fully translated, well tagged: the detail page with the most to show.
                    setattr(
                        targets, type_key, getattr(targets, type_key) or items[-len(group)].slug
                    )
            model.objects.bulk_create(items, batch_size=BATCH)
            _bulk_m2m(model, m2m)
        _repeal_replaced_acts(CONTENT_MODELS["legal_act"])
    for type_key in counts:
        if not getattr(targets, type_key):  # a tiny mix: any published original will do
            model = CONTENT_MODELS[type_key]
            first = model.objects.published().filter(slug__startswith="bench-").first()
            setattr(targets, type_key, first.slug if first else "")
    return targets


def _bulk_m2m(model: Any, rows: dict[str, list[tuple[int, int]]]) -> None:
    for name, pairs in rows.items():
        if not pairs or not hasattr(model, name):
            continue
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name() + "_id"
        target = field.m2m_reverse_field_name() + "_id"
        through.objects.bulk_create(
            [through(**{source: item, target: term}) for item, term in dict.fromkeys(pairs)],
            batch_size=BATCH,
            ignore_conflicts=True,
        )


def _repeal_replaced_acts(model: Any) -> None:
    replaced = model.objects.filter(replaced_by__isnull=False, slug__startswith="bench-")
    replaced.update(act_status="repealed", in_force_until=datetime.date(2025, 1, 1))


# ---------------------------------------------------------------------------- measuring


def _asset_bytes(html: str, client: Any) -> int:
    total = 0
    for url in set(re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|woff2?))"', html)):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        total += len(gzip.compress(body, 6))
    return total


@dataclass
class Figures:
    median_ms: float
    p95_ms: float
    # Process CPU time per request: on a machine busy with other work the wall-clock
    # figures grow while this one does not, so it tells load from slowness.
    cpu_median_ms: float
    queries: int
    kilobytes: float

    def verdict(self) -> str:
        over = []
        if self.p95_ms > BUDGET_P95_MS:
            over.append("p95")
        if self.queries > BUDGET_QUERIES:
            over.append("queries")
        if self.kilobytes > BUDGET_KB:
            over.append("weight")
        return "ok" if not over else "OVER: " + ", ".join(over)


def measure(client: Any, url: str, requests: int = REQUESTS) -> Figures:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and compiled templates
    timings, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries.captured_queries)  # before the asset requests clear the log
    html = response.content.decode()
    transferred = len(gzip.compress(response.content, 6)) + _asset_bytes(html, client)
    return Figures(
        statistics.median(timings),
        statistics.quantiles(timings, n=20)[-1],
        statistics.median(cpu),
        query_count,
        transferred / 1024,
    )


def pages(targets: Targets) -> list[tuple[str, str]]:
    """(label, URL) of every page measured; sections whose URLs do not exist are left out."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation

    wanted: list[tuple[str, str, dict[str, str], str]] = [
        ("library list", "library:document-list", {}, ""),
        ("library list, topic", "library:document-list", {}, "?topic=water"),
        ("library list, page 50", "library:document-list", {}, "?page=50"),
        ("document detail", "library:document-detail", {"slug": targets.document}, ""),
        ("legal acts list", "library:legal-act-list", {}, ""),
        ("legal act detail", "library:legal-act-detail", {"slug": targets.legal_act}, ""),
        ("news list", "publishing:news-list", {}, ""),
        ("news detail", "publishing:news-detail", {"slug": targets.news}, ""),
        ("events list", "publishing:event-list", {}, ""),
        ("event detail", "publishing:event-detail", {"slug": targets.event}, ""),
        ("projects list", "directory:project-list", {}, ""),
        ("project detail", "directory:project-detail", {"slug": targets.project}, ""),
    ]
    found = []
    with translation.override("en"):
        for label, name, kwargs, query in wanted:
            if "slug" in kwargs and not kwargs["slug"]:
                continue
            try:
                found.append((label, reverse(name, kwargs=kwargs) + query))
            except NoReverseMatch:
                continue  # the section is not installed yet
    return found


def run(
    requests: int = REQUESTS, populate_items: Callable[[dict[str, int]], Targets] = populate
) -> list[str]:
    """Loads the 10,000 items, measures every page and returns the lines to print."""
    from django.test import Client

    counts = {**MIX, "document": int(os.environ.get("MINEHUB_BENCH_DOCUMENTS", MIX["document"]))}
    start = time.perf_counter()
    targets = populate_items(counts)
    loaded = time.perf_counter() - start
    total = sum(counts.values())
    lines = [
        "",
        f"Library and publishing at scale: {total:,} items ({_mix_text(counts)}) loaded in "
        f"{loaded:.1f} s; {requests} requests per page, SQLite",
        f"budgets: p95 <= {BUDGET_P95_MS:.0f} ms, <= {BUDGET_QUERIES} queries, "
        f"<= {BUDGET_KB:.0f} KB transferred; load average at start "
        + " ".join(f"{load:.2f}" for load in os.getloadavg()),
        f"{'page':24} {'median ms':>9} {'p95 ms':>7} {'cpu ms':>7} {'queries':>7} "
        f"{'KB transferred':>15}  budget",
    ]
    client = Client()
    for label, url in pages(targets):
        figures = measure(client, url, requests)
        lines.append(
            f"{label:24} {figures.median_ms:9.2f} {figures.p95_ms:7.2f} "
            f"{figures.cpu_median_ms:7.2f} {figures.queries:7d} {figures.kilobytes:15.1f}  "
            f"{figures.verdict()}"
        )
    return lines


def _mix_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items())
