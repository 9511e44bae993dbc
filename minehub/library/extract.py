"""Reading the text out of stored files, one reader per kind, with OCR for scans.

``extract(stored_file, progress)`` is what the ``tasks.extract_text`` task calls; it returns
an ``Extraction`` or raises ``ExtractionError`` with a translated reason. OCR runs the
``tesseract`` program (Debian ``tesseract-ocr`` with the ``mon``, ``kir``, ``rus`` and
``eng`` language packs) when it is installed; without it, scans are reported as "text not
extracted", never as a failure.

``searchable_text(item)`` is the one function search calls to get the text of an item's
files; ``file_text_changed`` tells it when that text changed.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET  # noqa: S405 - DTDs are refused before parsing
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageSequence
from pypdf import PdfReader

from minehub.library import sniff
from minehub.library.models import Attachment, Document, StoredFile

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]

# Sent with ``stored_file_id`` after a file's text was extracted or corrected by an editor.
file_text_changed = Signal()

# Stored text is for search and reading, not archiving: a 5-million-character cap keeps a
# pathological spreadsheet from filling the database.
MAX_TEXT_CHARS = 5_000_000
# Plain-text files are read up to this many bytes (UTF-8 Cyrillic takes 2 per character).
MAX_TEXT_BYTES = 2 * MAX_TEXT_CHARS
# Largest XML part of an OpenDocument file read into memory.
MAX_ODT_XML_BYTES = 200 * 1024 * 1024
# A PDF page with less text than this (page numbers, a stamp) is treated as a scan.
MIN_PAGE_TEXT_CHARS = 20
# Progress is written every few pages: each write is a database round trip.
PROGRESS_EVERY_PAGES = 5

OCR_LANGUAGES = ("mon", "kir", "rus", "eng")
OCR_TIMEOUT_SECONDS = 120
# Tesseract reads best at 200-300 dpi; tiny images are enlarged, giant ones reduced so one
# page cannot take minutes or gigabytes.
OCR_MIN_SIDE = 1200
OCR_MAX_PIXELS = 40_000_000


class ExtractionError(Exception):
    """The file could not be read; ``str(error)`` is a translated reason for editors."""


@dataclass
class Extraction:
    text: str
    pages: int | None = None
    ocr_used: bool = False
    # Pages or images that needed OCR while no OCR was available.
    unread_scans: int = 0
    # Pages or images OCR was tried on and failed (timeout, undecodable image).
    ocr_failures: int = 0


# --- OCR ----------------------------------------------------------------------------------------


def tesseract_command() -> str | None:
    """The path of the ``tesseract`` program, or ``None`` when it is not installed."""
    return shutil.which("tesseract")


@lru_cache(maxsize=4)
def _installed_languages(command: str) -> frozenset[str]:
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [command, "--list-langs"], capture_output=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    # The first line is a heading ("List of available languages in ...").
    lines = result.stdout.decode("utf-8", "replace").splitlines()[1:]
    return frozenset(line.strip() for line in lines if line.strip())


def ocr_setup() -> tuple[str, str] | None:
    """``(command, "mon+kir+rus+eng")`` restricted to the installed language packs, or
    ``None`` when Tesseract or all four packs are missing."""
    command = tesseract_command()
    if command is None:
        return None
    installed = _installed_languages(command)
    languages = [language for language in OCR_LANGUAGES if language in installed]
    if not languages:
        return None
    return command, "+".join(languages)


def _prepare_for_ocr(image: Image.Image) -> Image.Image:
    image = image.convert("L")
    width, height = image.size
    if width * height > OCR_MAX_PIXELS:
        scale = (OCR_MAX_PIXELS / (width * height)) ** 0.5
        image = image.resize((max(1, int(width * scale)), max(1, int(height * scale))))
    elif max(width, height) < OCR_MIN_SIDE:
        scale = OCR_MIN_SIDE / max(width, height, 1)
        if scale <= 4:  # icons and rules are not worth reading
            image = image.resize((int(width * scale), int(height * scale)), Image.LANCZOS)
    return image


def ocr_image(image: Image.Image, setup: tuple[str, str]) -> str:
    """The text Tesseract reads in ``image``; raises ``OSError`` or
    ``subprocess.SubprocessError`` when it fails or times out."""
    command, languages = setup
    buffer = io.BytesIO()
    _prepare_for_ocr(image).save(buffer, format="PNG")
    # One thread per Tesseract: its OpenMP threads fight the web server and each other on
    # a small machine and make OCR slower, not faster.
    environment = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [command, "stdin", "stdout", "-l", languages, "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=OCR_TIMEOUT_SECONDS,
        check=False,
        env=environment,
    )
    if result.returncode != 0:
        raise OSError(result.stderr.decode("utf-8", "replace")[:300])
    return result.stdout.decode("utf-8", "replace")


def _ocr_images(images: Iterator[Image.Image], setup: tuple[str, str]) -> tuple[str, int]:
    """OCR of several images: the joined text and the number that failed."""
    texts: list[str] = []
    failures = 0
    for image in images:
        try:
            texts.append(ocr_image(image, setup).strip())
        except (OSError, subprocess.SubprocessError) as error:
            logger.warning("OCR failed: %s", error)
            failures += 1
    return "\n".join(text for text in texts if text), failures


# --- per kind -----------------------------------------------------------------------------------


def _page_images(page: Any) -> tuple[list[Image.Image], int]:
    images: list[Image.Image] = []
    undecodable = 0
    try:
        files = page.images
        count = len(files)
    except Exception:  # pypdf fails in many ways on unusual resources
        return [], 1
    for index in range(count):
        try:
            images.append(files[index].image)
        except Exception:  # e.g. JBIG2 scans pypdf cannot decode
            undecodable += 1
    return images, undecodable


def extract_pdf(fileobj: IO[bytes], progress: Progress) -> Extraction:
    """Text and page count of a PDF; pages without a text layer go through OCR."""
    try:
        reader = PdfReader(fileobj)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError(_("The PDF is protected by a password."))
        page_count = len(reader.pages)
    except ExtractionError:
        raise
    except Exception as error:
        raise ExtractionError(_("The PDF is damaged and cannot be read.")) from error
    setup = ocr_setup()
    result = Extraction(text="", pages=page_count)
    parts: list[str] = []
    length = 0
    for index, page in enumerate(reader.pages):
        try:
            text = page.extract_text() or ""
        except Exception as error:  # one broken page must not lose the others
            logger.info("page %s: text layer unreadable: %r", index + 1, error)
            text = ""
        scanned = len(text.strip()) < MIN_PAGE_TEXT_CHARS
        if scanned:
            images, undecodable = _page_images(page)
            if images or undecodable:
                if setup is None:
                    result.unread_scans += 1
                else:
                    ocr_text, failures = _ocr_images(iter(images), setup)
                    result.ocr_failures += failures + undecodable
                    if ocr_text:
                        text = f"{text.strip()}\n{ocr_text}".strip()
                        result.ocr_used = True
        parts.append(text.strip())
        length += len(parts[-1])
        done = index + 1
        if done % PROGRESS_EVERY_PAGES == 0 or (scanned and setup) or done == page_count:
            progress(done * 100 // max(page_count, 1))
        if length > MAX_TEXT_CHARS:
            break
    result.text = "\n\n".join(part for part in parts if part)
    return result


def extract_docx(fileobj: IO[bytes], progress: Progress) -> Extraction:
    """Paragraphs and table rows of a Word document, in document order."""
    import docx
    from docx.table import Table

    document = docx.Document(fileobj)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    # Merged cells appear once per grid column they span.
                    text = cell.text.strip()
                    if text and (not cells or cells[-1] != text):
                        cells.append(text)
                if cells:
                    lines.append("\t".join(cells))
        elif block.text.strip():
            lines.append(block.text.strip())
    return Extraction(text="\n".join(lines))


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def extract_xlsx(fileobj: IO[bytes], progress: Progress) -> Extraction:
    """Cell values of every worksheet, one row per line, cells separated by tabs."""
    import openpyxl

    workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    lines: list[str] = []
    length = 0
    try:
        sheets = workbook.worksheets
        for number, sheet in enumerate(sheets, start=1):
            lines.append(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in row if value is not None]
                line = "\t".join(cell for cell in cells if cell)
                if line:
                    lines.append(line)
                    length += len(line)
                    if length > MAX_TEXT_CHARS:
                        break
            progress(number * 100 // len(sheets))
            if length > MAX_TEXT_CHARS:
                break
    finally:
        workbook.close()
    return Extraction(text="\n".join(lines))


def _pptx_shape_texts(shapes: Any) -> Iterator[str]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _pptx_shape_texts(shape.shapes)
            continue
        if shape.has_text_frame and shape.text_frame.text.strip():
            yield shape.text_frame.text.strip()
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                cells = [cell.text.strip() for cell in row.cells if cell.text.strip()]
                if cells:
                    yield "\t".join(cells)


def extract_pptx(fileobj: IO[bytes], progress: Progress) -> Extraction:
    """Text of every slide (shapes, tables, speaker notes); pages = number of slides."""
    from pptx import Presentation

    presentation = Presentation(fileobj)
    slides = list(presentation.slides)
    parts: list[str] = []
    for number, slide in enumerate(slides, start=1):
        texts = list(_pptx_shape_texts(slide.shapes))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                texts.append(notes.text.strip())
        parts.append("\n".join(texts))
        if number % PROGRESS_EVERY_PAGES == 0:
            progress(number * 100 // len(slides))
    return Extraction(text="\n\n".join(part for part in parts if part), pages=len(slides))


_ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_ODF_BLOCKS = frozenset({f"{_ODF_TEXT}p", f"{_ODF_TEXT}h"})


def _odf_inline(element: ET.Element) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == f"{_ODF_TEXT}s":
            parts.append(" " * int(child.get(f"{_ODF_TEXT}c", "1") or 1))
        elif child.tag == f"{_ODF_TEXT}tab":
            parts.append("\t")
        elif child.tag == f"{_ODF_TEXT}line-break":
            parts.append("\n")
        else:
            parts.append(_odf_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _odf_paragraphs(element: ET.Element) -> Iterator[str]:
    for child in element:
        if child.tag in _ODF_BLOCKS:
            text = _odf_inline(child).strip()
            if text:
                yield text
        else:
            yield from _odf_paragraphs(child)


def extract_odt(fileobj: IO[bytes], progress: Progress) -> Extraction:
    """Paragraphs and headings of an OpenDocument text (``content.xml``), read with the
    standard library after refusing any DTD or entity declaration."""
    try:
        with zipfile.ZipFile(fileobj) as archive, archive.open("content.xml") as member:
            data = member.read(MAX_ODT_XML_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, OSError) as error:
        raise ExtractionError(_("The OpenDocument file is damaged.")) from error
    if len(data) > MAX_ODT_XML_BYTES:
        raise ExtractionError(_("The document is too large to read."))
    if sniff.declares_dtd(data):
        raise ExtractionError(_("The document declares XML entities, which are not allowed."))
    try:
        root = ET.fromstring(data)  # noqa: S314 - no DTD, so no entity expansion
    except ET.ParseError as error:
        raise ExtractionError(_("The OpenDocument file is damaged.")) from error
    return Extraction(text="\n".join(_odf_paragraphs(root)))


def read_text(fileobj: IO[bytes]) -> str:
    """A text file's content decoded as UTF-8 or Windows-1251 (up to MAX_TEXT_BYTES)."""
    data = fileobj.read(MAX_TEXT_BYTES)
    text = sniff.decode_head(data)
    if text is None:
        raise ExtractionError(_("The text is in an unknown character encoding."))
    return text


