"""The market through the app's GraphQL API: same error and permission rules as the rest."""

from decimal import Decimal

import pytest
from graphql_relay import to_global_id

from marketplace.models import Offer
from tests import factories
from tests.factories import kg
from tests.marketplace.conftest import more_offers
from tests.mobile_api.conftest import Api, token_for

REGISTER = """
mutation($input: BuyerFieldsInput!) {
  registerBuyer(input: $input) { buyer { id name isVerifiedBusiness } errors { field code } }
}"""
SEARCH = """
query($text: String, $buyer: ID, $near: GeoJSON) {
  offers(text: $text, buyerId: $buyer, near: $near, first: 50) {
    edges { node {
      id pricePerUnit wholesalePricePerUnit distanceKm quantityAvailable
      product { nameVi } seller { name contactPhone streetAddress }
      lots { code scanPageUrl certification }
    } }
  }
}"""
CART = """
mutation($input: SetCartQuantityInput!) {
  setCartQuantity(input: $input) { cart { quantity } errors { field code message } }
}"""
CHECKOUT = """
mutation($input: CheckoutInput!) {
  checkout(input: $input) { orders { id code status total } errors { field code } }
}"""
MOVE = """
mutation($input: ChangeOrderStatusInput!) {
  changeOrderStatus(input: $input) {
    order { status nextStatuses lines { lots { code quantity scanPageUrl } } }
    errors { field code message }
  }
}"""
MY_ORDERS = """
query($role: Role) {
  myOrders(role: $role, first: 50) { edges { node {
    code status total nextStatuses buyer { name contactPhone } seller { name }
    lines { quantity unitPrice amount product { nameVi } lots { code } }
    history { toStatus by reason }
  } } }
}"""


@pytest.fixture
def chef_api(client, chef, rf):
    return Api(client, token_for(chef, rf))


@pytest.fixture
def buyer_id(buyer):
    return to_global_id("BuyerNode", buyer.pk)


def test_a_buyer_registers_through_the_api(chef_api):
    data = chef_api.ok(
        REGISTER,
        {
            "input": {
                "kind": "HOTEL",
                "name": "Khách sạn Hồ Gươm",
                "district": "Hoàn Kiếm",
                "deliveryAddress": "12 Lê Thái Tổ",
                "deliveryLocation": {"type": "Point", "coordinates": [105.852, 21.029]},
            }
        },
    )
    assert data["registerBuyer"]["buyer"]["name"] == "Khách sạn Hồ Gươm"
    refused = chef_api(
        REGISTER,
        {
            "input": {
                "kind": "HOTEL",
                "name": "Hotel in Paris",
                "district": "1er",
                "deliveryAddress": "Rue de Rivoli",
                "deliveryLocation": {"type": "Point", "coordinates": [2.35, 48.85]},
            }
        },
    )["data"]["registerBuyer"]
    assert refused == {
        "buyer": None,
        "errors": [{"field": "deliveryLocation", "code": "location_outside"}],
    }
    area = {
        "type": "Polygon",
        "coordinates": [[[105.8, 21.0], [105.9, 21.0], [105.9, 21.1], [105.8, 21.0]]],
    }
    not_a_point = chef_api(
        REGISTER,
        {
            "input": {
                "kind": "HOTEL",
                "name": "Khách sạn",
                "district": "Hoàn Kiếm",
                "deliveryLocation": area,
            }
        },
    )["data"]["registerBuyer"]
    assert not_a_point["errors"] == [{"field": "deliveryLocation", "code": "point_required"}]


def test_search_hides_private_seller_data_and_wholesale_prices(chef_api, offer, buyer_id, coop):
    offer.wholesale_price_per_unit, offer.wholesale_min_quantity = 15_000, kg(20)
    offer.save()
    (edge,) = chef_api.ok(SEARCH, {"text": "rau muong", "buyer": buyer_id})["offers"]["edges"]
    node = edge["node"]
    assert node["seller"] == {"name": coop.name, "contactPhone": None, "streetAddress": None}
    assert node["wholesalePricePerUnit"] is None
    assert 4 < node["distanceKm"] < 6
    (lot,) = node["lots"]
    assert lot["scanPageUrl"].endswith(f"/lot/{lot['code']}")


