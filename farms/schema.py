"""GraphQL for producers, their plots and the catalogues."""

import graphene
from graphene import relay
from graphene_django import DjangoObjectType

from accounts.error_codes import AccountsErrorCode
from backend.graphql.errors import error_type, not_found
from backend.graphql.mutations import app_mutation, given
from backend.graphql.scalars import GeoJSON
from farms import services, soil
from farms.error_codes import FarmsErrorCode
from farms.models import (
    AgriculturalInput,
    Certification,
    Membership,
    Place,
    Plot,
    Producer,
    Product,
    SoilSample,
)
from farms.permissions import member_farms_of_my_cooperatives
from farms.schema_access import get_for, producer_ids, signed_in_user

FarmsMutation = app_mutation(error_type("FarmsError", AccountsErrorCode, FarmsErrorCode))

PRIVATE_PRODUCER_FIELDS = ("street_address", "contact_name", "contact_phone", "contact_email")
CATALOGUE_LIMIT = 1000


def producer_by_id(info, reference: str, field: str = "producerId") -> Producer:
    """A producer by Relay id or client UUID (public: any producer can be named)."""
    return get_for(info, Producer.objects.all(), reference, "ProducerNode", field, owned=False)


def product_by_id(info, reference: str, field: str = "productId") -> Product:
    return get_for(info, Product.objects.all(), reference, "ProductNode", field, owned=False)


def place_by_id(info, reference: str | None, field: str = "placeId") -> Place | None:
    """A place, or None when no reference is given."""
    if not reference:
        return None
    return get_for(info, Place.objects.all(), reference, "PlaceNode", field, owned=False)


def _private(field: str):
    def resolve(producer, info):
        return getattr(producer, field) if producer.pk in producer_ids(info) else None

    return resolve


class ProducerNode(DjangoObjectType):
    """A farm household, cooperative or enterprise. Contacts and the street address are
    shown only to those who act for it."""

    location = GeoJSON()
    # Nullable: null for anyone who does not act for the producer.
    registration_code = graphene.String()
    street_address = graphene.String()
    contact_name = graphene.String()
    contact_phone = graphene.String()
    contact_email = graphene.String()

    class Meta:
        model = Producer
        interfaces = (relay.Node,)
        fields = (
            "uuid",
            "kind",
            "name",
            "registration_code",
            "gln",
            "description",
            "commune",
            "district",
            "province",
            "cooperative",
            *PRIVATE_PRODUCER_FIELDS,
        )

    resolve_street_address = _private("street_address")
    resolve_contact_name = _private("contact_name")
    resolve_contact_phone = _private("contact_phone")
    resolve_contact_email = _private("contact_email")

    def resolve_registration_code(producer, info):
        if producer.pk in producer_ids(info):
            return producer.registration_code
        return producer.public_registration_code or None

    def resolve_location(producer, info):
        return producer.location if producer.pk in producer_ids(info) else None


class ProductNode(DjangoObjectType):
    name = graphene.String(required=True, description="In the request's language.")

    class Meta:
        model = Product
        interfaces = (relay.Node,)
        fields = ("code", "name_vi", "name_en", "category", "unit", "gtin", "shelf_life_days")

    def resolve_name(product, info):
        return product.name


class AgriculturalInputNode(DjangoObjectType):
    class Meta:
        model = AgriculturalInput
        interfaces = (relay.Node,)
        fields = ("name", "kind", "active_ingredient", "pre_harvest_interval_days")


class PlaceNode(DjangoObjectType):
    class Meta:
        model = Place
        interfaces = (relay.Node,)
        fields = ("kind", "name", "location_code", "gln", "commune", "district", "province")


class CertificationType(DjangoObjectType):
    class Meta:
        model = Certification
        fields = ("scheme", "number", "issued_by", "valid_from", "valid_to")


class SoilSampleType(DjangoObjectType):
    """A soil test as the laboratory reported it, with its plain reading."""

    advice = graphene.List(graphene.NonNull(graphene.String), required=True)

    class Meta:
        model = SoilSample
        fields = (
            "id",
            "sampled_on",
            "laboratory",
            "ph",
            "organic_matter",
            "nitrogen",
            "phosphorus",
            "potassium",
            "salinity",
            "note",
        )

    def resolve_advice(sample, info):
        return soil.soil_advice(sample)


