"""Every user-visible string is translatable and translated into mn, ky and ru."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.template.base import Lexer, TokenType

PACKAGE = Path(__file__).resolve().parents[2]
LOCALE = PACKAGE / "locale"
TEMPLATES = sorted(PACKAGE.glob("*/templates/**/*.html"))
TRANSLATED_LANGUAGES = ["mn", "ky", "ru"]
TEXT_ATTRIBUTES = re.compile(r'\b(?:alt|title|placeholder|aria-label)="([^"]*)"')
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def visible_text(source: str) -> tuple[str, list[str]]:
    """The template's literal text outside tags and translation blocks, and literal attributes."""
    parts: list[str] = []
    skipping = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if name in {"blocktranslate", "blocktrans", "comment"}:
                skipping += 1
            elif name in {"endblocktranslate", "endblocktrans", "endcomment"}:
                skipping -= 1
            parts.append("§")
        elif token.token_type == TokenType.TEXT and not skipping:
            parts.append(token.contents)
        else:
            parts.append("§")
    markup = "".join(parts)
    attributes = [value for value in TEXT_ATTRIBUTES.findall(markup) if LETTER.search(value)]
    markup = re.sub(r"<!--.*?-->", " ", markup, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", markup)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return text, attributes


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_template_has_no_unmarked_text(template: Path) -> None:
    text, attributes = visible_text(template.read_text(encoding="utf-8"))
    words = [word for word in text.split() if LETTER.search(word)]
    assert words == [], f"unmarked text in {template.name}: {words[:10]}"
    assert attributes == [], f"unmarked attribute text in {template.name}: {attributes}"


def test_the_check_catches_unmarked_text() -> None:
    text, attributes = visible_text(
        '{% load i18n %}<p title="Hello">{% translate "Fine" %} Oops <a href="{% url "x" %}">Here</a></p>'
    )
    assert text.split() == ["§", "Oops", "Here"] or "Oops" in text
    assert attributes == ["Hello"]


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalogue_is_complete(language: str) -> None:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"{language}: untranslated {untranslated[:10]}"
    assert fuzzy == [], f"{language}: fuzzy {fuzzy[:10]}"
    assert len(catalogue.translated_entries()) > 100


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_placeholders_survive_translation(language: str) -> None:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    pattern = re.compile(r"%\(\w+\)[sd]|\{\{ *\w+ *\}\}")
    for entry in catalogue.translated_entries():
        wanted = sorted(pattern.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            if entry.msgid_plural and not wanted:
                continue
            assert sorted(set(pattern.findall(translation))) <= sorted(
                set(pattern.findall(entry.msgid) + pattern.findall(entry.msgid_plural or ""))
            ), f"{language}: {entry.msgid!r}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_catalogues_contain_every_string_in_the_source(tmp_path: Path) -> None:
    """Fails when a new string was marked but `make messages` was not run."""
    copy = tmp_path / "minehub"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__", "tests"))
    subprocess.run(  # noqa: S603 - fixed command
        [sys.executable, "-m", "django", "makemessages", "-l", "en", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "minehub.settings",
            "PYTHONPATH": str(tmp_path),
            "MINEHUB_DEBUG": "1",
        },
    )
    fresh = {entry.msgid for entry in polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po"))}
    committed = {entry.msgid for entry in polib.pofile(str(LOCALE / "mn/LC_MESSAGES/django.po"))}
    missing = sorted(fresh - committed)
    assert missing == [], f"run `make messages` and translate: {missing[:10]}"
