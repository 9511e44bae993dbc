"""Taxonomy shared by all content: topics, minerals, regions and the SDGs.

Each term carries its name in the four hub languages. The starter terms ship as data
(``core/data/``) and are kept in step by :func:`minehub.core.taxonomy.sync_taxonomy`;
data stewards add and edit terms in the admin.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from minehub.core.i18n import translated


class MultilingualName(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_mn = models.CharField(_("name (Mongolian)"), max_length=200)
    name_ky = models.CharField(_("name (Kyrgyz)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active interface language (English when it is missing)."""
        return translated(self, "name")


class CuratedTerm(MultilingualName):
    """A term of a curated list, shown in the order the curators chose."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]


class Topic(CuratedTerm):
    class Meta(CuratedTerm.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Mineral(CuratedTerm):
    symbol = models.CharField(_("chemical symbol"), max_length=10, blank=True)

    class Meta(CuratedTerm.Meta):
        verbose_name = _("mineral")
        verbose_name_plural = _("minerals")


class Country(models.TextChoices):
    MONGOLIA = "MN", _("Mongolia")
    KYRGYZSTAN = "KG", _("Kyrgyzstan")


class Region(MultilingualName):
    """An ISO 3166-2 admin-1 unit (aimag, oblast or capital city) of Mongolia or Kyrgyzstan."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    # A representative point for map labels and "near" queries; the outline is in
    # core/geo/mongolia_kyrgyzstan_admin1.geojson under the same code.
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    class Meta:
        ordering = ["country", "name_en"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class SustainableDevelopmentGoal(MultilingualName):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"