def test_order_journey_with_permissions(chef_api, api, stranger_api, offer, buyer_id, chef):
    offer_id = to_global_id("OfferNode", offer.pk)
    chef_api.ok(CART, {"input": {"buyerId": buyer_id, "offerId": offer_id, "quantity": "12"}})
    (order,) = chef_api.ok(CHECKOUT, {"input": {"buyerId": buyer_id, "fulfilment": "DELIVERY"}})[
        "checkout"
    ]["orders"]
    assert (order["status"], order["total"]) == ("PLACED", 240_000)

    def move(as_api, status, reason=""):
        return as_api(
            MOVE, {"input": {"orderId": order["id"], "status": status, "reason": reason}}
        )["data"]["changeOrderStatus"]

    assert move(chef_api, "CONFIRMED")["errors"][0]["code"] == "permission_denied"
    assert move(stranger_api, "CONFIRMED")["errors"] == [
        {"field": "orderId", "code": "not_found", "message": "Không tìm thấy."}
    ]
    confirmed = move(api, "CONFIRMED")
    assert confirmed["errors"] == []
    assert confirmed["order"]["nextStatuses"] == ["SHIPPED", "CANCELLED"]
    (lot,) = confirmed["order"]["lines"][0]["lots"]
    assert Decimal(str(lot["quantity"])) == 12
    assert move(api, "DELIVERED")["errors"][0]["code"] == "illegal_transition"
    assert move(api, "SHIPPED")["errors"] == []
    assert move(chef_api, "DELIVERED")["errors"] == []

    seller_view = api.ok(MY_ORDERS, {"role": "SELLER"})["myOrders"]["edges"]
    (node,) = [edge["node"] for edge in seller_view]
    assert node["buyer"] == {"name": "Nhà hàng Sen Hồ Tây", "contactPhone": "+84987654321"}
    assert node["nextStatuses"] == ["COMPLETED"]
    assert [h["toStatus"] for h in node["history"]] == [
        "PLACED",
        "CONFIRMED",
        "SHIPPED",
        "DELIVERED",
    ]
    assert stranger_api.ok(MY_ORDERS)["myOrders"]["edges"] == []


def test_cart_errors_are_typed_and_translated(chef_api, offer, buyer_id):
    offer_id = to_global_id("OfferNode", offer.pk)
    result = chef_api(CART, {"input": {"buyerId": buyer_id, "offerId": offer_id, "quantity": "99"}})
    (error,) = result["data"]["setCartQuantity"]["errors"]
    assert (error["field"], error["code"]) == ("quantity", "not_enough_stock")
    assert "Chỉ còn 40 kg" in error["message"]


# Whatever the page size: token, user, buyer, count, page, five prefetches, wholesale check.
SEARCH_QUERIES = 12
ORDER_QUERIES = 15  # and the lines' offers with their details


def test_offer_and_order_lists_use_a_constant_number_of_queries(
    chef_api, api, owner, coop, product, plot, offer, buyer_id, django_assert_max_num_queries
):
    offer_id = to_global_id("OfferNode", offer.pk)
    chef_api.ok(CART, {"input": {"buyerId": buyer_id, "offerId": offer_id, "quantity": "1"}})
    chef_api.ok(CHECKOUT, {"input": {"buyerId": buyer_id, "fulfilment": "DELIVERY"}})
    with django_assert_max_num_queries(SEARCH_QUERIES):
        chef_api.ok(SEARCH, {"buyer": buyer_id})
    more_offers(owner, coop, product, plot, 15)
    for _ in range(15):
        chef_api.ok(CART, {"input": {"buyerId": buyer_id, "offerId": offer_id, "quantity": "1"}})
        chef_api.ok(CHECKOUT, {"input": {"buyerId": buyer_id, "fulfilment": "DELIVERY"}})
    with django_assert_max_num_queries(SEARCH_QUERIES):
        offers = chef_api.ok(SEARCH, {"buyer": buyer_id})["offers"]["edges"]
    assert len(offers) == 16
    with django_assert_max_num_queries(ORDER_QUERIES):
        orders = api.ok(MY_ORDERS, {"role": "SELLER"})["myOrders"]["edges"]
    assert len(orders) == 16


