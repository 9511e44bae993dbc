"""PostgreSQL full-text search on a tsvector per entry, built with the ``simple``
configuration: PostgreSQL only splits and stores our terms, it stems nothing. The four
columns become the four weights (title A, keywords B, body C, words as written D).

The tsvector is a column of ``search_entry`` added by the migration (Django does not know
it): deleting or flushing entries takes their vectors along."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection

from minehub.search.backends import COLUMNS, WEIGHTS, Clause, Row, parse_ids

TABLE = "search_entry"
_LABELS = {"title": "A", "keywords": "B", "body": "C", "raw": "D"}
# ts_rank takes the weights in the order D, C, B, A.
_RANK_WEIGHTS = "{" + ", ".join(str(WEIGHTS[c] / 4) for c in reversed(COLUMNS)) + "}"
_VECTOR = " || ".join(
    f"setweight(to_tsvector('simple', %s), '{_LABELS[column]}')" for column in COLUMNS
)


def compile_clauses(clauses: Sequence[Clause]) -> str:
    """A tsquery: every clause ORed; phrases with <->, each term limited to its weights."""
    parts = []
    for clause in clauses:
        weights = "D" if clause.exact else "ABC"
        parts.append("(" + " <-> ".join(f"'{term}':{weights}" for term in clause.terms) + ")")
    return " | ".join(parts)


class PostgresBackend:
    def install(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS document tsvector")
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS search_entry_document ON {TABLE} USING gin (document)"
            )

    def uninstall(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS document")

    def write(self, rows: Sequence[Row]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {TABLE} SET document = {_VECTOR} WHERE id = %s",
                [(row.title, row.keywords, row.body, row.raw, row.entry_id) for row in rows],
            )

    def delete(self, entry_ids: Iterable[int]) -> None:
        """Nothing to do: the vector goes with its entry row."""

    def clear(self) -> None:
        """Nothing to do: the vectors go with their entry rows."""

    def match_ids(self, clauses: Sequence[Clause]) -> np.ndarray:
        if not clauses:
            return parse_ids(None)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT string_agg(id::text, ',') FROM {TABLE}"
                " WHERE document @@ to_tsquery('simple', %s)",
                [compile_clauses(clauses)],
            )
            return parse_ids(cursor.fetchone()[0])

    def ranked(
        self, clauses: Sequence[Clause], limit: int, within: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        if not clauses:
            return []
        sql = (
            f"SELECT id, ts_rank('{_RANK_WEIGHTS}', document, query, 1)"
            f" FROM {TABLE}, to_tsquery('simple', %s) query WHERE document @@ query"
        )
        params: list[object] = [compile_clauses(clauses)]
        if within is not None:
            sql += " AND id = ANY(%s)"
            params.append(within.tolist())
        sql += " ORDER BY 2 DESC, 1 DESC LIMIT %s"
        params.append(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(entry_id), float(score)) for entry_id, score in cursor.fetchall()]

    def vocabulary(self) -> Iterable[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat("
                f"'SELECT document FROM {TABLE} WHERE document IS NOT NULL', 'd')"
            )
            yield from cursor.fetchall()
