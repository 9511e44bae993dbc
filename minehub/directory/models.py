"""Organisations: ministries, CSOs, donors, companies, cooperatives, federations, ...

Users belong to organisations (see ``accounts.Membership``); the directory issue will add
people and donor projects around them.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minehub.core.countries import country_name
from minehub.core.i18n import translated, translated_language
from minehub.core.models import MultilingualName, Region


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    CSO = "cso", _("CSO / NGO")
    DONOR = "donor", _("Donor")
    INTERNATIONAL = "international", _("International organisation")
    COMPANY = "company", _("Company")
    COOPERATIVE = "cooperative", _("Cooperative / partnership")
    FEDERATION = "federation", _("Federation / association")
    ACADEMIA = "academia", _("Academia / research")
    MEDIA = "media", _("Media")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_listing(self) -> OrganisationQuerySet:
        return self.select_related("region")


class Organisation(MultilingualName):
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    country = models.CharField(
        _("country"),
        max_length=2,
        help_text=_("ISO 3166-1 alpha-2 code, e.g. MN, KG, CH."),
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Enter a two-letter country code, e.g. MN."))],
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL
    )
    website = models.URLField(_("website"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_mn = models.TextField(_("description (Mongolian)"), blank=True)
    description_ky = models.TextField(_("description (Kyrgyz)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Created by the demo content loader.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def get_absolute_url(self) -> str:
        return reverse("directory:organisation-detail", kwargs={"slug": self.slug})

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def description(self) -> str:
        return translated(self, "description")

    @property
    def description_language(self) -> str:
        return translated_language(self, "description")

    @property
    def name_language(self) -> str:
        return translated_language(self, "name")
