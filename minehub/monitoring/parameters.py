"""Parameter names for people: the catalogue's name in the reader's language."""

from __future__ import annotations

from functools import lru_cache

from minehub.core.i18n import active_language
from minehub.monitoring.importing import Catalogue, default_catalogue


@lru_cache(maxsize=1)
def _catalogue() -> Catalogue:
    return default_catalogue()


def parameter_name(code: str, language: str | None = None) -> str:
    """The name of catalogue parameter ``code`` in ``language`` (default: the active
    one), else in English, else the code itself."""
    entry = _catalogue().parameters.get(code)
    if entry is None:
        return code
    return entry.names.get(language or active_language()) or entry.names.get("en") or code
