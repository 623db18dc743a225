"""A lot claims a certificate only within its scope: the plots and products it lists, in
force (not suspended), within its volume; organic only when every input on the land in the
conversion period is one the standard permits. An offer claims a standard only when all
its lots do."""

import pytest
from django.core.exceptions import ValidationError

from farms.models import AgriculturalInput, Certification
from farms.services import check_certified_area
from marketplace.services.offers import LotShare, create_offer
from marketplace.services.search import OfferSearch, search_offers
from tests.factories import CertificationFactory, ProductFactory, harvested_lot, kg, moment
from tests.marketplace.conftest import offer_terms
from traceability.services.batches import create_batch
from traceability.services.events import InputUse, record_event
from traceability.steps import BusinessStep as Step


@pytest.fixture
def vietgap(coop, plot, product):
    certificate = CertificationFactory(producer=coop, products=[product], max_volume_kg=150)
    certificate.plots.add(plot)
    return certificate


def test_a_lot_claims_only_within_the_certificates_scope(owner, coop, plot, product, vietgap):
    pomelo = ProductFactory(code="buoi", name_vi="Bưởi", max_yield_per_ha=None)

    listed = harvested_lot(owner, coop, plot, product, days_ago=3, quantity=100)
    other_crop = harvested_lot(owner, coop, plot, pomelo, days_ago=3, quantity=10)
    over_volume = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=60)

    assert listed.certification == vietgap
    assert other_crop.certification is None  # pomelo is not in its scope
    assert over_volume.certification is None  # 100 + 60 kg > 150 kg certified


def test_a_suspended_certificate_is_claimed_by_nothing_new(
    client, owner, coop, plot, product, vietgap
):
    before = harvested_lot(owner, coop, plot, product, days_ago=3, quantity=40)
    vietgap.status, vietgap.status_note = Certification.Status.SUSPENDED, "Đánh giá giám sát"
    vietgap.save()

    after = harvested_lot(owner, coop, plot, product, days_ago=1, quantity=40)

    assert before.certification == vietgap and after.certification is None
    assert not vietgap.is_valid_on(moment(0).date())
    page = client.get(f"/lot/{before.code}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "suspended or withdrawn by its certifying body" in page


@pytest.fixture
def organic(coop, plot, product):
    certificate = CertificationFactory(
        producer=coop, scheme=Certification.Scheme.ORGANIC, products=[product]
    )
    certificate.plots.add(plot)
    return certificate


def grown_with(owner, coop, plot, product, input_use):
    crop = create_batch(owner, producer=coop, product=product, plots=[plot])
    record_event(owner, crop, Step.FERTILIZING, occurred_at=moment(20), inputs=[input_use])
    record_event(owner, crop, Step.HARVESTING, occurred_at=moment(1), quantity=kg(20))
    crop.refresh_from_db()
    return crop


def test_organic_holds_only_with_permitted_inputs(owner, coop, plot, product, organic):
    compost = AgriculturalInput.objects.create(
        name="Phân hữu cơ vi sinh Sông Gianh", kind="fertilizer", allowed_in_organic=True
    )
    urea = AgriculturalInput.objects.create(name="Đạm Urê Phú Mỹ", kind="fertilizer")

    with_compost = grown_with(owner, coop, plot, product, InputUse(agricultural_input=compost))
    assert with_compost.certification == organic
    with_urea = grown_with(owner, coop, plot, product, InputUse(agricultural_input=urea))
    assert with_urea.certification is None
    # The urea is now on the land: the next harvest there cannot claim organic either.
    next_cutting = harvested_lot(owner, coop, plot, product, days_ago=0.5, quantity=10)
    assert next_cutting.certification is None


def test_an_unknown_input_cannot_support_an_organic_claim(owner, coop, plot, product, organic):
    lot = grown_with(owner, coop, plot, product, InputUse(name="Phân bón lá không rõ nguồn"))
    assert lot.certification is None


def test_the_plots_may_not_exceed_the_certified_area(plot):
    with pytest.raises(ValidationError):
        check_certified_area([plot], plot.area_m2 / 10_000 / 2)
    check_certified_area([plot], plot.area_m2 / 10_000)


def test_an_offer_is_certified_only_if_all_its_lots_are(owner, coop, plot, product, vietgap):
    from tests.factories import PlotFactory

    certified = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=40)
    also_certified = harvested_lot(owner, coop, plot, product, days_ago=2, quantity=40)
    uncovered = harvested_lot(owner, coop, PlotFactory(producer=coop), product, quantity=40)
    mixed = create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(certified, kg(20)), LotShare(uncovered, kg(20))],
        **offer_terms(),
    )
    pure = create_offer(
        owner,
        producer=coop,
        product=product,
        shares=[LotShare(also_certified, kg(10))],
        **offer_terms(),
    )

    assert (mixed.certification, pure.certification) == ("", "VietGAP")
    assert list(search_offers(OfferSearch(certification="vietgap"))) == [pure]
    vietgap.status = Certification.Status.SUSPENDED
    vietgap.save()
    assert list(search_offers(OfferSearch(certification="vietgap"))) == []
