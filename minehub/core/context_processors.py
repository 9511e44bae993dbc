from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from minehub.core.navigation import NATIVE_LANGUAGE_NAMES, SECTIONS


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "site_name": settings.MINEHUB_SITE_NAME,
        "sections": SECTIONS,
        "native_languages": NATIVE_LANGUAGE_NAMES,
    }
