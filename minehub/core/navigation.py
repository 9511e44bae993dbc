"""The main sections of the hub, shown in the header of every page."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    url_name: str
    title: Promise
    summary: Promise


SECTIONS: tuple[Section, ...] = (
    Section(
        "library",
        "library:document-list",
        _("Library"),
        _("Legal acts, guidelines, reports and training materials."),
    ),
    Section(
        "news",
        "publishing:news-list",
        _("News & events"),
        _("News, newsletters and events from programmes and partners."),
    ),
    Section(
        "directory",
        "directory:organisation-list",
        _("Directory"),
        _("Ministries, federations, NGOs, donors and researchers working on mining."),
    ),
    Section(
        "exchange",
        "exchange:post-list",
        _("Exchange"),
        _("Members share experiences, solutions and questions."),
    ),
    Section(
        "monitoring",
        "monitoring:site-list",
        _("Monitoring"),
        _("Air, water and soil data at mine sites, and the rehabilitation of closed sites."),
    ),
    Section(
        "search",
        "search:results",
        _("Search"),
        _("Find knowledge in Mongolian, Kyrgyz, Russian and English."),
    ),
)

# Each language is named in itself, whatever the interface language, so a reader always
# recognises their own (Django's name for "mn" is not Mongolian script).
NATIVE_LANGUAGE_NAMES = (("mn", "Монгол"), ("ky", "Кыргызча"), ("ru", "Русский"), ("en", "English"))
