"""The search parameters, validated once for the results page and the JSON API alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from minehub.core.models import Region, Topic
from minehub.directory.models import Organisation
from minehub.search.engine import Filters, Sort
from minehub.search.registry import SEARCHABLE

MAX_PAGE = 500


def _type_choices() -> list[tuple[str, Any]]:
    return [("", _("All types"))] + [
        (key, entry.model._meta.verbose_name_plural) for key, entry in SEARCHABLE.items()
    ]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words to search for"), required=False, strip=True)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_type_choices)
    lang = forms.ChoiceField(
        label=_("Language of the content"),
        required=False,
        choices=[("", _("All languages")), *settings.LANGUAGES],
    )
    topic = forms.SlugField(label=_("Topic"), required=False)
    region = forms.CharField(label=_("Region"), required=False, max_length=10)
    organisation = forms.SlugField(label=_("Organisation"), required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(Sort.RELEVANCE, _("Relevance")), (Sort.NEWEST, _("Newest first"))],
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean_topic(self) -> int | None:
        return self._resolve(Topic, "slug", self.cleaned_data["topic"], _("Unknown topic."))

    def clean_region(self) -> int | None:
        return self._resolve(Region, "code", self.cleaned_data["region"], _("Unknown region."))

    def clean_organisation(self) -> int | None:
        value = self.cleaned_data["organisation"]
        return self._resolve(Organisation, "slug", value, _("Unknown organisation."))

    @staticmethod
    def _resolve(model: Any, field: str, value: str, message: str) -> int | None:
        if not value:
            return None
        found = model.objects.filter(**{field: value}).values_list("pk", flat=True).first()
        if found is None:
            raise forms.ValidationError(message, code="unknown")
        return found

    @property
    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            kind=data.get("type") or None,
            language=data.get("lang") or None,
            topic=data.get("topic"),
            region=data.get("region"),
            organisation=data.get("organisation"),
            year=data.get("year"),
        )

    @property
    def sort_order(self) -> Sort:
        return Sort(self.cleaned_data.get("sort") or Sort.RELEVANCE)

    @property
    def page_number(self) -> int:
        return self.cleaned_data.get("page") or 1
