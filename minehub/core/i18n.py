"""Helpers for values stored once per language (``name_en``, ``name_mn``, ...)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language


def active_language() -> str:
    """The active interface language as one of LANGUAGE_CODES (``en`` outside a request)."""
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in settings.LANGUAGE_CODES else "en"


def translated_language(obj: Any, prefix: str, language: str | None = None) -> str:
    """The language whose ``obj.<prefix>_<code>`` is shown: the wanted one, else English,
    else the first non-empty one (the wanted one when all are empty)."""
    language = language or active_language()
    for code in (language, "en", *settings.LANGUAGE_CODES):
        if getattr(obj, f"{prefix}_{code}", ""):
            return code
    return language


def translated(obj: Any, prefix: str, language: str | None = None) -> str:
    """``obj.<prefix>_<language>`` with the fallbacks of :func:`translated_language`."""
    return getattr(obj, f"{prefix}_{translated_language(obj, prefix, language)}", "")
