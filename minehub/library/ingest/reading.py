"""Reading the import file: the UTF-8 check that counts its lines before anything is
written, then its lines with their byte offsets, in chunks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from minehub.library.ingest.summary import ImportFileError

# Lines per chunk: the bulk lookups of a chunk stay well under SQLite's bound-parameter
# limit (an id list of the chunk's external ids plus their translation targets).
CHUNK_LINES = 250
BOM = b"\xef\xbb\xbf"


def check_file(path: Path) -> int:
    """Checks that ``path`` is readable UTF-8 text and returns its number of lines.

    Reads in constant memory; raises :class:`ImportFileError` naming the first line that
    is not UTF-8, so a file saved in a legacy encoding (CP1251, ...) is refused before
    anything is written instead of half-imported.
    """
    if not path.is_file():
        raise ImportFileError(_("%(path)s is not a file.") % {"path": path})
    lines = 0
    try:
        with path.open("rb") as handle:
            for lines, raw in enumerate(handle, start=1):
                try:
                    (raw[len(BOM) :] if lines == 1 and raw.startswith(BOM) else raw).decode("utf-8")
                except UnicodeDecodeError as error:
                    raise ImportFileError(
                        _(
                            "%(path)s is not UTF-8 text (line %(line)s cannot be read as "
                            "UTF-8). Save it as UTF-8 and import it again."
                        )
                        % {"path": path.name, "line": lines}
                    ) from error
    except OSError as error:
        raise ImportFileError(
            _("%(path)s cannot be read: %(error)s") % {"path": path, "error": error.strerror}
        ) from error
    return lines


def _read_lines(handle: BinaryIO) -> Iterator[tuple[int, int, bytes]]:
    """(line number, byte offset, bytes without the BOM) for each line."""
    offset = 0
    for number, raw in enumerate(handle, start=1):
        yield number, offset, (raw[len(BOM) :] if number == 1 and raw.startswith(BOM) else raw)
        offset += len(raw)


def _chunks(lines: Iterator[tuple[int, int, bytes]]) -> Iterator[list[tuple[int, int, bytes]]]:
    chunk: list[tuple[int, int, bytes]] = []
    for entry in lines:
        chunk.append(entry)
        if len(chunk) >= CHUNK_LINES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