class _TextCollector(HTMLParser):
    """Visible text of HTML or SVG; script, style and template contents are dropped."""

    HIDDEN = frozenset({"script", "style", "template", "head"})
    BLOCKS = frozenset(
        {
            "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
            "article", "header", "footer", "table", "ul", "ol", "dl", "dt", "dd",
            "blockquote", "pre", "hr", "title", "text", "tspan", "desc",
        }
    )  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden_depth += 1
        if tag == "title":
            self.in_title = True
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "td" or tag == "th":
            self.parts.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1
        if tag == "title":
            self.in_title = False
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        # The page title lives in <head> but names the document: keep it.
        if not self.hidden_depth or self.in_title:
            self.parts.append(data)

    def text(self) -> str:
        lines = ("".join(self.parts)).splitlines()
        cleaned = (" ".join(line.replace("\t", " \t ").split()) for line in lines)
        return "\n".join(line for line in cleaned if line)


def markup_text(markup: str) -> str:
    """The readable text of HTML or SVG markup."""
    collector = _TextCollector()
    collector.feed(markup)
    collector.close()
    return collector.text()


def extract_markup(fileobj: IO[bytes], progress: Progress) -> Extraction:
    return Extraction(text=markup_text(read_text(fileobj)))


def extract_plain(fileobj: IO[bytes], progress: Progress) -> Extraction:
    return Extraction(text=read_text(fileobj).replace("\x00", ""))


