from django.contrib import admin

from minehub.core.models import Mineral, Region, SustainableDevelopmentGoal, Topic

NAMES = ("name_en", "name_mn", "name_ky", "name_ru")


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("slug", *NAMES, "position")
    list_editable = ("position",)
    search_fields = NAMES


@admin.register(Mineral)
class MineralAdmin(admin.ModelAdmin):
    list_display = ("slug", "symbol", *NAMES, "position")
    search_fields = (*NAMES, "symbol")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "country", *NAMES)
    list_filter = ("country",)
    search_fields = ("code", *NAMES)


@admin.register(SustainableDevelopmentGoal)
class SustainableDevelopmentGoalAdmin(admin.ModelAdmin):
    list_display = ("number", *NAMES)
