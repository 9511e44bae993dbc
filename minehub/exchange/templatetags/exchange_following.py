"""``{% follow_state target as state %}``: what the follow button shows for ``target``."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from minehub.exchange import following, permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def follow_state(context: template.Context, target: Any) -> dict[str, Any]:
    """``show``: whether to show a button at all (members, not on their own profile;
    suspended members only to stop following); ``following``; ``action``: where it posts."""
    request = context.get("request")
    user = getattr(request, "user", None)
    model_key = following.model_key_of(target) if target is not None else None
    hidden = {"show": False, "following": False, "action": ""}
    if model_key is None or user is None or not user.is_authenticated:
        return hidden
    if model_key == "person" and target.pk == user.pk:
        return hidden
    is_following = following.is_following(user, target)
    if not is_following and not permissions.can_contribute(user):
        return hidden
    name = "exchange:unfollow" if is_following else "exchange:follow"
    return {
        "show": True,
        "following": is_following,
        "action": reverse(name, kwargs={"model_key": model_key, "pk": target.pk}),
    }
