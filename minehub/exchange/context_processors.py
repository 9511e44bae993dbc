from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from minehub.exchange.models import Notification


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count for the bell. Templates call the function when they show it, so
    pages that do not show it (and anonymous visitors) cost no query; once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def unread_notifications() -> int:
        return Notification.objects.filter(recipient=user).unread().count()

    return {"unread_notifications": unread_notifications}
