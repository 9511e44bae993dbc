"""Profiles in the exchange: expertise, contributions, held profile texts, the experts list."""

from __future__ import annotations

import pytest
from django.utils import translation

from minehub.accounts.tests.test_permissions import EVERYONE_200
from minehub.core.models import Topic
from minehub.core.testing import Personas, check_permission_matrix, client_for, make_user
from minehub.exchange.models import Post, PostKind, Reply, ReplyKind, Standing, State

pytestmark = pytest.mark.django_db


def _topic(slug: str) -> Topic:
    return Topic.objects.get_or_create(
        slug=slug, defaults={"name_en": slug, "name_mn": slug, "name_ky": slug, "name_ru": slug}
    )[0]


def _expert(email: str, *, languages: list[str], topics: list[Topic], listed: bool = True):  # noqa: ANN202
    person = make_user(email, name=email.split("@")[0], languages=languages)
    person.listed_in_directory = listed
    person.save()
    person.expertise.set(topics)
    return person


def test_the_experts_list_shows_members_who_opt_in_filtered_by_topic_and_language() -> None:
    mercury = _topic("mercury-free")
    _expert("bold@example.org", languages=["mn", "ru"], topics=[mercury])
    _expert("aigul@example.org", languages=["ky", "ru"], topics=[_topic("water")])
    _expert("secretive@example.org", languages=["mn"], topics=[mercury], listed=False)
    client = client_for(None)
    with translation.override("en"):
        everyone = client.get("/en/accounts/people/").content.decode()
        by_topic = client.get("/en/accounts/people/?topic=mercury-free").content.decode()
        by_language = client.get("/en/accounts/people/?language=ky").content.decode()
        by_both = client.get("/en/accounts/people/?topic=mercury-free&language=ky")
    assert "bold" in everyone and "aigul" in everyone and "secretive" not in everyone
    assert "bold" in by_topic and "aigul" not in by_topic
    assert "aigul" in by_language and "bold" not in by_language
    assert "No experts match" in by_both.content.decode()


def test_the_experts_list_is_open_to_every_role(personas: Personas) -> None:
    assert check_permission_matrix(personas, "/en/accounts/people/", EVERYONE_200) == []


def test_a_bad_filter_value_is_a_form_error_not_a_crash() -> None:
    response = client_for(None).get("/en/accounts/people/?topic=nope&language=xx&organisation=a")
    assert response.status_code == 200


def test_a_profile_lists_visible_contributions_and_expertise_only() -> None:
    person = _expert("bold@example.org", languages=["mn"], topics=[_topic("mercury-free")])
    asker = make_user("asker@example.org")
    shown = Post.objects.create(
        author=person, kind=PostKind.SOLUTION, title="Borax smelting works", body="x",
        language="mn", state=State.VISIBLE,
    )  # fmt: skip
    Post.objects.create(
        author=person, kind=PostKind.EXPERIENCE, title="Held story", body="x", language="mn"
    )
    question = Post.objects.create(
        author=asker, kind=PostKind.QUESTION, title="How to test water?", body="?",
        language="ru", state=State.VISIBLE,
    )  # fmt: skip
    Reply.objects.create(
        author=person, post=question, kind=ReplyKind.ANSWER, body="A kit", language="ru",
        state=State.VISIBLE,
    )  # fmt: skip
    page = client_for(None).get(f"/en/accounts/people/{person.pk}/").content.decode()
    assert shown.title in page and "Held story" not in page
    assert "How to test water?" in page and "mercury-free" in page


def test_a_new_members_profile_text_waits_for_review_but_a_trusted_ones_does_not() -> None:
    newcomer = make_user("new@example.org")
    client = client_for(newcomer)
    form = {
        "name": "Newcomer",
        "bio": "Buy gold at http://spam.example",
        "listed_in_directory": "on",
    }
    assert client.post("/en/accounts/profile/", form).status_code == 302
    assert Standing.objects.get(user=newcomer).profile_held_since is not None
    url = f"/en/accounts/people/{newcomer.pk}/"
    assert "spam.example" not in client_for(None).get(url).content.decode()
    assert "spam.example" in client.get(url).content.decode()  # the owner sees it

    trusted = make_user("trusted@example.org")
    Standing.objects.create(user=trusted, trust=Standing.Trust.TRUSTED)
    form = {"name": "Trusted", "bio": "Twenty years of placer mining.", "listed_in_directory": "on"}
    client_for(trusted).post("/en/accounts/profile/", form)
    assert Standing.objects.get(user=trusted).profile_held_since is None
    url = f"/en/accounts/people/{trusted.pk}/"
    assert "placer mining" in client_for(None).get(url).content.decode()
