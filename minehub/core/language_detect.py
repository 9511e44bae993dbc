"""Guesses whether a text is Mongolian, Kyrgyz, Russian or English.

General detectors confuse Mongolian and Kyrgyz (both Cyrillic with ө and ү) or do not know
Kyrgyz at all. For four known languages, frequent function words plus two letters decide
reliably: ң is Kyrgyz only, and ө/ү never occur in Russian. Pure function, no model.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

STOPWORDS: dict[str, frozenset[str]] = {
    "mn": frozenset(
        [
            "нь",
            "бол",
            "болон",
            "юм",
            "байна",
            "байдаг",
            "байгаа",
            "энэ",
            "тэр",
            "бөгөөд",
            "дээр",
            "хийх",
            "гэж",
            "ба",
            "нэг",
            "их",
            "зөвхөн",
            "мөн",
            "бас",
            "ч",
            "гэх",
            "гэсэн",
            "хүртэл",
            "тул",
            "учир",
            "байх",
            "буюу",
            "дахь",
            "дахин",
            "харин",
            "манай",
            "бид",
            "тэд",
            "биш",
            "үед",
            "үеэр",
            "тухай",
            "талаар",
            "болох",
            "болно",
            "хамт",
            "хэрэгтэй",
            "шаардлагатай",
            "ихэвчлэн",
        ]
    ),
    "ky": frozenset(
        [
            "жана",
            "менен",
            "үчүн",
            "бул",
            "да",
            "деп",
            "болуп",
            "боюнча",
            "анын",
            "ал",
            "бир",
            "эмес",
            "керек",
            "тарабынан",
            "кийин",
            "бирок",
            "дагы",
            "же",
            "ошол",
            "биз",
            "алар",
            "мындай",
            "болот",
            "болгон",
            "эле",
            "өтө",
            "чейин",
            "аркылуу",
            "ар",
            "көп",
            "жок",
            "бар",
            "экен",
            "абдан",
            "ошондой",
            "азыр",
            "кезде",
        ]
    ),
    "ru": frozenset(
        [
            "и",
            "в",
            "не",
            "на",
            "что",
            "с",
            "по",
            "для",
            "это",
            "как",
            "из",
            "или",
            "при",
            "также",
            "то",
            "он",
            "она",
            "они",
            "мы",
            "вы",
            "от",
            "до",
            "за",
            "же",
            "бы",
            "ли",
            "его",
            "их",
            "ее",
            "но",
            "а",
            "так",
            "уже",
            "только",
            "был",
            "была",
            "были",
            "быть",
            "может",
            "нужно",
            "если",
            "когда",
            "чтобы",
            "после",
            "между",
            "более",
        ]
    ),
    "en": frozenset(
        [
            "the",
            "and",
            "of",
            "to",
            "in",
            "is",
            "for",
            "that",
            "with",
            "on",
            "as",
            "by",
            "are",
            "be",
            "this",
            "from",
            "or",
            "at",
            "it",
            "an",
            "was",
            "were",
            "which",
            "have",
            "has",
            "not",
            "but",
            "can",
            "their",
            "they",
            "should",
            "after",
        ]
    ),
}


# Word endings typical of each language (case and plural suffixes, infinitives); they decide
# short texts such as titles, where function words are rare.
SUFFIXES: dict[str, tuple[str, ...]] = {
    "mn": ("ийн", "ын", "ний", "ууд", "үүд", "аас", "ээс", "оос", "өөс", "тай", "тэй", "той",
           "лах", "лэх", "лох", "ах", "эх", "ох", "өх", "гаар", "гээр", "оор", "ээр", "ыг", "ийг"),
    "ky": ("лар", "лер", "дар", "дер", "тар", "тер", "нын", "нин", "дын", "дин", "тын", "тин",
           "ган", "ген", "кан", "кен", "ында", "инде", "ынан", "уу", "үү", "луу", "лүү", "ды"),
    "ru": ("ый", "ий", "ая", "ое", "ого", "его", "ому", "ых", "их", "ов", "ие", "ия", "ться",
           "ение", "ания", "ами", "ями", "ости"),
}  # fmt: skip


def detect_language(text: str, *, sample: int = 20_000) -> str | None:
    """The most likely of ``mn``, ``ky``, ``ru``, ``en``; ``None`` when there is no evidence."""
    words = [word.lower() for word in _WORD.findall(text[:sample])]
    if not words:
        return None
    hits: Counter[str] = Counter(
        language for word in words for language, stops in STOPWORDS.items() if word in stops
    )
    for word in words:
        for language, endings in SUFFIXES.items():
            if len(word) > 3 and word.endswith(endings):
                hits[language] += 0.5
    letters = Counter(char for word in words for char in word)
    cyrillic = sum(n for char, n in letters.items() if "а" <= char <= "я" or char in "ёөүң")
    latin = sum(n for char, n in letters.items() if "a" <= char <= "z")
    if latin > cyrillic:
        return "en"
    if not cyrillic:
        return None
    # Russian never uses ө, ү or ң; a Russian text may still quote a Mongolian place name.
    rare_letters = letters["ө"] + letters["ү"] + letters["ң"]
    if rare_letters / cyrillic < 0.005 and hits["ru"] >= max(hits["mn"], hits["ky"]):
        return "ru"
    # Mongolian writes х everywhere; Kyrgyz only in loanwords, and ң only in Kyrgyz.
    mongolian = hits["mn"] + 100 * letters["х"] / cyrillic
    kyrgyz = hits["ky"] + 2 + 3 * letters["ң"]
    return "mn" if mongolian > kyrgyz else "ky"