def extract_image(fileobj: IO[bytes], progress: Progress) -> Extraction:
    """OCR of a raster image (every frame of an animated GIF or multi-page image)."""
    setup = ocr_setup()
    if setup is None:
        return Extraction(text="", unread_scans=1)
    try:
        with Image.open(fileobj) as image:
            frames = [frame.copy() for frame in ImageSequence.Iterator(image)][:20]
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise ExtractionError(_("The image is damaged and cannot be read.")) from error
    text, failures = _ocr_images(iter(frames), setup)
    return Extraction(text=text, ocr_used=True, ocr_failures=failures)


READERS: dict[str, Callable[[IO[bytes], Progress], Extraction]] = {
    "pdf": extract_pdf,
    "docx": extract_docx,
    "xlsx": extract_xlsx,
    "pptx": extract_pptx,
    "odt": extract_odt,
    "txt": extract_plain,
    "html": extract_markup,
    "svg": extract_markup,
    "png": extract_image,
    "jpeg": extract_image,
    "gif": extract_image,
    "webp": extract_image,
}


def extract(stored_file: StoredFile, progress: Progress) -> Extraction:
    """Reads the text of ``stored_file``'s bytes; ``progress(percent)`` is called as it
    goes. Raises ``ExtractionError`` for files that cannot be read."""
    reader = READERS.get(stored_file.kind)
    if reader is None:
        raise ExtractionError(_("Files of this type are not read."))
    with stored_file.blob.open("rb") as fileobj:
        try:
            result = reader(fileobj, progress)
        except ExtractionError:
            raise
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, ET.ParseError) as error:
            # python-docx, openpyxl and python-pptx signal damaged files this way.
            logger.info("cannot read %s: %r", stored_file, error)
            raise ExtractionError(_("The file is damaged and cannot be read.")) from error
    if len(result.text) > MAX_TEXT_CHARS:
        result.text = result.text[:MAX_TEXT_CHARS]
    return result


