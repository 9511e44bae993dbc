import pytest
from django.utils import translation

from minehub.core.models import Mineral, Region, SustainableDevelopmentGoal, Topic
from minehub.core.taxonomy import sync_taxonomy

pytestmark = pytest.mark.django_db

REQUIRED_TOPICS = {
    "formalisation", "mercury", "cyanide", "occupational-health-and-safety", "gender",
    "child-labour", "water", "air-quality", "land-and-reclamation", "mine-closure",
    "finance-and-markets", "eiti-transparency", "legal-framework", "community-engagement",
}  # fmt: skip


def test_starter_taxonomy_is_present_after_migrate() -> None:
    assert Topic.objects.count() >= 30
    assert set(Topic.objects.values_list("slug", flat=True)) >= REQUIRED_TOPICS
    assert Mineral.objects.filter(slug="gold", symbol="Au").exists()
    assert SustainableDevelopmentGoal.objects.count() == 17
    assert Region.objects.filter(country="MN").count() == 22
    assert Region.objects.filter(country="KG").count() == 8


@pytest.mark.parametrize("model", [Topic, Mineral, Region, SustainableDevelopmentGoal])
def test_every_term_has_a_name_in_all_four_languages(model: type) -> None:
    for term in model.objects.all():
        for code in ("en", "mn", "ky", "ru"):
            assert getattr(term, f"name_{code}").strip(), f"{term.name_en} lacks name_{code}"


def test_names_follow_the_interface_language() -> None:
    region = Region.objects.get(code="MN-1")
    with translation.override("mn"):
        assert region.name == "Улаанбаатар"
    with translation.override("en"):
        assert region.name == "Ulaanbaatar"


def test_regions_have_a_point_inside_their_country() -> None:
    for region in Region.objects.all():
        if region.country == "MN":
            assert 41 < region.latitude < 53 and 87 < region.longitude < 120, region.code
        else:
            assert 39 < region.latitude < 44 and 69 < region.longitude < 81, region.code


def test_sync_is_idempotent_and_keeps_a_stewards_edits() -> None:
    topic = Topic.objects.get(slug="mercury")
    topic.name_en = "Mercury use in gold processing"
    topic.save()
    counts = (Topic.objects.count(), Region.objects.count())
    sync_taxonomy()
    sync_taxonomy()
    assert (Topic.objects.count(), Region.objects.count()) == counts
    assert Topic.objects.get(slug="mercury").name_en == "Mercury use in gold processing"
