"""Reader filters specific to the library (editing forms live in ``editing_forms.py``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minehub.library.models import LegalActStatus


def legal_act_filter_fields() -> dict[str, forms.Field]:
    return {
        "act_status": forms.ChoiceField(
            label=_("Legal status"),
            required=False,
            choices=[("", _("Any status")), *LegalActStatus.choices],
        ),
        "in_force_on": forms.DateField(
            label=_("In force on"),
            required=False,
            widget=forms.DateInput(attrs={"type": "date"}),
            help_text=_("Acts in force on this day."),
        ),
    }
