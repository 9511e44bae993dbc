"""Reader-side listing shared by every content type: filters, one item per translation
group, pagination, and the context of a detail page.

Views of each section call :func:`list_context` with their query set and the filters
that apply to it; the filter form is built from the same list of names, so a section
shows exactly the filters it supports.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from minehub.core.i18n import active_language
from minehub.core.models import Mineral, Region, SustainableDevelopmentGoal, Topic
from minehub.directory.models import Organisation
from minehub.publishing import permissions
from minehub.publishing.content import Publishable, PublishableQuerySet

PAGE_SIZE = 20

# Filter name → (label, lookup on the item) for the taxonomy filters.
TAXONOMY_FILTERS: dict[str, tuple[Any, str]] = {
    "topic": (_("Topic"), "topics__slug"),
    "mineral": (_("Mineral"), "minerals__slug"),
    "region": (_("Region"), "regions__code"),
    "sdg": (_("SDG"), "sdgs__number"),
}


def _term_choices(model: type[Model], key: str, empty: Any) -> list[tuple[Any, str]]:
    return [("", empty), *((getattr(term, key), str(term)) for term in model.objects.all())]


class ItemFilterForm(forms.Form):
    """GET filters for a listing; fields not in ``enabled`` are removed."""

    kind = forms.ChoiceField(label=_("Type"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    mineral = forms.ChoiceField(label=_("Mineral"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)
    sdg = forms.ChoiceField(label=_("SDG"), required=False)
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("All languages")), *settings.LANGUAGES],
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)

    def __init__(
        self,
        data: Any,
        *,
        enabled: tuple[str, ...],
        kinds: list[tuple[str, Any]] | None = None,
        extra_fields: dict[str, forms.Field] | None = None,
    ) -> None:
        super().__init__(data)
        for name in list(self.fields):
            if name not in enabled:
                del self.fields[name]
        for name, field in (extra_fields or {}).items():
            self.fields[name] = field
        choices = {
            "kind": lambda: [("", _("All types")), *(kinds or [])],
            "topic": lambda: _term_choices(Topic, "slug", _("All topics")),
            "mineral": lambda: _term_choices(Mineral, "slug", _("All minerals")),
            "region": lambda: _term_choices(Region, "code", _("All regions")),
            "sdg": lambda: _term_choices(SustainableDevelopmentGoal, "number", _("All SDGs")),
            "organisation": lambda: [
                ("", _("All organisations")),
                *(
                    (organisation.slug, organisation.name)
                    for organisation in Organisation.objects.only(
                        "slug", "name_en", "name_mn", "name_ky", "name_ru"
                    ).order_by(f"name_{active_language()}")
                ),
            ],
        }
        for name, make in choices.items():
            if name in self.fields:
                self.fields[name].choices = make()


def apply_filters(items: QuerySet, data: dict[str, Any]) -> QuerySet:
    """Narrows ``items`` by the cleaned filter values common to all content types."""
    if data.get("kind"):
        items = items.filter(kind=data["kind"])
    for name, (_label, lookup) in TAXONOMY_FILTERS.items():
        if data.get(name) not in (None, ""):
            items = items.filter(**{lookup: data[name]})
    if data.get("language"):
        items = items.filter(language=data["language"])
    if data.get("year"):
        items = items.filter(year=data["year"])
    if data.get("organisation"):
        items = items.filter(organisation__slug=data["organisation"])
    return items


def paginate(request: HttpRequest, items: QuerySet, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    page = Paginator(items, page_size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query_string": query.urlencode()}


def listing(
    request: HttpRequest, items: PublishableQuerySet, form: ItemFilterForm
) -> dict[str, Any]:
    """Published items matching the form, one per translation group (the reader's
    language first), paginated. A filter on language shows that language's items only."""
    items = items.published().for_listing()
    data = form.cleaned_data if form.is_valid() else {}
    items = apply_filters(items, data)
    if not data.get("language"):
        items = items.one_per_translation_group(active_language())
    if any(data.get(name) not in (None, "") for name in TAXONOMY_FILTERS):
        items = items.distinct()
    return {"form": form, **paginate(request, items)}


def visible_item(request: HttpRequest, model: type[Publishable], slug: str) -> Publishable:
    """The item with ``slug`` if this user may see it; 404 otherwise, so that nobody learns
    that a draft exists."""
    item = get_object_or_404(model.objects.select_related("organisation"), slug=slug)
    if not permissions.can_view(request.user, item):
        raise Http404
    return item


def detail_context(request: HttpRequest, item: Publishable) -> dict[str, Any]:
    """What every detail page shows besides the item's own fields."""
    from minehub.library.models import Attachment

    translations = list(item.translations())
    language = active_language()
    in_reader_language = next((t for t in translations if t.language == language), None)
    attachments = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(item), object_id=item.pk
    ).select_related("file")
    topics, regions = list(item.topics.all()), list(item.regions.all())
    return {
        "item": item,
        "translations": translations,
        "in_reader_language": in_reader_language if item.language != language else None,
        "attachments": attachments,
        "can_edit": permissions.can_edit(request.user, item),
        "related": item.related(
            topic_ids=[topic.pk for topic in topics], region_ids=[region.pk for region in regions]
        ),
        "topics": topics,
        "regions": regions,
        "minerals": item.minerals.all(),
        "sdgs": item.sdgs.all(),
    }
