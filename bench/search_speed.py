"""Search at scale: index build rate, search API latency and the web worker's memory.

Generates realistic multilingual documents (``bench.search_corpus``; 10,000 by default,
``MINEHUB_BENCH_SEARCH_DOCUMENTS=100000`` for the DESIGN.md budget), stores them as
published documents, rebuilds the index and times ``GET /api/v1/search`` for the 300
queries of ``bench/data/search_queries.txt`` (every kind: words, phrases, inflected and
Latin-typed words, typos, long queries, FTS syntax characters).

Lexical + thesaurus search is measured on the real index. Embedding 100k passages takes
about half an hour on two cores, so the dense part is timed separately: the query embedding
with the real model, and the vector scan over as many random unit vectors as there are
documents (the scan's cost does not depend on the values). Figures are printed, never
asserted.
"""

from __future__ import annotations

import os
import resource
import statistics
import time
from pathlib import Path

import numpy as np

QUERIES = Path(__file__).resolve().parent / "data/search_queries.txt"
BATCH = 2000


def _store(count: int) -> float:
    import datetime

    from django.utils import timezone

    from bench.search_corpus import generate_documents
    from minehub.library.models import Document
    from minehub.publishing.content import Status

    started = time.perf_counter()
    batch = []
    for number, item in enumerate(generate_documents(count)):
        published = datetime.date.fromisoformat(item["published"])
        batch.append(
            Document(
                title=item["title"][:300], slug=f"bench-search-{number}", summary=item["summary"],
                body=item["body"], language=item["language"], status=Status.PUBLISHED,
                published_at=timezone.make_aware(datetime.datetime(*published.timetuple()[:3])),
                kind="report",
            )
        )  # fmt: skip
        if len(batch) == BATCH:
            Document.objects.bulk_create(batch)
            batch = []
    Document.objects.bulk_create(batch)
    return time.perf_counter() - started


def run() -> list[str]:
    from django.test import Client

    from minehub.search import embeddings, indexer, snapshot

    count = int(os.environ.get("MINEHUB_BENCH_SEARCH_DOCUMENTS", "10000"))
    stored = _store(count)
    started = time.perf_counter()
    indexed = indexer.rebuild()
    build = time.perf_counter() - started
    snapshot.reset()
    lines = [
        f"\nSearch at scale: {indexed} items ({count} generated documents + demo), SQLite",
        f"stored in {stored:.1f} s; index built in {build:.1f} s = {indexed / build:,.0f} items/s",
    ]
    client = Client()
    queries = [line.split("\t")[2] for line in QUERIES.read_text().splitlines() if line.strip()]
    client.get("/api/v1/search", {"q": "gold"})  # load the snapshot and thesaurus
    timings = []
    for query in queries:
        begin = time.perf_counter()
        response = client.get("/api/v1/search", {"q": query})
        timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, (query, response.status_code)
    p95 = statistics.quantiles(timings, n=20)[-1]
    lines.append(
        f"search API, lexical + thesaurus, {len(queries)} queries: median "
        f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {max(timings):.0f} ms "
        f"(budget p95 <= 50 ms)"
    )
    if embeddings._model() is not None:
        embed = []
        for query in queries[:100]:
            begin = time.perf_counter()
            embeddings.embed_query(query)
            embed.append((time.perf_counter() - begin) * 1000)
        rng = np.random.default_rng(0)
        snap = snapshot.current()
        vectors = rng.standard_normal((snap.size, embeddings.DIMENSIONS)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        quantized, scales = embeddings.quantize(vectors)
        snap.vectors, snap.scales = quantized, scales
        snap.vector_row = np.arange(snap.size)
        scan = []
        for _ in range(50):
            begin = time.perf_counter()
            snap.similarities(vectors[0])
            scan.append((time.perf_counter() - begin) * 1000)
        lines.append(
            f"dense part: query embedding median {statistics.median(embed):.1f} ms; "
            f"int8 vector scan of {snap.size} vectors median {statistics.median(scan):.1f} ms"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines.append(f"peak RSS of this process (index build, model, snapshot): {rss:.0f} MB")
    return lines
