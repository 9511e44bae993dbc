from __future__ import annotations

from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from minehub.accounts.models import SPOKEN_LANGUAGES, Membership, User
from minehub.core.models import Topic
from minehub.directory.models import Organisation


class ProfileForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=SPOKEN_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name_en"),
        required=False,
        help_text=_("Not listed? Ask an administrator to add your organisation."),
    )

    class Meta:
        model = User
        fields = ("name", "organisation", "languages", "expertise", "bio", "listed_in_directory")
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 6}),
            "expertise": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.instance.memberships.select_related("organisation").first()
        if membership is not None:
            self.fields["organisation"].initial = membership.organisation

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    @transaction.atomic
    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        organisation = self.cleaned_data.get("organisation")
        # A member who moves keeps any editor role elsewhere; plain memberships follow the choice.
        user.memberships.filter(role="member").exclude(organisation=organisation).delete()
        if organisation is not None:
            Membership.objects.get_or_create(user=user, organisation=organisation)
        return user


class ExpertFilterForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Expertise"), queryset=Topic.objects.all(), required=False, to_field_name="slug"
    )
    language = forms.ChoiceField(
        label=_("Speaks"), choices=[("", "—"), *SPOKEN_LANGUAGES], required=False
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.order_by("name_en"), required=False
    )
