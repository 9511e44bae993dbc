"""Profiles: a member edits their own; anyone reads the public ones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from minehub.accounts.forms import ExpertFilterForm, ProfileForm
from minehub.accounts.models import User
from minehub.accounts.permissions import can_edit_profile, can_view_profile
from minehub.exchange import profiles

EXPERTS_PER_PAGE = 30


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_edit_profile(user, user):
        raise Http404
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if "bio" in form.changed_data:
                profiles.profile_text_changed(user)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


@require_safe
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    # A hidden profile answers 404, not 403, so its existence is not revealed.
    if not can_view_profile(request.user, person):
        raise Http404
    context = {
        "person": person,
        "memberships": person.memberships.select_related("organisation"),
        "expertise": person.expertise.all(),
        "show_bio": profiles.profile_text_visible(person, request.user),
        "contributions": profiles.contributions_of(person),
    }
    return render(request, "accounts/person_detail.html", context)


@require_safe
def expert_list(request: HttpRequest) -> HttpResponse:
    """The directory of experts: members who chose a public profile, by topic and language."""
    form = ExpertFilterForm(request.GET or None)
    people = (
        User.objects.filter(is_active=True, listed_in_directory=True)
        .prefetch_related("expertise", "memberships__organisation")
        .order_by("name", "pk")
    )
    if form.is_valid():
        if topic := form.cleaned_data.get("topic"):
            people = people.filter(expertise=topic)
        if language := form.cleaned_data.get("language"):
            people = _speaking(people, language)
        if organisation := form.cleaned_data.get("organisation"):
            people = people.filter(memberships__organisation=organisation)
    page = Paginator(people.distinct(), EXPERTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/expert_list.html",
        {"form": form, "page": page, "query_string": query.urlencode()},
    )


def _speaking(people: QuerySet[User], language: str) -> QuerySet[User]:
    # A JSON list holding the code: PostgreSQL has containment; SQLite has no JSON
    # "contains" lookup, but the stored text lists each code in quotes.
    if connection.vendor == "postgresql":
        return people.filter(languages__contains=[language])
    return people.filter(languages__icontains=f'"{language}"')
