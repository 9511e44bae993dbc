"""Telling a file's real kind from its bytes; zip bombs; script in markup; text decoding."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minehub.library import sniff
from minehub.library.tests import filemakers

REAL_FILES = {
    "pdf": lambda: filemakers.text_pdf(filemakers.ENGLISH),
    "docx": lambda: filemakers.docx_bytes([filemakers.RUSSIAN]),
    "xlsx": lambda: filemakers.xlsx_bytes([["Cu", 0.5]]),
    "pptx": lambda: filemakers.pptx_bytes([("Title", "Body")]),
    "odt": lambda: filemakers.odt_bytes([filemakers.MONGOLIAN]),
    "png": filemakers.png_bytes,
    "jpeg": filemakers.jpeg_bytes,
    "html": lambda: filemakers.HTML_PAGE.encode(),
    "svg": lambda: filemakers.SVG_IMAGE.encode(),
    "txt": lambda: filemakers.KYRGYZ.encode(),
}


@pytest.mark.parametrize("kind", sorted(REAL_FILES))
def test_real_files_are_recognised_by_content(kind: str) -> None:
    assert sniff.sniff(io.BytesIO(REAL_FILES[kind]())) == kind


def test_gif_and_webp_are_recognised_by_their_signatures() -> None:
    assert sniff.sniff_head(b"GIF89a\x01\x00") == "gif"
    assert sniff.sniff_head(b"RIFF\x10\x00\x00\x00WEBPVP8 ") == "webp"


def test_an_old_office_or_encrypted_office_file_is_named_as_such() -> None:
    assert sniff.sniff_head(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100)) == sniff.OLE_KIND


def test_sniffing_leaves_the_file_at_its_start() -> None:
    data = io.BytesIO(filemakers.docx_bytes(["x"]))
    sniff.sniff(data)
    assert data.tell() == 0


def test_a_plain_zip_is_not_a_document() -> None:
    assert sniff.zip_kind(["readme.txt", "data.csv"]) == "zip"


def test_svg_behind_an_xml_declaration_and_comment_is_svg() -> None:
    head = (
        b'<?xml version="1.0"?>\n<!-- drawn by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    assert sniff.sniff_head(head) == "svg"


def test_html_fragment_is_text_but_accepted_under_an_html_name() -> None:
    assert sniff.sniff_head(b"<p>Hello</p>") == "txt"
    assert sniff.resolve_kind("html", "txt") == "html"


@pytest.mark.parametrize(
    ("claimed", "sniffed", "expected"),
    [
        ("pdf", "png", None),
        ("docx", "zip", None),
        ("docx", "xlsx", None),
        ("png", "jpeg", None),
        ("svg", "html", None),
        ("txt", "html", "txt"),
        ("txt", "svg", "txt"),
        ("txt", None, None),
        ("xlsx", "xlsx", "xlsx"),
    ],
)
def test_the_claimed_kind_must_match_the_content(
    claimed: str, sniffed: str | None, expected: str | None
) -> None:
    assert sniff.resolve_kind(claimed, sniffed) == expected


def test_extension_decides_the_claimed_kind_case_insensitively() -> None:
    assert sniff.kind_from_extension("Report.PDF") == "pdf"
    assert sniff.kind_from_extension("photo.JPG") == "jpeg"
    assert sniff.kind_from_extension("archive.tar.gz") is None
    assert sniff.kind_from_extension("no-extension") is None
    assert sniff.kind_from_extension("evil.pdf.exe") is None


# --- text decoding -------------------------------------------------------------------------


@given(st.text())
def test_utf8_text_decodes_to_itself(text: str) -> None:
    text = text.replace("\x00", "")
    assert sniff.decode_text(text.encode("utf-8")) == (text, "utf-8")


@given(st.text())
def test_a_utf8_byte_order_mark_is_dropped(text: str) -> None:
    text = text.replace("\x00", "").lstrip("\ufeff")
    assert sniff.decode_text(codecs.BOM_UTF8 + text.encode("utf-8")) == (text, "utf-8")


@given(
    st.text(alphabet="АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯабвгдежзиклмнопрстуфхцчшщыьэюя .,\n", min_size=1)
)
def test_windows_1251_russian_text_is_decoded(text: str) -> None:
    encoded = text.encode("cp1251")
    decoded = sniff.decode_text(encoded)
    assert decoded is not None
    if any(ord(char) > 127 for char in text):
        assert decoded == (text, "windows-1251")
    else:
        assert decoded[0] == text


@given(st.binary(min_size=1))
def test_bytes_with_nul_are_never_text(data: bytes) -> None:
    assert sniff.decode_text(data + b"\x00") is None


@given(st.text(min_size=1, max_size=200).filter(lambda s: "\x00" not in s))
def test_a_head_cut_inside_a_character_still_decodes_as_utf8(text: str) -> None:
    encoded = (text + "ы").encode("utf-8")
    head = encoded[:-1]  # half of the last Cyrillic letter
    assert sniff.decode_head(head) == text


# --- zip bombs --------------------------------------------------------------------------------


members = st.builds(
    sniff.ZipMember,
    name=st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8}){0,3}\.xml", fullmatch=True),
    file_size=st.integers(0, 5_000_000),
    compress_size=st.integers(1, 5_000_000),
)


@given(st.lists(members, max_size=30))
def test_ordinary_small_archives_are_accepted(archive: list[sniff.ZipMember]) -> None:
    # 30 members of at most 5 MB stay below the ratio floor and the total limit.
    assert sniff.zip_problem(archive) is None


@given(
    st.lists(members, max_size=10),
    st.sampled_from(["../evil.xml", "word/../../etc/passwd", "/etc/passwd", "C:\\x.xml",
                     "a\\..\\..\\b", "word/\x00.xml"]),
)  # fmt: skip
def test_any_member_escaping_the_folder_is_refused(
    archive: list[sniff.ZipMember], bad_name: str
) -> None:
    archive = [*archive, sniff.ZipMember(bad_name, 10, 10)]
    assert sniff.zip_problem(archive) == "path"


@given(st.integers(sniff.ZIP_RATIO_FLOOR_BYTES + 1, sniff.MAX_ZIP_TOTAL_BYTES))
def test_more_than_the_ratio_limit_of_expansion_is_a_bomb(expanded: int) -> None:
    compressed = expanded // (sniff.MAX_ZIP_RATIO + 1)
    assert sniff.zip_problem([sniff.ZipMember("word/a.xml", expanded, compressed)]) == "ratio"


@given(st.integers(1, 1000))
def test_absurd_total_size_is_a_bomb_even_when_it_compresses_poorly(parts: int) -> None:
    size = sniff.MAX_ZIP_TOTAL_BYTES // parts + 1
    archive = [sniff.ZipMember(f"m{i}.bin", size, size) for i in range(parts + 1)]
    assert sniff.zip_problem(archive) == "size"


def test_too_many_members_is_refused() -> None:
    archive = (sniff.ZipMember(f"m{i}.xml", 1, 1) for i in range(sniff.MAX_ZIP_MEMBERS + 1))
    assert sniff.zip_problem(archive) == "members"


def test_a_real_zip_bomb_is_measured_as_one() -> None:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(filemakers.zip_bomb_docx())) as archive:
        assert sniff.zip_problem(sniff.zip_members(archive)) == "ratio"


def test_xml_with_a_doctype_or_entity_is_flagged() -> None:
    assert sniff.declares_dtd(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    assert sniff.declares_dtd(b"<!entity a 'b'>")
    assert not sniff.declares_dtd(b'<?xml version="1.0"?><w:document/>')


# --- script in markup -----------------------------------------------------------------------------

SCRIPTED = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    '<body onload="steal()">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" jav&#x09;ascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<iframe src="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<svg><set attributeName="href" to="javascript:alert(1)"/></svg>',
    "<svg><svg:script>alert(1)</svg:script></svg>",
    "<svg><handler type='application/ecmascript'>alert(1)</handler></svg>",
    "<div><![CDATA[<script>alert(1)</script>]]></div>",
    "<p <script>alert(1)</script>",
]


@pytest.mark.parametrize("markup", SCRIPTED)
def test_script_in_html_and_svg_is_found(markup: str) -> None:
    assert sniff.find_script(markup) is not None


def test_harmless_markup_has_no_script() -> None:
    assert sniff.find_script(filemakers.HTML_PAGE) is None
    assert sniff.find_script(filemakers.SVG_IMAGE) is None
    assert sniff.find_script('<a href="https://example.org/javascript-guide">guide</a>') is None
    assert sniff.find_script("<p>An article about &lt;script&gt; tags.</p>") is None


@given(st.text(alphabet=st.characters(blacklist_characters="<&")))
def test_text_without_markup_never_holds_script(text: str) -> None:
    assert sniff.find_script(f"<p>{text}</p>") is None


@given(st.from_regex(r"on[a-z]{1,12}", fullmatch=True), st.text(max_size=20))
def test_every_event_handler_attribute_is_found(attribute: str, value: str) -> None:
    markup = f'<div {attribute}="{value.replace(chr(34), "")}">x</div>'
    assert sniff.find_script(markup) is not None


# --- large files, read in chunks ---------------------------------------------------------------


@pytest.mark.parametrize("data", [b"\xef", b"\xef\xbb", b"\xef\xbb\xbf"])
def test_a_truncated_byte_order_mark_reads_the_same_in_chunks(data: bytes) -> None:
    whole = sniff.decode_text(data)
    assert sniff.text_encoding(io.BytesIO(data), 1) == (whole[1] if whole else None)


@given(
    st.one_of(
        st.binary(max_size=300),
        st.text(max_size=100).map(lambda text: text.encode("utf-8")),
        st.text(alphabet="абвгдеёжАБВГ ,.\n", max_size=100).map(lambda t: t.encode("cp1251")),
    ),
    st.integers(1, 64),
)
def test_reading_in_chunks_finds_the_same_encoding_as_reading_whole(
    data: bytes, chunk_size: int
) -> None:
    whole = sniff.decode_text(data)
    assert sniff.text_encoding(io.BytesIO(data), chunk_size) == (whole[1] if whole else None)


@given(st.text(max_size=200).map(lambda t: t.replace("\x00", "")), st.integers(1, 64))
def test_decoded_chunks_join_to_the_whole_text(text: str, chunk_size: int) -> None:
    data = codecs.BOM_UTF8 + text.encode("utf-8")
    chunks = sniff.decoded_chunks(io.BytesIO(data), "utf-8", chunk_size)
    assert "".join(chunks) == text  # the byte order mark is dropped, once


@pytest.mark.parametrize("markup", SCRIPTED)
@given(cut=st.integers(0, 80))
def test_script_is_found_wherever_the_file_is_cut_into_chunks(markup: str, cut: int) -> None:
    padded = "<p>" + "Отчёт. " * 10 + "</p>" + markup
    cut = min(cut + 40, len(padded))
    assert sniff.find_script_in_chunks([padded[:cut], padded[cut:]]) is not None
