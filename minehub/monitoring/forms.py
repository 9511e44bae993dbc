from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from minehub.core.models import Country, Region
from minehub.library.files import max_upload_bytes
from minehub.monitoring.models import ExceedanceLevel, Site
from minehub.monitoring.nearby import settlement_label, settlements

ACCEPTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


class ResultFileForm(forms.Form):
    file = forms.FileField(
        label=_("Results file"),
        help_text=_(
            "CSV, TSV or Excel (.xlsx) with the template columns; any delimiter, UTF-8 or CP1251."
        ),
    )
    publish = forms.BooleanField(
        label=_("Publish the results once imported"),
        required=False,
        initial=True,
        help_text=_("Untick to keep them visible to inspectors only until you publish them."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name).suffix.lower() not in ACCEPTED_SUFFIXES:
            raise ValidationError(_("Upload a .csv, .tsv, .txt or .xlsx file."))
        if upload.size > max_upload_bytes():
            raise ValidationError(
                _("The file is larger than %(limit)s.")
                % {"limit": filesizeformat(max_upload_bytes())}
            )
        if upload.size == 0:
            raise ValidationError(_("The file is empty."))
        return upload


class ExceedanceFilterForm(forms.Form):
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=Site.objects.all(), required=False, to_field_name="code"
    )
    parameter = forms.CharField(label=_("Parameter"), required=False, max_length=16)
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All levels")), *ExceedanceLevel.choices], required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RegionAlertForm(forms.Form):
    """Follow a whole region: told about exceedances at any of its sites."""

    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.order_by("country", "name_en")
    )
    email = forms.BooleanField(label=_("Also tell me by e-mail"), required=False, initial=True)


class CoordinateField(forms.FloatField):
    """A latitude or longitude in decimal degrees; a decimal comma is read as a point."""

    def to_python(self, value: object) -> float | None:
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        return super().to_python(value)


NEAR_DISTANCES = (5, 10, 25, 50)


def _coordinate(label: str, bound: int, invalid: str, out_of_range: str) -> CoordinateField:
    return CoordinateField(
        label=label,
        required=False,
        min_value=-bound,
        max_value=bound,
        error_messages={"invalid": invalid, "min_value": out_of_range, "max_value": out_of_range},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class NearForm(forms.Form):
    """Where "near me" is: a shipped settlement or a point, and how far to look."""

    settlement = forms.ChoiceField(label=_("Settlement"), required=False)
    latitude = _coordinate(
        _("Latitude"),
        90,
        _("Enter the latitude in decimal degrees, for example 47.92."),
        _("A latitude lies between -90 and 90 degrees."),
    )
    longitude = _coordinate(
        _("Longitude"),
        180,
        _("Enter the longitude in decimal degrees, for example 106.92."),
        _("A longitude lies between -180 and 180 degrees."),
    )
    distance = forms.TypedChoiceField(
        label=_("Within"),
        choices=[(km, str(km)) for km in NEAR_DISTANCES],  # labelled in __init__
        coerce=int,
        initial=10,
        empty_value=10,
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Labels in the language of the request, not of the moment the module was loaded.
        self.fields["distance"].choices = [
            (km, gettext("%(km)s km") % {"km": km}) for km in NEAR_DISTANCES
        ]
        groups = []
        for country in Country:
            places = sorted(
                (item for item in settlements().values() if item.country == country.value),
                key=lambda item: settlement_label(item).casefold(),
            )
            groups.append((country.label, [(item.key, settlement_label(item)) for item in places]))
        self.fields["settlement"].choices = [("", _("Choose a settlement")), *groups]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if self.errors:
            return data
        has_place = bool(data.get("settlement"))
        given = [data.get(name) is not None for name in ("latitude", "longitude")]
        if has_place and any(given):
            raise ValidationError(_("Choose a settlement or enter coordinates, not both."))
        if any(given) and not all(given):
            raise ValidationError(_("Enter both the latitude and the longitude."))
        if not has_place and not any(given):
            raise ValidationError(_("Choose a settlement or enter coordinates."))
        return data

    def place(self) -> tuple[float, float, str]:
        """(latitude, longitude, name) of the valid form's place; the name of a point is
        its coordinates."""
        data = self.cleaned_data
        if data["settlement"]:
            settlement = settlements()[data["settlement"]]
            return settlement.latitude, settlement.longitude, settlement.name
        latitude, longitude = data["latitude"], data["longitude"]
        return latitude, longitude, f"{latitude:.4f}, {longitude:.4f}"
