"""Latin <-> Cyrillic for matching, not for display.

People type Mongolian and Kyrgyz in Latin letters on phones and abroad: formally
(MNS 5217:2012, "bichil uurkhai") and informally ("bichil uurhai", "xayagdal" with x for х,
"mongon" without the ö). A Latin word therefore becomes a few Cyrillic spellings, each
compared after ``text.fold``, which already merges ө/о, ү/у and е/э, so the variants only
need to cover the genuinely ambiguous letters (y, i, x, c, h).

The other direction (a Cyrillic place name finding an English text) uses MNS 5217 via the
``mn-translit`` package.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import mn_translit

# Longest units first. Each maps to its Cyrillic readings, the most likely first.
_UNITS: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "kh": ("х",),
    "ts": ("ц",),
    "ch": ("ч",),
    "sh": ("ш",),
    "zh": ("ж",),
    "ya": ("я",),
    "yo": ("ё",),
    "yu": ("ю",),
    "ye": ("е",),
    "ng": ("нг",),
    "a": ("а",),
    "b": ("б",),
    "c": ("ц", "к"),
    "d": ("д",),
    "e": ("э",),
    "f": ("ф",),
    "g": ("г",),
    "h": ("х",),
    "i": ("и",),
    "j": ("ж", "дж"),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "q": ("к",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у",),
    "v": ("в",),
    "w": ("в",),
    "x": ("х", "кс"),
    "y": ("ы", "у"),
    "z": ("з",),
}
_VOWELS = frozenset("aeiouy")
_MAX_VARIANTS = 6


def _units(word: str) -> list[tuple[str, ...]]:
    units: list[tuple[str, ...]] = []
    position = 0
    while position < len(word):
        for size in (4, 2, 1):
            piece = word[position : position + size]
            if piece in _UNITS:
                options = _UNITS[piece]
                previous = word[position - 1] if position else ""
                if piece in ("i", "y") and previous in _VOWELS:
                    options = ("й",)  # uurkhai, chuy: a vowel then i/y is a diphthong
                units.append(options)
                position += len(piece)
                break
        else:
            units.append((word[position],))  # digits and letters outside a-z stay
            position += 1
    return units


@lru_cache(maxsize=50_000)
def latin_to_cyrillic(word: str) -> tuple[str, ...]:
    """Plausible Cyrillic spellings of a lower-case Latin word, most likely first."""
    if not word.isascii():
        return ()
    variants = ("".join(combo) for combo in itertools.product(*_units(word)))
    return tuple(itertools.islice(variants, _MAX_VARIANTS))


@lru_cache(maxsize=50_000)
def cyrillic_to_latin(word: str) -> str:
    """MNS 5217:2012 romanisation, lower case."""
    return mn_translit.cyrillic_to_latin(word).lower()
