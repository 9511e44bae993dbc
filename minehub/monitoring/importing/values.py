"""Reading a result cell: plain numbers, censored values (``<x``, ``>x``) and non-detect
tokens (``ND``, ``н.о.``, ``илрээгүй``, ...), exactly and without repairs.

Numbers become :class:`~decimal.Decimal`, so ``4.2 µg/L`` is ``0.0042 mg/L`` exactly and a
lab's ``0.0050`` keeps its precision. Decimal comma or point; a space, NBSP, narrow NBSP
or thin space between groups of three digits; scientific notation. Anything else
(``0..012``, ``1,2,3``, ``12a``, ``#VALUE!``) is refused: a typo repaired silently becomes
a wrong number in a public exceedance report.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

from minehub.monitoring.importing.keys import match_key
from minehub.monitoring.importing.problems import UNPARSEABLE_VALUE, Problem

DETECTED = "="
BELOW = "<"
ABOVE = ">"
NOT_DETECTED = "nd"

# The common shape, checked first: most cells of a large file are plain numbers.
# Bounded lengths: 30 digits and a two-digit exponent cover any measurement, and keep a
# pasted blob of digits from becoming an "infinite" float in the JSON report.
_PLAIN = re.compile(r"-?\d{1,30}(?:\.\d{1,30})?", re.ASCII)
# The next commonest: a decimal comma (Russian and Mongolian lab reports).
_PLAIN_COMMA = re.compile(r"-?\d{1,30},\d{1,30}", re.ASCII)
_NUMBER = re.compile(
    r"""
    (?P<sign>[+\-\u2212])?
    (?P<whole>\d{1,3}(?:[ \u00a0\u202f\u2009]\d{3}){1,9}|\d{1,30})?
    (?:[.,](?P<fraction>\d{1,30}))?
    (?:[eE](?P<exponent>[+\-\u2212]?\d{1,2}))?
    """,
    re.VERBOSE | re.ASCII,
)
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")

# Tokens that say "not detected" (value = the detection limit column): the conventions'
# list, the US WQX detection conditions for results below a limit, and their usual
# Russian, Mongolian and Kyrgyz forms. Compared by match_key (case, spaces, look-alikes).
NON_DETECT_TOKENS = frozenset(
    match_key(token)
    for token in (
        "ND",
        "n.d.",
        "n.d",
        "n/d",
        "<DL",
        "<LOD",
        "<MDL",
        "<LOQ",
        "BDL",
        "Not Detected",
        "Detected Not Quantified",
        "Below Method Detection Limit",
        "Below Detection Limit",
        "Present Below Quantification Limit",
        "н.о.",
        "н.о",
        "н/о",
        "<ПО",
        "не обнаружено",
        "ниже ПО",
        "ниже предела обнаружения",
        "илрээгүй",
        "илрүүлээгүй",
        "аныкталган жок",
        "табылган жок",
    )
)
# WQX's fifth condition names no number: the result is only "too high to measure".
_ABOVE_RANGE_TOKENS = frozenset(match_key(t) for t in ("Above Operating Range", "AOR"))


class ParsedValue(NamedTuple):
    """A result cell: ``kind`` is ``=``, ``<``, ``>`` or ``nd``; ``number`` is ``None``
    only for a non-detect token (its value is then the detection limit). A tuple: made
    for every distinct number of a file, it is built without a Python-level call."""

    kind: str
    number: Decimal | None


_new_value = tuple.__new__


def parse_number(text: str) -> Decimal:
    """A plain number (no ``<``, no token), e.g. a detection limit.

    Raises :class:`Problem` (``unparseable_value``) for anything else, empty included.
    """
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _PLAIN_COMMA.fullmatch(text):
        return Decimal(text.replace(",", "."))
    stripped = text.strip()
    match = _NUMBER.fullmatch(stripped)
    if match is None or not (match["whole"] or match["fraction"]):
        raise _unparseable(stripped)
    literal = "-" if match["sign"] in ("-", "\u2212") else ""
    literal += (match["whole"] or "0").translate(_SPACES)
    if match["fraction"]:
        literal += "." + match["fraction"]
    if match["exponent"]:
        literal += "e" + match["exponent"].replace("\u2212", "-")
    return Decimal(literal)


def parse_value(text: str) -> ParsedValue | None:
    """The result in ``text``, or ``None`` when the cell is empty.

    ``<x`` and ``< x`` are below-limit results (non-detects at reporting limit x), ``>x``
    a greater-than result, a non-detect token a non-detect without a number. Raises
    :class:`Problem` (``unparseable_value``) for anything else.
    """
    if _PLAIN.fullmatch(text):
        return _new_value(ParsedValue, (DETECTED, Decimal(text)))
    if _PLAIN_COMMA.fullmatch(text):
        return _new_value(ParsedValue, (DETECTED, Decimal(text.replace(",", "."))))
    stripped = text.strip()
    if not stripped:
        return None
    key = match_key(stripped)
    if key in NON_DETECT_TOKENS:
        return ParsedValue(NOT_DETECTED, None)
    if key in _ABOVE_RANGE_TOKENS:
        raise Problem(
            UNPARSEABLE_VALUE,
            _("“%(value)s” gives no number: write the upper limit of the range as >limit."),
            {"value": stripped},
        )
    if stripped[0] in "<>":
        rest = stripped[1:].lstrip()
        if rest:
            try:
                return ParsedValue(stripped[0], parse_number(rest))
            except Problem:
                pass
        raise _unparseable(stripped)
    return ParsedValue(DETECTED, parse_number(stripped))


def _unparseable(text: str) -> Problem:
    if text.startswith("#"):
        return Problem(
            UNPARSEABLE_VALUE,
            _("“%(value)s” is a spreadsheet error, not a result."),
            {"value": text},
        )
    if not text:
        return Problem(UNPARSEABLE_VALUE, _("The cell is empty; a number is expected."))
    return Problem(UNPARSEABLE_VALUE, _("“%(value)s” is not a number."), {"value": text})
