"""The e-mail preferences form: one choice per kind of notification."""

from __future__ import annotations

from typing import Any

from django import forms

from minehub.exchange.following import KIND_LABELS
from minehub.exchange.models import Frequency


def field_name(kind: str) -> str:
    # Dots are awkward in HTML ids and template lookups.
    return kind.replace(".", "_")


class PreferencesForm(forms.Form):
    """``initial`` maps kinds to frequencies; :meth:`chosen` gives them back."""

    def __init__(self, *args: Any, current: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in KIND_LABELS.items():
            self.fields[field_name(kind)] = forms.ChoiceField(
                label=label,
                choices=Frequency.choices,
                initial=current[kind],
                widget=forms.RadioSelect,
            )

    def chosen(self) -> dict[str, str]:
        return {kind: self.cleaned_data[field_name(kind)] for kind in KIND_LABELS}
