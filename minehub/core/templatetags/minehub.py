from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString

from minehub.core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(source: str) -> SafeString:
    return render_markdown(source)


@register.simple_tag(takes_context=True)
def current_path(context: dict[str, Any]) -> str:
    """The current path with its query string, for the language switcher's ``next``."""
    request: HttpRequest | None = context.get("request")
    return request.get_full_path() if request else "/"
