"""Light stemmer for Kyrgyz, for search.

Kyrgyz stems are invariant, so suffixes are stripped right to left by slot: case (-дын, -га,
-ны, -да, -дан, -дагы …), possessive (-ым, -ың, -ыңыз, -ыбыз, -ы, -сы …), plural (-лар,
-дар, -тар …), in two passes so a lemma ending in a look-alike (малчы) meets its forms; then
-ган/-уу, and -ып/-йт only on words with no nominal suffix. Each suffix needs its context
and backness harmony, and two letters with a vowel stay (суу, үй, эл). A stem is a prefix of
the word but for a final г/б written к/п (калдыгы -> калдык).
Measured (``python -m bench.morphology``): 99.6% of 254 tuning pairs conflate (no stemming:
0%); 93.9% of 66 pairs written after tuning, 98.5% once the bug they showed (-п cut чөп) was
fixed; 1 of 30 distinct pairs collapses (тери/тер). Not handled: present -ат (чыгарат).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

# Lower-case Cyrillic only: anything else (Latin, digits, emoji, marks) is left alone.
CYRILLIC_WORD = re.compile("[а-яөүңё-]+")
VOWELS = frozenset("аеиоуөүыэюяё")
BACK = frozenset("аоуыяю")
FRONT = frozenset("еиөүэ")
VOICELESS = frozenset("птксшчфхцщ")
MIN_STEM = 2
NOMINAL_PASSES = 2

Condition = Callable[[str], bool]
Rule = tuple[str, Condition]
Slot = dict[str, tuple[Rule, ...]]


def _is_vowel(char: str) -> bool:
    return char in VOWELS


def _after_vowel(stem: str) -> bool:
    return _is_vowel(stem[-1])


def _after_consonant(stem: str) -> bool:
    return not _is_vowel(stem[-1]) and stem[-1] not in "ьъ"


def _after_voiceless(stem: str) -> bool:
    return stem[-1] in VOICELESS


def _after_voiced_consonant(stem: str) -> bool:
    return _after_consonant(stem) and stem[-1] not in VOICELESS


def _after_voiced(stem: str) -> bool:
    return stem[-1] not in VOICELESS


def _after(letters: str) -> Condition:
    return lambda stem: stem[-1] in letters


def _any(stem: str) -> bool:
    return True


def _harmony_ok(stem: str, suffix: str) -> bool:
    """Front suffixes follow front stems and back suffixes back ones (loans: last vowel)."""
    suffix_vowel = next((c for c in suffix if _is_vowel(c)), None)
    stem_vowel = next((c for c in reversed(stem) if _is_vowel(c)), None)
    if suffix_vowel is None or stem_vowel is None:
        return True
    return (suffix_vowel in BACK) == (stem_vowel in BACK)


def _four(consonants: str, pattern: str) -> list[str]:
    """Every consonant-initial variant with the four harmony vowels: ("дт", "_н") -> дын,
    дин, дун, дүн, тын …; an "_" marks the high vowel, an "*" the low one."""
    high, low = "ыиуү", "аеоө"
    return [
        start + pattern.replace("_", high[i]).replace("*", low[i])
        for start in consonants
        for i in range(4)
    ]


def _rules(*groups: tuple[list[str], Condition]) -> Slot:
    """Index (suffixes, condition) groups by last letter, longest suffix first so that the
    longest match wins; the index keeps a word from being compared with every suffix."""
    rules = {(suffix, condition) for suffixes, condition in groups for suffix in suffixes}
    slot: dict[str, list[Rule]] = {}
    for rule in sorted(rules, key=lambda rule: (-len(rule[0]), rule[0])):
        slot.setdefault(rule[0][-1], []).append(rule)
    return {last: tuple(rules) for last, rules in slot.items()}


CASE = _rules(
    (_four("д", "_н") + _four("д", "_"), _after_voiced_consonant),  # genitive, accusative
    (_four("т", "_н") + _four("т", "_"), _after_voiceless),
    (_four("н", "_н") + _four("н", "_"), lambda s: len(s) >= 3 and _after_vowel(s)),
    (_four("г", "*"), _after_voiced),  # dative
    (_four("к", "*"), _after_voiceless),
    # dative, locative, ablative after the 3rd person possessive -ы/-сы (жерине, суусунда)
    (_four("н", "*") + _four("н", "д*") + _four("н", "*н"), _after("ыиуү")),
    (["а", "е", "о", "ө"], _after("мң")),  # dative after 1st/2nd person possessive
    (_four("д", "*") + _four("д", "*н"), _after_voiced),  # locative, ablative
    (_four("т", "*") + _four("т", "*н"), _after_voiceless),
    (["дагы", "деги", "догу", "дөгү", "тагы", "теги", "тогу", "төгү"], _any),
    (["ндагы", "ндеги", "ндогу", "ндөгү"], _after("ыиуү")),
)

POSSESSIVE = _rules(
    (["ыңыз", "иңиз", "уңуз", "үңүз", "ыбыз", "ибиз", "убуз", "үбүз"], _after_consonant),
    (["ыңар", "иңер", "уңар", "үңөр"], _after_consonant),
    (["ңыз", "ңиз", "ңуз", "ңүз", "быз", "биз", "буз", "бүз"], _after_vowel),
    (["ңар", "ңер", "ңор", "ңөр"], _after_vowel),
    (["ым", "им", "ум", "үм", "ың", "иң", "уң", "үң"], _after_consonant),
    (["сы", "си", "су", "сү"], _after_vowel),
    (["ы", "и", "у", "ү"], _after_consonant),
)

PLURAL = _rules(
    (_four("л", "*р"), _any),
    (_four("д", "*р"), _after_voiced_consonant),
    (_four("т", "*р"), _after_voiceless),
)

# Participles (-ган) and verbal nouns (-уу) take case endings; finite forms never do.
NON_FINITE = _rules(
    (_four("г", "*н"), _after_voiced),
    (_four("к", "*н"), _after_voiceless),
    (["уу", "үү", "оо", "өө"], _after_consonant),
)
FINITE = _rules(
    (["ып", "ип", "уп", "үп"], _after_consonant),
    (["п", "йт"], lambda s: len(s) >= 3 and _after_vowel(s)),  # not чө-п
)

# Words that end in what looks like a suffix; stripping stops at them.
PROTECTED = frozenset(
    {"алтын", "тургун", "кенен", "калың", "суу", "тоо", "ороо", "булуң", "башка", "кыргыз"}
)
LONGEST_PROTECTED = max(map(len, PROTECTED))
PROTECTED_ENDINGS = ("стан",)  # country names: Кыргызстан is not Кыргызс + -тан


def _has_vowel(text: str) -> bool:
    return not VOWELS.isdisjoint(text)


def _is_protected(stem: str) -> bool:
    return stem in PROTECTED or stem.endswith(PROTECTED_ENDINGS)


def _cuts_protected(word: str, stem_length: int) -> bool:
    """True if cutting ``word`` to ``stem_length`` letters would eat into a protected word."""
    top = min(len(word), LONGEST_PROTECTED)
    return any(word[:k] in PROTECTED for k in range(stem_length + 1, top + 1))


def _strip_one(word: str, rules: Slot) -> str:
    if _is_protected(word):
        return word
    for suffix, condition in rules.get(word[-1], ()):
        if not word.endswith(suffix):
            continue
        stem = word[: -len(suffix)]
        if len(stem) < MIN_STEM or not _has_vowel(stem) or not condition(stem):
            continue
        if _harmony_ok(stem, suffix) and not _cuts_protected(word, len(stem)):
            return stem
    return word


def _strip(word: str) -> str:
    # Nominal slots run twice when the first pass stripped something, so that a lemma ending
    # in a look-alike (малчы, келишим) loses it in the inflected forms too.
    stem = word
    for _ in range(NOMINAL_PASSES):
        before = stem
        for rules in (CASE, POSSESSIVE, PLURAL):
            stem = _strip_one(stem, rules)
        if stem == before:
            break
    if _is_protected(stem):
        return stem
    nominal = stem != word
    verb = _strip_one(stem, NON_FINITE)
    if verb == stem and not nominal:
        verb = _strip_one(stem, FINITE)
    if verb != stem and len(verb) >= 4 and _is_vowel(verb[-1]):
        # иште-п, иште-ген and иштө-ө share the stem ишт
        verb = verb[:-1]
    return verb


def _devoice(stem: str) -> str:
    """к/г and п/б alternate before vowel suffixes (калдык/калдыгы, китеп/китеби)."""
    if len(stem) > 2 and stem[-1] in "гб" and _is_vowel(stem[-2]):
        return stem[:-1] + ("к" if stem[-1] == "г" else "п")
    return stem


def _is_cyrillic_word(word: str) -> bool:
    """Lower-case Cyrillic letters, possibly joined by hyphens (тоо-кен)."""
    return CYRILLIC_WORD.fullmatch(word) is not None


def stem_word(word: str) -> str:
    """The stem of one normalised Kyrgyz word; not cached."""
    head, hyphen, tail = word.rpartition("-")
    if not _is_cyrillic_word(word) or len(tail) < 3:
        return word
    return head + hyphen + _devoice(_strip(tail))


@lru_cache(maxsize=65536)
def stem_ky(word: str) -> str:
    """The stem of a normalised (lower-case, NFKC, ё -> е) Kyrgyz word."""
    return stem_word(word)
