"""Synthetic multilingual corpus for search speed benchmarks.

``generate_documents(count, seed)`` yields documents in the import format (see
``minehub import_documents --help``) with a realistic language mix (mn, ru, ky, en), type mix
and log-normal body lengths. Text is recombined from per-language sentence templates about
mining (``bench/data/search_corpus_phrases.json``) with inflected slot fillers chosen with
Zipf-like weights. Topic and region codes come from ``minehub/core/data``. The output
depends only on ``count`` and ``seed``, and the first n documents are the same for any count.
Run ``python -m bench.search_corpus`` for a self-check. Needs no Django settings.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
import time
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import cache
from itertools import accumulate, zip_longest
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PHRASES_FILE = HERE / "data" / "search_corpus_phrases.json"
TAXONOMY_DIR = HERE.parent / "minehub" / "core" / "data"

LANGUAGE_SHARES = {"mn": 0.35, "ru": 0.25, "ky": 0.20, "en": 0.20}
TYPE_SHARES = {"document": 0.60, "news": 0.20, "legal_act": 0.08, "event": 0.07, "project": 0.05}
COUNTRY_SHARES = {"mn": {"MN": 1.0}, "ky": {"KG": 1.0}, "ru": {"KG": 0.55, "MN": 0.45}}
COUNTRY_SHARES["en"] = {"MN": 0.5, "KG": 0.5}
MEDIAN_WORDS = 350
SIGMA = 1.06  # ln(2000 / 350) / 1.645: 5% of bodies are longer than 2,000 words
MIN_WORDS, MAX_WORDS = 30, 8000
POOL_SIZE = 1499  # rendered sentences per (language, country, theme); a prime
MAX_STRIDE = 40  # documents read a pool from a random start with a random stride
LAYOUT_SIZE = 1 << 16
TOPIC_COUNT_CUM = (0.1, 0.45, 0.8)  # 0, 1, 2 or 3 topics
OPENER_SHARE = 0.2
FOCUS_PLACE_SHARE = 0.85  # place slots in titles, leads and summaries naming the own place
FIRST_DAY, LAST_DAY = date(2008, 1, 1).toordinal(), date(2025, 10, 31).toordinal()
DECIMAL_COMMA = {"ru", "ky"}

ENTITY = "\x01"  # replaced by the document's own organisation name
PLACE_MARK = 0x10  # chr(PLACE_MARK + i): the document's place in case number i
SLOT = re.compile(r"\{([a-z_]+)(?:\.([a-z_]+))?\}")

Chooser = Callable[[random.Random], str]


def _zipf(items: Sequence[Any], exponent: float = 1.0) -> Callable[[random.Random], Any]:
    """Picks items[i] with weight 1 / (i + 1) ** exponent: the first item is the most common."""
    cum = list(accumulate(1.0 / (rank + 1) ** exponent for rank in range(len(items))))
    total = cum[-1]
    items = list(items)

    def choose(rng: random.Random) -> Any:
        return items[bisect_right(cum, rng.random() * total)]

    return choose


def _shares(table: dict[str, float]) -> tuple[list[str], list[float]]:
    return list(table), list(accumulate(table.values()))


@cache
def phrases() -> dict[str, Any]:
    with PHRASES_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def taxonomy() -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """Topic names by slug and region codes by country, from the project's taxonomy files."""
    with (TAXONOMY_DIR / "topics.json").open(encoding="utf-8") as handle:
        topics = {item["slug"]: item["names"] for item in json.load(handle)}
    with (TAXONOMY_DIR / "region_names.json").open(encoding="utf-8") as handle:
        codes = list(json.load(handle))
    regions = {country: [c for c in codes if c.startswith(country)] for country in ("MN", "KG")}
    return topics, regions


def _number(rng: random.Random) -> str:
    """Log-uniform 2..2000: small numbers are common, large ones rare."""
    return str(int(math.exp(rng.uniform(0.7, 7.6))))


