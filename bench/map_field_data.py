"""Field data over 1,000,000 plots and 600 communes: building each open dataset, ingesting
a week of weather for every commune from a provider on loopback, and a farmer's weather
query.

.venv/bin/python -m bench.map_field_data [plots]
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from bench.common import describe, setup, timed
from bench.map_layers import EAST, NORTH, SOUTH, WEST, populate

COLUMNS, ROWS = 30, 20  # communes in a grid over the farmland; a district per column
RECORDING = Path(__file__).parent.parent / "tests/maps/weather/open_meteo_one_location.json"


def communes() -> None:
    from django.db import connection

    width, height = (EAST - WEST) / COLUMNS, (NORTH - SOUTH) / ROWS
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO maps_administrativearea (code, name, level, geometry)
            SELECT 'D' || c, 'Huyện ' || c, 'district', ST_Multi(ST_MakeEnvelope(
                %(west)s + c * %(w)s, %(south)s, %(west)s + (c + 1) * %(w)s, %(north)s, 4326))
            FROM generate_series(0, %(columns)s - 1) AS c;
            INSERT INTO maps_administrativearea (code, name, level, parent_id, geometry)
            SELECT 'C' || c || '-' || r, 'Xã ' || c || '-' || r, 'commune', district.id,
                ST_Multi(ST_MakeEnvelope(%(west)s + c * %(w)s, %(south)s + r * %(h)s,
                    %(west)s + (c + 1) * %(w)s, %(south)s + (r + 1) * %(h)s, 4326))
            FROM generate_series(0, %(columns)s - 1) AS c
            CROSS JOIN generate_series(0, %(rows)s - 1) AS r
            JOIN maps_administrativearea district ON district.code = 'D' || c;
            ANALYZE maps_administrativearea;
            """,
            {
                "west": WEST,
                "south": SOUTH,
                "north": NORTH,
                "w": width,
                "h": height,
                "columns": COLUMNS,
                "rows": ROWS,
            },
        )


def certificates_and_prices() -> None:
    """Every fifth producer certified for all its plots; two years of daily prices of the
    five crops in the 30 districts."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO farms_certification (producer_id, scheme, number, issued_by,
                valid_from, valid_to)
            SELECT id, 'vietgap', 'VG-' || id, 'Bench', current_date - 100, current_date + 900
            FROM farms_producer WHERE id % 5 = 0;
            INSERT INTO farms_certification_plots (certification_id, plot_id)
            SELECT cert.id, plot.id FROM farms_certification cert
            JOIN farms_plot plot ON plot.producer_id = cert.producer_id;
            INSERT INTO marketplace_dailyprice (product_id, unit, district, day, source,
                average_price, min_price, max_price, volume, samples)
            SELECT product.id, 'kg', 'Huyện ' || d, current_date - n, 'orders',
                10000 + n, 9000, 12000, 50, 3
            FROM farms_product product, generate_series(0, 29) AS d, generate_series(1, 730) AS n;
            ANALYZE;
            """
        )


class Provider(BaseHTTPRequestHandler):
    """Answers any number of coordinates with the recorded week, as Open-Meteo would."""

    def do_GET(self):
        count = len(parse_qs(urlparse(self.path).query)["latitude"][0].split(","))
        one = json.loads(RECORDING.read_text())
        body = json.dumps([{**one, "location_id": n} for n in range(count)]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main(count: int) -> None:
    setup()
    from django.conf import settings
    from django.utils import timezone

    from farms.models import Plot, Producer
    from maps.services import open_data, weather

    populate(count)
    communes()
    certificates_and_prices()
    print(f"{count:,} plots, {COLUMNS * ROWS} communes in {COLUMNS} districts, every fifth")
    print("producer certified, 2 years of daily prices of 5 crops in 30 districts")
    today = timezone.localdate()
    for name, dataset in open_data.DATASETS.items():
        start = time.perf_counter()
        report = dataset.build(today, False)
        print(f"  open data {name}: {len(report.rows):,} rows in ", end="")
        print(f"{time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    files = open_data.publish()
    print(f"  the nightly publication ({files} files, CSV and GeoJSON): ", end="")
    print(f"{time.perf_counter() - start:.1f} s")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WEATHER_FORECAST_URL = f"http://127.0.0.1:{server.server_port}/v1/forecast"
    batches = weather.commune_batches()
    start = time.perf_counter()
    stored = sum(weather.ingest(batch) for batch in batches)
    elapsed = time.perf_counter() - start
    print(f"  weather ingest: {stored:,} days of {COLUMNS * ROWS} communes in {len(batches)} ")
    print(f"    requests, {elapsed:.2f} s ({elapsed / len(batches) * 1000:.0f} ms a request)")
    again = time.perf_counter()
    sum(weather.ingest(batch) for batch in batches)
    print(f"  weather ingest again (all rows replaced): {time.perf_counter() - again:.2f} s")
    server.shutdown()

    farms = iter(list(Producer.objects.order_by("?").values_list("pk", flat=True)[:40]) * 2)
    print("  a farmer's weather (50 plots over the farmland): ", end="")
    print(
        describe(
            timed(
                lambda: weather.weather_for_plots(Plot.objects.filter(producer_id=next(farms))),
                40,
            )
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
