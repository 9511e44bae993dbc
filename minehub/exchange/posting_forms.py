"""Forms of the posting views: a post, a reply, an edit, and the list filters."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from minehub.core.i18n import active_language
from minehub.core.models import Mineral, Region, Topic
from minehub.exchange.models import Post, PostKind, ReplyKind
from minehub.publishing.browse import ItemFilterForm
from minehub.publishing.editing_forms import MultipleFileField

BODY_WIDGET = forms.Textarea(attrs={"rows": 12, "class": "markdown-input"})


class SubmissionKeyMixin(forms.Form):
    # One key per form shown: a double click or a retry after a time-out sends it again,
    # and the service finds what the first sending made.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def prepare_key(self) -> None:
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())


class PostForm(SubmissionKeyMixin, forms.ModelForm):
    class Meta:
        model = Post
        fields = ["kind", "title", "body", "language", "topics", "minerals", "regions"]
        widgets = {
            "kind": forms.RadioSelect,
            "body": BODY_WIDGET,
            "topics": forms.CheckboxSelectMultiple,
            "minerals": forms.CheckboxSelectMultiple,
            "regions": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "language": _("The language you write in; readers see it next to your post."),
        }

    new_files = MultipleFileField(
        label=_("Attach photos or files"),
        required=False,
        help_text=_("Images (shown in the post), PDF, Word, Excel, OpenDocument or text."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.all()
        self.fields["minerals"].queryset = Mineral.objects.all()
        self.fields["regions"].queryset = Region.objects.all()
        if not self.is_bound:
            self.initial.setdefault("language", active_language())
        self.prepare_key()


class ReplyForm(SubmissionKeyMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=ReplyKind.choices, initial=ReplyKind.ANSWER)
    body = forms.CharField(label=_("Text"), max_length=40_000, widget=BODY_WIDGET)
    language = forms.ChoiceField(label=_("Language of the text"), choices=settings.LANGUAGES)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("language", active_language())
        self.prepare_key()


class CommentForm(ReplyForm):
    """A comment on a library item or news: never an answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(ReplyKind.COMMENT, ReplyKind.COMMENT.label)]
        self.fields["kind"].initial = ReplyKind.COMMENT
        self.fields["kind"].widget = forms.HiddenInput()


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=40_000, widget=BODY_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, with_title: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_title:
            del self.fields["title"]


def filter_form(data: Any) -> ItemFilterForm:
    return ItemFilterForm(
        data, enabled=("kind", "topic", "region", "language"), kinds=list(PostKind.choices)
    )
