"""What a file really is, judged from its bytes rather than its name.

Pure functions, no Django: ``files.store_upload`` calls them to refuse files whose content
does not match their extension, zip archives that expand absurdly (decompression bombs),
and HTML or SVG that carries script. ``extract`` reuses the text decoding.

The accepted kinds are the ones the library extracts text from (DESIGN.md, "Files").
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import BinaryIO

# kind -> (media type served, extensions accepted for it)
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pdf": ("application/pdf", (".pdf",)),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
    ),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",)),
    "txt": ("text/plain", (".txt", ".text", ".csv", ".md")),
    "html": ("text/html", (".html", ".htm")),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "gif": ("image/gif", (".gif",)),
    "webp": ("image/webp", (".webp",)),
    "svg": ("image/svg+xml", (".svg",)),
}
ZIP_KINDS = frozenset({"docx", "xlsx", "pptx", "odt"})
RASTER_KINDS = frozenset({"png", "jpeg", "gif", "webp"})
TEXT_KINDS = frozenset({"txt", "html", "svg"})
# Not accepted, but named so the uploader learns why (Word 97-2003 and password-protected
# Office files share this container; neither can be read safely here).
OLE_KIND = "ole"
ZIP_OTHER = "zip"

# How many leading bytes ``sniff`` inspects for magic numbers and markup.
HEAD_BYTES = 8192

# Decompression-bomb limits for zip-based documents. Office XML compresses about 10-30×,
# rarely 100×; images inside are stored nearly uncompressed. A document expanding past these
# is a bomb or so unusual that refusing it costs nothing.
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_ZIP_RATIO = 100
# Below this much expanded data the ratio does not matter (a tiny, very regular XML part
# may compress 300×, harmlessly).
ZIP_RATIO_FLOOR_BYTES = 20 * 1024 * 1024


def kind_from_extension(filename: str) -> str | None:
    """The kind a file name claims (``"report.PDF"`` -> ``"pdf"``), or ``None``."""
    if "." not in filename:
        return None
    extension = "." + filename.rsplit(".", 1)[-1].lower()
    for kind, (_media_type, extensions) in KINDS.items():
        if extension in extensions:
            return kind
    return None


def media_type(kind: str) -> str:
    return KINDS[kind][0]


def accepted_extensions() -> list[str]:
    return [extension for _type, extensions in KINDS.values() for extension in extensions]


# --- text -----------------------------------------------------------------------------------


_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def decode_text(data: bytes) -> tuple[str, str] | None:
    """Decodes text as UTF-8 (with or without BOM), else as Windows-1251 (Russian and
    Kyrgyz files from older Windows machines). Returns ``(text, encoding)``, or ``None``
    for data that is not text (NUL bytes or undecodable)."""
    if b"\x00" in data:
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return None
    # CP1251 maps almost every byte to a character; control characters other than
    # whitespace betray a binary file.
    if _BINARY_CONTROL.search(text):
        return None
    return text, "windows-1251"


def decode_head(head: bytes) -> str | None:
    """Like ``decode_text`` for the first bytes of a file, where the last UTF-8 character
    may be cut in half."""
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8) :]
    if b"\x00" in head:
        return None
    for trim in range(min(4, len(head) + 1)):
        try:
            return head[: len(head) - trim].decode("utf-8")
        except UnicodeDecodeError:
            continue
    decoded = decode_text(head)
    return decoded[0] if decoded else None


_XML_PROLOGUE = re.compile(
    rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!doctype[^>]*>)*", re.IGNORECASE | re.DOTALL
)
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b",
    re.IGNORECASE | re.DOTALL,
)


def _markup_kind(head: bytes) -> str | None:
    after_prologue = head[_XML_PROLOGUE.match(head).end() :]  # type: ignore[union-attr]
    if after_prologue[:4].lower() == b"<svg":
        return "svg"
    text = decode_head(head)
    if text is None:
        return None
    if _HTML_START.match(text.lstrip("\ufeff")):
        return "html"
    return "txt"


# --- magic numbers ---------------------------------------------------------------------------


def sniff_head(head: bytes) -> str | None:
    """The kind told by the first bytes alone. Zip-based documents come back as ``"zip"``
    (the members decide, see ``zip_kind``); ``None`` means an unknown binary."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return ZIP_OTHER
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE_KIND
    if not head:
        return "txt"
    return _markup_kind(head)


def zip_kind(names: Iterable[str], mimetype: bytes = b"") -> str:
    """The document kind of a zip archive from its member names (and, for OpenDocument,
    the ``mimetype`` member); ``"zip"`` when it is some other archive."""
    members = set(names)
    if "[Content_Types].xml" in members:
        if "word/document.xml" in members:
            return "docx"
        if "xl/workbook.xml" in members:
            return "xlsx"
        if "ppt/presentation.xml" in members:
            return "pptx"
    if mimetype.strip() == b"application/vnd.oasis.opendocument.text" and "content.xml" in members:
        return "odt"
    return ZIP_OTHER


