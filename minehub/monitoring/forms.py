from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from minehub.library.files import max_upload_bytes
from minehub.monitoring.models import ExceedanceLevel, Site

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
