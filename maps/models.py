"""The map's own geography: administrative areas (to aggregate by commune and district,
and to hang weather on) and the planning zones (quy hoạch) staff draw."""

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from farms.models import Product
from farms.services import check_vertices


class AdministrativeArea(models.Model):
    """A province, district or commune (ward, township) with its boundary."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")

    code = models.CharField(
        _("code"), max_length=10, unique=True, help_text=_("The statistics office's code.")
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    geometry = models.MultiPolygonField(_("boundary"), srid=4326)

    class Meta:
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        ordering = ["level", "name"]
        indexes = [models.Index(fields=["level", "name"])]

    def __str__(self) -> str:
        return self.name


class PlanningZoneQuerySet(models.QuerySet):
    def valid_on(self, day) -> "PlanningZoneQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)


class PlanningZone(models.Model):
    """A zone of the agricultural land-use plan, valid for a period: what the city
    plans to grow where. Plots of a crop are compared with the zones planned for it."""

    class Purpose(models.TextChoices):
        SAFE_VEGETABLES = "safe_vegetables", _("Safe vegetables")
        FRUIT_TREES = "fruit_trees", _("Fruit trees")
        RICE = "rice", _("Rice")
        AQUACULTURE = "aquaculture", _("Aquaculture")
        FLOWERS = "flowers", _("Flowers and ornamental plants")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    crops = models.ManyToManyField(
        Product,
        blank=True,
        related_name="planning_zones",
        verbose_name=_("crops planned here"),
    )
    geometry = models.MultiPolygonField(_("boundary"), srid=4326)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=200, blank=True, help_text=_("E.g. Quyết định 1234/QĐ-UBND.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PlanningZoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("planning zone")
        verbose_name_plural = _("planning zones")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="planning_zone_valid_to_after_valid_from",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.geometry is not None:
            check_vertices(self.geometry, settings.PLANNING_ZONE_MAX_VERTICES)


class DailyForecast(models.Model):
    """One day of the weather forecast for a commune, as the provider last gave it.
    Each ingest replaces the days it covers; past days stay as they were last forecast."""

    area = models.ForeignKey(
        AdministrativeArea,
        on_delete=models.CASCADE,
        related_name="forecasts",
        verbose_name=_("commune"),
    )
    day = models.DateField(_("day"))
    weather_code = models.PositiveSmallIntegerField(_("WMO weather code"), null=True)
    temperature_max = models.FloatField(_("highest temperature (°C)"), null=True)
    temperature_min = models.FloatField(_("lowest temperature (°C)"), null=True)
    precipitation = models.FloatField(_("rain (mm)"), null=True)
    precipitation_probability = models.PositiveSmallIntegerField(_("chance of rain (%)"), null=True)
    wind_speed_max = models.FloatField(_("strongest wind (km/h)"), null=True)
    wind_gusts_max = models.FloatField(_("strongest gusts (km/h)"), null=True)
    fetched_at = models.DateTimeField(_("fetched at"))

    class Meta:
        verbose_name = _("daily forecast")
        verbose_name_plural = _("daily forecasts")
        ordering = ["area", "day"]
        constraints = [
            models.UniqueConstraint(fields=["area", "day"], name="one_forecast_per_commune_day")
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.day}"


class OpenDataFile(models.Model):
    """A published open dataset file, rebuilt whole by ``maps.services.open_data.publish``:
    readers always get one complete build, never a table being computed."""

    name = models.SlugField(_("dataset"), max_length=60)
    extension = models.CharField(_("format"), max_length=10)
    content = models.TextField(_("content"))
    rows = models.PositiveIntegerField(_("rows"))
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        verbose_name = _("open data file")
        verbose_name_plural = _("open data files")
        ordering = ["name", "extension"]
        constraints = [
            models.UniqueConstraint(fields=["name", "extension"], name="one_open_data_file")
        ]

    def __str__(self) -> str:
        return f"{self.name}.{self.extension}"
