from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from minehub.core.models import Topic
from minehub.directory.models import Organisation
from minehub.publishing import newsletters, permissions
from minehub.publishing.content import editable_organisation_ids


def _organisations_of(user: Any) -> Any:
    organisations = Organisation.objects.order_by("name_en")
    if permissions.is_administrator(user):
        return organisations
    return organisations.filter(pk__in=editable_organisation_ids(user))


class AudienceForm(forms.Form):
    """Who gets the issue: the followers of one of the editor's organisations, or of a topic."""

    organisation = forms.ModelChoiceField(
        label=_("Followers of the organisation"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    topic = forms.ModelChoiceField(
        label=_("Followers of the topic"), queryset=Topic.objects.all(), required=False
    )

    def __init__(self, *args: Any, user: Any, news: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations_of(user)
        self.fields["organisation"].initial = news.organisation_id
        self.audience: Any = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [value for value in (data.get("organisation"), data.get("topic")) if value]
        if len(chosen) != 1:
            raise ValidationError(_("Choose an organisation or a topic, not both."))
        self.audience = chosen[0]
        if not newsletters.followers(self.audience).exists():
            raise ValidationError(_("Nobody follows %(name)s yet.") % {"name": self.audience})
        return data


class DraftForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    language = forms.ChoiceField(label=_("Language of the issue"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations_of(user)
