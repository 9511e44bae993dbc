"""Whether a new contribution goes on the site at once or waits for a moderator.

The posting services call :func:`admit` inside their transaction; the moderation rules
(trust levels, link limits, spam signals, blocked domains) live behind it, so every path
that creates a contribution — form, import, API — decides the same way. Rate limits are
checked earlier, by the views (:mod:`.ratelimit`): they need the request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from minehub.exchange import spam
from minehub.exchange.models import Standing, State
from minehub.exchange.permissions import can_contribute, is_moderator, standing_of


def trust_after_approved() -> int:
    """How many approved contributions make a new member trusted."""
    return int(getattr(settings, "MINEHUB_TRUST_AFTER_APPROVED", 3))


def is_trusted(user: Any) -> bool:
    standing = standing_of(user)
    return standing is not None and standing.trust >= Standing.Trust.TRUSTED


def assess(user: Any, text: str) -> tuple[State, list[str]]:
    """The state a new contribution by ``user`` with ``text`` (title and body) starts in,
    and the reasons (translated sentences) when it is held.

    Moderators' and administrators' contributions are always visible. Everything else
    that trips a signal is *held*, never rejected outright, blocked domains included: a
    signal can be wrong (a block list entry catches a legitimate subdomain, a repeated
    text is a federation's announcement), a held item costs a moderator one click (or one
    bulk action, or "delete spammer"), while a wrongly rejected post silently loses a
    member's work — and an instant rejection tells a spammer which rule to dodge."""
    if is_moderator(user):
        return State.VISIBLE, []
    reasons: list[str] = []
    if not can_contribute(user):
        # The services refuse suspended members before asking; this is the backstop for
        # any path that forgets: nothing of theirs reaches the site.
        reasons.append(gettext("The author is suspended."))
    trusted = is_trusted(user)
    if not trusted:
        reasons.append(gettext("New member: first contributions are reviewed."))
    link_count = len(spam.links(text))
    limit = spam.trusted_max_links() if trusted else spam.new_member_max_links()
    if link_count > limit:
        reasons.append(
            gettext("%(count)d links (at most %(limit)d without review).")
            % {"count": link_count, "limit": limit}
        )
    blocked = spam.blocked_domains(text)
    if blocked:
        reasons.append(
            gettext("Links to blocked domains: %(domains)s.") % {"domains": ", ".join(blocked)}
        )
    if spam.repeated_by_member(user, text):
        reasons.append(gettext("The author posted the same text in the last 24 hours."))
    elif spam.repeated_across_members(user, text):
        reasons.append(gettext("Several members posted the same text in the last hour."))
    return (State.HELD if reasons else State.VISIBLE), reasons


def admit(user: Any, text: str) -> State:
    """The state a new contribution by ``user`` with ``text`` starts in (see :func:`assess`)."""
    return assess(user, text)[0]
