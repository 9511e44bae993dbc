"""Names of the countries organisations come from, translated like any interface string."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

COUNTRY_NAMES = {
    "MN": _("Mongolia"),
    "KG": _("Kyrgyzstan"),
    "KZ": _("Kazakhstan"),
    "UZ": _("Uzbekistan"),
    "TJ": _("Tajikistan"),
    "RU": _("Russia"),
    "CN": _("China"),
    "JP": _("Japan"),
    "KR": _("South Korea"),
    "TR": _("Türkiye"),
    "DE": _("Germany"),
    "CH": _("Switzerland"),
    "GB": _("United Kingdom"),
    "FR": _("France"),
    "CA": _("Canada"),
    "US": _("United States"),
    "AU": _("Australia"),
}


def country_name(code: str) -> str:
    """The translated name of an ISO 3166-1 alpha-2 code; the code itself when unknown."""
    return str(COUNTRY_NAMES.get(code, code))
