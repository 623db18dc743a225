import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from marketplace.models import Buyer, Order
from marketplace.services.buyers import register_buyer
from marketplace.services.cart import checkout, set_cart_quantity
from marketplace.services.equipment import save_equipment
from marketplace.services.offers import LotShare, create_offer
from tests import factories
from tests.factories import kg, moment, square
from tests.mobile_api.conftest import anonymous_api, api, stranger_api  # noqa: F401 (fixtures)
from traceability.services.batches import create_batch


def restaurant_near(user, plot, name: str = "Nhà hàng Sen Hồ Tây", km_east: float = 5) -> Buyer:
    """A restaurant ``km_east`` km east of ``plot``."""
    middle = plot.geometry.centroid
    return register_buyer(
        user,
        kind=Buyer.Kind.RESTAURANT,
        name=name,
        registration_code="0109999999",
        district="Đông Anh",
        delivery_address="Số 5 đường Cổ Loa",
        delivery_location=Point(middle.x + km_east / 104.0, middle.y, srid=4326),
        contact_phone="0987654321",
    )


@pytest.fixture
def chef(db):
    return factories.UserFactory(email="chef@example.vn")


@pytest.fixture
def buyer(chef, plot):
    return restaurant_near(chef, plot)


def survey_prices(product, prices, surveyor=None) -> None:
    """Survey prices of ``product`` per kg seen today in Đông Anh (by extension staff)."""
    from farms.permissions import EXTENSION_STAFF_GROUP
    from marketplace.services.prices import record_market_price

    surveyor = surveyor or factories.staff_member(factories.UserFactory(), EXTENSION_STAFF_GROUP)
    for price in prices:
        record_market_price(
            surveyor,
            product=product,
            unit="kg",
            district="Đông Anh",
            price_per_unit=price,
            observed_on=timezone.localdate(),
        )


def offer_terms(**overrides) -> dict:
    today = timezone.localdate()
    return {
        "price_per_unit": 20_000,
        "available_from": today,
        "available_to": today + datetime.timedelta(days=7),
        "delivery_radius_km": 20,
        "min_order_quantity": Decimal(1),
        **overrides,
    }


@pytest.fixture
def offer(owner, coop, product, harvested):
    """40 of the 100 kg harvested yesterday, at 20,000 VND/kg, delivered within 20 km."""
    return create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(harvested, Decimal(40))],
        **offer_terms(),
    )


def place(chef, buyer, offer, quantity=Decimal(10), fulfilment="delivery", **kwargs) -> Order:
    """The chef's order of ``quantity`` of ``offer``, through the cart."""
    set_cart_quantity(chef, buyer, offer, quantity)
    (order,) = checkout(chef, buyer, fulfilment=fulfilment, **kwargs)
    return order


def more_offers(owner, coop, product, near_plot, count: int) -> None:
    """``count`` more offers of 10 kg lots, on fields next to ``near_plot``."""
    middle = near_plot.geometry.centroid
    for n in range(count):
        field = factories.PlotFactory(
            producer=coop, geometry=square(middle.x + n * 0.001, middle.y + 0.001, 30)
        )
        lot = create_batch(
            owner,
            producer=coop,
            product=product,
            plots=[field],
            harvested_at=moment(1),
            quantity=kg(10),
        )
        create_offer(
            owner, producer=coop, product=product, shares=[LotShare(lot, kg(10))], **offer_terms()
        )


PRICE = 800_000  # a tractor's price per day


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


@pytest.fixture
def tractor(owner, coop):
    return save_equipment(
        owner, producer=coop, kind="tractor", name="Máy cày Kubota L4508", daily_price=PRICE
    )
