from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minehub.directory.models import Organisation, Project
from minehub.publishing.admin import PublishableAdmin


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name_en", "acronym", "kind", "country", "region", "is_demo")
    list_filter = ("kind", "country", "is_demo")
    search_fields = ("name_en", "name_mn", "name_ky", "name_ru", "acronym")
    prepopulated_fields = {"slug": ("name_en",)}
    autocomplete_fields = ("region",)
    fieldsets = (
        (None, {"fields": ("slug", "acronym", "kind", "country", "region", "website", "is_demo")}),
        (_("Names"), {"fields": ("name_en", "name_mn", "name_ky", "name_ru")}),
        (
            _("Descriptions"),
            {"fields": ("description_en", "description_mn", "description_ky", "description_ru")},
        ),
    )


@admin.register(Project)
class ProjectAdmin(PublishableAdmin):
    list_display = ("title", "project_status", "starts_on", "ends_on", "language", "status")
    filter_horizontal = (*PublishableAdmin.filter_horizontal, "donors", "implementers")
