"""Text normalisation shared by indexing, querying, snippets and spelling.

Everything that turns characters into comparable words lives here, so that documents and
queries can never be normalised differently:

- ``normalize`` makes text comparable: NFKC (full-width and ligature forms), invisible
  characters removed (zero-width spaces and joiners, soft hyphens, bidi marks, BOM),
  case folded, ``ё`` written ``е`` as Russian editors mostly do.
- ``words`` splits normalised text into words (letters and digits) with their offsets.
- ``fold`` is the deliberately lossy key used for matching: ``ө``→``о``, ``ү``→``у``
  (Latin keyboards and hurried typists drop the marks), ``ң``→``нг`` (its Latin spelling),
  ``һ``→``х``, ``е``→``э`` (a Latin "e" is either in Mongolian), soft and hard signs dropped (romanisations omit them) and Latin diacritics
  removed (``Ömnögovi`` = ``Omnogovi``). Stemming runs before folding because Mongolian and
  Kyrgyz suffixes follow vowel harmony, which needs ``ө`` and ``ү``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

# Characters that change nothing a reader sees but split or glue words for a machine.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_WORD = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-z\u00c0-\u024f]")

_FOLD_CYRILLIC = str.maketrans(
    {"ө": "о", "ү": "у", "ң": "нг", "һ": "х", "е": "э", "ь": None, "ъ": None}
)


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    return text.casefold().replace("ё", "е")


def words(normalized: str) -> Iterator[tuple[str, int, int]]:
    """(word, start, end) for each word of an already normalised text."""
    for match in _WORD.finditer(normalized):
        yield match.group(), match.start(), match.end()


def word_list(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def script(word: str) -> str:
    """ "cyrillic", "latin" or "other" (digits, other alphabets) for a normalised word."""
    if _CYRILLIC.search(word):
        return "cyrillic"
    if _LATIN.search(word):
        return "latin"
    return "other"


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    folded = word.translate(_FOLD_CYRILLIC)
    if not folded.isascii():
        # Only Latin letters lose their marks: Cyrillic й and Mongolian letters are letters
        # of their own, not decorated ones.
        folded = "".join(
            unicodedata.normalize("NFKD", c)[0] if "\u00c0" <= c <= "\u024f" else c for c in folded
        )
    return folded or word
