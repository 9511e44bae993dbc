"""Cyrillic to Latin letters for URLs (slugs) of Mongolian, Kyrgyz and Russian titles.

Follows the Mongolian national romanisation MNS 5217:2012 for the letters Mongolian uses
(ө → ö is written o, ү → u, х → kh, ц → ts) and common practice for the Kyrgyz ң (ng).
This is for readable, ASCII-only URLs; the search issue owns transliteration for matching.
"""

from __future__ import annotations

from django.utils.text import slugify

CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ң": "ng",
}  # fmt: skip


def to_latin(text: str) -> str:
    """``text`` with Cyrillic letters romanised; other characters unchanged."""
    out = []
    for char in text:
        lower = char.lower()
        latin = CYRILLIC_TO_LATIN.get(lower)
        if latin is None:
            out.append(char)
        else:
            out.append(latin.capitalize() if char != lower else latin)
    return "".join(out)


def latin_slug(text: str, max_length: int = 80) -> str:
    """An ASCII slug for any title in the hub's languages ("" when nothing is left)."""
    return slugify(to_latin(text))[:max_length].strip("-")
