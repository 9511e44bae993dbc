"""Factories for publishable items in tests (any content type)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from minehub.core.testing import PERSONAS, make_organisation
from minehub.publishing import workflow
from minehub.publishing.content import Publishable, Status

# Permission-matrix expectations for reader pages: open to all, or drafts (404 for others).
OPEN_TO_ALL: dict[str, int] = dict.fromkeys(PERSONAS, 200)
EDITORS_ONLY: dict[str, int] = {**dict.fromkeys(PERSONAS, 404), "editor": 200, "administrator": 200}


def listed_titles(response: Any) -> list[str]:
    """Titles on the current page of a listing response."""
    return [item.title for item in response.context["page"].object_list]


DEFAULTS: dict[str, dict[str, Any]] = {
    "document": {"kind": "report"},
    "legal_act": {"kind": "law", "issuing_body": "State Great Khural"},
    "news": {"kind": "news"},
    "event": {"place": "Ulaanbaatar"},
    "project": {},
}


def make_item(
    model: type[Publishable],
    title: str = "Mercury-free gold processing",
    *,
    status: str = Status.PUBLISHED,
    language: str = "en",
    m2m: dict[str, Any] | None = None,
    **fields: Any,
) -> Publishable:
    """A saved item with a first revision; published by default, owned by the test
    organisation the editor persona edits for."""
    values: dict[str, Any] = {
        "title": title,
        "language": language,
        "status": status,
        "organisation": make_organisation(),
        "body": "Body text.",
        **DEFAULTS.get(model.content_type_key, {}),
    }
    if model.content_type_key == "event":
        start = timezone.now() + datetime.timedelta(days=10)
        values.setdefault("starts_at", start)
        values.setdefault("ends_at", start + datetime.timedelta(hours=3))
    values.update(fields)
    item = model(**values)
    return workflow.create_item(item, None, m2m=m2m)
