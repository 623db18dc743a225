"""Orders per second when many buyers order the same offer at once.

    .venv/bin/python -m bench.order_contention [orders] [threads]

Each order is a real checkout (cart → order) then the seller's confirmation, which takes
the stock with a conditional UPDATE on the one offer row: the hot spot under contention.
"""

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from bench.common import setup


def main(count: int, threads: int) -> None:
    setup()
    from django.core.exceptions import ValidationError
    from django.db import connection

    from marketplace.models import Offer, Order
    from marketplace.services.cart import checkout, set_cart_quantity
    from marketplace.services.offers import LotShare, create_offer
    from marketplace.services.orders import change_status
    from tests import factories
    from tests.factories import kg, moment
    from tests.marketplace.conftest import offer_terms, restaurant_near
    from traceability.services.batches import create_batch

    coop = factories.ProducerFactory()
    owner = factories.member(factories.UserFactory(), coop)
    plot = factories.PlotFactory(producer=coop)
    lot = create_batch(
        owner,
        producer=coop,
        product=factories.ProductFactory(),
        plots=[plot],
        harvested_at=moment(1),
        quantity=kg(count),
    )
    stock = count // 2  # half the buyers get "not enough stock"
    offer = create_offer(
        owner,
        producer=coop,
        product=lot.product,
        shares=[LotShare(lot, kg(stock))],
        **offer_terms(),
    )
    buyers = []
    for n in range(count):
        user = factories.UserFactory()
        buyers.append((user, restaurant_near(user, plot, f"Quán {n}")))
    gate = threading.Barrier(threads)

    def order(pair) -> str:
        user, buyer = pair
        try:
            set_cart_quantity(user, buyer, offer, Decimal(1))
            (placed,) = checkout(user, buyer, fulfilment="delivery")
            change_status(owner, placed, Order.Status.CONFIRMED)
            return "sold"
        except ValidationError as error:
            return next(iter(error.error_dict.values()))[0].code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=threads, initializer=gate.wait) as pool:
        began = time.perf_counter()
        outcomes = list(pool.map(order, buyers))
        elapsed = time.perf_counter() - began
    offer.refresh_from_db()
    sold = outcomes.count("sold")
    print(f"{count} buyers, {threads} at a time, for stock of {stock} units of one offer:")
    print(f"  {count / elapsed:.0f} orders handled/s (checkout + confirmation), {elapsed:.1f} s")
    print(f"  sold {sold}, refused {len(outcomes) - sold} ({sorted(set(outcomes) - {'sold'})})")
    print(f"  stock left {offer.quantity_available} (oversold: {'YES' if sold > stock else 'no'})")
    assert Offer.objects.filter(quantity_available__lt=0).count() == 0


if __name__ == "__main__":
    arguments = [int(value) for value in sys.argv[1:]]
    main(*(arguments + [400, 8][len(arguments) :]))