class _Language:
    """Slot fillers and compiled templates for one language in one country."""

    def __init__(self, lang: str, country: str) -> None:
        data = phrases()["languages"][lang]
        local = data["countries"][country]
        self.lang, self.country = lang, country
        self.data = data
        shuffle = random.Random(f"order:{lang}:{country}")
        places = list(local["places"])
        self.place_cases = [case for case in places[0] if case != "region"]
        self.places = places
        pairs = zip_longest(
            local["orgs"], local["orgs_intl"]
        )  # national and international alternate
        orgs = [org for pair in pairs for org in pair if org is not None]
        self.pick = {
            "place": _zipf(places, 0.8),
            "mineral": _zipf(local["minerals"], 1.1),
            "org": _zipf(orgs, 0.9),
            "law": _zipf(local["laws"] or [{"nom": ""}], 1.0),
        }
        topics, _ = taxonomy()
        topic_names = [names[lang] for names in topics.values()]
        shuffle.shuffle(topic_names)
        self.topic = _zipf(topic_names, 0.7)
        years = [str(y) for y in range(1990, 2026)]
        self.year = _zipf(years[::-1], 0.6)
        months = data["months"]
        self.money = data["money"]
        persons = local["persons"]
        self.person_parts = persons["given"], persons["family"], persons["pattern"]
        entity = local["entity"]
        self.entity_parts = entity["a"], entity["b"], entity["join"], local["entity_kinds"]
        comma = lang in DECIMAL_COMMA
        self.scalars: dict[str, Chooser] = {
            "year": self.year,
            "num": _number,
            "int": lambda rng: str(int(rng.random() * 28) + 2),
            "pct": lambda rng: self._pct(rng, comma),
            "money": self._money,
            "day": lambda rng: str(int(rng.random() * 28) + 1),
            "month": lambda rng: months[int(rng.random() * 12)],
            "person": self._person,
            "entity": lambda rng: ENTITY,
            "topic": self.topic,
        }
        self.openers = [self.compile(t, marks=False) for t in data["openers"]]
        ordered = {
            theme: sorted(items, key=lambda _: shuffle.random())
            for theme, items in data["templates"].items()
        }
        # Pool sentences name random places; leads, summaries and titles name the document's own.
        self.templates = {k: [self.compile(t, marks=False) for t in v] for k, v in ordered.items()}
        self.marked = {k: [self.compile(t) for t in v] for k, v in ordered.items()}
        self.leads = {k: [self.compile(t) for t in v] for k, v in data["leads"].items()}
        self.titles = {k: [self.compile(t) for t in v] for k, v in data["titles"].items()}

    @staticmethod
    def _pct(rng: random.Random, comma: bool) -> str:
        value = rng.random() ** 1.5 * 90 + 1
        if rng.random() < 0.6:
            return str(int(value))
        text = f"{value:.1f}"
        return text.replace(".", ",") if comma else text

    def _money(self, rng: random.Random) -> str:
        pattern = self.money[int(rng.random() * len(self.money))]
        amount = int(math.exp(rng.uniform(0.0, 6.8)))
        return pattern.replace("{n}", str(amount))

    def _person(self, rng: random.Random) -> str:
        given, family, pattern = self.person_parts
        return pattern.format(
            given=given[int(rng.random() * len(given))],
            family=family[int(rng.random() * len(family))],
        )

    def entity(self, rng: random.Random) -> str:
        first, second, join, kinds = self.entity_parts
        a, b = first[int(rng.random() * len(first))], second[int(rng.random() * len(second))]
        name = a + join + (b if join else b.lower())
        if rng.random() < 0.15:  # a second word makes rare names rarer
            name += " " + second[int(rng.random() * len(second))].capitalize()
        return kinds[int(rng.random() * len(kinds))].replace("{x}", name)

    def compile(self, template: str, marks: bool = True) -> list[str | Chooser]:
        """Splits a template into literal text and slot choosers."""
        pieces: list[str | Chooser] = []
        position = 0
        for match in SLOT.finditer(template):
            if match.start() > position:
                pieces.append(template[position : match.start()])
            name, case = match.group(1), match.group(2) or "nom"
            pieces.append(self._slot(name, case, marks and match.start() > 0))
            position = match.end()
        if position < len(template):
            pieces.append(template[position:])
        return pieces

    def _slot(self, name: str, case: str, marks: bool) -> Chooser:
        if name == "entity" and not marks:
            return self.entity
        if name in self.scalars:
            return self.scalars[name]
        pick = self.pick[name]
        if name == "place" and marks:
            mark = chr(PLACE_MARK + self.place_cases.index(case))

            def place(rng: random.Random) -> str:
                return mark if rng.random() < FOCUS_PLACE_SHARE else pick(rng)[case]

            return place
        return lambda rng: pick(rng)[case]

    @staticmethod
    def render(pieces: list[str | Chooser], rng: random.Random) -> str:
        return "".join(p if isinstance(p, str) else p(rng) for p in pieces)

    def sentence(self, pieces: list[str | Chooser], rng: random.Random) -> str:
        text = self.render(pieces, rng)
        if rng.random() < OPENER_SHARE:
            return self.render(self.openers[int(rng.random() * len(self.openers))], rng) + text
        return text[0].upper() + text[1:]

    def place_replacements(self, place: dict[str, str]) -> list[tuple[str, str]]:
        return [(chr(PLACE_MARK + i), place[case]) for i, case in enumerate(self.place_cases)]


