"""A sale continues the lot's trace: EPCIS export names source and destination, and stays
valid against GS1's official schema; the public page shows no buyer's name."""

from decimal import Decimal

from marketplace.models import Order
from marketplace.services.cart import checkout, set_cart_quantity
from marketplace.services.orders import change_status
from traceability import epcis
from traceability.models import Party
from traceability.services.trace import load_trace


def sold(owner, chef, buyer, offer) -> Order:
    set_cart_quantity(chef, buyer, offer, Decimal(5))
    (order,) = checkout(chef, buyer, fulfilment="delivery")
    for actor, status in [(owner, "confirmed"), (owner, "shipped"), (chef, "delivered")]:
        change_status(actor, order, status)
    return order


def test_the_sold_lot_exports_valid_epcis_with_the_parties(
    validator,
    owner,
    chef,
    buyer,
    offer,
    harvested,
):
    order = sold(owner, chef, buyer, offer)
    document = epcis.document(load_trace(harvested))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    shipping, receiving = document["epcisBody"]["eventList"][-2:]
    assert shipping["bizStep"] == "shipping" and receiving["bizStep"] == "receiving"
    partner = Party.objects.get(buyer_uuid=buyer.uuid)  # the buyer, as a trading partner
    assert shipping["destinationList"] == [
        {"type": "owning_party", "destination": epcis.party_uri(partner)}
    ]
    assert receiving["sourceList"][0]["source"] == epcis.party_uri(harvested.producer)
    assert receiving["destinationList"][0]["destination"] == epcis.party_uri(partner)
    assert receiving[f"{epcis.PREFIX}:actor"] == epcis.party_uri(partner)  # the buyer received
    assert receiving[f"{epcis.PREFIX}:order"] == order.code


def test_the_scan_page_shows_the_sale_without_the_buyers_identity(
    client, owner, chef, buyer, offer, harvested
):
    sold(owner, chef, buyer, offer)
    page = client.get(f"/lot/{harvested.code}").content.decode()
    assert buyer.name not in page and buyer.delivery_address not in page
    assert buyer.contact_phone not in page
