"""The map over 1,000,000 plots: bounding-box pages of the plots layer through its URL
(the plan must use the GiST index; the GeoJSON passes through from PostGIS) and vector
tiles at several zooms.

.venv/bin/python -m bench.map_layers [plots]
"""

import datetime
import random
import sys

from bench.common import describe, setup, timed

WEST, SOUTH, EAST, NORTH = 105.3, 20.6, 106.0, 21.4  # Hà Nội's farmland, roughly
PLOTS_PER_PRODUCER = 50
SIDE = 0.0005  # degrees: plots of about 50 m × 55 m


def populate(count: int) -> None:
    """Producers, five crops, and ``count`` square plots scattered over Hà Nội, in SQL."""
    from django.db import connection

    from tests.factories import ProductFactory

    crops = [ProductFactory(code=f"cay-{n}").pk for n in range(5)]
    producers = count // PLOTS_PER_PRODUCER
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO farms_producer (uuid, kind, name, registration_code, gln, description,
                commune, district, province, street_address, contact_name, contact_phone,
                contact_email, created_at, updated_at)
            SELECT gen_random_uuid(), 'household', 'Hộ số ' || i, '', '', '', 'Xã', 'Huyện',
                'Hà Nội', '', '', '', '', now(), now()
            FROM generate_series(1, %(producers)s) AS i
            """,
            {"producers": producers},
        )
        cursor.execute("SELECT min(id) FROM farms_producer")
        first = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO farms_plot (uuid, name, location_code, gln, geometry, area_m2,
                producer_id, crop_id, created_at, updated_at)
            SELECT gen_random_uuid(), 'Thửa ' || i, 'B' || lpad(i::text, 9, '0'), '',
                ST_MakeEnvelope(x, y, x + %(side)s, y + %(side)s, 4326), 2800,
                %(first)s + i %% %(producers)s, (%(crops)s::bigint[])[1 + i %% 5], now(), now()
            FROM (SELECT i, %(west)s + random() * (%(east)s - %(west)s) AS x,
                         %(south)s + random() * (%(north)s - %(south)s) AS y
                  FROM generate_series(1, %(count)s) AS i) AS spots
            """,
            {
                "count": count,
                "side": SIDE,
                "first": first,
                "producers": producers,
                "crops": crops,
                "west": WEST,
                "east": EAST,
                "south": SOUTH,
                "north": NORTH,
            },
        )
        cursor.execute(
            """
            UPDATE farms_producer producer SET public_point = centre
            FROM (SELECT producer_id, ST_Centroid(ST_Collect(geometry)) AS centre
                  FROM farms_plot GROUP BY producer_id) AS plots
            WHERE plots.producer_id = producer.id
            """
        )
        cursor.execute("ANALYZE farms_plot; ANALYZE farms_producer")


def view_box(zoom: int, rng: random.Random):
    """The bbox a 1200 × 800 px screen shows at ``zoom``, somewhere in the farmland."""
    from maps.services.layers import parse_bbox

    return parse_bbox(view_bbox(zoom, rng))


def view_bbox(zoom: int, rng: random.Random) -> str:
    """The ``bbox`` parameter of a 1200 × 800 px screen at ``zoom``."""
    width = 1200 * 360 / (256 * 2**zoom)
    height = 800 * 360 / (256 * 2**zoom) * 0.93  # degrees of latitude are shorter here
    west = rng.uniform(WEST, EAST - width)
    south = rng.uniform(SOUTH, NORTH - height)
    return f"{west},{south},{west + width},{south + height}"


def print_plan(layers, box) -> None:
    from django.db import connection

    sql, params = (  # the page's ids (the exact test follows on those alone)
        layers.LAYERS["plots"][0](datetime.date.today())
        .select_related(None)
        .prefetch_related(None)
        .filter(geometry__bboverlaps=box)
        .order_by("pk")
        .values_list("pk", flat=True)[:501]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print("\n".join(f"    {line[:110]}" for line in plan))


def main(count: int) -> None:
    setup()
    from django.test import Client

    from maps.services import layers, tiles
    from maps.services.layers import parse_bbox
    from tests.maps.conftest import tile_of

    populate(count)
    print(f"{count:,} plots of {count // PLOTS_PER_PRODUCER:,} producers")
    rng = random.Random(7)
    client = Client()
    for zoom in (16, 15, 14):
        boxes = [view_bbox(zoom, rng) for _ in range(40)]
        sizes = [len(layers.layer_page("plots", parse_bbox(box)).features) for box in boxes[:5]]
        urls = iter([f"/map/layers/plots.geojson?bbox={box}" for box in boxes] * 2)
        print(f"  GET a screen's plots at zoom {zoom} ({sizes} features, page ≤ 500): ", end="")
        print(describe(timed(lambda urls=urls: client.get(next(urls)), 40)))
    for zoom in (16, 14):
        print(f"  The ids of a page at zoom {zoom}, by bounding box (PostgreSQL chooses):")
        print_plan(layers, view_box(zoom, rng))
    for zoom in (13, 14, 16):
        centres = [(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)) for _ in range(20)]
        coordinates = iter([tile_of(lon, lat, zoom) for lon, lat in centres] * 2)
        size = len(tiles.tile("plots", zoom, *tile_of(*centres[0], zoom)))
        print(f"  plots tile at zoom {zoom} ({size / 1024:.0f} KiB): ", end="")
        print(describe(timed(lambda c=coordinates, z=zoom: tiles.tile("plots", z, *next(c)), 20)))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
