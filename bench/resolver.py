"""The GS1 resolver: latency and SQL queries of a label's redirect, a lot's linkset and a
GTIN's product page (50 lots in stock), in process and over HTTP.

    .venv/bin/python -m bench.resolver
"""

from bench.common import describe, harvested_batch, load, serve, setup, timed
from bench.scan_page import count_queries

GTIN = "08930000000019"
REQUESTS = 300
LOTS = 50


def build():
    from farms.models import Product
    from tests.factories import kg, moment
    from traceability.models import Label
    from traceability.services.batches import create_batch
    from traceability.services.labels import new_serials

    owner, batch = harvested_batch(2, 100, gtin=GTIN[1:])
    rice = Product.objects.get(gtin=GTIN[1:])
    for _ in range(LOTS - 1):
        create_batch(
            owner,
            producer=batch.producer,
            product=rice,
            plots=list(batch.origin_plots.all()),
            harvested_at=moment(1),
            quantity=kg(10),
        )
    label = Label.objects.create(batch=batch, serial=new_serials(1)[0])
    return {
        "label redirect (307)": (f"/01/{GTIN}/10/{batch.code}/21/{label.serial}", 307),
        "lot linkset (200)": (f"/01/{GTIN}/10/{batch.code}?linkType=all", 200),
        "unknown serial, walked up (307)": (f"/01/{GTIN}/10/{batch.code}/21/NOSUCH", 307),
        f"product page, {LOTS} lots (200)": (f"/product/{GTIN}", 200),
    }


def main() -> None:
    setup()
    from django.test import Client

    paths = build()
    client = Client()
    print(f"Resolver, {REQUESTS} requests each, Django test client in one process")
    for name, (path, status) in paths.items():
        queries, response = count_queries(client, path)
        assert response.status_code == status, (path, response.status_code)
        speed = describe(timed(lambda path=path: client.get(path), REQUESTS))
        print(f"  {name:<34} {queries} SQL, {speed}")
    print("Over HTTP: gunicorn, 2 workers (2 cores), 8 concurrent clients, 8 s each")
    server = serve()
    try:
        print(f"  {'/healthz (for scale)':<34} {load(8765, '/healthz', seconds=8)}")
        for name, (path, status) in paths.items():
            print(f"  {name:<34} {load(8765, path, seconds=8, status=status)}")
    finally:
        server.terminate()


if __name__ == "__main__":
    main()
