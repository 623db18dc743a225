"""Staff draw planning zones and keep administrative boundaries in the admin, on the
locally served map widget."""

from django.contrib import admin
from django.contrib.gis.db.models import MultiPolygonField

from backend.widgets import MapWidget
from maps.models import AdministrativeArea, PlanningZone


class OnMap(admin.ModelAdmin):
    formfield_overrides = {MultiPolygonField: {"widget": MapWidget}}


@admin.register(AdministrativeArea)
class AdministrativeAreaAdmin(OnMap):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]


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