@cache
def _language(lang: str, country: str) -> _Language:
    return _Language(lang, country)


@cache
def _pool(seed: int, lang: str, country: str, theme: str) -> tuple[list[str], float]:
    """Rendered sentences for one theme (70%) mixed with general ones, and their mean length.

    The list repeats the POOL_SIZE sentences so that any slice ``[start : start + n * stride :
    stride]`` with start < POOL_SIZE is a run of n distinct sentences (n <= POOL_SIZE).
    """
    language = _language(lang, country)
    rng = random.Random(f"{seed}:{lang}:{country}:{theme}")
    own = _zipf(language.templates[theme], 0.5)
    general = _zipf(language.templates["general"], 0.5)
    sentences = [
        language.sentence((own if rng.random() < 0.7 else general)(rng), rng)
        for _ in range(POOL_SIZE)
    ]
    mean = sum(len(s.split()) for s in sentences) / len(sentences)
    repeats = 2 + MAX_STRIDE * round(MAX_WORDS / mean) // POOL_SIZE
    return sentences * repeats, mean


@cache
def _layout(seed: int) -> tuple[list[int], list[int]]:
    """A long random run of paragraph sizes (2-6 sentences) and styles, shared by all documents.

    Style 0 is prose, 1 a bullet list, and 2 + i prose after heading number i.
    """
    rng = random.Random(f"{seed}:layout")
    sizes = [2 + int(rng.random() * 5) for _ in range(LAYOUT_SIZE)]
    styles = []
    for _ in range(LAYOUT_SIZE):
        roll = rng.random()
        styles.append(1 if roll < 0.12 else 2 + int(rng.random() * 20) if roll > 0.82 else 0)
    return sizes, styles


def _title(text: str, place: dict[str, str], language: _Language, rng: random.Random) -> str:
    """The title with 4-14 words."""
    words = text.split()
    if len(words) > 14:
        text = " ".join(words[:14]).rstrip(",:;—-")
    elif len(words) < 4:
        text = f"{text} — {place['nom']}, {language.year(rng)}"
    return text[0].upper() + text[1:]


