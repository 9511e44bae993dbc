"""Profiles: a member edits their own; anyone reads the public ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from minehub.accounts.forms import ProfileForm
from minehub.accounts.models import User
from minehub.accounts.permissions import can_edit_profile, can_view_profile


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_edit_profile(user, user):
        raise Http404
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    # A hidden profile answers 404, not 403, so its existence is not revealed.
    if not can_view_profile(request.user, person):
        raise Http404
    memberships = person.memberships.select_related("organisation")
    return render(
        request, "accounts/person_detail.html", {"person": person, "memberships": memberships}
    )
