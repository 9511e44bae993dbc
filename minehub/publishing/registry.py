"""The content types editors can create, with their form and label.

A new content type registers here in one line; the editing views, the dashboard and
the importer find it by its ``content_type_key``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.module_loading import import_string

from minehub.publishing.content import Publishable


@dataclass(frozen=True)
class ContentTypeEntry:
    key: str
    model_path: str
    form_path: str

    @property
    def model(self) -> type[Publishable]:
        return import_string(self.model_path)

    @property
    def form(self) -> Any:
        return import_string(self.form_path)

    @property
    def label(self) -> Promise:
        return self.model._meta.verbose_name


CONTENT_TYPES: dict[str, ContentTypeEntry] = {
    entry.key: entry
    for entry in (
        ContentTypeEntry(
            "document",
            "minehub.library.models.Document",
            "minehub.library.editing_forms.DocumentForm",
        ),
        ContentTypeEntry(
            "legal_act",
            "minehub.library.models.LegalAct",
            "minehub.library.editing_forms.LegalActForm",
        ),
        ContentTypeEntry(
            "news", "minehub.publishing.models.News", "minehub.publishing.editing_forms.NewsForm"
        ),
        ContentTypeEntry(
            "event",
            "minehub.publishing.models.Event",
            "minehub.publishing.editing_forms.EventForm",
        ),
        ContentTypeEntry(
            "project",
            "minehub.directory.models.Project",
            "minehub.directory.editing_forms.ProjectForm",
        ),
    )
}
