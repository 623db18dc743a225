"""Daily prices from completed orders and market surveys, and who may record a survey."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from farms.models import Unit
from farms.permissions import EXTENSION_STAFF_GROUP
from marketplace.models import Buyer, DailyPrice, MarketPrice, Offer, Order, OrderLine
from marketplace.services.prices import (
    PLAUSIBLE_PRICES,
    aggregate_daily_prices,
    check_plausible_price,
    local_day_bounds,
    price_history,
    record_market_price,
)
from marketplace.tasks import aggregate_daily_prices as aggregate_task
from tests.factories import DailyPriceFactory, ProducerFactory, ProductFactory, UserFactory, kg

DAY = datetime.date(2025, 3, 10)
HANOI = timezone.get_default_timezone()


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of ``day`` on a clock in Viet Nam."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), HANOI)


@pytest.fixture
def buyer(db):
    return Buyer.objects.create(
        kind=Buyer.Kind.RESTAURANT,
        name="Quán Ngon",
        district="Ba Đình",
        delivery_address="1 Phan Đình Phùng",
        delivery_location=Point(105.84, 21.03, srid=4326),
    )


@pytest.fixture(autouse=True)
def _one_buyer_is_enough(settings):
    """Most tests here check arithmetic on one buyer's orders; the privacy threshold has
    its own test below."""
    settings.MARKET_PRICE_MIN_BUYERS = 1


def completed_order(buyer, producer, lines, when, status=Order.Status.COMPLETED) -> Order:
    """An order of ``lines`` (product, quantity, unit price[, unit]) that reached
    ``status`` at ``when``. Built with the ORM: the order services are another module."""
    order = Order.objects.create(
        checkout_id=uuid.uuid4(),
        buyer=buyer,
        producer=producer,
        status=status,
        fulfilment=Order.Fulfilment.DELIVERY,
        delivery_address=buyer.delivery_address,
        total=sum(round(quantity * price) for _p, quantity, price, *_u in lines),
    )
    for product, quantity, price, *unit in lines:
        offer = Offer.objects.create(
            producer=producer,
            product=product,
            unit=unit[0] if unit else "kg",
            quantity_available=kg(1000),
            price_per_unit=price,
            available_from=DAY - datetime.timedelta(days=30),
            available_to=DAY + datetime.timedelta(days=30),
            delivery_radius_km=30,
            location=Point(105.85, 21.14, srid=4326),
        )
        OrderLine.objects.create(
            order=order,
            offer=offer,
            product=product,
            unit=offer.unit,
            quantity=quantity,
            unit_price=price,
        )
    Order.objects.filter(pk=order.pk).update(status_changed_at=when)  # auto_now_add on create
    return order


@pytest.fixture
def gia_lam(db):
    return ProducerFactory(district="Gia Lâm")


@pytest.fixture
def surveyor(db):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    return user


def rows(**filters) -> list[tuple]:
    return list(
        DailyPrice.objects.filter(**filters)
        .order_by("source", "district", "unit")
        .values_list(
            "source",
            "district",
            "unit",
            "average_price",
            "min_price",
            "max_price",
            "volume",
            "samples",
        )
    )


def test_completed_orders_give_a_price_weighted_by_quantity(buyer, coop, gia_lam, product):
    other_product = ProductFactory()
    completed_order(buyer, coop, [(product, kg(10), 20_000)], at(DAY, 9))
    completed_order(
        buyer, coop, [(product, kg(30), 24_000), (other_product, kg(5), 9_000)], at(DAY, 15)
    )
    completed_order(buyer, gia_lam, [(product, kg("2.5"), 30_000)], at(DAY, 11))
    completed_order(buyer, coop, [(product, kg(4), 5_000, "tan")], at(DAY, 12))
    # Not completed: its price is not a price paid yet.
    completed_order(
        buyer, coop, [(product, kg(100), 1_000)], at(DAY, 10), status=Order.Status.DELIVERED
    )

    assert aggregate_daily_prices(DAY) == 4
    # (200 000 + 720 000) / 40 = 23 000, not the plain average 22 000.
    assert rows(product=product, day=DAY) == [
        ("orders", "Gia Lâm", "kg", 30_000, 30_000, 30_000, Decimal("2.500"), 1),
        ("orders", "Đông Anh", "kg", 23_000, 20_000, 24_000, Decimal("40.000"), 2),
        ("orders", "Đông Anh", "tan", 5_000, 5_000, 5_000, Decimal("4.000"), 1),
    ]
    assert rows(product=other_product) == [
        ("orders", "Đông Anh", "kg", 9_000, 9_000, 9_000, Decimal("5.000"), 1)
    ]


def test_a_weighted_average_rounds_half_up_to_whole_dong(buyer, coop, product):
    completed_order(buyer, coop, [(product, kg(1), 10_001)], at(DAY, 9))
    completed_order(buyer, coop, [(product, kg(1), 10_000)], at(DAY, 10))
    aggregate_daily_prices(DAY)
    assert DailyPrice.objects.get().average_price == 10_001  # 10 000.5


def test_running_twice_changes_nothing_and_vanished_groups_go(buyer, coop, gia_lam, product):
    completed_order(buyer, coop, [(product, kg(10), 20_000)], at(DAY, 9))
    reopened = completed_order(buyer, gia_lam, [(product, kg(5), 26_000)], at(DAY, 9))
    aggregate_daily_prices(DAY)
    first = sorted(DailyPrice.objects.values_list("pk", "district", "average_price", "volume"))

    assert aggregate_daily_prices(DAY) == 2
    assert sorted(DailyPrice.objects.values_list("pk", "district", "average_price", "volume")) == (
        first
    )

    Order.objects.filter(pk=reopened.pk).update(status=Order.Status.CANCELLED)
    assert aggregate_daily_prices(DAY) == 1
    assert [row[1] for row in rows(day=DAY)] == ["Đông Anh"]


def test_other_days_are_left_alone(buyer, coop, product):
    completed_order(buyer, coop, [(product, kg(10), 20_000)], at(DAY, 9))
    completed_order(buyer, coop, [(product, kg(10), 30_000)], at(DAY + datetime.timedelta(1), 9))
    aggregate_daily_prices(DAY)
    aggregate_daily_prices(DAY + datetime.timedelta(1))
    Order.objects.all().update(status=Order.Status.CANCELLED)
    assert aggregate_daily_prices(DAY) == 0
    assert list(DailyPrice.objects.values_list("day", "average_price")) == [
        (DAY + datetime.timedelta(1), 30_000)
    ]


def test_a_day_is_a_day_in_viet_nam_not_in_utc(buyer, coop, product):
    late = completed_order(buyer, coop, [(product, kg(1), 11_000)], at(DAY, 23, 30))
    early = completed_order(
        buyer, coop, [(product, kg(1), 22_000)], at(DAY + datetime.timedelta(1), 0, 30)
    )
    # Both moments fall on the same UTC day (16:30 and 17:30 UTC on DAY).
    utc_days = {
        Order.objects.get(pk=o.pk).status_changed_at.astimezone(datetime.UTC).date()
        for o in (late, early)
    }
    assert utc_days == {DAY}

    aggregate_daily_prices(DAY)
    aggregate_daily_prices(DAY + datetime.timedelta(1))
    assert list(DailyPrice.objects.order_by("day").values_list("day", "average_price")) == [
        (DAY, 11_000),
        (DAY + datetime.timedelta(1), 22_000),
    ]
    start, end = local_day_bounds(DAY)
    assert (start.isoformat(), end - start) == (
        "2025-03-10T00:00:00+07:00",
        datetime.timedelta(days=1),
    )


def test_survey_prices_are_averaged_per_district_as_soon_as_recorded(surveyor, product, coop):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for district, price in [("Đông Anh", 20_000), ("  Đông   Anh ", 21_000), ("Gia Lâm", 30_000)]:
        record_market_price(
            surveyor,
            product=product,
            unit="kg",
            district=district,
            price_per_unit=price,
            observed_on=yesterday,
        )
    entry = MarketPrice.objects.filter(price_per_unit=21_000).get()
    assert (entry.district, entry.recorded_by) == ("Đông Anh", surveyor)
    # No aggregation call: recording the price recomputed its day.
    assert rows(day=yesterday) == [
        ("market", "Gia Lâm", "kg", 30_000, 30_000, 30_000, Decimal(0), 1),
        ("market", "Đông Anh", "kg", 20_500, 20_000, 21_000, Decimal(0), 2),
    ]


def test_orders_and_surveys_of_one_district_stay_two_rows(surveyor, buyer, coop, product):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    completed_order(buyer, coop, [(product, kg(10), 20_000)], at(yesterday, 9))
    record_market_price(
        surveyor,
        product=product,
        unit="kg",
        district="Đông Anh",
        price_per_unit=25_000,
        observed_on=yesterday,
    )
    assert aggregate_daily_prices(yesterday) == 2
    assert [(r[0], r[3]) for r in rows(day=yesterday)] == [("market", 25_000), ("orders", 20_000)]


def test_the_nightly_task_aggregates_yesterday_in_local_time(buyer, coop, product):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    completed_order(buyer, coop, [(product, kg(3), 15_000)], at(yesterday, 23, 50))
    completed_order(buyer, coop, [(product, kg(3), 99_000)], at(DAY, 9))
    aggregate_task.delay()
    assert list(DailyPrice.objects.values_list("day", "average_price")) == [(yesterday, 15_000)]
    aggregate_task.delay(DAY.isoformat())
    assert DailyPrice.objects.filter(day=DAY, average_price=99_000).exists()


@pytest.mark.parametrize(
    "user_kind", ["farmer", "staff_without_group", "inactive_surveyor", "anonymous"]
)
def test_only_extension_staff_record_market_prices(user_kind, owner, surveyor, product):
    user = {
        "farmer": owner,
        "staff_without_group": UserFactory(is_staff=True),
        "inactive_surveyor": surveyor,
        "anonymous": AnonymousUser(),
    }[user_kind]
    if user_kind == "inactive_surveyor":
        surveyor.is_active = False
        surveyor.save()
    with pytest.raises(PermissionDenied) as refused:
        record_market_price(
            user,
            product=product,
            unit="kg",
            district="Đông Anh",
            price_per_unit=20_000,
            observed_on=timezone.localdate(),
        )
    assert str(refused.value)
    assert not MarketPrice.objects.exists() and not DailyPrice.objects.exists()


def test_superusers_may_record_market_prices(admin_user, product):
    entry = record_market_price(
        admin_user,
        product=product,
        unit="kg",
        district="Sóc Sơn",
        price_per_unit=18_000,
        observed_on=timezone.localdate(),
    )
    assert entry.recorded_by == admin_user and DailyPrice.objects.get().average_price == 18_000


def _days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"price_per_unit": 0}, "price_per_unit", "implausible_price"),
        ({"price_per_unit": -5}, "price_per_unit", "implausible_price"),
        ({"price_per_unit": 1}, "price_per_unit", "implausible_price"),
        ({"price_per_unit": 100_000_000}, "price_per_unit", "implausible_price"),
        ({"unit": "tan"}, "price_per_unit", "implausible_price"),  # 20,000 đ a tonne
        ({"price_per_unit": "hai mươi nghìn"}, "price_per_unit", "invalid_price"),
        ({"price_per_unit": Decimal("20000.5")}, "price_per_unit", "invalid_price"),
        ({"price_per_unit": None}, "price_per_unit", "invalid_price"),
        ({"observed_on": _days_ago(-1)}, "observed_on", "future_date"),
        ({"observed_on": _days_ago(6 * 365)}, "observed_on", "too_old"),
        ({"observed_on": "2025-03-01"}, "observed_on", "invalid_date"),
        ({"district": "  \t "}, "district", "district_required"),
        ({"district": "x" * 101}, "district", "invalid_district"),
        ({"unit": "bao"}, "unit", "invalid_unit"),
    ],
)
def test_implausible_survey_entries_are_refused_with_a_code(
    surveyor, product, changes, field, code
):
    entry = {
        "unit": "kg",
        "district": "Đông Anh",
        "price_per_unit": 20_000,
        "observed_on": timezone.localdate(),
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        record_market_price(surveyor, product=product, **entry)
    [error] = refused.value.error_dict[field]
    assert error.code == code and error.messages[0]
    assert not MarketPrice.objects.exists()


def test_the_limits_themselves_are_accepted(surveyor, product):
    for price, observed_on in [(200, _days_ago(5 * 365)), (50_000_000, timezone.localdate())]:
        record_market_price(
            surveyor,
            product=product,
            unit="kg",
            district="Đông Anh",
            price_per_unit=price,
            observed_on=observed_on,
        )
    assert MarketPrice.objects.count() == 2


def test_every_unit_has_a_plausible_price_range():
    assert set(PLAUSIBLE_PRICES) == set(Unit.values)
    for unit, (low, high) in PLAUSIBLE_PRICES.items():
        assert check_plausible_price(low, unit) == low and check_plausible_price(high, unit)
        for price in (low - 1, high + 1):
            with pytest.raises(ValidationError) as refused:
                check_plausible_price(price, unit)
            assert refused.value.error_dict["price_per_unit"][0].code == "implausible_price"
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_plausible_price(1, "kg")
    assert refused.value.messages == [
        "A price per kg must be between 200\u00a0₫ and 50,000,000\u00a0₫."
    ]


def test_history_keeps_sources_apart_and_weights_districts(product):
    def daily(district, source, price, volume, samples, day=DAY):
        return DailyPriceFactory.build(
            product=product,
            district=district,
            day=day,
            source=source,
            average_price=price,
            min_price=price - 1_000,
            max_price=price + 1_000,
            volume=volume,
            samples=samples,
        )

    DailyPrice.objects.bulk_create(
        [
            daily("Đông Anh", "orders", 20_000, kg(10), 3),
            daily("Gia Lâm", "orders", 26_000, kg(30), 1),
            daily("Đông Anh", "market", 30_000, 0, 1),
            daily("Gia Lâm", "market", 33_000, 0, 2),
            daily("Đông Anh", "orders", 50_000, kg(1), 1, day=DAY - datetime.timedelta(3)),
        ]
    )
    points = price_history(product, unit="kg", since=DAY - datetime.timedelta(1))
    assert [(p.day, p.source, p.average_price, p.min_price, p.max_price) for p in points] == [
        # Market: by entries, (30 000 + 2 × 33 000) / 3; orders: by quantity, not by lines.
        (DAY, "market", 32_000, 29_000, 34_000),
        (DAY, "orders", 24_500, 19_000, 27_000),
    ]
    assert (points[1].volume, points[1].samples) == (Decimal("40.000"), 4)

    whole = price_history(product, unit="kg", district="Đông Anh")
    assert [(p.day, p.source, p.average_price) for p in whole] == [
        (DAY - datetime.timedelta(3), "orders", 50_000),
        (DAY, "market", 30_000),
        (DAY, "orders", 20_000),
    ]
    assert price_history(product, unit="tan") == []
    with pytest.raises(ValidationError):
        price_history(product, unit="bao")


def test_extension_staff_enter_prices_in_the_admin(client, surveyor, product):
    client.force_login(surveyor)
    assert client.get("/admin/marketplace/marketprice/").status_code == 200
    form = {
        "product": product.pk,
        "unit": "kg",
        "district": " Đông Anh ",
        "price_per_unit": 21_000,
        "observed_on": timezone.localdate().isoformat(),
    }
    response = client.post("/admin/marketplace/marketprice/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = MarketPrice.objects.get()
    assert (entry.recorded_by, entry.district) == (surveyor, "Đông Anh")
    assert DailyPrice.objects.get().average_price == 21_000

    for absurd in (0, 1):
        response = client.post(
            "/admin/marketplace/marketprice/add/", {**form, "price_per_unit": absurd}
        )
        assert response.status_code == 200 and MarketPrice.objects.count() == 1
        errors = response.context["adminform"].form.errors.as_data()["price_per_unit"]
        assert [error.code for error in errors] == ["implausible_price"]

    assert client.get("/admin/marketplace/dailyprice/").status_code == 200
    assert client.get("/admin/marketplace/dailyprice/add/").status_code == 403
    response = client.post(f"/admin/marketplace/marketprice/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not MarketPrice.objects.exists() and not DailyPrice.objects.exists()


def test_staff_who_are_not_surveyors_cannot_add_prices_in_the_admin(client, product):
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    assert client.get("/admin/marketplace/marketprice/add/").status_code == 403
    response = client.post(
        "/admin/marketplace/marketprice/add/",
        {"product": product.pk, "unit": "kg", "district": "Đông Anh", "price_per_unit": 1},
    )
    assert response.status_code == 403 and not MarketPrice.objects.exists()


def test_public_prices_hide_wholesale_deals_and_single_buyers(settings, gia_lam, product):
    settings.MARKET_PRICE_MIN_BUYERS = 2
    first, second = (
        Buyer.objects.create(
            kind=Buyer.Kind.RESTAURANT,
            name=name,
            district="Đông Anh",
            delivery_address="x",
            delivery_location=Point(105.85, 21.14, srid=4326),
        )
        for name in ("Quán A", "Quán B")
    )
    when = at(DAY, 12)
    completed_order(first, gia_lam, [(product, kg(10), 20_000)], when)
    aggregate_daily_prices(DAY)
    assert not DailyPrice.objects.filter(source="orders").exists()  # one buyer: private
    wholesale = completed_order(second, gia_lam, [(product, kg(50), 13_000)], when)
    wholesale.lines.update(wholesale=True)
    aggregate_daily_prices(DAY)
    assert not DailyPrice.objects.filter(source="orders").exists()  # wholesale: not public
    completed_order(second, gia_lam, [(product, kg(10), 22_000)], when)
    aggregate_daily_prices(DAY)
    published = DailyPrice.objects.get(source="orders")
    assert (published.min_price, published.max_price, published.samples) == (20_000, 22_000, 2)
