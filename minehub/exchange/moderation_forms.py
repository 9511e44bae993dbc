"""Forms of the moderation views."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minehub.exchange.models import Report
from minehub.exchange.moderation import BULK_ACTIONS, Action, action_label

_KEY = re.compile(r"^(post|reply|user):\d+$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")
# Reasons the author is told must be given for these.
_NEEDS_MESSAGE = {Action.REJECT, Action.HIDE}


class _KeysField(forms.MultipleChoiceField):
    """The queue's checkboxes: "post:12", "reply:5", "user:7". Any well-formed key is
    accepted (the queue changes while a moderator reads it); unknown ones are skipped."""

    def valid_value(self, value: str) -> bool:
        return bool(_KEY.match(value))


class BulkActionForm(forms.Form):
    items = _KeysField(
        label=_("Selected"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Select at least one item.")},
    )
    action = forms.ChoiceField(label=_("Action"))
    reason = forms.CharField(
        label=_("Reason or message to the author"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to reject or hide: the authors are told."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(action, action_label(action)) for action in BULK_ACTIONS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") in _NEEDS_MESSAGE and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Write the message the authors will read."))
        return cleaned


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label=_("Details for the moderators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Domain"),
        max_length=253,
        help_text=_("For example spam.example: its subdomains are blocked too."),
    )

    def clean_domain(self) -> str:
        value = self.cleaned_data["domain"].strip().lower()
        value = re.sub(r"^https?://", "", value).split("/")[0].removeprefix("www.").rstrip(".")
        if not _DOMAIN.match(value):
            raise forms.ValidationError(
                _("“%(value)s” is not a domain name."), params={"value": value}
            )
        return value


class ModeratorEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), max_length=40_000, widget=forms.Textarea)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why (for the log)"), required=False, max_length=2000)

    def __init__(self, *args: Any, with_title: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if with_title:
            self.fields["title"].required = True
        else:
            del self.fields["title"]


class LockForm(forms.Form):
    locked = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why (for the log)"), required=False, max_length=2000)


class MemberActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (Action.SUSPEND, _("Suspend")),
            (Action.UNSUSPEND, _("End suspension")),
            (Action.DELETE_SPAMMER, _("Delete spammer: deactivate and delete all their content")),
        ],
    )
    days = forms.IntegerField(
        label=_("Suspend for (days)"), min_value=1, max_value=3650, required=False
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("action") == Action.SUSPEND:
            if not cleaned.get("days"):
                self.add_error("days", _("Say for how many days."))
            if not cleaned.get("reason", "").strip():
                self.add_error("reason", _("Give the reason: the member is shown it."))
        return cleaned