def status_message(result: Extraction) -> tuple[bool, str]:
    """Whether ``result`` counts as text extracted, and the note editors see."""
    has_text = bool(result.text.strip())
    notes: list[str] = []
    if result.unread_scans:
        if has_text:
            notes.append(
                ngettext(
                    "%(count)d scanned page was not read: OCR is not installed on this server.",
                    "%(count)d scanned pages were not read: OCR is not installed on this server.",
                    result.unread_scans,
                )
                % {"count": result.unread_scans}
            )
        else:
            notes.append(_("Text not extracted: OCR is not installed on this server."))
    if result.ocr_failures:
        notes.append(
            ngettext(
                "OCR failed on %(count)d image.",
                "OCR failed on %(count)d images.",
                result.ocr_failures,
            )
            % {"count": result.ocr_failures}
        )
    if has_text and result.ocr_used:
        notes.append(_("Read by OCR: please check the text."))
    if not has_text and not notes:
        notes.append(
            _("OCR found no text.") if result.ocr_used else _("The file contains no text.")
        )
    return has_text, " ".join(notes)


# --- after extraction ---------------------------------------------------------------------------


def fill_document_pages(stored_file: StoredFile) -> int:
    """Gives documents that have ``stored_file`` (a PDF) attached and no page count the
    PDF's page count; returns how many were updated."""
    if stored_file.kind != "pdf" or not stored_file.pages:
        return 0
    attached = Attachment.objects.filter(
        file=stored_file, content_type=ContentType.objects.get_for_model(Document)
    ).values("object_id")
    return Document.objects.filter(pk__in=attached, pages__isnull=True).update(
        pages=stored_file.pages
    )


def searchable_text(item: models.Model) -> str:
    """The text of every file attached to ``item``, in attachment order: the editor's
    correction where there is one, else the extracted text. Search indexes this."""
    texts = (
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(item), object_id=item.pk
        )
        .exclude(file__text="")
        .order_by("position", "id")
        .values_list("file__text", flat=True)
    )
    return "\n\n".join(text.strip() for text in texts if text.strip())
