"""Uploading files into the library: check, store once per content, attach, queue extraction.

An upload travels ``store_upload`` (stream to a temporary file while hashing, refuse bad
input with ``FileRejected``, store the bytes under their SHA-256) → ``attach`` (tie the
stored file to an item under the uploader's file name) → ``queue_extraction`` (the
``tasks.extract_text`` task reads the text once the transaction commits).

``MaxSizeUploadHandler`` (settings.FILE_UPLOAD_HANDLERS) stops an oversized upload while it
is still arriving; ``upload_errors(request)`` tells the view which file it stopped.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import tempfile
import unicodedata
import warnings
import zipfile
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import models, transaction
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from minehub.library import sniff
from minehub.library.extract import fill_document_pages
from minehub.library.models import Attachment, ExtractionStatus, StoredFile
from minehub.library.tasks import extract_text

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# Within Attachment.filename (200) and, at 2 bytes per Cyrillic letter in UTF-8, within the
# 255-byte file-name limit of common file systems when a reader saves the download.
MAX_FILENAME_CHARS = 120
MAX_EXTENSION_CHARS = 10
# Reserved on Windows or in URLs and shells; replaced so a downloaded file saves anywhere.
_RESERVED = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_EXTENSION = re.compile(rf"[^\W_][\w-]{{0,{MAX_EXTENSION_CHARS - 1}}}")
_WINDOWS_DEVICES = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)
# Unicode categories dropped from names: controls, format characters (bidirectional
# overrides such as U+202E make "gpj.exe" read as "exe.jpg"), line/paragraph separators,
# unassigned and private-use code points.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cn", "Co", "Cs"})


class FileRejected(ValidationError):
    """A file the library refuses, with a translated message that names it."""

    def __init__(self, message: str, *, filename: str, code: str) -> None:
        super().__init__(message, code=code)
        self.filename = filename


def max_upload_bytes() -> int:
    return int(getattr(settings, "MINEHUB_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def too_large(filename: str, limit: int | None = None) -> FileRejected:
    limit = max_upload_bytes() if limit is None else limit
    return FileRejected(
        _("“%(filename)s” is larger than the limit of %(limit)s.")
        % {"filename": filename, "limit": filesizeformat(limit)},
        filename=filename,
        code="too_large",
    )


# --- file names ------------------------------------------------------------------------------


def sanitise_filename(name: str) -> str:
    """A safe file name for storing and offering a download: no folders or path
    traversal, no control, bidirectional-override or reserved characters, at most
    ``MAX_FILENAME_CHARS`` characters with the extension kept, never empty."""
    name = unicodedata.normalize("NFC", str(name))
    name = re.sub(r"[\t\n\r\v\f\x85\u2028\u2029]+", " ", name)  # line breaks separate words
    name = "".join(char for char in name if unicodedata.category(char) not in _DROPPED_CATEGORIES)
    # Only the last path component counts, whichever separator the uploader's system uses.
    name = re.split(r"[/\\]", name)[-1]
    name = _RESERVED.sub("_", name)
    name = " ".join(name.split())  # tabs, non-breaking and repeated spaces -> one space
    # Trailing dots and spaces vanish on Windows, changing the extension; leading dots hide
    # files (and ".." is traversal).
    name = name.strip(" ").rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or not _EXTENSION.fullmatch(extension):
        stem, extension = name, ""
    stem = stem.strip(" .") or "file"
    if _WINDOWS_DEVICES.match(stem):
        stem = "_" + stem
    room = MAX_FILENAME_CHARS - (len(extension) + 1 if extension else 0)
    stem = stem[:room].rstrip(" .") or "file"
    return f"{stem}.{extension}" if extension else stem


# --- validation -------------------------------------------------------------------------------


def _kind_label(kind: str | None) -> str:
    if kind is None:
        return _("an unknown binary format")
    if kind == sniff.OLE_KIND:
        return _("an old-format or password-protected Office file")
    if kind == sniff.ZIP_OTHER:
        return _("a zip archive")
    return kind.upper()


def _check_pdf(fileobj: BinaryIO, filename: str) -> None:
    try:
        reader = PdfReader(fileobj)
        if reader.is_encrypted and not reader.decrypt(""):
            # A PDF restricted only by an owner password opens without one and is fine.
            raise FileRejected(
                _(
                    "“%(filename)s” is protected by a password. Remove the password and "
                    "upload it again."
                )
                % {"filename": filename},
                filename=filename,
                code="encrypted",
            )
        if len(reader.pages) == 0:
            raise PyPdfError("no pages")
    except FileRejected:
        raise
    except Exception as error:  # pypdf raises many kinds of errors on broken files
        logger.info("refused corrupt PDF %s: %r", filename, error)
        raise FileRejected(
            _("“%(filename)s” is damaged or incomplete and cannot be read as a PDF.")
            % {"filename": filename},
            filename=filename,
            code="corrupt",
        ) from error


def _zip_rejection(problem: str, filename: str) -> FileRejected:
    if problem == "path":
        message = _("“%(filename)s” contains entries with unsafe paths.")
    elif problem == "dtd":
        message = _("“%(filename)s” contains XML with entity declarations, which is not allowed.")
    else:
        message = _(
            "“%(filename)s” would expand to an unreasonable size when opened "
            "(a decompression bomb) and was refused."
        )
    return FileRejected(message % {"filename": filename}, filename=filename, code="zip_" + problem)


def _check_zip(fileobj: BinaryIO, filename: str) -> None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            problem = sniff.zip_problem(sniff.zip_members(archive))
            if problem is None:
                for info in archive.infolist():
                    if info.filename.endswith((".xml", ".rels")):
                        with archive.open(info) as member:
                            if sniff.declares_dtd(member.read(4096)):
                                problem = "dtd"
                                break
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, EOFError) as error:
        raise FileRejected(
            _("“%(filename)s” is damaged or incomplete and cannot be opened.")
            % {"filename": filename},
            filename=filename,
            code="corrupt",
        ) from error
    finally:
        fileobj.seek(0)
    if problem is not None:
        raise _zip_rejection(problem, filename)


def _check_markup(fileobj: BinaryIO, filename: str, kind: str) -> str:
    # Read in chunks: a text file may be as large as any other upload.
    encoding = sniff.text_encoding(fileobj)
    if encoding is None:
        raise FileRejected(
            _("“%(filename)s” is not readable text (unknown character encoding).")
            % {"filename": filename},
            filename=filename,
            code="encoding",
        )
    if kind in ("html", "svg") and sniff.find_script_in_chunks(
        sniff.decoded_chunks(fileobj, encoding)
    ):
        fileobj.seek(0)
        raise FileRejected(
            _(
                "“%(filename)s” contains script (a script element, an event handler or a "
                "javascript: link). Remove it and upload the file again."
            )
            % {"filename": filename},
            filename=filename,
            code="script",
        )
    fileobj.seek(0)
    return encoding


def _check_image(fileobj: BinaryIO, filename: str) -> None:
    try:
        with warnings.catch_warnings():
            # Pillow warns past MAX_IMAGE_PIXELS and raises only past twice that; any image
            # that large is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj) as image:
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise FileRejected(
            _("“%(filename)s” has too many pixels to be opened safely.") % {"filename": filename},
            filename=filename,
            code="image_bomb",
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise FileRejected(
            _("“%(filename)s” is damaged or incomplete and cannot be read as an image.")
            % {"filename": filename},
            filename=filename,
            code="corrupt",
        ) from error
    finally:
        fileobj.seek(0)


def validate(fileobj: BinaryIO, filename: str) -> tuple[str, str]:
    """Checks a seekable file against its (sanitised) name; returns its kind and the media
    type to serve it with, or raises ``FileRejected``."""
    claimed = sniff.kind_from_extension(filename)
    if claimed is None:
        raise FileRejected(
            _("“%(filename)s” is not an accepted type of file. Accepted: %(extensions)s.")
            % {"filename": filename, "extensions": ", ".join(sniff.accepted_extensions())},
            filename=filename,
            code="type",
        )
    sniffed = sniff.sniff(fileobj)
    kind = sniff.resolve_kind(claimed, sniffed)
    if kind is None:
        raise FileRejected(
            _("The content of “%(filename)s” does not match its extension: it is %(actual)s.")
            % {"filename": filename, "actual": _kind_label(sniffed)},
            filename=filename,
            code="mismatch",
        )
    served_as = sniff.media_type(kind)
    if kind == "pdf":
        _check_pdf(fileobj, filename)
    elif kind in sniff.ZIP_KINDS:
        _check_zip(fileobj, filename)
    elif kind in sniff.TEXT_KINDS:
        encoding = _check_markup(fileobj, filename, kind)
        if kind != "svg":
            served_as = f"{served_as}; charset={encoding}"
    elif kind in sniff.RASTER_KINDS:
        _check_image(fileobj, filename)
    fileobj.seek(0)
    return kind, served_as


# --- storing ----------------------------------------------------------------------------------


def blob_name(sha256: str) -> str:
    """Where the bytes with this SHA-256 live in the default storage."""
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _spool(fileobj: IO[bytes], filename: str, limit: int) -> tuple[IO[bytes], str, int]:
    """Copies an upload to a temporary file we own (seekable, whatever the source) in
    chunks, hashing on the way and stopping as soon as it passes ``limit``."""
    digest = hashlib.sha256()
    size = 0
    spooled = tempfile.SpooledTemporaryFile(  # noqa: SIM115 - returned to the caller
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, prefix="minehub-upload-"
    )
    try:
        if hasattr(fileobj, "seek"):
            # A non-seekable stream is read from where it is.
            with contextlib.suppress(OSError, ValueError):
                fileobj.seek(0)
        while chunk := fileobj.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise too_large(filename, limit)
            digest.update(chunk)
            spooled.write(chunk)
        spooled.seek(0)
    except BaseException:
        spooled.close()
        raise
    return spooled, digest.hexdigest(), size


def store_upload(fileobj: IO[bytes], filename: str) -> StoredFile:
    """Checks an uploaded file and stores its bytes once per content.

    Streams ``fileobj`` in chunks (never whole into memory), refuses it with
    ``FileRejected`` when it is over ``settings.MINEHUB_MAX_UPLOAD_BYTES``, empty, not what
    its extension says, an encrypted or corrupt PDF, a decompression bomb, or HTML/SVG with
    script. Accepted bytes go to ``blobs/ab/cd/<sha256>`` in the default storage; the same
    bytes uploaded again return the existing ``StoredFile``. A new file is queued for text
    extraction when the surrounding transaction commits. Nothing is left behind on refusal.
    """
    name = sanitise_filename(filename)
    spooled, sha256, size = _spool(fileobj, name, max_upload_bytes())
    with spooled:
        if size == 0:
            raise FileRejected(
                _("“%(filename)s” is empty.") % {"filename": name},
                filename=name,
                code="empty",
            )
        # Checked even for bytes already stored: the same bytes may be refused under one
        # name (a PNG called .pdf) and accepted under another.
        kind, served_as = validate(spooled, name)  # type: ignore[arg-type]
        existing = StoredFile.objects.filter(sha256=sha256).first()
        if existing is not None and default_storage.exists(existing.blob.name):
            return existing
        stored, created = _save_blob_and_row(spooled, sha256, size, kind, served_as)
    if created:
        queue_extraction(stored)
    return stored


def _save_blob_and_row(
    content: IO[bytes], sha256: str, size: int, kind: str, served_as: str
) -> tuple[StoredFile, bool]:
    target = blob_name(sha256)
    wrote_blob = False
    if default_storage.exists(target):
        saved_as = target  # same name, same bytes: a previous upload or a lost race
    else:
        saved_as = default_storage.save(target, File(content, name=target))
        wrote_blob = True
    try:
        with transaction.atomic():
            stored, created = StoredFile.objects.get_or_create(
                sha256=sha256,
                defaults={"blob": saved_as, "size": size, "kind": kind, "media_type": served_as},
            )
            if (
                not created
                and stored.blob.name != saved_as
                and not default_storage.exists(stored.blob.name)
            ):
                # The row outlived its blob (restored database, lost disk): heal it.
                stored.blob.name = saved_as
                stored.save(update_fields=["blob"])
                wrote_blob = False
    except BaseException:
        if wrote_blob:
            default_storage.delete(saved_as)
        raise
    if wrote_blob and stored.blob.name != saved_as:
        # Two uploads of the same bytes raced; the storage gave the loser another name.
        default_storage.delete(saved_as)
    return stored, created


# --- attaching and extraction -----------------------------------------------------------------


def attachments_of(item: models.Model) -> models.QuerySet[Attachment]:
    """The attachments of ``item`` in their display order, with their stored files."""
    return Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    ).select_related("file")


def attach(
    item: models.Model, stored_file: StoredFile, filename: str, title: str = ""
) -> Attachment:
    """Attaches ``stored_file`` to ``item`` under ``filename`` (sanitised), after the item's
    other attachments. Attaching the same file to the same item again returns the existing
    attachment unchanged."""
    content_type = ContentType.objects.get_for_model(item)
    with transaction.atomic():
        existing = Attachment.objects.filter(
            content_type=content_type, object_id=item.pk, file=stored_file
        ).first()
        if existing is not None:
            return existing
        last = (
            Attachment.objects.filter(content_type=content_type, object_id=item.pk)
            .aggregate(last=models.Max("position"))
            .get("last")
        )
        attachment, _created = Attachment.objects.get_or_create(
            content_type=content_type,
            object_id=item.pk,
            file=stored_file,
            defaults={
                "filename": sanitise_filename(filename),
                "title": title[:300],
                "position": 0 if last is None else min(last + 1, 32767),
            },
        )
    if stored_file.pages:
        # Already read for another item: the page count is known now, not after a task.
        fill_document_pages(stored_file)
    return attachment


def queue_extraction(stored_file: StoredFile) -> None:
    """Marks ``stored_file`` as waiting and enqueues ``tasks.extract_text`` for it once the
    current transaction commits (so the worker sees the row, and nothing runs for a
    rolled-back upload)."""
    stored_file.extraction_status = ExtractionStatus.PENDING
    stored_file.extraction_progress = 0
    stored_file.extraction_message = ""
    StoredFile.objects.filter(pk=stored_file.pk).update(
        extraction_status=ExtractionStatus.PENDING, extraction_progress=0, extraction_message=""
    )
    pk = stored_file.pk
    transaction.on_commit(lambda: extract_text.enqueue(pk))


# --- stopping oversized uploads early -----------------------------------------------------------

_OVERSIZED_ATTRIBUTE = "minehub_oversized_uploads"


class MaxSizeUploadHandler(FileUploadHandler):
    """Stops reading an uploaded file as soon as it passes MINEHUB_MAX_UPLOAD_BYTES, so a
    huge upload is neither kept in memory nor written to disk. Goes first in
    FILE_UPLOAD_HANDLERS and passes every chunk on to Django's own handlers.

    A request only somewhat over the limit is read to its end so the browser receives
    the explanatory page; one far over it (more than twice the limit) is cut off at once.
    """

    chunk_size = 64 * 1024

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.request_length = 0

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's parameter name
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        self.request_length = content_length
        return None  # let Django parse the request

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        if self.content_length is not None and self.content_length > self.limit:
            self._stop()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self._stop()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the uploaded file

    def _stop(self) -> None:
        if self.request is not None:
            oversized = getattr(self.request, _OVERSIZED_ATTRIBUTE, [])
            oversized.append(sanitise_filename(self.file_name or ""))
            setattr(self.request, _OVERSIZED_ATTRIBUTE, oversized)
        raise StopUpload(connection_reset=self.request_length > 2 * self.limit)


def upload_errors(request: HttpRequest) -> list[FileRejected]:
    """The files ``MaxSizeUploadHandler`` stopped in this request (they are missing from
    ``request.FILES``), as errors for the form to show."""
    return [too_large(name) for name in getattr(request, _OVERSIZED_ATTRIBUTE, [])]