def sniff(fileobj: BinaryIO) -> str | None:
    """The kind of a seekable binary file, from its content; leaves it at position 0."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    kind = sniff_head(head)
    if kind == ZIP_OTHER:
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = archive.namelist()
                mimetype = b""
                if "mimetype" in names:
                    with archive.open("mimetype") as member:
                        mimetype = member.read(100)
                kind = zip_kind(names, mimetype)
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
            kind = ZIP_OTHER
        finally:
            fileobj.seek(0)
    return kind


def resolve_kind(claimed: str, sniffed: str | None) -> str | None:
    """The kind to store a file as, or ``None`` when its content contradicts its name.

    Text is lenient in two ways: a ``.txt`` file may hold markup (it is served as plain
    text, so the markup is inert), and an ``.html`` file may be a fragment that does not
    start like a page."""
    if claimed == sniffed:
        return claimed
    if claimed == "txt" and sniffed in TEXT_KINDS:
        return "txt"
    if claimed == "html" and sniffed == "txt":
        return "html"
    return None


# --- zip bombs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipMember:
    name: str
    file_size: int
    compress_size: int


def unsafe_member_name(name: str) -> bool:
    """True for names that would escape a folder when unpacked (``../x``, ``/etc/x``,
    ``C:\\x``) or hide characters a file system treats specially."""
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return True
    if any(ord(char) < 32 for char in normalised):
        return True
    return any(part == ".." for part in normalised.split("/"))


def zip_problem(members: Iterable[ZipMember]) -> str | None:
    """Why an archive looks like a decompression bomb or a path-traversal attempt, or
    ``None`` when it looks sane. Returns a short code: ``"members"``, ``"size"``,
    ``"ratio"`` or ``"path"``."""
    total = 0
    compressed = 0
    for count, member in enumerate(members, start=1):
        if count > MAX_ZIP_MEMBERS:
            return "members"
        if unsafe_member_name(member.name):
            return "path"
        total += member.file_size
        compressed += member.compress_size
        if total > MAX_ZIP_TOTAL_BYTES:
            return "size"
    if total > ZIP_RATIO_FLOOR_BYTES and total > MAX_ZIP_RATIO * max(compressed, 1):
        return "ratio"
    return None


def zip_members(archive: zipfile.ZipFile) -> list[ZipMember]:
    # Python's zipfile never inflates a member beyond the size the central directory
    # declares (it stops there and fails the CRC), so checking declared sizes suffices.
    return [
        ZipMember(info.filename, info.file_size, info.compress_size) for info in archive.infolist()
    ]


_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def declares_dtd(xml_head: bytes) -> bool:
    """True when XML declares a DTD or entities: Office formats never do, and entity
    expansion is how "billion laughs" bombs and external-entity reads work."""
    return _DTD.search(xml_head) is not None


# --- script in markup ------------------------------------------------------------------------

SCRIPT_TAGS = frozenset({"script", "handler", "listener"})
_SCRIPT_URL = re.compile(
    r"^(?:javascript|vbscript|livescript):|^data:(?:text/html|application/xhtml|image/svg)",
    re.IGNORECASE,
)
_SCRIPT_TAG_TEXT = re.compile(r"<\s*/?\s*(?:[a-z]+:)?script\b", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


class _ScriptFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: str | None = None

    def _inspect(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found:
            return
        local = tag.rsplit(":", 1)[-1]
        if local in SCRIPT_TAGS:
            self.found = f"<{tag}>"
            return
        for name, value in attrs:
            local_name = name.rsplit(":", 1)[-1]
            if local_name.startswith("on"):
                self.found = f"{name}="
                return
            # Browsers ignore whitespace and control characters inside a URL scheme.
            if value and _SCRIPT_URL.match(_INVISIBLE.sub("", value)):
                self.found = f"{name}={value[:30]}"
                return

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inspect(tag, attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._inspect(tag, attrs)


def find_script(markup: str) -> str | None:
    """The first script construct in HTML or SVG markup (a script element, an ``on…``
    event attribute, a ``javascript:`` URL), or ``None``. Errs on the side of finding:
    a file refused by mistake can be cleaned and uploaded again; a script served from our
    domain cannot be taken back."""
    return find_script_in_chunks([markup])


def find_script_in_chunks(chunks: Iterable[str]) -> str | None:
    """``find_script`` over markup that arrives in pieces (a large file read in chunks)."""
    finder = _ScriptFinder()
    tail = ""
    try:
        for chunk in chunks:
            finder.feed(chunk)
            if finder.found:
                return finder.found
            # Catches script tags the parser saw as text, e.g. inside a broken tag or
            # CDATA; the tail of the previous chunk finds a tag cut in two.
            match = _SCRIPT_TAG_TEXT.search(tail + chunk)
            if match:
                return match.group(0)
            tail = chunk[-40:]
        finder.close()
    except (AssertionError, ValueError):  # html.parser gives up on some broken markup
        return "unparseable markup"
    return finder.found


def text_encoding(fileobj: BinaryIO, chunk_size: int = 1024 * 1024) -> str | None:
    """``decode_text``'s verdict for a whole file, read in chunks: ``"utf-8"``,
    ``"windows-1251"`` or ``None`` (not text). Leaves the file at position 0."""
    try:
        # Plain "utf-8", not "utf-8-sig": a BOM is valid UTF-8 anyway, and the -sig
        # incremental decoder accepts a file that is only a truncated BOM (b"\xef") at
        # final=True instead of failing, so chunks would disagree with the whole file.
        for codec, name in (("utf-8", "utf-8"), ("cp1251", "windows-1251")):
            fileobj.seek(0)
            decoder = codecs.getincrementaldecoder(codec)()
            try:
                while chunk := fileobj.read(chunk_size):
                    if b"\x00" in chunk:
                        return None
                    text = decoder.decode(chunk)
                    if codec == "cp1251" and _BINARY_CONTROL.search(text):
                        return None
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return name
        return None
    finally:
        fileobj.seek(0)


def decoded_chunks(
    fileobj: BinaryIO, encoding: str, chunk_size: int = 1024 * 1024
) -> Iterator[str]:
    """The text of a file in ``encoding`` (as found by ``text_encoding``), in chunks."""
    codec = "utf-8-sig" if encoding == "utf-8" else "cp1251"
    decoder = codecs.getincrementaldecoder(codec)()
    fileobj.seek(0)
    while chunk := fileobj.read(chunk_size):
        yield decoder.decode(chunk)
    yield decoder.decode(b"", final=True)
