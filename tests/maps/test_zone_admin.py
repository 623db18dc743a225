"""Planning zones drawn by staff in the admin keep to a number of corners."""

import math

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.urls import reverse

from maps.models import PlanningZone


def zone_shape(corners: int) -> MultiPolygon:
    """A regular polygon of ``corners`` corners, about 1 km across, in Đông Anh."""
    angles = [2 * math.pi * k / corners for k in range(corners)]
    points = [(105.85 + 0.005 * math.cos(a), 21.14 + 0.005 * math.sin(a)) for a in angles]
    return MultiPolygon(Polygon([*points, points[0]]), srid=4326)


def test_a_zone_with_too_many_corners_is_a_form_error(admin_client, settings):
    settings.PLANNING_ZONE_MAX_VERTICES = 100
    form = {
        "name": "Vùng rau an toàn Vân Nội",
        "purpose": "safe_vegetables",
        "valid_from": "2026-01-01",
        "decision": "Quyết định 1234/QĐ-UBND",
    }
    url = reverse("admin:maps_planningzone_add")
    refused = admin_client.post(url, {**form, "geometry": zone_shape(101).ewkt})
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors.as_data()
    assert [error.code for error in errors["geometry"]] == ["too_many_vertices"]
    assert not PlanningZone.objects.exists()
    saved = admin_client.post(url, {**form, "geometry": zone_shape(100).ewkt})
    assert saved.status_code == 302
    assert PlanningZone.objects.get().geometry.num_coords == 101
