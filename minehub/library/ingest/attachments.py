"""The files a line names: resolving their paths inside the import folder, hashing them,
and deleting stored bytes whose line was rolled back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from minehub.library.ingest.summary import LineRejected
from minehub.library.models import StoredFile


@dataclass(frozen=True)
class _File:
    path: Path  # resolved, inside the import folder
    name: str  # the file name as written in the line, offered for download
    sha256: str


def resolve_file(root: Path, relative: str) -> Path:
    """The file ``relative`` names inside ``root``; refuses anything outside it.

    The path is resolved with symbolic links followed before the check, so neither
    ``../`` nor a link pointing elsewhere can read a file outside the import folder.
    """
    candidate = Path(relative)
    if candidate.is_absolute() or relative.startswith("~"):
        raise LineRejected(
            _("File path “%(path)s” must be relative to the import folder.")
            % {"path": relative[:200]}
        )
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise LineRejected(
            _("File path “%(path)s” points outside the import folder; it was refused.")
            % {"path": relative[:200]}
        )
    if not resolved.is_file():
        raise LineRejected(_("File “%(path)s” does not exist.") % {"path": relative[:200]})
    return resolved


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _remove_orphan_blobs(blobs: Iterable[tuple[str, str]]) -> None:
    """Deletes stored bytes whose database row was rolled back with their line."""
    for sha256, name in blobs:
        if not StoredFile.objects.filter(sha256=sha256).exists():
            default_storage.delete(name)