UPDATE_OFFER = """
mutation($input: UpdateOfferInput!) {
  updateOffer(input: $input) {
    offer { pricePerUnit deliveryRadiusKm pickupPlace { name } } errors { field code }
  }
}"""


def test_updating_one_term_keeps_the_others(api, stranger_api, offer, coop):
    stall = factories.PlaceFactory(producer=coop, name="Quầy HTX")
    offer_id = to_global_id("OfferNode", offer.pk)
    place_id = to_global_id("PlaceNode", stall.pk)
    api.ok(UPDATE_OFFER, {"input": {"offerId": offer_id, "pickupPlaceId": place_id}})
    repriced = api.ok(UPDATE_OFFER, {"input": {"offerId": offer_id, "pricePerUnit": 22000}})
    assert repriced["updateOffer"]["offer"] == {
        "pricePerUnit": 22000,
        "deliveryRadiusKm": 20,
        "pickupPlace": {"name": "Quầy HTX"},
    }
    pickup_only = api.ok(UPDATE_OFFER, {"input": {"offerId": offer_id, "deliveryRadiusKm": 0}})
    assert pickup_only["updateOffer"]["offer"]["deliveryRadiusKm"] is None
    neither = api(UPDATE_OFFER, {"input": {"offerId": offer_id, "pickupPlaceId": ""}})
    assert neither["data"]["updateOffer"]["errors"] == [
        {"field": "deliveryRadiusKm", "code": "no_fulfilment"}
    ]
    refused = stranger_api(UPDATE_OFFER, {"input": {"offerId": offer_id, "pricePerUnit": 1}})
    assert refused["data"]["updateOffer"]["errors"][0]["code"] == "permission_denied"


def test_search_by_standard_and_sorted_by_price(chef_api, offer, buyer_id):
    query = """query($sort: OfferSort, $standard: CertificationScheme) {
      offers(sort: $sort, certification: $standard, first: 5) { edges { node { id } } } }"""
    by_price = chef_api.ok(query, {"sort": "PRICE"})["offers"]["edges"]
    assert len(by_price) == 1
    assert chef_api.ok(query, {"standard": "ORGANIC"})["offers"]["edges"] == []
    refused = chef_api(query, {"sort": "DISTANCE"})
    assert refused["errors"][0]["extensions"]["code"] == "no_location"


def test_orders_stay_readable_and_filterable_once_their_offer_is_sold_out(
    chef_api, api, offer, buyer_id
):
    offer_id = to_global_id("OfferNode", offer.pk)
    chef_api.ok(CART, {"input": {"buyerId": buyer_id, "offerId": offer_id, "quantity": "40"}})
    (order,) = chef_api.ok(CHECKOUT, {"input": {"buyerId": buyer_id, "fulfilment": "DELIVERY"}})[
        "checkout"
    ]["orders"]
    api.ok(MOVE, {"input": {"orderId": order["id"], "status": "CONFIRMED"}})  # takes it all
    query = """query($status: OrderStatus) { myOrders(status: $status, first: 5) {
      edges { node { code lines { offer { id quantityAvailable } } } } } }"""
    (edge,) = chef_api.ok(query, {"status": "CONFIRMED"})["myOrders"]["edges"]
    assert edge["node"]["lines"][0]["offer"] == {"id": offer_id, "quantityAvailable": "0.000"}
    assert chef_api.ok(query, {"status": "PLACED"})["myOrders"]["edges"] == []


def test_nulls_and_nonsense_get_typed_errors(chef_api, offer, buyer_id):
    offer_id = to_global_id("OfferNode", offer.pk)
    nan = chef_api(CART, {"input": {"buyerId": buyer_id, "offerId": offer_id, "quantity": "sNaN"}})
    assert nan["data"]["setCartQuantity"]["errors"][0]["code"] == "invalid_quantity"
    chef_api.ok(CART, {"input": {"buyerId": buyer_id, "offerId": offer_id, "quantity": "2"}})
    placed = chef_api.ok(
        CHECKOUT, {"input": {"buyerId": buyer_id, "fulfilment": "DELIVERY", "note": None}}
    )["checkout"]["orders"][0]
    moved = chef_api(
        MOVE, {"input": {"orderId": placed["id"], "status": "CANCELLED", "reason": None}}
    )
    assert moved["data"]["changeOrderStatus"]["errors"] == []
    wrong = chef_api(SEARCH, {"buyer": "not-an-id"})
    assert wrong["errors"][0]["extensions"]["code"] == "not_found"


