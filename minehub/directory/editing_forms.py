"""Editing form for donor project profiles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minehub.directory.models import Organisation, Project, validate_points
from minehub.publishing.editing_forms import COMMON_FIELDS, ItemForm


def parse_number(text: str) -> float:
    """A coordinate typed with a decimal point or a decimal comma."""
    return float(text.strip().replace(",", "."))


class ProjectForm(ItemForm):
    outcomes_text = forms.CharField(
        label=_("Expected outcomes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One outcome per line."),
    )
    points_text = forms.CharField(
        label=_("Locations (points)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One place per line: name; latitude; longitude (e.g. Zaamar; 48.35; 104.72)."),
    )

    class Meta(ItemForm.Meta):
        model = Project
        fields = [
            *COMMON_FIELDS[:4],
            "project_status",
            "donors",
            "implementers",
            "starts_on",
            "ends_on",
            "budget",
            "currency",
            "website",
            "objectives",
            *COMMON_FIELDS[4:],
        ]
        widgets = {
            **ItemForm.Meta.widgets,
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "objectives": forms.Textarea(attrs={"rows": 6}),
            "donors": forms.SelectMultiple(attrs={"size": 6}),
            "implementers": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donors"].queryset = Organisation.objects.all()
        self.fields["implementers"].queryset = Organisation.objects.all()
        if self.instance.pk:
            self.fields["outcomes_text"].initial = "\n".join(self.instance.outcomes)
            self.fields["points_text"].initial = "\n".join(
                f"{p.get('label', '')}; {p['lat']}; {p['lon']}" for p in self.instance.points
            )

    def clean_outcomes_text(self) -> list[str]:
        text = self.cleaned_data.get("outcomes_text") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def clean_points_text(self) -> list[dict[str, Any]]:
        points = []
        for number, line in enumerate((self.cleaned_data.get("points_text") or "").splitlines(), 1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            try:
                label, lat, lon = parts
                point = {"label": label, "lat": parse_number(lat), "lon": parse_number(lon)}
            except ValueError as error:
                raise ValidationError(
                    _("Line %(line)s: write name; latitude; longitude."), params={"line": number}
                ) from error
            points.append(point)
        validate_points(points)
        return points

    def apply(self) -> Project:
        project = super().apply()
        project.outcomes = self.cleaned_data.get("outcomes_text") or []
        project.points = self.cleaned_data.get("points_text") or []
        return project
