"""SQLite FTS5. The table stores the analysed columns; ``rowid`` is ``Entry.id``.

The ``unicode61`` tokenizer only splits our space-separated terms; diacritic removal is
off because folding is decided in ``text.fold`` (it would otherwise turn й into и)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection

from minehub.search.backends import COLUMNS, STEMMED, WEIGHTS, Clause, Row, parse_ids

TABLE = "search_fts"
VOCABULARY = "search_fts_vocabulary"
_COLUMN_LIST = ", ".join(COLUMNS)
_BM25 = f"bm25({TABLE}, {', '.join(str(WEIGHTS[column]) for column in COLUMNS)})"


def compile_clauses(clauses: Sequence[Clause]) -> str:
    """An FTS5 expression: every clause ORed, each restricted to its columns."""
    stemmed = "{" + " ".join(STEMMED) + "}"
    parts = []
    for clause in clauses:
        phrase = '"' + " ".join(clause.terms) + '"'
        parts.append(f"raw : {phrase}" if clause.exact else f"{stemmed} : {phrase}")
    return " OR ".join(parts)


class SqliteBackend:
    def install(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
                f"{_COLUMN_LIST}, tokenize = 'unicode61 remove_diacritics 0')"
            )
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {VOCABULARY} USING fts5vocab({TABLE}, 'col')"
            )

    def uninstall(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {VOCABULARY}")
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def write(self, rows: Sequence[Row]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, {_COLUMN_LIST}) VALUES (%s, %s, %s, %s, %s)",
                [(row.entry_id, row.title, row.keywords, row.body, row.raw) for row in rows],
            )

    def delete(self, entry_ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {TABLE} WHERE rowid = %s", [(entry_id,) for entry_id in entry_ids]
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    def match_ids(self, clauses: Sequence[Clause]) -> np.ndarray:
        if not clauses:
            return parse_ids(None)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT group_concat(rowid) FROM {TABLE} WHERE {TABLE} MATCH %s",
                [compile_clauses(clauses)],
            )
            return parse_ids(cursor.fetchone()[0])

    def ranked(
        self, clauses: Sequence[Clause], limit: int, within: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        if not clauses:
            return []
        sql = f"SELECT rowid, -{_BM25} FROM {TABLE} WHERE {TABLE} MATCH %s"
        params: list[object] = [compile_clauses(clauses)]
        if within is not None:
            sql += " AND rowid IN (SELECT value FROM json_each(%s))"
            params.append(json.dumps(within.tolist()))
        sql += f" ORDER BY {_BM25}, rowid DESC LIMIT %s"
        params.append(limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(entry_id), float(score)) for entry_id, score in cursor.fetchall()]

    def vocabulary(self) -> Iterable[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT term, doc FROM {VOCABULARY} WHERE col = 'raw'")
            yield from cursor.fetchall()
