"""Monitoring: sites and their stations, standards with their limits, imported results and
how each result compares with the limits that apply to its station.

The parameter, medium and unit catalogue is shipped data (``importing/data/``), not a
table: a measurement names its parameter by catalogue code, and limits do too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from minehub.core.models import Country, Mineral, Region
from minehub.directory.models import Organisation
from minehub.monitoring.importing import default_catalogue

# Local time of each country, for sample times written without an offset. (Western
# Mongolia keeps UTC+7; a site there states the offset in its files or is off by an hour.)
TIME_ZONES = {
    Country.MONGOLIA: ZoneInfo("Asia/Ulaanbaatar"),
    Country.KYRGYZSTAN: ZoneInfo("Asia/Bishkek"),
}


class SiteKind(models.TextChoices):
    ACTIVE_MINE = "active_mine", _("Active mine")
    ASM_AREA = "asm_area", _("Artisanal and small-scale mining area")
    PROCESSING_PLANT = "processing_plant", _("Processing plant")
    TAILINGS = "tailings", _("Tailings facility")
    CLOSED = "closed", _("Closed or abandoned site")
    SETTLEMENT = "settlement", _("Settlement or community")
    REFERENCE = "reference", _("Reference site")


class SiteStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    ABANDONED = "abandoned", _("Abandoned")
    REHABILITATING = "rehabilitating", _("Under rehabilitation")
    REHABILITATED = "rehabilitated", _("Rehabilitated")


def validate_boundary(value: Any) -> None:
    """A site outline is a GeoJSON Polygon or MultiPolygon geometry in WGS84."""
    if value in (None, ""):
        return
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("The outline must be a GeoJSON Polygon or MultiPolygon."))
    polygons = value.get("coordinates")
    if value["type"] == "Polygon":
        polygons = [polygons]
    try:
        for polygon in polygons:
            for ring in polygon:
                if len(ring) < 4:
                    raise ValidationError(_("A ring of the outline needs at least four points."))
                for lon, lat, *_rest in ring:
                    if not (-180 <= float(lon) <= 180 and -90 <= float(lat) <= 90):
                        raise ValidationError(_("The outline has a point off the globe."))
    except (TypeError, ValueError) as error:
        raise ValidationError(_("The outline's coordinates are not valid GeoJSON.")) from error


LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]


class Site(models.Model):
    """A place monitored as one: a mine, an ASM area, a tailings facility, a settlement."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=SiteKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=SiteStatus.choices, blank=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True
    )
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operator"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="operated_sites",
    )
    minerals = models.ManyToManyField(Mineral, verbose_name=_("minerals"), blank=True)
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=LATITUDE)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=LONGITUDE)
    boundary = models.JSONField(
        _("outline (GeoJSON)"), null=True, blank=True, validators=[validate_boundary]
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def time_zone(self) -> ZoneInfo:
        """The zone of sample times written without an offset."""
        return TIME_ZONES.get(self.country, ZoneInfo("UTC"))


class StationMedium(models.TextChoices):
    SURFACE_WATER = "surface_water", _("Surface water")
    GROUNDWATER = "groundwater", _("Groundwater")
    DRINKING_WATER = "drinking_water", _("Drinking water")
    AIR = "air", _("Air")
    SOIL = "soil", _("Soil")
    SEDIMENT = "sediment", _("Sediment")
    NOISE = "noise", _("Noise")


# The station medium → the catalogue medium its results are reported in.
CATALOGUE_MEDIUM = {
    StationMedium.SURFACE_WATER: "water",
    StationMedium.GROUNDWATER: "water",
    StationMedium.DRINKING_WATER: "water",
    StationMedium.AIR: "air",
    StationMedium.SOIL: "soil",
    StationMedium.SEDIMENT: "sediment",
    StationMedium.NOISE: "noise",
}


class StationPosition(models.TextChoices):
    UPSTREAM = "upstream", _("Upstream of the mine")
    DOWNSTREAM = "downstream", _("Downstream of the mine")
    AT_SOURCE = "at_source", _("At the mine or discharge")
    BACKGROUND = "background", _("Background (unaffected)")


class UseClass(models.TextChoices):
    """What the water or land at a station is used for, which decides the standards."""

    DRINKING = "drinking", _("Drinking-water supply")
    HOUSEHOLD = "household", _("Household and recreational use")
    FISHERY = "fishery", _("Fishery")
    IRRIGATION = "irrigation", _("Irrigation and livestock")
    RESIDENTIAL = "residential", _("Residential area")
    AGRICULTURAL = "agricultural", _("Agricultural land")
    INDUSTRIAL = "industrial", _("Industrial area")


class Averaging(models.TextChoices):
    """The period a result or a limit stands for."""

    SAMPLE = "sample", _("single sample")
    MIN20 = "20min", _("20-minute average")
    HOUR = "1h", _("1-hour average")
    DAY = "24h", _("24-hour average")
    YEAR = "annual", _("annual average")
    DAYTIME = "day", _("daytime level")
    NIGHT = "night", _("night-time level")


class Station(models.Model):
    """A monitoring point at a site, in one medium."""

    site = models.ForeignKey(
        Site, verbose_name=_("site"), on_delete=models.CASCADE, related_name="stations"
    )
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    medium = models.CharField(_("medium"), max_length=20, choices=StationMedium.choices)
    position = models.CharField(
        _("position"), max_length=12, choices=StationPosition.choices, blank=True
    )
    use_class = models.CharField(
        _("use class"),
        max_length=15,
        choices=UseClass.choices,
        blank=True,
        help_text=_("Decides which limits apply; empty: only limits for every use."),
    )
    averaging = models.CharField(
        _("results stand for"),
        max_length=8,
        choices=Averaging.choices,
        default=Averaging.SAMPLE,
        help_text=_(
            "The period an imported result averages over (24 hours for most dust samplers)."
        ),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True, validators=LATITUDE)
    longitude = models.FloatField(_("longitude"), null=True, blank=True, validators=LONGITUDE)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Raised by every change to the station's results, in the change's transaction: what
    # was derived from an older revision is out of date (series_store).
    results_revision = models.PositiveBigIntegerField(
        _("revision of the results"), default=1, editable=False
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Only readings.results_changed moves the revision: an edit of a station loaded
        # before its results changed must not write the old revision back (that would
        # make an out-of-date stored series current again).
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "results_revision"
            ]
        super().save(*args, **kwargs)

    @property
    def catalogue_medium(self) -> str:
        return CATALOGUE_MEDIUM[StationMedium(self.medium)]


class StandardQuerySet(models.QuerySet["Standard"]):
    def applicable_in(self, country: str) -> StandardQuerySet:
        """Active standards that apply in ``country``: international ones and its own."""
        return self.filter(is_active=True).filter(Q(country="") | Q(country=country))


class Standard(models.Model):
    """A published set of limits (a national standard, a WHO guideline), one edition."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    country = models.CharField(
        _("country"),
        max_length=2,
        choices=Country.choices,
        blank=True,
        help_text=_("Empty for an international guideline, which applies everywhere."),
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    citation = models.TextField(_("citation"), help_text=_("The document the limits come from."))
    url = models.URLField(_("web address"), blank=True)
    legal_act = models.ForeignKey(
        "library.LegalAct",
        verbose_name=_("legal act in the library"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(
        _("in use"), default=True, help_text=_("Superseded editions are kept, not in use.")
    )

    objects = StandardQuerySet.as_manager()

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")

    def __str__(self) -> str:
        return self.title


class Limit(models.Model):
    """One limit of a standard: for a parameter in a medium, a use class and an
    averaging period, a maximum and/or a minimum in the parameter's canonical unit."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="limits"
    )
    parameter = models.CharField(_("parameter"), max_length=16)
    medium = models.CharField(_("medium"), max_length=20, choices=StationMedium.choices)
    use_class = models.CharField(
        _("use class"),
        max_length=15,
        choices=UseClass.choices,
        blank=True,
        help_text=_("Empty: the limit applies whatever the use."),
    )
    averaging = models.CharField(
        _("averaging period"), max_length=8, choices=Averaging.choices, default=Averaging.SAMPLE
    )
    maximum = models.DecimalField(
        _("maximum"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    minimum = models.DecimalField(
        _("minimum"), max_digits=14, decimal_places=6, null=True, blank=True
    )
    alert_multiple = models.DecimalField(
        _("public alert at"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(1))],
        help_text=_("A result this many times the maximum raises a public alert."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    citation = models.CharField(
        _("citation"), max_length=300, blank=True, help_text=_("Table or section of the source.")
    )
    verified = models.BooleanField(
        _("checked against the official text"),
        default=True,
        help_text=_("Unchecked: read from a secondary source, shown as unverified."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["standard", "parameter", "medium", "averaging"]
        verbose_name = _("limit")
        verbose_name_plural = _("limits")
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "parameter", "medium", "use_class", "averaging"],
                name="monitoring_limit_unique",
            ),
            models.CheckConstraint(
                condition=Q(maximum__isnull=False) | Q(minimum__isnull=False),
                name="monitoring_limit_has_bound",
            ),
        ]

    def __str__(self) -> str:
        bounds = []
        if self.minimum is not None:
            bounds.append(f"≥ {self.minimum.normalize():f}")
        if self.maximum is not None:
            bounds.append(f"≤ {self.maximum.normalize():f}")
        return f"{self.parameter} {' '.join(bounds)} {self.unit} ({self.standard.code})"

    @property
    def unit(self) -> str:
        """The canonical unit of the parameter in this medium (limits are stored in it)."""
        return canonical_unit(self.parameter, self.medium)

    def clean(self) -> None:
        if self.maximum is None and self.minimum is None:
            raise ValidationError(_("A limit needs a maximum, a minimum or both."))
        if self.maximum is not None and self.minimum is not None and self.minimum > self.maximum:
            raise ValidationError(_("The minimum is above the maximum."))
        if not canonical_unit(self.parameter, self.medium):
            raise ValidationError(
                {"parameter": _("This parameter is not measured in this medium.")}
            )


def canonical_unit(parameter: str, station_medium: str) -> str:
    """The unit results and limits of ``parameter`` are stored in, for a station medium
    (empty when the catalogue does not measure it there)."""
    catalogue = default_catalogue()
    entry = catalogue.parameters.get(parameter)
    medium = CATALOGUE_MEDIUM.get(StationMedium(station_medium)) if station_medium else None
    if entry is None or medium not in entry.media:
        return ""
    return entry.media[medium].unit


class LimitChange(models.Model):
    """The history of the standards registry: who changed which limit, when and how."""

    class Action(models.TextChoices):
        ADDED = "added", _("added")
        CHANGED = "changed", _("changed")
        REMOVED = "removed", _("removed")

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="history"
    )
    limit = models.ForeignKey(
        Limit, verbose_name=_("limit"), on_delete=models.SET_NULL, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("limit change")
        verbose_name_plural = _("limit changes")

    def __str__(self) -> str:
        return f"{self.standard_id} {self.action} {self.changed_at:%Y-%m-%d}"


class BatchStatus(models.TextChoices):
    CHECKED = "checked", _("Checked, not imported")
    QUEUED = "queued", _("Waiting to import")
    IMPORTING = "importing", _("Importing")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")
    DISCARDED = "discarded", _("Discarded")


class BatchSource(models.TextChoices):
    UPLOAD = "upload", _("Upload")
    COMMAND = "command", _("Command line")
    API = "api", _("Sensor API")


class ImportBatch(models.Model):
    """One file of results: its validation report, then (once committed) its rows."""

    filename = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="monitoring/imports/%Y/%m/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    source = models.CharField(
        _("source"), max_length=8, choices=BatchSource.choices, default=BatchSource.UPLOAD
    )
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.CHECKED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    imported_at = models.DateTimeField(_("imported"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_valid = models.PositiveIntegerField(_("valid rows"), default=0)
    rows_invalid = models.PositiveIntegerField(_("invalid rows"), default=0)
    rows_added = models.PositiveIntegerField(_("rows added"), default=0)
    rows_present = models.PositiveIntegerField(_("rows already present"), default=0)
    exceedances = models.PositiveIntegerField(_("exceedances"), default=0)
    # Counts by error code, the first errors and the file's layout, for the report page.
    summary = models.JSONField(_("report summary"), default=dict, blank=True)
    message = models.TextField(_("note"), blank=True)
    publish = models.BooleanField(
        _("public"), default=True, help_text=_("Whether the public sees these results.")
    )
    # A logger's pushes: the token that sent it and the request id the logger chose, so a
    # retried push finds its first batch instead of making another.
    token = models.ForeignKey(
        "SensorToken",
        verbose_name=_("sensor token"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
    )
    client_id = models.CharField(_("client id"), max_length=100, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.UniqueConstraint(
                fields=["token", "client_id"],
                condition=models.Q(token__isnull=False),
                name="monitoring_batch_client_id_unique",
            )
        ]

    def __str__(self) -> str:
        return self.filename


class Compliance(models.IntegerChoices):
    """How a result compares with the limits that apply to it, worst first when sorted
    descending."""

    NO_LIMIT = 0, _("no applicable limit")
    COMPLIANT = 1, _("within limits")
    INDETERMINATE = 2, _("indeterminate (detection limit above the limit)")
    EXCEEDS = 3, _("exceeds a limit")
    ALERT = 4, _("public alert level")


class RowIdField(models.BigAutoField):
    """An auto-incrementing id that on SQLite is the plain rowid, without AUTOINCREMENT.

    AUTOINCREMENT only promises that the id of a deleted last row is never handed out
    again, and pays for it with a write to ``sqlite_sequence`` per inserted row — a tenth
    of the cost of importing a result. Nothing refers to a deleted measurement (its
    exceedances go with it), so the promise buys nothing here."""

    def db_type_suffix(self, connection: Any) -> str | None:
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)


class MeasurementQuerySet(models.QuerySet["Measurement"]):
    def visible_to(self, user: Any) -> MeasurementQuerySet:
        """Published results, and for inspectors and data stewards all results."""
        from minehub.monitoring.permissions import can_see_unpublished

        return self if can_see_unpublished(user) else self.filter(is_public=True)


class Measurement(models.Model):
    """One result: a parameter at a station at a time. Values are in the parameter's
    canonical unit; a non-detect keeps its reporting limit as ``value``, never 0."""

    id = RowIdField(primary_key=True)
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="measurements",
        db_index=False,  # the unique index below leads with the station
    )
    parameter = models.CharField(_("parameter"), max_length=16)
    sampled_at = models.DateTimeField(_("sampled"))
    sample_id = models.CharField(_("sample"), max_length=64, blank=True)
    averaging = models.CharField(
        _("averaging period"), max_length=8, choices=Averaging.choices, default=Averaging.SAMPLE
    )
    value = models.FloatField(_("value"))
    unit = models.CharField(_("unit"), max_length=16)
    non_detect = models.BooleanField(_("not detected"), default=False)
    qualifier = models.CharField(_("qualifier"), max_length=1, blank=True)
    detection_limit = models.FloatField(_("detection limit"), null=True, blank=True)
    lab = models.CharField(_("laboratory"), max_length=200, blank=True)
    method = models.CharField(_("method"), max_length=200, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measurements",
    )
    line = models.PositiveIntegerField(_("line in the file"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=True)
    compliance = models.PositiveSmallIntegerField(
        _("compliance"), choices=Compliance.choices, default=Compliance.NO_LIMIT
    )
    # The highest value / maximum over the limits that apply (None: no maximum applies).
    ratio = models.FloatField(_("ratio to the limit"), null=True, blank=True)

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        constraints = [
            # What makes a result the same result: importing it again adds nothing.
            models.UniqueConstraint(
                fields=["station", "parameter", "sampled_at", "sample_id"],
                name="monitoring_measurement_identity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.parameter} {self.sampled_at:%Y-%m-%d %H:%M}"


class ExceedanceLevel(models.TextChoices):
    EXCEEDS = "exceeds", _("exceeds the limit")
    ALERT = "alert", _("public alert level")
    INDETERMINATE = "indeterminate", _("indeterminate")


class Exceedance(models.Model):
    """A result that breaks (or cannot be shown to meet) one limit."""

    measurement = models.ForeignKey(
        Measurement,
        verbose_name=_("measurement"),
        on_delete=models.CASCADE,
        related_name="exceedances",
        db_index=False,  # the unique index leads with it
    )
    limit = models.ForeignKey(
        Limit,
        verbose_name=_("limit"),
        on_delete=models.CASCADE,
        related_name="exceedances",
        db_index=False,  # removing a limit is rare; a scan then is fine
    )
    level = models.CharField(_("level"), max_length=14, choices=ExceedanceLevel.choices)
    ratio = models.FloatField(_("ratio to the limit"), null=True, blank=True)
    # Denormalised for the exceedance list and its filters, which must not scan results.
    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the (station, time) index serves it
    )
    sampled_at = models.DateTimeField(_("sampled"))
    is_public = models.BooleanField(_("public"), default=True)
    # When subscribers were told (or found too old to tell): a result alerts once.
    alerted_at = models.DateTimeField(_("alerted"), null=True, blank=True)

    class Meta:
        ordering = ["-sampled_at", "-id"]
        verbose_name = _("exceedance")
        verbose_name_plural = _("exceedances")
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "limit"], name="monitoring_exceedance_unique"
            )
        ]
        indexes = [
            models.Index(fields=["-sampled_at"], name="monitoring_exceedance_recent"),
            models.Index(fields=["station", "-sampled_at"], name="monitoring_exceedance_station"),
            models.Index(
                fields=["id"],
                condition=models.Q(alerted_at__isnull=True, is_public=True),
                name="monitoring_exceedance_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measurement} {self.level} {self.limit_id}"


class SensorToken(models.Model):
    """A secret a logger sends to push results. Only its SHA-256 is stored; the secret is
    shown once, when the token is made."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("starts with"), max_length=8, editable=False)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("When set, the token may only send results of this site's stations."),
    )
    publish = models.BooleanField(
        _("publish results"),
        default=True,
        help_text=_("Whether results pushed with this token are public at once."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sensor token")
        verbose_name_plural = _("sensor tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AlertSubscription(models.Model):
    """A member asks to be told when a result at a site, or in a region, exceeds a limit."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    email = models.BooleanField(_("also by e-mail"), default=True)
    # E-mails are written in the language the member used when subscribing.
    language = models.CharField(_("language"), max_length=5, default="en")
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("alert subscription")
        verbose_name_plural = _("alert subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(site__isnull=False, region__isnull=True)
                | models.Q(site__isnull=True, region__isnull=False),
                name="monitoring_subscription_site_or_region",
            ),
            models.UniqueConstraint(
                fields=["user", "site"],
                condition=models.Q(site__isnull=False),
                name="monitoring_subscription_site_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "region"],
                condition=models.Q(region__isnull=False),
                name="monitoring_subscription_region_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.site or self.region}"


class SeriesChunk(models.Model):
    """Part of a stored column-wise copy of one station-parameter series: up to
    ``series_store.CHUNK_POINTS`` consecutive results as packed little-endian arrays.
    Derived data: the worker makes it again from the results (series_store)."""

    station = models.ForeignKey(
        Station,
        verbose_name=_("station"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique index leads with it
    )
    parameter = models.CharField(_("parameter"), max_length=16)
    revision = models.PositiveBigIntegerField(_("revision of the results"))
    seq = models.PositiveIntegerField(_("position"))
    total = models.PositiveIntegerField(_("results in the series"))
    times = models.BinaryField(_("times"))  # float64 epoch seconds
    vals = models.BinaryField(_("values"))  # float64 ("values" is an SQL keyword)
    flags = models.BinaryField(_("flags"))  # uint8, series_store.NON_DETECT | …

    class Meta:
        verbose_name = _("stored series part")
        verbose_name_plural = _("stored series parts")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "parameter", "seq"], name="monitoring_serieschunk_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station_id} {self.parameter} #{self.seq}"
