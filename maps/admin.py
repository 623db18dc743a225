"""Staff draw planning zones and keep administrative boundaries in the admin, on the
locally served map widget."""

from celery.exceptions import Retry
from django.contrib import admin, messages
from django.contrib.gis.db.models import MultiPolygonField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backend.admin_tools import ModelAdmin, ReadOnlyMixin
from backend.widgets import MapWidget
from maps import tasks
from maps.models import AdministrativeArea, DailyForecast, OpenDataFile, PlanningZone
from maps.services import weather


class OnMap(ModelAdmin):
    formfield_overrides = {MultiPolygonField: {"widget": MapWidget}}


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(OnMap):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    actions = ["fetch_forecast"]

    @admin.action(description=_("Fetch the weather forecast of the selected communes now"))
    def fetch_forecast(self, request, queryset):
        communes = list(
            queryset.filter(level=AdministrativeArea.Level.COMMUNE).values_list("pk", flat=True)
        )
        try:  # with a broker this only queues; eager, it fetches here
            tasks.queue_weather(weather.in_batches(communes))
        except (Retry, weather.WeatherUnavailable, weather.ForecastRejected) as error:
            failed = _("The provider's forecast could not be stored: %(error)s")
            self.message_user(request, failed % {"error": error}, messages.ERROR)
            return
        message = ngettext(
            "The forecast of %(count)d commune was requested.",
            "The forecast of %(count)d communes was requested.",
            len(communes),
        )
        self.message_user(request, message % {"count": len(communes)}, messages.SUCCESS)


@admin.register(PlanningZone)
class PlanningZoneAdmin(OnMap):
    list_display = ["name", "purpose", "valid_from", "valid_to", "decision"]
    list_filter = ["purpose", "valid_from"]
    search_fields = ["name", "decision"]
    filter_horizontal = ["crops"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DailyForecast)
class DailyForecastAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = [
        "area",
        "day",
        "weather_code",
        "temperature_min",
        "temperature_max",
        "precipitation",
        "wind_gusts_max",
        "fetched_at",
    ]
    list_filter = ["day"]
    search_fields = ["area__name", "area__code"]
    list_select_related = ["area"]
    date_hierarchy = "day"


@admin.register(OpenDataFile)
class OpenDataFileAdmin(ReadOnlyMixin, ModelAdmin):
    list_display = ["__str__", "rows", "built_at"]
    exclude = ["content"]  # may be megabytes: read it at its public address

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    actions = ["publish_again"]

    @admin.action(description=_("Publish the open data again now"))
    def publish_again(self, request, queryset):
        tasks.publish_open_data.delay()
        self.message_user(request, _("The open data is being rebuilt."), messages.SUCCESS)