def test_the_seller_sees_its_own_wholesale_price_and_can_remove_it(api, offer):
    offer.wholesale_price_per_unit = 15_000
    offer.save()
    offer_id = to_global_id("OfferNode", offer.pk)
    query = "query($id: ID!) { node(id: $id) { ... on OfferNode { wholesalePricePerUnit } } }"
    assert api.ok(query, {"id": offer_id})["node"]["wholesalePricePerUnit"] == 15_000
    update = """mutation($input: UpdateOfferInput!) { updateOffer(input: $input) {
      offer { wholesalePricePerUnit } errors { code } } }"""
    removed = api.ok(update, {"input": {"offerId": offer_id, "wholesalePricePerUnit": 0}})
    assert removed["updateOffer"]["offer"]["wholesalePricePerUnit"] is None


def test_shipped_orders_list_their_next_steps_without_a_query_each(
    api, chef, buyer, owner, offer, django_assert_max_num_queries
):
    """A shipped order's seller may cancel only if a lot was recalled: that check reads
    the prefetched lots."""
    from marketplace.services.cart import checkout, set_cart_quantity
    from marketplace.services.orders import change_status

    def shipped_orders(count):
        for _ in range(count):
            set_cart_quantity(chef, buyer, offer, Decimal(1))
            (order,) = checkout(chef, buyer, fulfilment="delivery")
            change_status(owner, order, "confirmed")
            change_status(owner, order, "shipped")

    shipped_orders(1)
    with django_assert_max_num_queries(ORDER_QUERIES + 2):  # and the lots' rows
        api.ok(MY_ORDERS, {"role": "SELLER"})
    shipped_orders(5)
    with django_assert_max_num_queries(ORDER_QUERIES + 2):
        edges = api.ok(MY_ORDERS, {"role": "SELLER"})["myOrders"]["edges"]
    assert [edge["node"]["nextStatuses"] for edge in edges] == [[]] * 6


CART_QUERY = """query($buyer: ID!) { cart(buyerId: $buyer) {
  quantity offer { pricePerUnit product { nameVi } seller { name } lots { code } } } }"""
CART_QUERIES = 8  # token, user, buyer, the lines, the offers and their details


def test_the_cart_costs_the_same_queries_for_one_or_many_lines(
    chef_api, owner, coop, product, plot, offer, buyer_id, django_assert_max_num_queries
):
    chef_api.ok(
        CART,
        {
            "input": {
                "buyerId": buyer_id,
                "offerId": to_global_id("OfferNode", offer.pk),
                "quantity": "1",
            }
        },
    )
    with django_assert_max_num_queries(CART_QUERIES):
        assert len(chef_api.ok(CART_QUERY, {"buyer": buyer_id})["cart"]) == 1
    more_offers(owner, coop, product, plot, 5)
    for other in Offer.objects.exclude(pk=offer.pk):
        line = {
            "buyerId": buyer_id,
            "offerId": to_global_id("OfferNode", other.pk),
            "quantity": "1",
        }
        chef_api.ok(CART, {"input": line})
    with django_assert_max_num_queries(CART_QUERIES):
        assert len(chef_api.ok(CART_QUERY, {"buyer": buyer_id})["cart"]) == 6


def test_a_query_refusal_carries_its_code_like_a_mutation_error(chef_api):
    missing = to_global_id("OfferNode", 987654)
    refused = chef_api("query($id: ID!) { offer(id: $id) { id } }", {"id": missing})
    (error,) = refused["errors"]
    assert error["extensions"] == {"code": "not_found", "field": "offerId"}
    assert error["message"] == "Không tìm thấy."