def generate_documents(count: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yields ``count`` benchmark documents in the import format, the same for the same seed."""
    rng = random.Random(seed)
    rand, choices = rng.random, rng.choices
    data = phrases()
    themes = list(data["themes"])
    theme_topics = data["themes"]
    _, region_codes = taxonomy()
    langs, lang_cum = _shares(LANGUAGE_SHARES)
    types, type_cum = _shares(TYPE_SHARES)
    countries = {lang: _shares(table) for lang, table in COUNTRY_SHARES.items()}
    pick_theme = _zipf(themes, 0.5)
    sizes, styles = _layout(seed)
    last_start = LAYOUT_SIZE - MAX_WORDS // 10
    mu = math.log(MEDIAN_WORDS)
    span = LAST_DAY - FIRST_DAY
    for number in range(1, count + 1):
        lang = langs[bisect_right(lang_cum, rand() * lang_cum[-1])]
        kind = types[bisect_right(type_cum, rand() * type_cum[-1])]
        names, cum = countries[lang]
        country = names[bisect_right(cum, rand() * cum[-1])]
        language = _language(lang, country)
        headings, articles = language.data["headings"], language.data["articles"]
        theme, second = pick_theme(rng), pick_theme(rng)
        pool, mean_words = _pool(seed, lang, country, theme)
        place = language.pick["place"](rng)

        # Body: a lead sentence, then paragraphs; the last quarter drifts to a second theme.
        target = min(MAX_WORDS * 0.93, max(MIN_WORDS, rng.lognormvariate(mu, SIGMA)))
        total = max(1, round(target / mean_words) - 1)
        drift = total // 4 if second != theme else 0
        stride = 1 + int(rand() * MAX_STRIDE)
        start = int(rand() * POOL_SIZE)
        sentences = pool[start : start + (total - drift) * stride : stride]
        if drift:
            start = int(rand() * POOL_SIZE)
            sentences += _pool(seed, lang, country, second)[0][
                start : start + drift * stride : stride
            ]
        leads = language.leads[kind]
        parts = [language.sentence(leads[int(rand() * len(leads))], rng)]
        legal = kind == "legal_act"
        at, row, article = 0, int(rand() * last_start), 0
        while at < total:
            size, style = sizes[row], styles[row]
            row += 1
            chunk = sentences[at : at + size]
            at += size
            if style == 1:
                text = "- " + "\n- ".join(chunk)
            else:
                text = " ".join(chunk)
                if style > 1 and at > 6:
                    parts.append("## " + headings[style - 2])
            if legal and article < len(articles):
                text = articles[article] + " " + text
                article += 1
            parts.append(text)
        # Title, lead and summary name the document's place and organisation.
        marked = language.marked[theme]
        summary = language.sentence(marked[int(rand() * len(marked))], rng)
        if rand() < 0.6:
            summary += " " + " ".join(choices(pool, k=1 + int(rand() * 2)))
        titles = language.titles[kind]
        text = "\x00".join(
            (language.render(titles[int(rand() * len(titles))], rng), parts[0], summary)
        )
        text = text.replace(ENTITY, language.entity(rng))
        for mark, value in language.place_replacements(place):
            text = text.replace(mark, value)
        title, parts[0], summary = text.split("\x00")
        title = _title(title, place, language, rng)
        body = "\n\n".join(parts)

        topic_pool = theme_topics[theme]
        if second != theme:
            topic_pool = topic_pool + theme_topics[second]
        n_topics = bisect_right(TOPIC_COUNT_CUM, rand())
        topics = list(
            dict.fromkeys(topic_pool[int(rand() * len(topic_pool))] for _ in range(n_topics))
        )
        regions: list[str] = []
        roll = rand()
        if roll > 0.15:
            if place["region"]:
                regions.append(place["region"])
            codes = region_codes[country]
            for _ in range(0 if roll < 0.7 else 1 if roll < 0.92 else 2):
                code = codes[int(rand() ** 2 * len(codes))]
                if code not in regions:
                    regions.append(code)
        published = date.fromordinal(FIRST_DAY + int(rand() ** 0.6 * span)).isoformat()
        yield {
            "external_id": f"bench-{number:06d}",
            "type": kind,
            "title": title,
            "summary": summary,
            "body": body,
            "language": lang,
            "topics": topics,
            "regions": regions,
            "published": published,
        }


def _self_check(count: int = 100_000, seed: int = 0) -> None:
    """Prints speed, shares, body lengths and vocabulary sizes for a quick look."""
    started = time.perf_counter()
    for _ in generate_documents(count, seed):
        pass
    elapsed = time.perf_counter() - started
    print(f"{count:,} documents in {elapsed:.2f} s: {count / elapsed:,.0f} docs/s (one core)")
    languages: dict[str, int] = {}
    types: dict[str, int] = {}
    words: list[int] = []
    title_words: list[int] = []
    vocab: dict[str, set[str]] = {}
    token = re.compile(r"\w+")
    for number, doc in enumerate(generate_documents(count, seed)):
        languages[doc["language"]] = languages.get(doc["language"], 0) + 1
        types[doc["type"]] = types.get(doc["type"], 0) + 1
        words.append(len(doc["body"].split()))
        title_words.append(len(doc["title"].split()))
        if number < 10_000:
            seen = vocab.setdefault(doc["language"], set())
            for field in ("title", "summary", "body"):
                seen.update(token.findall(doc[field].lower()))
    for name, shares in (("language", languages), ("type", types)):
        ranked = sorted(shares.items(), key=lambda item: -item[1])
        print(f"{name}: " + ", ".join(f"{key} {value / count:.1%}" for key, value in ranked))
    words.sort()
    over = sum(1 for w in words if w > 2000) / count
    print(
        f"body words (whitespace-separated): median {words[count // 2]}, "
        f"p95 {words[int(count * 0.95)]}, max {words[-1]}, over 2,000: {over:.1%}, "
        f"total {sum(words):,}"
    )
    print(f"title words: min {min(title_words)}, max {max(title_words)}")
    print(
        "distinct words in the first 10,000 documents: "
        + ", ".join(f"{lang} {len(seen):,}" for lang, seen in sorted(vocab.items()))
    )
    first = list(generate_documents(50, seed))
    print(
        "deterministic (first 50 equal on a second run):",
        first == list(generate_documents(50, seed)),
    )


if __name__ == "__main__":
    _self_check(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
