"""How well the Mongolian and Kyrgyz stemmers conflate inflected forms (DESIGN.md, search).

Reads ``minehub/search/tests/data/morphology_gold.tsv`` and prints, per language and beside
a no-stemming baseline: the conflation rate (share of (form, lemma) pairs whose stems are
equal), the same on the pairs written after the stemmers were tuned, the pairs of distinct
words that wrongly collapse, and the speed in words per second, both uncached (the rules
alone) and through the public cached functions on a corpus where words repeat. Needs no
Django settings. Figures are printed, never asserted; ``run()`` returns the lines.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from pathlib import Path

from minehub.search.morphology import ky, mn

GOLD = Path(__file__).resolve().parent.parent / "minehub/search/tests/data/morphology_gold.tsv"
LANGUAGES = {"mn": (mn.stem_word, mn.stem_mn), "ky": (ky.stem_word, ky.stem_ky)}
SPEED_WORDS = 200_000

Pairs = list[tuple[str, str]]


def load(path: Path = GOLD) -> dict[str, dict[str, Pairs]]:
    """{section: {language: [(form, lemma) or (word, word), ...]}} from the gold file."""
    sections: dict[str, dict[str, Pairs]] = {}
    section = "conflate"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# section:"):
            section = line.split(":", 1)[1].strip()
        elif line.strip() and not line.startswith("#"):
            language, form, lemma = line.split("\t")
            sections.setdefault(section, {}).setdefault(language, []).append((form, lemma))
    return sections


def conflation(pairs: Pairs, stem: Callable[[str], str]) -> tuple[int, list[tuple[str, str]]]:
    """How many pairs share a stem, and the pairs that do not."""
    misses = [(form, lemma) for form, lemma in pairs if stem(form) != stem(lemma)]
    return len(pairs) - len(misses), misses


def words_per_second(stem: Callable[[str], str], words: list[str], runs: int = 3) -> float:
    """The best of a few runs: a shared machine only ever makes a run slower."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for word in words:
            stem(word)
        best = min(best, time.perf_counter() - start)
    return len(words) / best


def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} = {100 * hits / total:5.1f}%" if total else "n/a"


def _identity(word: str) -> str:
    return word


def run(show_misses: bool = False) -> list[str]:
    gold = load()
    lines = []
    for language, (uncached, cached) in LANGUAGES.items():
        lines.append(f"{language}:")
        for name, stem in (("no stemming", _identity), ("stemmer", uncached)):
            for section in ("conflate", "held-out"):
                pairs = gold.get(section, {}).get(language, [])
                hits, misses = conflation(pairs, stem)
                label = f"conflation ({section})"
                lines.append(f"  {name:12} {label:24} {_rate(hits, len(pairs))}")
                if show_misses and stem is uncached:
                    lines += [
                        f"      miss {f} -> {stem(f)}  vs  {m} -> {stem(m)}" for f, m in misses
                    ]
            distinct = gold.get("distinct", {}).get(language, [])
            collapsed = [(a, b) for a, b in distinct if stem(a) == stem(b)]
            lines.append(
                f"  {name:12} {'distinct pairs collapsed':24} {len(collapsed)}/{len(distinct)}"
            )
            lines += [f"      collapsed {a} / {b} -> {stem(a)}" for a, b in collapsed]
        vocabulary = sorted(
            {w for pairs in gold.values() for p in pairs.get(language, []) for w in p}
        )
        corpus = random.Random(0).choices(vocabulary, k=SPEED_WORDS)
        cached.cache_clear()
        lines.append(
            f"  speed: {words_per_second(uncached, corpus):,.0f} words/s uncached, "
            f"{words_per_second(cached, corpus):,.0f} words/s cached "
            f"({SPEED_WORDS:,} words drawn from {len(vocabulary)})"
        )
    return lines


if __name__ == "__main__":
    import sys

    print("\n".join(run(show_misses="--misses" in sys.argv)))
