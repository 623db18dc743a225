"""GraphQL for prices: daily history, the seasonal outlook, and market surveys.

Prices are public knowledge for anyone signed in (farmers decide what to plant and when
to sell with them); only extension staff record survey prices.
"""

import datetime

import graphene
from django.utils import timezone
from graphene_django import DjangoObjectType

from backend.graphql.errors import not_found
from backend.graphql.scalars import choices_enum
from farms.models import Product
from farms.schema import PlaceNode, ProductNode, place_by_id  # noqa: F401 (types the fields use)
from farms.schema_access import model_pk, signed_in_user
from marketplace.models import DailyPrice, MarketPrice
from marketplace.schema.errors import MarketplaceMutation
from marketplace.services import outlook, prices

MAX_HISTORY = datetime.timedelta(days=5 * 366)  # one request never reads more than this

PriceSourceEnum = choices_enum(
    "PriceSource",
    DailyPrice.Source.values,
    description="Completed orders on the platform, or a market survey by extension staff.",
)


def product_for(reference: str, field: str = "product") -> Product:
    """A product by its catalogue code (e.g. ``rau-muong``) or its ProductNode id."""
    product = Product.objects.filter(code=reference).first()
    if product is None:
        product = Product.objects.filter(pk=model_pk(reference, "ProductNode", field)).first()
    if product is None:
        raise not_found(field)
    return product


def _read(info, reference: str, unit: str | None):
    """The signed-in check, the product, and the unit (default: the product's)."""
    signed_in_user(info)
    product = product_for(reference)
    return product, prices.checked_unit(unit or product.unit)


class PricePointType(graphene.ObjectType):
    """One day's price from one source."""

    class Meta:
        name = "PricePoint"

    day = graphene.Date(required=True)
    source = PriceSourceEnum(required=True)
    average_price = graphene.Int(
        required=True, description="VND per unit; orders: weighted by quantity."
    )
    min_price = graphene.Int(required=True)
    max_price = graphene.Int(required=True)
    volume = graphene.Decimal(
        required=True, description="Quantity sold in completed orders (0 for market surveys)."
    )
    samples = graphene.Int(required=True, description="Order lines or survey entries.")


class OutlookWeekType(graphene.ObjectType):
    class Meta:
        name = "OutlookWeek"

    year = graphene.Int(required=True, description="ISO year.")
    week = graphene.Int(required=True, description="ISO week.")
    starts_on = graphene.Date(required=True)
    expected_price = graphene.Int(description="VND per unit; null without enough data.")
    typical_volume = graphene.Decimal(description="Null without enough data.")
    years = graphene.Int(required=True, description="Past years with prices for this week.")


class PriceOutlookType(graphene.ObjectType):
    class Meta:
        name = "PriceOutlook"

    unit = graphene.String(required=True)
    district = graphene.String()
    weeks = graphene.List(graphene.NonNull(OutlookWeekType), required=True)
    years_of_data = graphene.Int(required=True)
    trend_per_year = graphene.Int(description="VND per unit per year; null under two years.")
    enough_data = graphene.Boolean(required=True)
    method = graphene.String(required=True, description="How it is computed, in plain words.")


class Query(graphene.ObjectType):
    price_history = graphene.List(
        graphene.NonNull(PricePointType),
        required=True,
        product=graphene.ID(required=True, description="A ProductNode id or a product code."),
        unit=graphene.String(description="Default: the product's unit."),
        district=graphene.String(description="Default: all districts together."),
        since=graphene.Date(description="Default: the last 90 days; at most five years back."),
        description="Daily prices, oldest first: completed orders and market surveys apart.",
    )
    price_outlook = graphene.Field(
        PriceOutlookType,
        required=True,
        product=graphene.ID(required=True, description="A ProductNode id or a product code."),
        unit=graphene.String(description="Default: the product's unit."),
        district=graphene.String(description="Default: all districts together."),
        description="Expected prices and supply for this week and the next seven.",
    )

    def resolve_price_history(root, info, product, unit=None, district=None, since=None):
        product, unit = _read(info, product, unit)
        today = timezone.localdate()
        since = max(
            since or today - datetime.timedelta(days=prices.HISTORY_DAYS - 1), today - MAX_HISTORY
        )
        return prices.price_history(product, unit=unit, district=district, since=since)

    def resolve_price_outlook(root, info, product, unit=None, district=None):
        product, unit = _read(info, product, unit)
        return outlook.seasonal_outlook(product, unit=unit, district=district)


class MarketPriceType(DjangoObjectType):
    price_per_unit = graphene.Int(required=True, description="Whole VND.")

    class Meta:
        model = MarketPrice
        fields = ("product", "unit", "district", "place", "price_per_unit", "observed_on")


class RecordMarketPriceInput(graphene.InputObjectType):
    product_id = graphene.ID(required=True, description="A ProductNode id or a product code.")
    unit = graphene.String(description="Default: the product's unit.")
    district = graphene.String(required=True)
    place_id = graphene.ID(description="The market (a PlaceNode), if it is in the list.")
    price_per_unit = graphene.Int(required=True, description="Whole VND.")
    observed_on = graphene.Date(required=True)
    price_confirmed = graphene.Boolean(
        default_value=False,
        description="The surveyor confirms a price refused as unusual_price.",
    )


class RecordMarketPrice(MarketplaceMutation):
    """Extension staff note a price seen at a market."""

    market_price = graphene.Field(MarketPriceType)

    class Arguments:
        input = RecordMarketPriceInput(required=True)

    @classmethod
    def perform(cls, info, data):
        prices.require_price_surveyor(info.context.user)  # before saying what exists
        product = product_for(data["product_id"], "productId")
        place = place_by_id(info, data.get("place_id"))
        entry = prices.record_market_price(
            info.context.user,
            product=product,
            unit=data.get("unit") or product.unit,
            district=data["district"],
            price_per_unit=data["price_per_unit"],
            observed_on=data["observed_on"],
            place=place,
            price_confirmed=data["price_confirmed"],
        )
        return {"market_price": entry}


class Mutation(graphene.ObjectType):
    record_market_price = RecordMarketPrice.Field()
