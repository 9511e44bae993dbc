"""Search at scale: index build rate, search API latency and the web worker's memory.

Generates realistic multilingual documents (``bench.search_corpus``; 10,000 by default,
``MINEHUB_BENCH_SEARCH_DOCUMENTS=100000`` for the DESIGN.md budget), stores them as
published documents and rebuilds the index. Then a separate process, like a web worker
that has just started, times ``GET /api/v1/search`` for the 300 queries of
``bench/data/search_queries.txt`` (every kind: words, phrases, inflected and Latin-typed
words, typos, long queries, FTS syntax characters) twice:

- the first pass starts with nothing cached, so most queries ask the full-text index for
  clauses no earlier query used;
- the second pass is the steady state of a worker that has served these queries before
  (the clause cache of ``minehub.search.matching``; results themselves are never cached);
- then the cache is emptied and warmed as a web process warms it at start
  (``minehub.search.warmup``, from the most frequent queries), and the queries timed again.

Both passes are lexical + thesaurus search on the real index. Embedding 100k passages takes
about half an hour on two cores, so hybrid search is then timed with the real query model
over as many random unit vectors as there are documents (the vector scan's cost does not
depend on the values): a third pass, in the steady state. Figures are printed, never
asserted. ``python -m bench.search_speed FOLDER [DATABASE_URL]`` runs the worker part
against an installation built earlier (PostgreSQL included).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
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
    from django.conf import settings
    from django.db import connection

    from minehub.search import indexer

    count = int(os.environ.get("MINEHUB_BENCH_SEARCH_DOCUMENTS", "10000"))
    stored = _store(count)
    started = time.perf_counter()
    indexed = indexer.rebuild()
    build = time.perf_counter() - started
    lines = [
        f"\nSearch at scale: {indexed} items ({count} generated documents + demo), "
        f"{connection.vendor}",
        f"stored in {stored:.1f} s; index built in {build:.1f} s = {indexed / build:,.0f} items/s",
    ]
    connection.close()  # the worker process reads the committed database
    worker = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [sys.executable, "-m", "bench.search_speed", str(settings.MINEHUB_VAR_DIR)],
        check=True,
        capture_output=True,
        text=True,
    )
    return lines + worker.stdout.splitlines()


def _timings(client: object, queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        begin = time.perf_counter()
        response = client.get("/api/v1/search", {"q": query})
        timings.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, (query, response.status_code)
    return timings


def _summary(timings: list[float]) -> str:
    p95 = statistics.quantiles(timings, n=20)[-1]
    return (
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(timings):.0f} ms (budget p95 <= 50 ms)"
    )


def _random_vectors(count: int) -> tuple[np.ndarray, np.ndarray]:
    """Quantised random unit vectors, made in chunks straight into their final arrays so
    that no float copy of them all, nor a second int8 copy, inflates the worker's peak
    memory (a real worker loads them in batches too, see ``Snapshot.load_vectors``)."""
    from minehub.search import embeddings

    rng = np.random.default_rng(0)
    vectors = np.empty((count, embeddings.DIMENSIONS), dtype=np.int8)
    scales = np.empty(count, dtype=np.float32)
    for start in range(0, count, 5_000):
        size = min(5_000, count - start)
        chunk = rng.standard_normal((size, embeddings.DIMENSIONS), dtype=np.float32)
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
        vectors[start : start + size], scales[start : start + size] = embeddings.quantize(chunk)
    return vectors, scales


def _rss() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _hybrid_lines(client: object, queries: list[str]) -> list[str]:
    """The steady state again with dense retrieval on, over random unit vectors."""
    from django.conf import settings

    from minehub.search import embeddings, snapshot

    settings.MINEHUB_SEARCH_EMBEDDINGS = True
    if not embeddings.enabled():
        return ["hybrid: not measured (the embeddings extra is not installed)"]
    embed = []
    for query in queries[:100]:
        begin = time.perf_counter()
        embeddings.embed_query(query)
        embed.append((time.perf_counter() - begin) * 1000)
    snap = snapshot.current()
    snap.vectors, snap.scales = _random_vectors(snap.size)
    snap.vector_row = np.arange(snap.size)
    # Every query of the pass below is embedded while timed, as for a query this worker
    # has not seen (the worker keeps the vectors of recent queries).
    embeddings._cached_query_vector.cache_clear()
    query = snap.vectors[0].astype(np.float32) * snap.scales[0]
    scan = []
    for _ in range(50):
        begin = time.perf_counter()
        snap.similarities(query)
        scan.append((time.perf_counter() - begin) * 1000)
    return [
        f"dense part: query embedding median {statistics.median(embed):.1f} ms; "
        f"int8 vector scan of {snap.size} vectors median {statistics.median(scan):.1f} ms",
        f"hybrid (lexical + thesaurus + dense), steady state: {_summary(_timings(client, queries))}",
    ]


def _warmed_line(client: object, queries: list[str]) -> str:
    """The first pass again, after what a web process does when gunicorn starts it: the
    clause cache emptied, then warmed from the most frequent queries (``QueryStat`` now
    holds the queries above)."""
    from django.conf import settings

    from minehub.search import snapshot, warmup
    from minehub.search.matching import ClauseCache

    settings.MINEHUB_SEARCH_EMBEDDINGS = False  # timed like the first pass: lexical + thesaurus
    snapshot.current().clauses = ClauseCache()
    begin = time.perf_counter()
    asked = warmup.warm_up()
    warming = time.perf_counter() - begin
    return (
        f"after the start-up warm-up ({settings.MINEHUB_SEARCH_WARMUP_QUERIES} most frequent "
        f"queries, {asked} clauses, "
        f"{warming:.1f} s in the background): {_summary(_timings(client, queries))}"
    )


def serve(folder: str, database_url: str | None = None) -> None:
    """The worker: a fresh process on an index built earlier."""
    from bench.environment import configure

    os.environ.setdefault("MINEHUB_SEARCH_EMBEDDINGS", "0")  # lexical + thesaurus timed
    configure(folder=folder, database_url=database_url)
    from django.db import connection
    from django.test import Client

    from minehub.search import snapshot

    client = Client()
    queries = [line.split("\t")[2] for line in QUERIES.read_text().splitlines() if line.strip()]
    begin = time.perf_counter()
    client.get("/api/v1/search", {"q": "gold"})  # loads the snapshot and the thesaurus
    print(f"worker on {connection.vendor}: first search (loads the snapshot) "
          f"{(time.perf_counter() - begin) * 1000:.0f} ms")  # fmt: skip
    first = _timings(client, queries)
    print(f"search API, lexical + thesaurus, {len(queries)} queries, first pass (nothing "
          f"cached): {_summary(first)}")  # fmt: skip
    second = _timings(client, queries)
    cache = snapshot.current().clauses
    print(f"same queries, second pass (steady state, {len(cache)} clauses cached): "
          f"{_summary(second)}")  # fmt: skip
    print(f"web worker peak RSS, lexical + thesaurus (snapshot, clause cache): {_rss():.0f} MB "
          "(budget 300 MB)")  # fmt: skip
    for line in _hybrid_lines(client, queries):
        print(line)
    print(f"web worker peak RSS with the embedding model and vectors: {_rss():.0f} MB")
    # Last: emptying and refilling the clause cache in the same process raises the peak
    # above what a worker that warms up once at start ever holds.
    print(_warmed_line(client, queries))


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
