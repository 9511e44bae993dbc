"""Simple spam signals: links, repeated text and blocked domains.

Each signal is a plain function of the text (and, for repeats, recent contributions), so
:func:`minehub.exchange.policy.assess` can combine them and tests can check each alone.
The limits are settings with defaults (``getattr``), so an operator tunes them without code."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from minehub.exchange.models import BlockedDomain, Post, Reply

# Bare "www." hosts count too: spammers leave the scheme out so linkifiers miss nothing
# but naive filters do.
_LINK = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_HOST = re.compile(r"^(?:https?://)?(?:[^@/\s]*@)?([^/:?#\s]+)", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# Shorter texts ("Thanks!", "+1") repeat innocently; only longer ones count as repeats.
REPEAT_MIN_LENGTH = 20
# How many recent contributions the cross-member repeat check reads at most.
REPEAT_SCAN = 2000


def new_member_max_links() -> int:
    return int(getattr(settings, "MINEHUB_NEW_MEMBER_MAX_LINKS", 2))


def trusted_max_links() -> int:
    return int(getattr(settings, "MINEHUB_TRUSTED_MAX_LINKS", 10))


def repeat_users() -> int:
    return int(getattr(settings, "MINEHUB_SPAM_REPEAT_USERS", 3))


def links(text: str) -> list[str]:
    """The web links in ``text`` (Markdown links, autolinks and bare URLs alike)."""
    return _LINK.findall(text or "")


def domains(text: str) -> set[str]:
    """The host names ``text`` links to, lower-case, without a leading "www."."""
    found = set()
    for link in links(text):
        match = _HOST.match(link)
        if match:
            host = match.group(1).lower().rstrip(".")
            found.add(host.removeprefix("www."))
    return found


def blocked_domains(text: str) -> list[str]:
    """The blocked domains ``text`` links to; a block covers the domain's subdomains."""
    hosts = domains(text)
    if not hosts:
        return []
    candidates = set()
    for host in hosts:
        parts = host.split(".")
        candidates.update(".".join(parts[index:]) for index in range(len(parts) - 1))
    return sorted(
        BlockedDomain.objects.filter(domain__in=candidates).values_list("domain", flat=True)
    )


def normalise(text: str) -> str:
    return _SPACE.sub(" ", (text or "").strip()).casefold()


def _same(stored: str, text: str) -> bool:
    """Whether a stored body is the text again. The posting services pass a post's title
    and body together, so a text ending with the stored body is the same text."""
    stored = normalise(stored)
    return len(stored) >= REPEAT_MIN_LENGTH and (text == stored or text.endswith(" " + stored))


def _recent_bodies(since: Any, **filters: Any) -> list[tuple[int, str]]:
    rows: list[tuple[int, str]] = []
    for model in (Post, Reply):
        rows.extend(
            model.objects.filter(created_at__gte=since, **filters)
            .order_by("-created_at")
            .values_list("author_id", "body")[:REPEAT_SCAN]
        )
    return rows


def repeated_by_member(user: Any, text: str) -> bool:
    """The member posted the same text in the last 24 hours."""
    text = normalise(text)
    since = timezone.now() - timedelta(hours=24)
    return any(_same(body, text) for _author, body in _recent_bodies(since, author=user))


def repeated_across_members(user: Any, text: str) -> bool:
    """Enough different members (this one included) posted the same text in the last
    hour: the mark of a coordinated wave from many new accounts."""
    text = normalise(text)
    since = timezone.now() - timedelta(hours=1)
    authors = {author for author, body in _recent_bodies(since) if _same(body, text)}
    authors.add(user.pk)
    return len(authors) >= repeat_users()
