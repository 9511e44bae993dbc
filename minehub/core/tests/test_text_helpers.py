"""Pure helpers: partial dates, romanised slugs, language detection."""

from __future__ import annotations

import contextlib
import datetime
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minehub.core.language_detect import detect_language
from minehub.core.partial_dates import PartialDate, PartialDateError, parse_partial_date
from minehub.core.transliterate import latin_slug

CORPUS = Path(__file__).resolve().parents[2] / "library" / "tests" / "data" / "corpus.jsonl"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017", PartialDate(2017)),
        ("2017-5", PartialDate(2017, 5)),
        ("2017-05-20", PartialDate(2017, 5, 20)),
        ("05.2017", PartialDate(2017, 5)),
        ("20.05.2017", PartialDate(2017, 5, 20)),
        (" 2017 ", PartialDate(2017)),
        ("", None),
        (None, None),
    ],
)
def test_partial_dates_parse_years_months_and_days(text, expected):
    assert parse_partial_date(text) == expected


@pytest.mark.parametrize("text", ["2017-13", "2017-02-30", "17", "May 2017", "0999", "2017-05-20x"])
def test_impossible_partial_dates_are_refused(text):
    with pytest.raises(PartialDateError):
        parse_partial_date(text)


@given(st.dates(min_value=datetime.date(1000, 1, 1)), st.integers(0, 2))
def test_partial_dates_round_trip_through_their_text(day, precision):
    value = PartialDate(
        day.year, day.month if precision else None, day.day if precision == 2 else None
    )
    assert parse_partial_date(str(value)) == value
    assert value.first_day <= day or precision == 2
    assert value.first_day <= value.last_day


@given(st.text(max_size=30))
def test_the_parser_either_parses_or_raises_its_own_error(text):
    with contextlib.suppress(PartialDateError):
        parse_partial_date(text)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Мөнгөн ус ба эрүүл мэнд", "mongon-us-ba-eruul-mend"),
        ("Бичил уурхай", "bichil-uurkhai"),
        ("Кыргызстандагы тоо-кен иши", "kyrgyzstandagy-too-ken-ishi"),
        ("Ртуть и здоровье", "rtut-i-zdorove"),
        ("Жаңы мыйзам", "jangy-myizam"),
        ("Mercury & health!", "mercury-health"),
        ("!!!", ""),
    ],
)
def test_slugs_romanise_cyrillic_titles(title, slug):
    assert latin_slug(title) == slug


@given(st.text(max_size=200))
def test_slugs_are_always_ascii_and_url_safe(text):
    slug = latin_slug(text)
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in slug)
    assert len(slug) <= 80


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Бичил уурхайчдын эрүүл мэндийн асуудлыг шийдвэрлэх нь чухал юм.", "mn"),
        ("Кичи кен казуучулардын ден соолугу үчүн жана коопсуздугу боюнча сунуштар.", "ky"),
        ("Ртуть опасна для здоровья старателей и их семей.", "ru"),
        ("Mercury is dangerous for the health of miners and their families.", "en"),
        ("", None),
        ("12345", None),
    ],
)
def test_the_language_of_a_sentence_is_recognised(text, language):
    assert detect_language(text) == language


def test_every_body_of_the_evaluation_corpus_is_recognised():
    if not CORPUS.exists():
        pytest.skip("corpus copy not present")
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    wrong = [row["external_id"] for row in rows if detect_language(row["body"]) != row["language"]]
    assert wrong == []
