"""Text extraction: every kind, OCR with and without Tesseract, the task's bookkeeping."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from minehub.core.testing import make_organisation
from minehub.library import extract
from minehub.library.files import attach, queue_extraction, store_upload
from minehub.library.models import Document, ExtractionStatus, StoredFile
from minehub.library.tasks import extract_text
from minehub.library.tests import filemakers

pytestmark = pytest.mark.django_db

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="Tesseract is not installed"
)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def without_tesseract(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A server where ``tesseract`` is not on the PATH."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    assert extract.tesseract_command() is None


@pytest.fixture
def upload(django_capture_on_commit_callbacks: Any) -> Callable[[bytes, str], StoredFile]:
    """Uploads bytes the way the site does and lets the extraction task run."""

    def run(data: bytes, filename: str) -> StoredFile:
        with django_capture_on_commit_callbacks(execute=True):
            stored = store_upload(io.BytesIO(data), filename)
        stored.refresh_from_db()
        return stored

    return run


def make_document(**values: Any) -> Document:
    defaults = {
        "title": "Report",
        "slug": "report",
        "language": "ru",
        "kind": "report",
        "organisation": make_organisation(),
    }
    return Document.objects.create(**{**defaults, **values})


# --- kinds -----------------------------------------------------------------------------------


def test_a_text_pdf_gives_its_text_pages_and_language(upload: Any) -> None:
    stored = upload(
        filemakers.text_pdf(
            [filemakers.RUSSIAN, "Проба воды из реки Туул.", "Отчёт о работе и проверке"]
        ),
        "ru.pdf",
    )
    assert stored.extraction_status == ExtractionStatus.DONE
    assert stored.pages == 3
    assert "Мониторинг качества воды" in stored.text
    assert "Туул" in stored.text
    assert stored.text_language == "ru"
    assert stored.extraction_progress == 100
    assert stored.extracted_at is not None
    assert not stored.ocr_used


def test_pdf_progress_is_reported_every_few_pages() -> None:
    seen: list[int] = []
    data = filemakers.text_pdf(filemakers.ENGLISH, count=12)
    result = extract.extract_pdf(io.BytesIO(data), seen.append)
    assert result.pages == 12
    assert seen == [41, 83, 100]


def test_a_word_document_gives_paragraphs_and_tables(upload: Any) -> None:
    data = filemakers.docx_bytes(
        [filemakers.MONGOLIAN, "Уурхайн нөхөн сэргээлтийн ажил хийгдэж байна."],
        table=[["Параметр", "Утга"], ["Зэс", "0.4 мг/л"]],
    )
    stored = upload(data, "mn.docx")
    assert stored.extraction_status == ExtractionStatus.DONE
    assert "нөхөн сэргээлт" in stored.text
    assert "Зэс\t0.4 мг/л" in stored.text
    assert stored.text_language == "mn"


def test_a_spreadsheet_gives_its_cell_values(upload: Any) -> None:
    data = filemakers.xlsx_bytes([["Site", "Copper mg/l"], ["Zaamar", 0.4], ["Boroo", 12.0]])
    stored = upload(data, "cu.xlsx")
    assert stored.extraction_status == ExtractionStatus.DONE
    assert "Measurements" in stored.text
    assert "Zaamar\t0.4" in stored.text
    assert "Boroo\t12" in stored.text


def test_a_presentation_gives_slide_text_and_slide_count(upload: Any) -> None:
    data = filemakers.pptx_bytes([("Kumtor", filemakers.KYRGYZ), ("Water", filemakers.ENGLISH)])
    stored = upload(data, "slides.pptx")
    assert stored.extraction_status == ExtractionStatus.DONE
    assert stored.pages == 2
    assert "Kumtor" in stored.text and "көзөмөлдөө" in stored.text


def test_an_opendocument_text_gives_headings_and_paragraphs(upload: Any) -> None:
    data = filemakers.odt_bytes(
        [filemakers.KYRGYZ, "Бул долбоор жана суу боюнча иштер."], heading="Кен казуу"
    )
    stored = upload(data, "ky.odt")
    assert stored.extraction_status == ExtractionStatus.DONE
    assert stored.text.startswith("Кен казуу\n")
    assert "көзөмөлдөө" in stored.text
    assert stored.text_language == "ky"


def test_opendocument_with_entity_declarations_is_not_parsed() -> None:
    data = filemakers.odt_bytes(["x"], prologue='<!DOCTYPE d [<!ENTITY lol "lol">]>')
    with pytest.raises(extract.ExtractionError):
        extract.extract_odt(io.BytesIO(data), lambda percent: None)


def test_a_windows_1251_text_file_is_decoded(upload: Any) -> None:
    text = "Отчёт о мониторинге: концентрация меди превышает норму, и это опасно."
    stored = upload(text.encode("cp1251"), "old.txt")
    assert stored.text == text
    assert stored.text_language == "ru"


def test_html_gives_its_text_without_styles(upload: Any) -> None:
    stored = upload(filemakers.HTML_PAGE.encode(), "page.html")
    assert "Отчёт о мониторинге" in stored.text  # the title names the page
    assert "Water report" in stored.text
    assert "color" not in stored.text


def test_script_content_never_becomes_text() -> None:
    assert extract.markup_text(filemakers.HTML_WITH_SCRIPT).count("alert") == 0


def test_svg_text_is_read(upload: Any) -> None:
    stored = upload(filemakers.SVG_IMAGE.encode(), "map.svg")
    assert "Tailings" in stored.text


def test_an_empty_document_has_no_text_and_says_so(upload: Any) -> None:
    stored = upload(filemakers.docx_bytes([]), "empty.docx")
    assert stored.extraction_status == ExtractionStatus.NO_TEXT
    assert stored.extraction_message == "The file contains no text."


# --- OCR -------------------------------------------------------------------------------------------


@needs_tesseract
def test_a_scanned_pdf_is_read_by_ocr_in_english_and_russian(upload: Any) -> None:
    data = filemakers.scanned_pdf([filemakers.ENGLISH, filemakers.RUSSIAN], pages=2)
    stored = upload(data, "scan.pdf")
    assert stored.extraction_status == ExtractionStatus.DONE
    assert stored.ocr_used
    assert stored.pages == 2
    assert "Water quality monitoring" in stored.text
    assert "Мониторинг качества воды" in stored.text
    assert "OCR" in stored.extraction_message


@needs_tesseract
def test_an_image_is_read_by_ocr(upload: Any) -> None:
    stored = upload(filemakers.png_bytes(lines=["Tailings dam inspection"]), "photo.png")
    assert stored.extraction_status == ExtractionStatus.DONE
    assert "Tailings dam inspection" in stored.text


@needs_tesseract
def test_ocr_uses_only_installed_language_packs() -> None:
    setup = extract.ocr_setup()
    assert setup is not None
    installed = extract._installed_languages(setup[0])
    assert set(setup[1].split("+")) == set(extract.OCR_LANGUAGES) & installed


def test_without_tesseract_a_scanned_pdf_is_marked_not_extracted_not_failed(
    upload: Any, without_tesseract: None
) -> None:
    stored = upload(filemakers.scanned_pdf([filemakers.ENGLISH]), "scan.pdf")
    assert stored.extraction_status == ExtractionStatus.NO_TEXT
    assert stored.extraction_message == ("Text not extracted: OCR is not installed on this server.")
    assert stored.pages == 1
    assert stored.text == ""


def test_without_tesseract_an_image_is_marked_not_extracted(
    upload: Any, without_tesseract: None
) -> None:
    stored = upload(filemakers.png_bytes(lines=["Hello"]), "photo.png")
    assert stored.extraction_status == ExtractionStatus.NO_TEXT
    assert "OCR is not installed" in stored.extraction_message


def test_without_tesseract_the_text_pages_of_a_partly_scanned_pdf_are_kept(
    without_tesseract: None,
) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(filemakers.text_pdf(filemakers.ENGLISH)))
    writer.append(io.BytesIO(filemakers.scanned_pdf([filemakers.RUSSIAN])))
    buffer = io.BytesIO()
    writer.write(buffer)
    result = extract.extract_pdf(io.BytesIO(buffer.getvalue()), lambda percent: None)
    has_text, message = extract.status_message(result)
    assert has_text
    assert filemakers.ENGLISH in result.text
    assert message == "1 scanned page was not read: OCR is not installed on this server."


# --- the task -----------------------------------------------------------------------------------------


def test_corrected_text_is_never_overwritten(upload: Any) -> None:
    stored = upload(filemakers.text_pdf(filemakers.ENGLISH), "a.pdf")
    StoredFile.objects.filter(pk=stored.pk).update(
        text="Corrected by an editor", text_corrected=True
    )
    extract_text.enqueue(stored.pk)
    stored.refresh_from_db()
    assert stored.extraction_status == ExtractionStatus.DONE
    assert stored.text == "Corrected by an editor"


def test_retrying_runs_the_extraction_again(
    upload: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stored = upload(filemakers.text_pdf(filemakers.ENGLISH), "a.pdf")
    StoredFile.objects.filter(pk=stored.pk).update(text="stale", extraction_status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        queue_extraction(stored)
    stored.refresh_from_db()
    assert stored.extraction_status == ExtractionStatus.DONE
    assert filemakers.ENGLISH in stored.text


def test_an_unreadable_stored_file_fails_with_a_message_and_keeps_its_text(upload: Any) -> None:
    stored = upload(filemakers.text_pdf(filemakers.ENGLISH), "a.pdf")
    # The disk copy got damaged after the upload was accepted.
    default_storage.delete(stored.blob.name)
    default_storage.save(stored.blob.name, io.BytesIO(b"%PDF-1.4 garbage"))
    extract_text.enqueue(stored.pk)
    stored.refresh_from_db()
    assert stored.extraction_status == ExtractionStatus.FAILED
    assert stored.extraction_message == (
        "The text could not be extracted: The PDF is damaged and cannot be read."
    )
    assert filemakers.ENGLISH in stored.text


def test_a_missing_stored_file_is_no_error() -> None:
    assert extract_text.call(987654) == "missing"


def test_a_document_without_pages_gets_the_pdf_page_count(
    django_capture_on_commit_callbacks: Any,
) -> None:
    empty = make_document()
    known = make_document(slug="known", pages=99)
    with django_capture_on_commit_callbacks(execute=True):
        stored = store_upload(io.BytesIO(filemakers.text_pdf(["a", "b", "c", "d"])), "4.pdf")
        attach(empty, stored, "4.pdf")
        attach(known, stored, "4.pdf")
    empty.refresh_from_db()
    known.refresh_from_db()
    assert empty.pages == 4
    assert known.pages == 99


# --- what search reads --------------------------------------------------------------------------------


def test_searchable_text_joins_the_files_of_an_item_in_order(upload: Any) -> None:
    document = make_document()
    other = make_document(slug="other")
    first = upload(filemakers.text_pdf("Первый файл о воде"), "1.pdf")
    second = upload(filemakers.docx_bytes(["Second file about dust"]), "2.docx")
    empty = upload(filemakers.docx_bytes([]), "3.docx")
    unrelated = upload(filemakers.docx_bytes(["Not this one"]), "4.docx")
    attach(document, first, "1.pdf")
    attach(document, empty, "3.docx")
    attach(document, second, "2.docx")
    attach(other, unrelated, "4.docx")
    StoredFile.objects.filter(pk=second.pk).update(
        text="Second file about dust, corrected", text_corrected=True
    )
    text = extract.searchable_text(document)
    first.refresh_from_db()
    assert first.text.startswith("Первый файл о воде")
    assert text == f"{first.text}\n\nSecond file about dust, corrected"
    assert extract.searchable_text(make_document(slug="none")) == ""