class PlotNode(DjangoObjectType):
    geometry = GeoJSON(required=True)
    soil_samples = graphene.List(
        graphene.NonNull(SoilSampleType), required=True, description="Newest first."
    )
    handed_over_to = graphene.String(description="Who holds the land now, once handed over.")

    class Meta:
        model = Plot
        interfaces = (relay.Node,)
        fields = (
            "uuid",
            "name",
            "location_code",
            "gln",
            "area_m2",
            "crop",
            "producer",
            "certifications",
        )

    @classmethod
    def get_queryset(cls, queryset, info):
        visible = producer_ids(info)
        if getattr(queryset, "_result_cache", None) is not None:  # prefetched by the list
            return [plot for plot in queryset if plot.producer_id in visible]
        return queryset.filter(producer_id__in=visible)

    def resolve_certifications(plot, info):
        return plot.certifications.all()

    def resolve_soil_samples(plot, info):
        return plot.soil_samples.all()

    def resolve_handed_over_to(plot, info):
        handover = getattr(plot, "handover", None)
        return handover.to_producer.name if handover else None


class ProducerRole(graphene.ObjectType):
    producer = graphene.Field(ProducerNode, required=True)
    role = graphene.String(required=True)
    through = graphene.Field(
        ProducerNode, description="For a member farm: the cooperative I act for it through."
    )


class Query(graphene.ObjectType):
    my_producers = graphene.List(graphene.NonNull(ProducerRole), required=True)
    my_plots = graphene.List(graphene.NonNull(PlotNode), required=True, producer_id=graphene.ID())
    crops = graphene.List(graphene.NonNull(ProductNode), required=True)
    agricultural_inputs = graphene.List(graphene.NonNull(AgriculturalInputNode), required=True)
    places = graphene.List(graphene.NonNull(PlaceNode), required=True)

    def resolve_my_producers(root, info):
        signed_in_user(info)
        user = info.context.user
        memberships = Membership.objects.filter(user=user).select_related("producer__cooperative")
        mine = [ProducerRole(producer=m.producer, role=m.role) for m in memberships]
        members = (
            member_farms_of_my_cooperatives(user)
            .exclude(memberships__user=user)
            .select_related("cooperative")
            .order_by("name")
        )
        through = [
            ProducerRole(producer=p, role="cooperative", through=p.cooperative) for p in members
        ]
        return mine + through

    def resolve_my_plots(root, info, producer_id=None):
        signed_in_user(info)
        plots = (
            Plot.objects.filter(producer_id__in=producer_ids(info))
            .select_related("crop", "producer", "handover__to_producer")
            .prefetch_related("certifications", "soil_samples")
            .order_by("producer", "name")
        )
        if producer_id:
            plots = plots.filter(producer=producer_by_id(info, producer_id))
        return plots[:CATALOGUE_LIMIT]

    def resolve_crops(root, info):
        return Product.objects.all()[:CATALOGUE_LIMIT]

    def resolve_agricultural_inputs(root, info):
        return AgriculturalInput.objects.all()[:CATALOGUE_LIMIT]

    def resolve_places(root, info):
        return Place.objects.all()[:CATALOGUE_LIMIT]


# The fields a producer's own staff may edit, as the service defines them.
ProducerFieldsInput = type(
    "ProducerFieldsInput",
    (graphene.InputObjectType,),
    {name: graphene.String() for name in services.PRODUCER_FIELDS},
)


class RegisterProducerInput(ProducerFieldsInput):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    kind = graphene.String(required=True)
    name = graphene.String(required=True)
    commune = graphene.String(required=True)
    district = graphene.String(required=True)
    cooperative_id = graphene.ID(description="Register a member farm of this cooperative.")


class RegisterProducer(FarmsMutation):
    producer = graphene.Field(ProducerNode)

    class Arguments:
        input = RegisterProducerInput(required=True)

    @classmethod
    def perform(cls, info, data):
        data = given(data)
        cooperative_id = data.pop("cooperative_id", None)
        cooperative = (
            producer_by_id(info, cooperative_id, "cooperativeId") if cooperative_id else None
        )
        producer = services.register_producer(
            info.context.user,
            cooperative=cooperative,
            producer_uuid=data.pop("client_id", None),
            **data,
        )
        return {"producer": producer}


class UpdateProducerInput(ProducerFieldsInput):
    id = graphene.ID(required=True)


