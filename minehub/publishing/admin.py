"""Admin views of content: read-mostly for administrators; editors work in the front end,
where every change goes through the workflow and leaves a revision."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from minehub.publishing.models import Event, News, Revision


class PublishableAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "status", "organisation", "published_at", "is_demo")
    list_filter = ("status", "language", "is_demo")
    search_fields = ("title", "slug", "external_id")
    raw_id_fields = ("translation_of", "author", "organisation", "cover")
    filter_horizontal = ("topics", "minerals", "regions", "sdgs")
    readonly_fields = ("version", "translation_group", "created_at", "updated_at")
    date_hierarchy = "published_at"


@admin.register(News)
class NewsAdmin(PublishableAdmin):
    list_display = ("title", "kind", *PublishableAdmin.list_display[1:])


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    list_display = ("title", "starts_at", "time_zone", "status", "organisation")


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("content_type", "object_id", "version", "action", "author", "created_at")
    list_filter = ("action", "content_type")
    readonly_fields = [field.name for field in Revision._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
