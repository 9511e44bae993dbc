"""Mentions: ``@name`` in a post or reply tells the person named.

The rule: ``@`` not preceded by a letter, digit or ``@`` (so ``ana@example.org`` is no
mention), followed by letters and digits of any script, ``_``, ``.`` and ``-``; trailing
dots and dashes are sentence punctuation, not part of the name. A handle names the members
whose display name, with its spaces removed, equals it ignoring case: ``@БатбаярДорж`` and
``@батбаярдорж`` both name "Батбаяр Дорж". Members without a name are named by the local
part of their e-mail address (the display name the hub shows for them); a member with a
name is not named by their address, so a mention cannot be used to confirm one.

Case is compared in Python, not SQL: SQLite folds only ASCII case, and a mention must name
the same people on both engines."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.db.models import Q, Value
from django.db.models.functions import Length, Replace

HANDLE = re.compile(r"(?<![\w@])@([\w.\-]{1,150})")
# More than this in one text is a mass mention (spam), not a conversation: the first ones
# count, the rest are ignored.
MAX_MENTIONS = 20


def handles(text: str) -> list[str]:
    """The distinct handles mentioned in ``text``, in order, normalised (pure)."""
    found: dict[str, None] = {}
    for match in HANDLE.finditer(text or ""):
        handle = match.group(1).rstrip(".-")
        if handle:
            found.setdefault(normalise(handle), None)
        if len(found) >= MAX_MENTIONS:
            break
    return list(found)


def normalise(name: str) -> str:
    """A name as a handle compares: spaces removed, lower case (``lower`` rather than
    ``casefold``: it keeps the length, which the query narrows by)."""
    return "".join(name.split()).lower()


def mentioned_user_ids(text: str) -> set[int]:
    """The active members ``text`` mentions (one query, however many handles)."""
    wanted = handles(text)
    if not wanted:
        return set()
    condition = Q()
    for handle in wanted:
        # Narrow in SQL by length and first letter (in both cases), compare exactly below.
        first = handle[0]
        condition |= Q(handle_length=len(handle)) & (
            Q(compact_name__startswith=first) | Q(compact_name__startswith=first.upper())
        )
        condition |= Q(name="", email__startswith=f"{handle}@")
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(compact_name=Replace("name", Value(" "), Value("")))
        .annotate(handle_length=Length("compact_name"))
        .filter(condition)
        .values_list("pk", "name", "email")
    )
    wanted_set = set(wanted)
    return {pk for pk, name, email in users if normalise(name or email.split("@")[0]) in wanted_set}