class UpdateProducer(FarmsMutation):
    producer = graphene.Field(ProducerNode)

    class Arguments:
        input = UpdateProducerInput(required=True)

    @classmethod
    def perform(cls, info, data):
        data = given(data)
        producer = producer_by_id(info, data.pop("id"), "id")
        return {"producer": services.update_producer(info.context.user, producer, **data)}


class SavePlotInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    id = graphene.ID(description="The plot to change; leave out to create one.")
    producer_id = graphene.ID(required=True)
    name = graphene.String(required=True)
    geometry = GeoJSON(required=True, description="The boundary walked with the phone's GPS.")
    crop_id = graphene.ID()
    gln = graphene.String(default_value="")


class SavePlot(FarmsMutation):
    plot = graphene.Field(PlotNode)

    class Arguments:
        input = SavePlotInput(required=True)

    @classmethod
    def perform(cls, info, data):
        producer = producer_by_id(info, data["producer_id"])
        plot = (
            get_for(info, Plot.objects.all(), data["id"], "PlotNode", "id")
            if data.get("id")
            else None
        )
        crop = product_by_id(info, data["crop_id"], "cropId") if data.get("crop_id") else None
        saved = services.save_plot(
            info.context.user,
            producer,
            name=data["name"],
            geometry=data["geometry"],
            crop=crop,
            gln=data["gln"],
            plot=plot,
            plot_uuid=data.get("client_id"),
        )
        return {"plot": saved}


class HandOverPlotInput(graphene.InputObjectType):
    plot_id = graphene.ID(required=True)
    to_registration_code = graphene.String(
        required=True, description="The new holder's registration code (ask them for it)."
    )
    note = graphene.String(default_value="", description="E.g. the lease that ended.")


class HandOverPlot(FarmsMutation):
    """The land of a plot goes to another producer, who may then register it; its history
    stays with the land. Sending it again is safe."""

    plot = graphene.Field(PlotNode)

    class Arguments:
        input = HandOverPlotInput(required=True)

    @classmethod
    def perform(cls, info, data):
        plot = get_for(info, Plot.objects.all(), data["plot_id"], "PlotNode", "plotId")
        code = data["to_registration_code"].strip()
        to_producer = Producer.objects.filter(registration_code=code).first() if code else None
        if to_producer is None:
            raise not_found("toRegistrationCode")
        services.hand_over_plot(info.context.user, plot, to_producer, data["note"])
        return {"plot": plot}


class RecordSoilSampleInput(graphene.InputObjectType):
    client_id = graphene.UUID(description="Generated by the app: sending it again is safe.")
    plot_id = graphene.ID(required=True)
    sampled_on = graphene.Date(required=True)
    laboratory = graphene.String(required=True)
    ph = graphene.Decimal(description="pH (KCl).")
    organic_matter = graphene.Decimal(description="Organic matter, %.")
    nitrogen = graphene.Decimal(description="Total nitrogen N, %.")
    phosphorus = graphene.Decimal(description="Available P₂O₅, mg/100 g.")
    potassium = graphene.Decimal(description="Available K₂O, mg/100 g.")
    salinity = graphene.Decimal(description="Salinity EC, dS/m.")
    note = graphene.String()


class RecordSoilSample(FarmsMutation):
    """Record a laboratory's soil test of a plot (the farm's people or extension staff)."""

    soil_sample = graphene.Field(SoilSampleType)

    class Arguments:
        input = RecordSoilSampleInput(required=True)

    @classmethod
    def perform(cls, info, data):
        data = given(data)
        plot = get_for(
            info, Plot.objects.select_related("producer"), data.pop("plot_id"), "PlotNode", "plotId"
        )
        sample_uuid = data.pop("client_id", None)
        recorded = soil.record_soil_sample(info.context.user, plot, sample_uuid=sample_uuid, **data)
        return {"soil_sample": recorded}


# What the app may queue offline and send through `sync` (see backend.graphql.sync).
SYNC_OPERATIONS = {
    "register_producer": RegisterProducer,
    "update_producer": UpdateProducer,
    "save_plot": SavePlot,
    "record_soil_sample": RecordSoilSample,
    "hand_over_plot": HandOverPlot,
}


class Mutation(graphene.ObjectType):
    register_producer = RegisterProducer.Field()
    update_producer = UpdateProducer.Field()
    save_plot = SavePlot.Field()
    record_soil_sample = RecordSoilSample.Field()
    hand_over_plot = HandOverPlot.Field()
