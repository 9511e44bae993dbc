"""Organisations: ministries, CSOs, donors, companies, cooperatives, federations, ...

Users belong to organisations (see ``accounts.Membership``); the directory issue will add
people and donor projects around them.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from minehub.core.countries import country_name
from minehub.core.i18n import translated, translated_language
from minehub.core.models import MultilingualName, Region
from minehub.publishing.content import Publishable


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


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    SUSPENDED = "suspended", _("Suspended")


def validate_points(value: object) -> None:
    """``[{"label": str, "lat": float, "lon": float}, ...]`` with real coordinates."""
    if not isinstance(value, list):
        raise ValidationError(_("Locations must be a list of points."))
    for point in value:
        if not isinstance(point, dict) or set(point) - {"label", "lat", "lon"}:
            raise ValidationError(_("Each location needs a label, a latitude and a longitude."))
        try:
            lat, lon = float(point["lat"]), float(point["lon"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValidationError(_("A latitude or longitude is not a number.")) from error
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(_("A location lies outside the globe's coordinates."))


class Project(Publishable):
    """A donor programme or project profile: who pays, who implements, when, where, why."""

    content_type_key = "project"
    detail_url_name = "directory:project-detail"

    donors = models.ManyToManyField(
        Organisation, verbose_name=_("donors"), related_name="projects_funded", blank=True
    )
    implementers = models.ManyToManyField(
        Organisation,
        verbose_name=_("implementing organisations"),
        related_name="projects_implemented",
        blank=True,
    )
    starts_on = models.DateField(_("implementation starts"), null=True, blank=True)
    ends_on = models.DateField(_("implementation ends"), null=True, blank=True)
    budget = models.DecimalField(
        _("budget"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use an ISO 4217 code such as USD or MNT."))],
    )
    objectives = models.TextField(_("objectives"), blank=True, help_text=_("Markdown."))
    outcomes = models.JSONField(_("expected outcomes"), default=list, blank=True)
    points = models.JSONField(
        _("locations (points)"), default=list, blank=True, validators=[validate_points]
    )
    project_status = models.CharField(
        _("project status"),
        max_length=10,
        choices=ProjectStatus.choices,
        default=ProjectStatus.ONGOING,
    )
    website = models.URLField(_("website"), blank=True)

    class Meta(Publishable.Meta):
        ordering = ["-starts_on", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")

    def clean(self) -> None:
        super().clean()
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A project cannot end before it starts.")})
