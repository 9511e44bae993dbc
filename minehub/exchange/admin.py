from __future__ import annotations

from django.contrib import admin

from minehub.exchange.models import Edit, Post, Reply


class EditInline(admin.TabularInline):
    model = Edit
    extra = 0
    can_delete = False
    fields = ["version", "title", "body", "editor", "edited_at"]
    readonly_fields = fields


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "language", "author", "state", "reply_count", "created_at"]
    list_filter = ["state", "kind", "language", "locked"]
    search_fields = ["title", "body", "author__email"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "accepted_answer", "organisation"]
    filter_horizontal = ["topics", "minerals", "regions"]
    readonly_fields = ["version", "created_at", "edited_at", "published_at", "submission_key"]
    inlines = [EditInline]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "language", "author", "post", "state", "score", "created_at"]
    list_filter = ["state", "kind", "language"]
    search_fields = ["body", "author__email"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "post", "parent"]
    list_select_related = ["author", "post"]
    readonly_fields = ["version", "created_at", "edited_at", "score", "submission_key"]
    inlines = [EditInline]
