"""Offer search: without diacritics, by standard, price, date, and distance."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone

from marketplace.services.offers import LotShare, create_offer, update_offer
from marketplace.services.search import OfferSearch, SortOrder, search_offers
from tests import factories
from tests.factories import kg, moment, square
from tests.marketplace.conftest import offer_terms
from traceability.services.batches import create_batch, recall_batch

HANOI = (105.80, 21.00)


def km_east(km: float) -> Point:
    return Point(HANOI[0] + km / 104.0, HANOI[1], srid=4326)


def farm_offer(owner, producer, product, km: float, price: int, certification=None, **terms):
    """An offer whose field lies ``km`` east of central Hà Nội."""
    field = factories.PlotFactory(
        producer=producer, geometry=square(HANOI[0] + km / 104.0, HANOI[1], 40)
    )
    if certification:
        certification.plots.add(field)
    lot = create_batch(
        owner,
        producer=producer,
        product=product,
        plots=[field],
        harvested_at=moment(1),
        quantity=kg(100),
    )
    return create_offer(
        owner,
        producer=producer,
        product=product,
        shares=[LotShare(lot, kg(50))],
        **offer_terms(price_per_unit=price, **terms),
    )


@pytest.fixture
def water_spinach(db):
    return factories.ProductFactory(name_vi="Rau muống", name_en="Water spinach")


@pytest.fixture
def mustard(db):
    return factories.ProductFactory(name_vi="Cải ngọt", name_en="Choy sum")


def test_typing_without_diacritics_finds_the_vietnamese_name(owner, coop, water_spinach, mustard):
    spinach = farm_offer(owner, coop, water_spinach, 3, 15_000)
    farm_offer(owner, coop, mustard, 3, 18_000)
    for text in ("rau muong", "RAU MUỐNG", "muong", "water spin"):
        found = list(search_offers(OfferSearch(text=text)))
        assert found == [spinach], text
    assert len(search_offers(OfferSearch(text="cai ngot"))) == 1


def test_nearest_first_within_the_radius_with_distances(owner, coop, water_spinach):
    far = farm_offer(owner, coop, water_spinach, 25, 10_000)
    near = farm_offer(owner, coop, water_spinach, 2, 30_000)
    farm_offer(owner, coop, water_spinach, 60, 5_000)  # beyond 30 km

    found = list(search_offers(OfferSearch(near=km_east(0), within_km=30)))

    assert found == [near, far]
    assert found[0].distance.km == pytest.approx(2, abs=0.2)
    assert found[1].distance.km == pytest.approx(25, abs=0.5)
    by_price = list(search_offers(OfferSearch(near=km_east(0), sort=SortOrder.PRICE)))
    assert by_price == [far, near]


def test_delivers_to_me_keeps_offers_whose_area_covers_the_buyer(owner, coop, water_spinach):
    covers = farm_offer(owner, coop, water_spinach, 8, 20_000, delivery_radius_km=10)
    farm_offer(owner, coop, water_spinach, 12, 20_000, delivery_radius_km=10)
    found = search_offers(OfferSearch(near=km_east(0), delivers_to_me=True))
    assert list(found) == [covers]


def test_filters_by_standard_price_and_date(owner, coop, water_spinach):
    today = timezone.localdate()
    vietgap = factories.CertificationFactory(producer=coop)
    certified = farm_offer(owner, coop, water_spinach, 1, 25_000, certification=vietgap)
    cheap = farm_offer(owner, coop, water_spinach, 1, 12_000)
    later = farm_offer(
        owner,
        coop,
        water_spinach,
        1,
        20_000,
        available_from=today + datetime.timedelta(days=8),
        available_to=today + datetime.timedelta(days=9),  # its lot's use-by date
    )
    assert list(search_offers(OfferSearch(certification=vietgap.scheme))) == [certified]
    assert list(search_offers(OfferSearch(max_price=15_000))) == [cheap]
    next_week = today + datetime.timedelta(days=8)
    assert list(search_offers(OfferSearch(available_on=next_week))) == [later]


def test_recalled_paused_and_sold_out_offers_are_not_found(
    owner, coop, water_spinach, django_capture_on_commit_callbacks
):
    recalled = farm_offer(owner, coop, water_spinach, 1, 20_000)
    paused = farm_offer(owner, coop, water_spinach, 1, 20_000)
    shown = farm_offer(owner, coop, water_spinach, 1, 20_000)
    with django_capture_on_commit_callbacks(execute=True):
        recall_batch(owner, recalled.batches.get(), "Nghi nhiễm khuẩn")
    update_offer(owner, paused, status="paused")
    assert list(search_offers(OfferSearch(product=water_spinach))) == [shown]
    recalled.refresh_from_db()
    assert recalled.status == "closed"  # the recall took it off the market


def test_bad_search_input_is_refused_with_codes():
    cases = {
        "radius": OfferSearch(within_km=5000),
        "invalid_choice": OfferSearch(certification="fake"),
        "no_location": OfferSearch(sort=SortOrder.DISTANCE),
        "location_outside": OfferSearch(near=Point(2.35, 48.85, srid=4326)),
    }
    for code, search in cases.items():
        with pytest.raises(ValidationError) as error:
            list(search_offers(search))
        assert {e.code for es in error.value.error_dict.values() for e in es} == {code}


def test_offers_check_their_lots(owner, coop, water_spinach, harvested):
    elsewhere = factories.ProducerFactory()
    foreign = create_batch(
        factories.member(factories.UserFactory(), elsewhere),
        producer=elsewhere,
        product=harvested.product,
        plots=[factories.PlotFactory(producer=elsewhere)],
        harvested_at=moment(1),
        quantity=kg(10),
    )
    cases = [
        (dict(product=harvested.product, shares=[LotShare(foreign, kg(5))]), "foreign_lot"),
        (dict(product=water_spinach, shares=[LotShare(harvested, kg(5))]), "lot_mismatch"),
        (
            dict(product=harvested.product, shares=[LotShare(harvested, kg(500))]),
            "quantity_exceeds_stock",
        ),
        (dict(product=harvested.product, shares=[]), "no_lots"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ValidationError) as error:
            create_offer(owner, producer=coop, **kwargs, **offer_terms())
        assert {e.code for es in error.value.error_dict.values() for e in es} == {code}
    create_offer(
        owner,
        producer=coop,
        product=harvested.product,
        shares=[LotShare(harvested, kg(60))],
        **offer_terms(),
    )
    with pytest.raises(ValidationError) as twice:
        create_offer(
            owner,
            producer=coop,
            product=harvested.product,
            shares=[LotShare(harvested, kg(10))],
            **offer_terms(),
        )
    assert twice.value.error_dict["batches"][0].code == "lot_on_other_offer"


def test_a_cooperative_sells_its_members_lots_and_not_a_strangers(owner, coop, product):
    member_farm = factories.ProducerFactory(kind="household", cooperative=coop)
    member_owner = factories.member(factories.UserFactory(), member_farm)
    lot = create_batch(
        member_owner,
        producer=member_farm,
        product=product,
        plots=[factories.PlotFactory(producer=member_farm)],
        harvested_at=moment(1),
        quantity=kg(30),
    )
    offer = create_offer(
        owner, producer=coop, product=product, shares=[LotShare(lot, kg(30))], **offer_terms()
    )
    assert offer.quantity_available == Decimal(30)
    with pytest.raises(ValidationError) as error:
        create_offer(
            member_owner,
            producer=member_farm,
            product=product,
            shares=[LotShare(lot, kg(1))],
            **offer_terms(),
        )
    assert error.value.error_dict["batches"][0].code == "lot_on_other_offer"
