"""Titles and keywords indexed apart from the bodies, so that asking where a common word
matches does not read all its body occurrences (see ``minehub.search.backends``).

- SQLite: the words as written, and titles and keywords, in FTS5 tables of their own
  (the texts are copied and tokenised again, no analysis is repeated); and an index
  covering what the search snapshot reads of each entry.
- PostgreSQL: one tsvector per field, in a narrow table of their own, instead of one
  vector weighted by field in ``search_entry``; split in SQL from the old one.

No re-index is needed. A database created after this change already has the new layout
(``0002`` installs the current one), so there is nothing to copy or split."""

from django.db import migrations

TABLE = "search_entry"
FULLTEXT = "search_fulltext"
# Field, old weight, new column.
FIELDS = [
    ("title", "a", "terms_title"),
    ("keywords", "b", "terms_keywords"),
    ("body", "c", "terms_body"),
    ("raw", "d", "terms_raw"),
]


def _has_column(cursor, name):
    cursor.execute(
        "SELECT 1 FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s AND column_name = %s",
        [TABLE, name],
    )
    return cursor.fetchone() is not None


FTS_TABLE = "search_fts"
RAW_TABLE = "search_fts_raw"
FIELDS_TABLE = "search_fts_fields"
VOCABULARY = "search_fts_vocabulary"
TOKENIZE = "tokenize = 'unicode61 remove_diacritics 0'"


# What a process's search snapshot reads of every entry. SQLite stores a row's columns in
# order, and ``passage_hash`` and ``length`` come after the long ``text``: without this
# index, loading 100k entries follows every row's overflow pages (1.5 instead of 0.7 s).
# PostgreSQL keeps long texts aside and needs no such index.
SNAPSHOT_INDEX = (
    "CREATE INDEX IF NOT EXISTS search_entry_snapshot ON search_entry (id, kind, language,"
    " organisation_id, year, published_at, passage_hash, topic_ids, region_ids, length)"
)


def _fts_columns(cursor):
    cursor.execute(f"SELECT name FROM pragma_table_info('{FTS_TABLE}')")
    return [row[0] for row in cursor.fetchall()]


def split_fts(schema_editor):
    """From one FTS5 table (title, keywords, body, raw) to three: stemmed, words as
    written, titles and keywords. Re-tokenises the texts: about a minute at 100k entries."""
    with schema_editor.connection.cursor() as cursor:
        if "raw" not in _fts_columns(cursor):
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE {FIELDS_TABLE} USING fts5(title, keywords, {TOKENIZE})"
        )
        cursor.execute(f"CREATE VIRTUAL TABLE {RAW_TABLE} USING fts5(raw, {TOKENIZE})")
        cursor.execute(
            f"CREATE VIRTUAL TABLE search_fts_stemmed USING fts5(title, keywords, body, {TOKENIZE})"
        )
        cursor.execute(
            f"INSERT INTO {FIELDS_TABLE} (rowid, title, keywords)"
            f" SELECT rowid, title, keywords FROM {FTS_TABLE}"
        )
        cursor.execute(f"INSERT INTO {RAW_TABLE} (rowid, raw) SELECT rowid, raw FROM {FTS_TABLE}")
        cursor.execute(
            "INSERT INTO search_fts_stemmed (rowid, title, keywords, body)"
            f" SELECT rowid, title, keywords, body FROM {FTS_TABLE}"
        )
        cursor.execute(f"DROP TABLE {VOCABULARY}")
        cursor.execute(f"DROP TABLE {FTS_TABLE}")
        cursor.execute(f"ALTER TABLE search_fts_stemmed RENAME TO {FTS_TABLE}")
        cursor.execute(f"CREATE VIRTUAL TABLE {VOCABULARY} USING fts5vocab({RAW_TABLE}, 'row')")
        for table in (FTS_TABLE, RAW_TABLE, FIELDS_TABLE):
            cursor.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")


def join_fts(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if "raw" in _fts_columns(cursor):
            return
        cursor.execute(
            f"CREATE VIRTUAL TABLE search_fts_joined USING fts5(title, keywords, body, raw,"
            f" {TOKENIZE})"
        )
        cursor.execute(
            "INSERT INTO search_fts_joined (rowid, title, keywords, body, raw)"
            " SELECT stemmed.rowid, stemmed.title, stemmed.keywords, stemmed.body, raw.raw"
            f" FROM {FTS_TABLE} AS stemmed JOIN {RAW_TABLE} AS raw ON raw.rowid = stemmed.rowid"
        )
        for table in (VOCABULARY, FTS_TABLE, RAW_TABLE, FIELDS_TABLE):
            cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"ALTER TABLE search_fts_joined RENAME TO {FTS_TABLE}")
        cursor.execute(f"CREATE VIRTUAL TABLE {VOCABULARY} USING fts5vocab({FTS_TABLE}, 'col')")


def split(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        split_fts(schema_editor)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(SNAPSHOT_INDEX)
        return
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not _has_column(cursor, "document"):
            return
        columns = ", ".join(f"{column} tsvector" for _field, _weight, column in FIELDS)
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FULLTEXT} (entry_id bigint PRIMARY KEY, {columns})"
        )
        vectors = ", ".join(
            f"setweight(ts_filter(document, '{{{weight}}}'), 'D')" for _field, weight, _c in FIELDS
        )
        cursor.execute(
            f"INSERT INTO {FULLTEXT} (entry_id, {', '.join(c for _f, _w, c in FIELDS)})"
            f" SELECT id, {vectors} FROM {TABLE} WHERE document IS NOT NULL"
        )
        cursor.execute(f"ALTER TABLE {TABLE} DROP COLUMN document")
        for _field, _weight, column in FIELDS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {FULLTEXT}_{column} ON {FULLTEXT} USING gin ({column})"
            )
        cursor.execute(f"ANALYZE {FULLTEXT}")


def join(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        join_fts(schema_editor)
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_entry_snapshot")
        return
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS document tsvector")
        vector = " || ".join(
            f"setweight(coalesce(fulltext.{column}, ''), '{weight.upper()}')"
            for _field, weight, column in FIELDS
        )
        cursor.execute(
            f"UPDATE {TABLE} SET document = {vector} FROM {FULLTEXT} AS fulltext"
            f" WHERE fulltext.entry_id = {TABLE}.id"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {FULLTEXT}")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS search_entry_document ON {TABLE} USING gin (document)"
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0003_ranking_state")]
    operations = [migrations.RunPython(split, join)]
