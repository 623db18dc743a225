"""Mapbox vector tiles of the large layers, made by PostGIS (ST_AsMVT): the map draws
plots as tiles when zoomed out and asks the GeoJSON layer for details when zoomed in.
The filter ``geometry && <tile>`` is what lets the GiST index pick the rows."""

import datetime

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error

MAX_ZOOM = 22
EXTENT = 4096  # the tile's own coordinates, as in the MVT specification
BUFFER = 64  # so that lines at a tile's edge join up

_PLOTS = """
WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile),
rows AS (
    SELECT ST_AsMVTGeom(ST_Transform(plot.geometry, 3857), bounds.tile, %(extent)s,
                        %(buffer)s, true) AS geom,
           plot.id,
           COALESCE(crop.code, '') AS crop,
           (SELECT MIN(cert.scheme) FROM farms_certification_plots covered
              JOIN farms_certification cert ON cert.id = covered.certification_id
             WHERE covered.plot_id = plot.id
               AND cert.valid_from <= %(day)s AND cert.valid_to >= %(day)s) AS certification
    FROM farms_plot plot
    CROSS JOIN bounds
    LEFT JOIN farms_product crop ON crop.id = plot.crop_id
    WHERE plot.geometry && ST_Transform(bounds.tile, 4326)
)
SELECT ST_AsMVT(rows, 'plots', %(extent)s, 'geom', 'id') FROM rows WHERE geom IS NOT NULL
"""

_PRODUCERS = """
WITH bounds AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile),
rows AS (
    SELECT ST_AsMVTGeom(ST_Transform(producer.public_point, 3857), bounds.tile, %(extent)s,
                        %(buffer)s, true) AS geom,
           producer.id, producer.kind
    FROM farms_producer producer
    CROSS JOIN bounds
    WHERE producer.public_point && ST_Transform(bounds.tile, 4326)
)
SELECT ST_AsMVT(rows, 'producers', %(extent)s, 'geom', 'id') FROM rows WHERE geom IS NOT NULL
"""

# layer: (its SQL, the lowest zoom it is drawn at: below it a tile is empty)
TILE_LAYERS = {"plots": (_PLOTS, 13), "producers": (_PRODUCERS, 5)}


def tile(layer: str, z: int, x: int, y: int, day: datetime.date | None = None) -> bytes:
    if layer not in TILE_LAYERS:
        raise field_error("layer", _("No such layer."), CommonErrorCode.NOT_FOUND)
    if not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        raise field_error("tile", _("No such tile."), CommonErrorCode.NOT_FOUND)
    sql, min_zoom = TILE_LAYERS[layer]
    if z < min_zoom:
        return b""
    params = {
        "z": z,
        "x": x,
        "y": y,
        "extent": EXTENT,
        "buffer": BUFFER,
        "day": day or timezone.localdate(),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return bytes(cursor.fetchone()[0] or b"")
