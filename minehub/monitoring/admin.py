"""Data stewards keep sites, stations and the standards registry here; every change to a
limit is written to the registry's history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minehub.monitoring.models import (
    ImportBatch,
    Limit,
    LimitChange,
    SensorToken,
    Site,
    Standard,
    Station,
)
from minehub.monitoring.sensors import issue_secret
from minehub.monitoring.standards import limit_state, record_change
from minehub.monitoring.tasks import reassess_results

# What decides which limits apply to a station's results (see LimitBook.limits_for).
_STATION_RULE_FIELDS = {"medium", "use_class"}


def _reassess_later(**scope: Any) -> None:
    """Queues bringing the stored comparisons up to date once the change is saved."""
    transaction.on_commit(lambda: reassess_results.enqueue(**scope))


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

    def save_model(self, request: HttpRequest, obj: Site, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "country" in form.changed_data:  # national standards follow the country
            _reassess_later(station_ids=list(obj.stations.values_list("pk", flat=True)))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is Station:
            changed = [
                f.instance.pk
                for f in formset.forms
                if f.instance.pk and _STATION_RULE_FIELDS & set(f.changed_data)
            ]
            if changed:
                _reassess_later(station_ids=changed)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "site", "medium", "use_class", "averaging", "is_active")

    def save_model(self, request: HttpRequest, obj: Station, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and _STATION_RULE_FIELDS & set(form.changed_data):
            _reassess_later(station_ids=[obj.pk])

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

    def save_model(self, request: HttpRequest, obj: Standard, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and {"is_active", "country"} & set(form.changed_data):
            _reassess_later(parameters=sorted(set(obj.limits.values_list("parameter", flat=True))))

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
        # A limit whose parameter was edited affects the old parameter's results too.
        touched = {limit.parameter for limit in instances}
        touched |= {deleted.instance.parameter for deleted in removed}
        touched |= {before[limit.pk]["parameter"] for limit in instances if limit.pk in before}
        if touched:
            _reassess_later(parameters=sorted(touched))


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


@admin.register(SensorToken)
class SensorTokenAdmin(admin.ModelAdmin):
    """Tokens for loggers: the secret is shown once, when the token is saved first."""

    list_display = ("name", "prefix", "site", "publish", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    fields = ("name", "site", "publish", "prefix", "created_by", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_by", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: SensorToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        obj.created_by = request.user
        secret = issue_secret(obj)
        super().save_model(request, obj, form, change)
        messages.warning(
            request,
            _(
                "The token's secret is %(secret)s — copy it into the logger now: it is not "
                "stored and cannot be shown again."
            )
            % {"secret": secret},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[SensorToken]) -> None:
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
