"""Front-end editing forms. ``ItemForm`` holds what every content type shares; each app
subclasses it with its own fields (``library/editing_forms.py``, ...)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minehub.directory.models import Organisation
from minehub.publishing import permissions
from minehub.publishing.content import Publishable, editable_organisation_ids

COMMON_FIELDS = [
    "title",
    "slug",
    "language",
    "summary",
    "body",
    "organisation",
    "topics",
    "minerals",
    "regions",
    "sdgs",
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each one is validated later by the file pipeline."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(file, initial) for file in data if file]
        return [single(data, initial)] if data else []


def https_by_default(model_field: Any, **kwargs: Any) -> forms.Field | None:
    """Form fields for the model; links typed without a scheme are read as https."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class ItemForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # One id per form shown, so a double-clicked or retried "create" makes one item.
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    translation_of_slug = forms.SlugField(
        label=_("This is a translation of"),
        required=False,
        max_length=100,
        help_text=_(
            "The short name in the address of the original item, if this is a translation."
        ),
    )
    new_files = MultipleFileField(
        label=_("Attach files"),
        required=False,
        help_text=_("PDF, Word, Excel, PowerPoint, OpenDocument, text, HTML or images."),
    )
    cover_image = forms.ImageField(label=_("Cover image"), required=False)
    remove_cover = forms.BooleanField(label=_("Remove the cover image"), required=False)

    class Meta:
        model: type[Publishable]
        fields = COMMON_FIELDS
        formfield_callback = https_by_default
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 16, "class": "markdown-input"}),
            "topics": forms.CheckboxSelectMultiple,
            "minerals": forms.CheckboxSelectMultiple,
            "regions": forms.CheckboxSelectMultiple,
            "sdgs": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["slug"].required = False
        organisations = Organisation.objects.all()
        if not permissions.is_administrator(user):
            organisations = organisations.filter(pk__in=editable_organisation_ids(user))
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].required = not permissions.is_administrator(user)
        if organisations.count() == 1 and not self.instance.pk:
            # self.initial (from the empty instance) wins over a field's initial.
            self.initial["organisation"] = organisations.first().pk
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            if self.instance.translation_of_id:
                self.fields["translation_of_slug"].initial = self.instance.translation_of.slug
        else:
            self.fields["submission_token"].initial = uuid.uuid4()

    def topic_suggestions(self) -> list[Any]:
        """Topics the thesaurus finds in the text as it stands in the form (sent, or
        stored when the form is first shown), leaving out the ticked ones."""
        from minehub.search import tagging  # search builds on publishing, not the reverse

        if self.is_bound:
            values = {name: str(self.data.get(name, "")) for name in ("title", "summary", "body")}
            language = str(self.data.get("language", ""))
            ticked = {int(pk) for pk in self.data.getlist("topics") if str(pk).isdigit()}
        elif self.instance.pk:
            values = {name: getattr(self.instance, name) for name in ("title", "summary", "body")}
            language = self.instance.language
            ticked = {topic.pk for topic in self.instance.topics.all()}
        else:
            return []
        text = f"{values['summary']}\n\n{values['body']}"
        return tagging.suggest(values["title"], text, language, exclude=ticked)

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        if not slug and self.instance.pk:
            # Left empty while editing: the address stays (links to it keep working).
            return self.instance.slug
        model = self._meta.model
        if slug and model.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another item already uses the address “%(slug)s”. Choose another one."),
                params={"slug": slug},
            )
        return slug

    def clean_translation_of_slug(self) -> Publishable | None:
        slug = self.cleaned_data.get("translation_of_slug")
        if not slug:
            return None
        model = self._meta.model
        original = model.objects.filter(slug=slug).first()
        if original is None:
            raise ValidationError(_("No item has the address “%(slug)s”."), params={"slug": slug})
        if self.instance.pk and original.pk == self.instance.pk:
            raise ValidationError(_("An item cannot be a translation of itself."))
        if original.translation_of_id:
            original = original.translation_of  # point at the group's original
        return original

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        original = data.get("translation_of_slug")
        if original is not None and data.get("language") == original.language:
            self.add_error(
                "language", _("A translation must be in another language than its original.")
            )
        return data

    def m2m_values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields
            if name in {field.name for field in self._meta.model._meta.many_to_many}
        }

    def apply(self) -> Publishable:
        """The instance with the form's values, not saved (the workflow saves it)."""
        item = self.instance
        item.translation_of = self.cleaned_data.get("translation_of_slug")
        return item


class NewsForm(ItemForm):
    class Meta(ItemForm.Meta):
        from minehub.publishing.models import News

        model = News
        fields = ["kind", *COMMON_FIELDS]


class EventForm(ItemForm):
    """Start and end are typed as wall-clock times where the event happens."""

    class Meta(ItemForm.Meta):
        from minehub.publishing.models import Event

        model = Event
        fields = [
            *COMMON_FIELDS[:4],
            "starts_at",
            "ends_at",
            "time_zone",
            "place",
            "online_url",
            "organiser",
            "registration_url",
            *COMMON_FIELDS[4:],
        ]
        widgets = {
            **ItemForm.Meta.widgets,
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "ends_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["starts_at"] = self.instance.local_start.replace(tzinfo=None)
            self.initial["ends_at"] = self.instance.local_end.replace(tzinfo=None)

    def clean(self) -> dict[str, Any]:
        import zoneinfo

        from django.utils import timezone

        data = super().clean()
        zone_name = data.get("time_zone")
        if zone_name and zone_name in zoneinfo.available_timezones():
            zone = zoneinfo.ZoneInfo(zone_name)
            for name in ("starts_at", "ends_at"):
                if data.get(name):
                    wall_clock = timezone.make_naive(data[name])
                    data[name] = wall_clock.replace(tzinfo=zone)
                    setattr(self.instance, name, data[name])
        return data
