"""Rate limits for posting and replying: fixed-window counters in Django's cache.

A counter per (action, member) and per (action, IP address) counts the attempts in the
current window; ``cache.add`` then ``cache.incr`` is atomic on Redis and the local-memory
cache, so concurrent requests cannot both take the last slot. (The database cache's
``incr`` reads then writes: under a race a few extra attempts can pass; use Redis when
several web servers share the limits — DESIGN.md, "Scale-out path".)

How a posting view uses it, after the form validated and right before the service call::

    try:
        ratelimit.check(request, "post")
    except ratelimit.RateLimited as limited:
        return ratelimit.too_many(request, limited)

``RateLimited`` is a ``PermissionDenied``, so a view that forgets to catch it still
refuses (403) rather than posting.

Limits come from ``settings.MINEHUB_RATE_LIMITS`` (same shape as :data:`DEFAULT_LIMITS`,
any part may be left out). The client address is the one allauth uses for its sign-up and
login limits: ``REMOTE_ADDR``, unless ``ALLAUTH_TRUSTED_PROXY_COUNT`` or
``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` says a proxy in front of the hub sets it — a forged
``X-Forwarded-For`` header is otherwise ignored."""

from __future__ import annotations

import time
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from minehub.exchange.permissions import is_moderator, standing_of

HOUR = 3600

# action → scope → (attempts, window in seconds). "new" and "trusted" count per member,
# "ip" per client address (whoever is signed in from it).
DEFAULT_LIMITS: dict[str, dict[str, tuple[int, int]]] = {
    "post": {"new": (5, HOUR), "trusted": (30, HOUR), "ip": (30, HOUR)},
    "reply": {"new": (20, HOUR), "trusted": (120, HOUR), "ip": (120, HOUR)},
}


class RateLimited(PermissionDenied):
    """Too many attempts at ``action``; ``retry_after`` seconds until the window ends."""

    def __init__(self, action: str, retry_after: int) -> None:
        super().__init__(f"rate limit for {action!r}")
        self.action = action
        self.retry_after = retry_after


def limits(action: str) -> dict[str, tuple[int, int]]:
    configured = getattr(settings, "MINEHUB_RATE_LIMITS", {}).get(action, {})
    if action not in DEFAULT_LIMITS:
        raise ValueError(f"unknown rate-limited action {action!r}")
    return {**DEFAULT_LIMITS[action], **configured}


def client_ip(request: HttpRequest) -> str:
    return get_adapter(request).get_client_ip(request)


def _hit(key: str, period: int, now: float) -> tuple[int, int]:
    """Counts one attempt in the current window: (attempts so far, seconds left)."""
    window = int(now // period)
    full_key = f"minehub:ratelimit:{key}:{period}:{window}"
    # A little longer than the window, so the key cannot expire between add and incr.
    cache.add(full_key, 0, timeout=period + 5)
    try:
        count = cache.incr(full_key)
    except ValueError:  # evicted in between (a full cache): start the window again
        cache.set(full_key, 1, timeout=period + 5)
        count = 1
    return count, int((window + 1) * period - now) + 1


def check(request: HttpRequest, action: str) -> None:
    """Counts an attempt at ``action`` ("post", "reply") by the request's member and
    address; raises :class:`RateLimited` once either is over its limit. Moderators are
    not limited (they clean up after a wave)."""
    user: Any = request.user
    if is_moderator(user):
        return
    configured = limits(action)
    counters = []
    if getattr(user, "is_authenticated", False):
        standing = standing_of(user)
        trusted = standing is not None and standing.trust >= standing.Trust.TRUSTED
        counters.append(("trusted" if trusted else "new", f"user-{user.pk}"))
    # The member's own counter first: a member already over their limit is refused
    # without using up the address's budget, which others behind the same NAT share.
    counters.append(("ip", client_ip(request)))
    now = time.time()
    for scope, who in counters:
        allowed, period = configured[scope]
        count, seconds_left = _hit(f"{action}:{scope}:{who}", period, now)
        if count > allowed:
            raise RateLimited(action, seconds_left)


def too_many(request: HttpRequest, limited: RateLimited | None = None) -> HttpResponse:
    """The answer to a limited request: 429, a translated page, and Retry-After."""
    retry_after = limited.retry_after if limited is not None else HOUR
    response = HttpResponse(
        render_to_string(
            "exchange/moderation/rate_limited.html",
            {"minutes": max(1, retry_after // 60)},
            request=request,
        ),
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response
