"""Background tasks of the library (django-tasks; see settings.TASKS)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from minehub.core.language_detect import detect_language
from minehub.library import extract
from minehub.library.models import ExtractionStatus, StoredFile

logger = logging.getLogger(__name__)


@task()
def extract_text(stored_file_id: int) -> str:
    """Extracts the text, page count and language of a stored file and records the
    outcome: DONE, NO_TEXT (nothing to read, or scans without OCR) or FAILED, each with a
    note for editors. Text an editor corrected is never overwritten. Returns the status."""
    # Notes are stored, so they are written in the hub's default language (the language
    # most of its editors read), not whatever language the worker process happens to have.
    with translation.override(settings.LANGUAGE_CODE):
        return _extract_text(stored_file_id)


def _extract_text(stored_file_id: int) -> str:
    stored = StoredFile.objects.filter(pk=stored_file_id).first()
    if stored is None:
        return "missing"  # deleted between upload and extraction
    rows = StoredFile.objects.filter(pk=stored.pk)
    rows.update(
        extraction_status=ExtractionStatus.RUNNING, extraction_progress=0, extraction_message=""
    )

    def progress(percent: int) -> None:
        rows.update(extraction_progress=max(0, min(100, percent)))

    try:
        result = extract.extract(stored, progress)
    except extract.ExtractionError as error:
        return _fail(stored, str(error))
    except Exception:
        logger.exception("text extraction of stored file %s failed", stored.pk)
        return _fail(stored, _("The file could not be read; the error has been logged."))

    has_text, message = extract.status_message(result)
    status = ExtractionStatus.DONE if has_text else ExtractionStatus.NO_TEXT
    language = (detect_language(result.text) or "") if has_text else ""
    with transaction.atomic():
        rows.update(
            extraction_status=status,
            extraction_progress=100,
            extraction_message=message[:500],
            extracted_at=timezone.now(),
            pages=result.pages,
            ocr_used=result.ocr_used,
        )
        # Filtered in the same statement so a correction saved while this task ran wins.
        rows.filter(text_corrected=False).update(text=result.text, text_language=language)
    stored.refresh_from_db()
    extract.fill_document_pages(stored)
    extract.file_text_changed.send(sender=StoredFile, stored_file_id=stored.pk)
    return str(status)


def _fail(stored: StoredFile, reason: str) -> str:
    # Earlier text, if any, stays: a failed retry must not erase what was readable before.
    StoredFile.objects.filter(pk=stored.pk).update(
        extraction_status=ExtractionStatus.FAILED,
        extraction_message=(_("The text could not be extracted: %(reason)s") % {"reason": reason})[
            :500
        ],
        extracted_at=timezone.now(),
    )
    return str(ExtractionStatus.FAILED)
