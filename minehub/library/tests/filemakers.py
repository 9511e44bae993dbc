"""Real files built in memory for the file pipeline's tests (and the extraction benchmark).

Every maker returns the bytes of a genuine file made with the library that writes that
format (fpdf2, pypdf, python-docx, openpyxl, python-pptx, Pillow) or, for OpenDocument and
the hostile cases, assembled by hand the way an attacker would.
"""

from __future__ import annotations

import datetime
import io
import logging
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# Debian package fonts-dejavu-core (installed by `make system-packages` and .ci/run).
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"

# fpdf2's font subsetter logs every glyph at INFO level.
logging.getLogger("fontTools").setLevel(logging.WARNING)

ENGLISH = "Water quality monitoring at the tailings dam"
RUSSIAN = "Мониторинг качества воды на хвостохранилище"
MONGOLIAN = "Уурхайн усны чанарын хяналт болон нөхөн сэргээлт"
KYRGYZ = "Кен казуучу ишканалардын жана суунун сапатын көзөмөлдөө"


def _pdf() -> object:
    from fpdf import FPDF

    pdf = FPDF()
    # A fixed creation time: the same text must give the same bytes (content addressing).
    pdf.set_creation_date(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC))
    pdf.set_compression(True)
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=11)
    return pdf


def text_pdf(pages: Sequence[str] | str, *, count: int | None = None) -> bytes:
    """A PDF with a text layer: one page per text (or ``count`` copies of one text)."""
    texts = [pages] * (count or 1) if isinstance(pages, str) else list(pages)
    pdf = _pdf()
    for number, text in enumerate(texts, start=1):
        pdf.add_page()  # type: ignore[attr-defined]
        pdf.multi_cell(0, 6, f"{text}\n\n{number}")  # type: ignore[attr-defined]
    return bytes(pdf.output())  # type: ignore[attr-defined]


def text_image(lines: Sequence[str], *, width: int = 1240, font_size: int = 36) -> Image.Image:
    """Black text on white, as a scanner at about 150 dpi would see a printed page."""
    font = ImageFont.truetype(str(FONT), font_size)
    height = 80 + len(lines) * int(font_size * 1.9)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        draw.text((60, 40 + index * int(font_size * 1.9)), line, font=font, fill=0)
    return image


def scanned_pdf(lines: Sequence[str], *, pages: int = 1) -> bytes:
    """A PDF whose pages are only images of text (no text layer), like a scan."""
    pdf = _pdf()
    image = text_image(lines)
    for _ in range(pages):
        pdf.add_page()  # type: ignore[attr-defined]
        pdf.image(image, x=0, y=0, w=210)  # type: ignore[attr-defined]
    return bytes(pdf.output())  # type: ignore[attr-defined]


def encrypted_pdf(password: str = "secret") -> bytes:  # noqa: S107 - a test file
    """A PDF that needs a password to open."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(ENGLISH)))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def owner_restricted_pdf() -> bytes:
    """A PDF restricted by an owner password only: it opens without any password."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(ENGLISH)))
    writer.encrypt(user_password="", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def corrupt_pdf() -> bytes:
    """A text PDF cut off half-way, as an interrupted download leaves it."""
    data = text_pdf([ENGLISH, RUSSIAN])
    return data[: len(data) // 2]


def docx_bytes(paragraphs: Sequence[str], table: Sequence[Sequence[str]] = ()) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes(rows: Sequence[Sequence[object]], title: str = "Measurements") -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pptx_bytes(slides: Sequence[tuple[str, str]]) -> bytes:
    """A presentation with one title-and-content slide per ``(title, body)``."""
    from pptx import Presentation

    presentation = Presentation()
    layout = presentation.slide_layouts[1]
    for title, body in slides:
        slide = presentation.slides.add_slide(layout)
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def odt_bytes(paragraphs: Sequence[str], *, heading: str = "", prologue: str = "") -> bytes:
    """An OpenDocument text assembled by hand: ``mimetype`` stored first, then
    ``content.xml`` (``prologue`` goes before the root element, e.g. a DOCTYPE)."""
    body = "".join(f"<text:p>{_xml_escape(paragraph)}</text:p>" for paragraph in paragraphs)
    if heading:
        body = f'<text:h text:outline-level="1">{_xml_escape(heading)}</text:h>' + body
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        + prologue
        + '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="'
        + ODT_MIMETYPE.decode()
        + '"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIMETYPE, zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def zip_bomb_docx(expanded_mb: int = 40) -> bytes:
    """A DOCX-shaped zip with one member of ``expanded_mb`` MB of zeros: it compresses
    about 1000×, like a decompression bomb (built in well under a second)."""
    base = docx_bytes(["An innocent report"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        padding = zipfile.ZipInfo("word/media/padding.bin")
        padding.compress_type = zipfile.ZIP_DEFLATED
        with target.open(padding, "w", force_zip64=True) as member:
            chunk = bytes(1024 * 1024)
            for _ in range(expanded_mb):
                member.write(chunk)
    return buffer.getvalue()


def docx_with_member(name: str, data: bytes = b"x") -> bytes:
    """A valid DOCX with one extra member, e.g. a path-traversal name."""
    base = docx_bytes(["A report"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def png_bytes(size: tuple[int, int] = (64, 32), lines: Sequence[str] = ()) -> bytes:
    image = text_image(lines) if lines else Image.new("RGB", size, (40, 120, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG header claiming ``width``×``height`` pixels (2.5 gigapixels) with a tiny body:
    the shape of an image decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Отчёт о мониторинге</title>"
    "<style>body { color: red }</style></head>"
    "<body><h1>Water report</h1><p>Концентрация меди превышает норму.</p></body></html>"
)
HTML_WITH_SCRIPT = HTML_PAGE.replace("</body>", "<script>alert(document.cookie)</script></body>")
SVG_IMAGE = (
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    "<title>Site map</title><text x='0' y='5'>Tailings</text></svg>"
)
SVG_WITH_ONLOAD = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'
