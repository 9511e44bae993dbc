"""Importing content from JSON Lines: ``minehub import_documents FILE.jsonl``.

One JSON object per line describes one item (document, legal act, news, event or project;
docs/import.md lists every key). The import is idempotent on ``external_id``: a line whose
item already holds the same state is counted as unchanged and writes nothing, a changed
line is saved as a new revision (``RevisionAction.IMPORT``), a new one is created.

How it is built, and why:

* The file is read three times, line by line, never whole: a first pass checks that it is
  UTF-8 and counts the lines (so a CP1251 file is refused before anything is written and the
  progress bar knows its total); a second pass imports; a third re-reads, by byte offset,
  only the lines whose ``translation_of`` names an item further down the file.
* Each line is written in its own transaction, so a rejected line (bad data, a refused
  file) leaves nothing behind and never takes good lines down with it. ``dry_run`` wraps
  the whole run in one more transaction that is rolled back at the end.
* Lines are read in chunks so the items a chunk refers to are looked up with a few
  queries per chunk rather than per line; taxonomy terms are cached for the whole run.
* Parsing and validating a line (:func:`parse_record`) is pure, so it is tested
  exhaustively without a database.

The package, by module:

* :mod:`.parse`: what a line may hold and how it is validated into a :class:`Record`
  (pure);
* :mod:`.reading`: the file's UTF-8 check, its lines with their byte offsets, in chunks;
* :mod:`.attachments`: the files a line names, resolved inside the import folder;
* :mod:`.importer`: the :class:`Importer`, which writes the records, and
  :func:`import_documents`;
* :mod:`.summary`: what an import reports (:class:`ImportSummary`, :class:`Problem`,
  :class:`Outcome`) and its two exceptions.

Everything public is re-exported here: import from ``minehub.library.ingest``.
"""

from minehub.library.ingest.attachments import resolve_file
from minehub.library.ingest.importer import RELATIONS, Found, Importer, import_documents
from minehub.library.ingest.parse import (
    COMMON_KEYS,
    CONTENT_MODELS,
    DEFAULT_TIME_ZONE,
    IMPORTED_MODELS,
    MAX_EXTERNAL_ID,
    MAX_SUMMARY,
    REQUIRED_KEYS,
    TYPE_KEYS,
    TYPES,
    Record,
    decode_line,
    parse_line,
    parse_published,
    parse_record,
    read_external_id,
)
from minehub.library.ingest.reading import BOM, CHUNK_LINES, check_file
from minehub.library.ingest.summary import (
    ImportFileError,
    ImportSummary,
    LineRejected,
    Outcome,
    Problem,
)

__all__ = [
    "BOM",
    "CHUNK_LINES",
    "COMMON_KEYS",
    "CONTENT_MODELS",
    "DEFAULT_TIME_ZONE",
    "MAX_EXTERNAL_ID",
    "MAX_SUMMARY",
    "RELATIONS",
    "REQUIRED_KEYS",
    "TYPES",
    "IMPORTED_MODELS",
    "TYPE_KEYS",
    "Found",
    "ImportFileError",
    "ImportSummary",
    "Importer",
    "LineRejected",
    "Outcome",
    "Problem",
    "Record",
    "check_file",
    "decode_line",
    "import_documents",
    "parse_line",
    "parse_published",
    "parse_record",
    "read_external_id",
    "resolve_file",
]
