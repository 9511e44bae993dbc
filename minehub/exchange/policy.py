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


# A reason is a code with its details, stored on the held contribution and worded in the
# reader's language when shown (``describe``).
Reason = dict[str, Any]
SUSPENDED, NEW_MEMBER, LINKS, BLOCKED = "suspended", "new_member", "links", "blocked_domains"
REPEATED_BY_MEMBER, REPEATED_ACROSS_MEMBERS = "repeated_by_member", "repeated_across_members"


def _link_reasons(user: Any, text: str, trusted: bool) -> list[Reason]:
    reasons: list[Reason] = []
    link_count = len(spam.links(text))
    limit = spam.trusted_max_links() if trusted else spam.new_member_max_links()
    if link_count > limit:
        reasons.append({"code": LINKS, "count": link_count, "limit": limit})
    blocked = spam.blocked_domains(text)
    if blocked:
        reasons.append({"code": BLOCKED, "domains": sorted(blocked)})
    return reasons


def assess(user: Any, text: str) -> tuple[State, list[Reason]]:
    """The state a new contribution by ``user`` with ``text`` (title and body) starts in,
    and the reasons when it is held (see :func:`describe`).

    Moderators' and administrators' contributions are always visible. Everything else
    that trips a signal is *held*, never rejected outright, blocked domains included: a
    signal can be wrong (a block list entry catches a legitimate subdomain, a repeated
    text is a federation's announcement), a held item costs a moderator one click (or one
    bulk action, or "delete spammer"), while a wrongly rejected post silently loses a
    member's work — and an instant rejection tells a spammer which rule to dodge."""
    if is_moderator(user):
        return State.VISIBLE, []
    reasons: list[Reason] = []
    if not can_contribute(user):
        # The services refuse suspended members before asking; this is the backstop for
        # any path that forgets: nothing of theirs reaches the site.
        reasons.append({"code": SUSPENDED})
    trusted = is_trusted(user)
    if not trusted:
        reasons.append({"code": NEW_MEMBER})
    reasons += _link_reasons(user, text, trusted)
    if spam.repeated_by_member(user, text):
        reasons.append({"code": REPEATED_BY_MEMBER})
    elif spam.repeated_across_members(user, text):
        reasons.append({"code": REPEATED_ACROSS_MEMBERS})
    return (State.HELD if reasons else State.VISIBLE), reasons


def assess_edit(user: Any, before: str, after: str) -> list[Reason]:
    """Why an edit of a contribution already on the site sends it back for review: the
    edit adds links over the limit or links to a blocked domain (the trick of posting
    something harmless, waiting for approval, then editing the spam in). Text the rules
    let through before is not held again for what it already had."""
    if is_moderator(user):
        return []
    added = len(spam.links(after)) > len(spam.links(before))
    newly_blocked = set(spam.blocked_domains(after)) - set(spam.blocked_domains(before))
    if not added and not newly_blocked:
        return []
    # Only what the edit brought: more links, or a blocked domain the text did not have.
    brought = {LINKS: added, BLOCKED: bool(newly_blocked)}
    return [
        reason for reason in _link_reasons(user, after, is_trusted(user)) if brought[reason["code"]]
    ]


def describe(reason: Reason) -> str:
    """One held reason as a sentence in the active language."""
    code = reason.get("code")
    if code == SUSPENDED:
        return gettext("The author is suspended.")
    if code == NEW_MEMBER:
        return gettext("New member: first contributions are reviewed.")
    if code == LINKS:
        return gettext("%(count)d links (at most %(limit)d without review).") % {
            "count": reason.get("count", 0),
            "limit": reason.get("limit", 0),
        }
    if code == BLOCKED:
        return gettext("Links to blocked domains: %(domains)s.") % {
            "domains": ", ".join(reason.get("domains", []))
        }
    if code == REPEATED_BY_MEMBER:
        return gettext("The author posted the same text in the last 24 hours.")
    if code == REPEATED_ACROSS_MEMBERS:
        return gettext("Several members posted the same text in the last hour.")
    return str(code)


def admit(user: Any, text: str) -> State:
    """The state a new contribution by ``user`` with ``text`` starts in (see :func:`assess`)."""
    return assess(user, text)[0]
