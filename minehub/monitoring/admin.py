"""Data stewards keep sites, stations and the standards registry here; every change to a
limit is written to the registry's history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from minehub.monitoring.models import ImportBatch, Limit, LimitChange, Site, Standard, Station
from minehub.monitoring.standards import limit_state, record_change


class StationInline(admin.TabularInline):
    model = Station
    extra = 0
    fields = (
        "code",
        "name",
        "medium",
        "position",
        "use_class",
        "averaging",
        "latitude",
        "longitude",
    )


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "status", "country", "region")
    list_filter = ("kind", "status", "country")
    search_fields = ("code", "name", "licence_number")
    autocomplete_fields = ("operator",)
    filter_horizontal = ("minerals",)
    inlines = [StationInline]


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "site", "medium", "use_class", "averaging", "is_active")
    list_filter = ("medium", "use_class", "site__country")
    search_fields = ("code", "name", "site__code")


class LimitInline(admin.TabularInline):
    model = Limit
    extra = 0
    fields = (
        "parameter", "medium", "use_class", "averaging", "minimum", "maximum",
        "alert_multiple", "note", "citation", "verified",
    )  # fmt: skip


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "country", "year", "is_active")
    list_filter = ("country", "is_active")
    search_fields = ("code", "title", "citation")
    inlines = [LimitInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Limit:
            super().save_formset(request, form, formset, change)
            return
        before = {
            limit.pk: limit_state(limit)
            for limit in Limit.objects.filter(
                pk__in=[f.instance.pk for f in formset.forms if f.instance.pk]
            )
        }
        removed = [obj for obj in formset.deleted_forms if obj.instance.pk]
        for deleted in removed:
            record_change(
                deleted.instance,
                LimitChange.Action.REMOVED,
                before.get(deleted.instance.pk),
                request.user,
            )
        instances = formset.save()
        for limit in instances:
            action = LimitChange.Action.CHANGED if limit.pk in before else LimitChange.Action.ADDED
            record_change(limit, action, before.get(limit.pk), request.user)


@admin.register(LimitChange)
class LimitChangeAdmin(admin.ModelAdmin):
    list_display = ("changed_at", "standard", "action", "changed_by")
    list_filter = ("action", "standard")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("filename", "created_at", "uploaded_by", "status", "rows_total", "rows_added")
    list_filter = ("status", "source")
    readonly_fields = [field.name for field in ImportBatch._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
