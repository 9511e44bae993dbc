"""Matching keys: how a cell is folded before it is looked up in a catalogue table.

Lab files spell the same thing many ways (``mg/L``, ``MG/l``, ``mg / L``; ``µg`` with the
micro sign, the Greek mu or a ``u``; ``m³`` or ``m3``; ``pH`` typed with a Cyrillic ``р``
and ``Н`` on a Russian keyboard). Both the catalogue's aliases and the cells are folded with
the same function, so a match means "the same text to a reader", never a guess: no edit
distance, no stemming. :func:`~minehub.monitoring.importing.catalogue.Catalogue.build`
refuses two aliases of different things that fold to one key, so a fold cannot make a
cell ambiguous.
"""

from __future__ import annotations

import unicodedata

# Lowercase Cyrillic letters whose capital or small form looks like a Latin letter. Applied
# after casefolding, so "РН", "рН" and "рH" all become "ph", like "PH" and "pH".
_LOOKALIKES = str.maketrans(
    {
        "а": "a",
        "в": "b",
        "е": "e",
        "і": "i",
        "ј": "j",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "ѕ": "s",
        "т": "t",
        "у": "y",
        "х": "x",
        # NFKC turns the micro sign into the Greek mu; both are "u" in unit spellings.
        "μ": "u",
    }
)


def match_key(text: str) -> str:
    """The key of a parameter, medium, unit or token: NFKC (``³`` → ``3``, NBSP → space),
    casefolded, without any whitespace, Cyrillic look-alikes and µ/μ folded to Latin."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(folded.split()).translate(_LOOKALIKES)


def header_key(text: str) -> str:
    """The key of a header cell: NFKC, casefolded, letters and digits only, so
    ``Site Code``, ``site_code`` and ``SITE-CODE:`` are one column, and ``Ед. изм.`` is
    ``Ед.изм.``."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())
