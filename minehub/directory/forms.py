from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minehub.core.models import Country
from minehub.directory.models import OrganisationKind


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *OrganisationKind.choices]
    )
    country = forms.ChoiceField(
        label=_("Country"), required=False, choices=[("", _("All countries")), *Country.choices]
    )
