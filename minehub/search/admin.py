"""Data stewards maintain the thesaurus here: concepts with labels in four languages.
Changes apply to the next search in every process (see ``thesaurus.matcher``)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from minehub.search.models import Concept, ConceptLabel


class LabelInline(admin.TabularInline):
    model = ConceptLabel
    extra = 2


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ("code", "labels_list", "topic")
    list_filter = ("topic",)
    search_fields = ("code", "labels__label")
    inlines = [LabelInline]

    def get_queryset(self, request):  # noqa: ANN001, ANN201 - admin signature
        return super().get_queryset(request).prefetch_related("labels")

    @admin.display(description=_("preferred labels"))
    def labels_list(self, concept: Concept) -> str:
        return " · ".join(label.label for label in concept.labels.all() if label.preferred)
