"""The admin's map widget: GeoDjango's OpenLayers editor, with everything served locally.

OpenLayers is vendored under static/vendor/ol (no CDN); the map starts from a
``data-options`` attribute read by a static script, since our CSP forbids inline scripts.
Tiles come from MAP_TILE_URL.
"""

import json

from django.conf import settings
from django.contrib.gis.forms.widgets import OpenLayersWidget


class MapWidget(OpenLayersWidget):
    template_name = "gis/local_map.html"
    default_lon, default_lat, default_zoom = 105.85, 21.03, 11  # Hà Nội

    class Media:
        css = {"all": ("vendor/ol/ol.css", "gis/css/ol3.css")}
        js = ("vendor/ol/ol.js", "gis/js/OLMapWidget.js", "admin-map/start.js")

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["id"]
        context["options"] = json.dumps(
            {
                "geom_name": context["geom_type"],
                "id": widget_id,
                "map_id": f"{widget_id}_map",
                "map_srid": context["map_srid"],
                "name": name,
                "default_lon": self.default_lon,
                "default_lat": self.default_lat,
                "default_zoom": self.default_zoom,
                "tile_url": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
            }
        )
        return context
