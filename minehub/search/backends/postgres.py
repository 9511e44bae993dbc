"""PostgreSQL full-text search on one tsvector column per field, built with the ``simple``
configuration: PostgreSQL only splits and stores our terms, it stems nothing.

The vectors live in a narrow table of their own, ``search_fulltext`` (one row per entry,
``entry_id`` = ``Entry.id``, like SQLite's FTS5 tables), with a column and a GIN index per
field (``terms_title``, ``terms_keywords``, ``terms_body``, ``terms_raw``):

- a column per field rather than one vector weighted by field: the GIN index cannot tell
  weights apart, so a weight-restricted query (``'gold':A``) re-reads every candidate
  row's vector, seconds for a common word in 100k entries; a field's own column is
  answered by its index (phrases still re-check the rows having every word). Matching is
  also exactly FTS5's: a phrase never runs from one field into the next;
- a narrow table: GIN cannot answer from the index alone, every matching row is visited,
  and 100k narrow rows stay in shared buffers where ``search_entry``'s do not;
- sequential scans off for the look-ups: the planner does not count what reading every
  vector costs and would scan the table for a common word (0.7 s instead of 0.07); and
  JIT compilation off: a query's statement of a few hundred small selects exceeds the JIT
  cost threshold and spends seconds compiling."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection, transaction

from minehub.search.backends import COLUMNS, STEMMED, Clause, Matches, Row, parse_ids
from minehub.search.models import Entry

TABLE = "search_fulltext"
# The column holding each field's vector.
VECTORS = {column: f"terms_{column}" for column in COLUMNS}
FIELDS = ("title", "keywords")
_VECTORS = ", ".join("to_tsvector('simple', %s)" for _column in COLUMNS)


def compile_clauses(clauses: Sequence[Clause]) -> str:
    """A tsquery: every clause ORed, phrases with <->."""
    return " | ".join(
        "(" + " <-> ".join(f"'{term}'" for term in clause.terms) + ")" for clause in clauses
    )


def _condition(clause: Clause, field: str | None) -> str:
    """Where ``clause`` must match (%s: its tsquery): ``raw`` for an exact clause, else
    ``field`` or any stemmed field."""
    if clause.exact:
        columns: Sequence[str] = ("raw",)
    else:
        columns = STEMMED if field is None else (field,)
    return (
        "("
        + " OR ".join(f"{VECTORS[column]} @@ to_tsquery('simple', %s)" for column in columns)
        + ")"
    )


class PostgresBackend:
    def install(self) -> None:
        columns = ", ".join(f"{vector} tsvector" for vector in VECTORS.values())
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (entry_id bigint PRIMARY KEY, {columns})"
            )
            for vector in VECTORS.values():
                cursor.execute(
                    f"CREATE INDEX IF NOT EXISTS {TABLE}_{vector} ON {TABLE} USING gin ({vector})"
                )

    def uninstall(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def write(self, rows: Sequence[Row]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (entry_id, {', '.join(VECTORS.values())})"
                f" VALUES (%s, {_VECTORS})",
                [(row.entry_id, row.title, row.keywords, row.body, row.raw) for row in rows],
            )

    def delete(self, entry_ids: Iterable[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE entry_id = ANY(%s)", [list(entry_ids)])

    def clear(self) -> None:
        # Not TRUNCATE: its lock would stop searches until a rebuild commits.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    def optimize(self) -> None:
        # Without statistics on a freshly filled table the planner scans all of it to find
        # the entries newer than a snapshot's (60 ms instead of 0.1 at 100k entries).
        # A GIN index takes new rows into a pending list that every look-up reads through
        # until (auto)vacuum merges it; after a rebuild of 100k entries the lists held
        # 1,300 pages, and searches with nothing cached took p95 1.4 s instead of 0.5 s
        # and a web process's warm-up 67 s instead of 21 (bench/search_speed.py).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT gin_clean_pending_list(i.indexrelid::regclass) FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am m ON m.oid = c.relam"
                " WHERE i.indrelid = %s::regclass AND m.amname = 'gin'",
                [TABLE],
            )
            cursor.execute(f"ANALYZE {TABLE}")
            cursor.execute(f"ANALYZE {Entry._meta.db_table}")

    def match_ids(
        self, clauses: Sequence[Clause], field: str | None = None, after: int = 0
    ) -> np.ndarray:
        conditions, params = [], []
        for clause in clauses:
            if clause.exact and field is not None:
                continue  # exact clauses never match in a field
            condition = _condition(clause, field)
            conditions.append(condition)
            params += [compile_clauses([clause])] * condition.count("%s")
        if not conditions:
            return parse_ids(None)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT string_agg(entry_id::text, ',' ORDER BY entry_id) FROM {TABLE}"
                f" WHERE ({' OR '.join(conditions)}) AND entry_id > %s",
                [*params, after],
            )
            return parse_ids(cursor.fetchone()[0])

    def lookup(self, clauses: Sequence[Clause], after: int = 0) -> list[Matches]:
        if not clauses:
            return []
        selects, params = [], []
        for index, clause in enumerate(clauses):
            query = compile_clauses([clause])
            for column, field in enumerate((None,) if clause.exact else (None, *FIELDS)):
                condition = _condition(clause, field)
                selects.append(
                    f"SELECT {index}, {column}, string_agg(entry_id::text, ',' ORDER BY entry_id)"
                    f" FROM {TABLE} WHERE {condition} AND entry_id > %s"
                )
                params += [query] * condition.count("%s") + [after]
        answers: dict[tuple[int, int], np.ndarray] = {}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(" UNION ALL ".join(selects), params)
            rows = cursor.fetchall()
        for index, column, joined in rows:
            answers[index, column] = parse_ids(joined)
        empty = parse_ids(None)
        return [
            Matches(*(answers.get((index, column), empty) for column in range(3)))
            for index in range(len(clauses))
        ]

    def vocabulary(self) -> Iterable[tuple[str, int]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, ndoc FROM ts_stat("
                f"'SELECT {VECTORS['raw']} FROM {TABLE} WHERE {VECTORS['raw']} IS NOT NULL')"
            )
            yield from cursor.fetchall()
