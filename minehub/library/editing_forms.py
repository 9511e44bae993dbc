"""Editing forms for documents and legal acts."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minehub.library.models import Document, LegalAct
from minehub.publishing.editing_forms import COMMON_FIELDS, ItemForm


class DocumentForm(ItemForm):
    class Meta(ItemForm.Meta):
        model = Document
        fields = [
            "kind",
            *COMMON_FIELDS[:4],
            "authors",
            "publisher",
            "publication_date",
            "licence",
            "pages",
            *COMMON_FIELDS[4:],
        ]
        widgets = {**ItemForm.Meta.widgets, "authors": forms.Textarea(attrs={"rows": 3})}


class LegalActForm(ItemForm):
    amends_slug = forms.SlugField(
        label=_("Amends (address of the act)"), required=False, max_length=100
    )
    replaces_slug = forms.SlugField(
        label=_("Replaces (address of the earlier version)"), required=False, max_length=100
    )

    class Meta(ItemForm.Meta):
        model = LegalAct
        fields = [
            "kind",
            "number",
            *COMMON_FIELDS[:4],
            "issuing_body",
            "adopted_on",
            "in_force_from",
            "in_force_until",
            "act_status",
            *COMMON_FIELDS[4:],
        ]
        widgets = {
            **ItemForm.Meta.widgets,
            "in_force_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "in_force_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in ("amends", "replaces"):
            target = getattr(self.instance, field) if self.instance.pk else None
            if target is not None:
                self.fields[f"{field}_slug"].initial = target.slug

    def _act(self, field: str) -> LegalAct | None:
        slug = self.cleaned_data.get(f"{field}_slug")
        if not slug:
            return None
        act = LegalAct.objects.filter(slug=slug).first()
        if act is None:
            raise forms.ValidationError(
                _("No legal act has the address “%(slug)s”."), params={"slug": slug}
            )
        if self.instance.pk and act.pk == self.instance.pk:
            raise forms.ValidationError(_("An act cannot refer to itself."))
        return act

    def clean_amends_slug(self) -> LegalAct | None:
        return self._act("amends")

    def clean_replaces_slug(self) -> LegalAct | None:
        return self._act("replaces")

    def apply(self) -> LegalAct:
        act = super().apply()
        act.amends = self.cleaned_data.get("amends_slug")
        act.replaces = self.cleaned_data.get("replaces_slug")
        return act
