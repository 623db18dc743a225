"""Offer search by distance over 100,000 offers, and the plan PostgreSQL chooses.

.venv/bin/python -m bench.offer_search [offers]
"""

import sys

from bench.common import describe, setup, timed

HANOI = (105.8342, 21.0278)


def populate(count: int) -> None:
    """``count`` offers, each selling from its own harvested lot, spread over northern
    Viet Nam with a third around Hà Nội (as a real network would be), in bulk SQL."""
    from django.db import connection

    from tests import factories

    producers = [factories.ProducerFactory() for _ in range(50)]
    products = [factories.ProductFactory(name_vi=name) for name in ("Rau muống", "Cải ngọt")]
    products += [factories.ProductFactory(name_vi=f"Nông sản {n}") for n in range(18)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO traceability_batch (uuid, code, product_id, producer_id, unit, quantity,
                remaining_quantity, reserved_quantity, status, harvest_date, max_scans_per_label,
                max_scan_spread_km, event_count, chain_head, recall_reason, created_at)
            SELECT gen_random_uuid(), 'BENCH-' || i, (%(products)s)[1 + i %% 20],
                (%(producers)s)[1 + i %% 50], 'kg', 100, 100, 0, 'active', current_date - 1,
                30, 100, 0, '', '', now()
            FROM generate_series(1, %(count)s) AS i
            """,
            {
                "products": [p.pk for p in products],
                "producers": [p.pk for p in producers],
                "count": count,
            },
        )
        cursor.execute(
            """
            INSERT INTO marketplace_offer (uuid, producer_id, product_id, unit, quantity_available,
                price_per_unit, min_order_quantity, available_from, available_to,
                delivery_radius_km, location, description, status, created_at, updated_at)
            SELECT gen_random_uuid(), producer_id, product_id, 'kg', 80,
                5000 + (random() * 60000)::int, 1, current_date - 1, current_date + 14, 30,
                CASE WHEN random() < 0.33
                    THEN ST_SetSRID(ST_MakePoint(%(x)s + (random() - 0.5) * 0.6,
                                                 %(y)s + (random() - 0.5) * 0.5), 4326)::geography
                    ELSE ST_SetSRID(ST_MakePoint(102.5 + random() * 5.5,
                                                 19.5 + random() * 3.5), 4326)::geography
                END,
                '', 'active', now(), now()
            FROM traceability_batch WHERE code LIKE 'BENCH-%%'
            """,
            {"x": HANOI[0], "y": HANOI[1]},
        )
        cursor.execute(
            """
            INSERT INTO marketplace_offerbatch (offer_id, batch_id, quantity, allocated)
            SELECT o.id, b.id, 80, 0
            FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM marketplace_offer) o
            JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM traceability_batch
                  WHERE code LIKE 'BENCH-%%') b USING (n)
            """
        )
        cursor.execute("ANALYZE")


API_QUERY = """
query { offers(near: {type: "Point", coordinates: [%s, %s]}, withinKm: 10, first: 20) {
  edges { node { id pricePerUnit distanceKm product { nameVi } seller { name }
  lots { code scanPageUrl } } } } }"""


def api_page(here):
    """The GraphQL ``offers`` query as the app sends it, through the whole schema."""
    from django.test import RequestFactory

    from mobile_api.schema import schema
    from tests import factories

    request = RequestFactory().post("/graphql")
    request.user = factories.UserFactory()

    def run():
        result = schema.execute(API_QUERY % (here.x, here.y), context_value=request)
        assert not result.errors and len(result.data["offers"]["edges"]) == 20, result
        request.__dict__.pop("_producer_ids", None)  # a new request each time

    return run


def main(count: int) -> None:
    setup()
    from django.contrib.gis.geos import Point
    from django.db import connection

    from marketplace.services.search import OfferSearch, SortOrder, search_offers, with_details

    populate(count)
    here = Point(*HANOI, srid=4326)
    searches = {
        "nearest within 10 km": OfferSearch(near=here, within_km=10),
        "“rau muong” within 30 km": OfferSearch(text="rau muong", near=here, within_km=30),
        "within 30 km, cheapest first": OfferSearch(near=here, within_km=30, sort=SortOrder.PRICE),
    }
    print(f"{count:,} offers")
    for label, search in searches.items():

        def first_page(search=search):
            found = with_details(search_offers(search))
            return found.count(), list(found[:20])

        total, _page = first_page()
        print(f"  {label}: {total:,} found; first page of 20 with its lots: ", end="")
        print(describe(timed(first_page, 30)))
    print(f"  the app's query, nearest 20 within 10 km: {describe(timed(api_page(here), 30))}")
    query = search_offers(searches["nearest within 10 km"])[:20].query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        plan = [row[0] for row in cursor.fetchall()]
    print("  plan of the nearest-first page:")
    print("\n".join(f"    {line}" for line in plan))
    uses_index = any("marketplace_offer_location" in line for line in plan)
    print(f"  spatial index used: {'yes' if uses_index else 'NO'}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
