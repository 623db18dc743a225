"""Test data builders. Plots are real polygons in Hà Nội, sized in metres."""

import datetime
import math
from decimal import Decimal

import factory
from django.contrib.gis.geos import Point, Polygon
from django.utils import timezone

from accounts.models import User
from farms.models import (
    AgriculturalInput,
    Certification,
    Membership,
    Place,
    Plot,
    Producer,
    Product,
)
from farms.services import area_m2
from marketplace.models import DailyPrice

DONG_ANH = (105.85, 21.14)


def square(west: float, south: float, size_m: float) -> Polygon:
    """A square of about ``size_m`` metres whose south-west corner is at (west, south)."""
    phi = math.radians(south)
    per_degree_lat = 111_132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    per_degree_lon = 111_412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
    polygon = Polygon.from_bbox(
        (west, south, west + size_m / per_degree_lon, south + size_m / per_degree_lat)
    )
    polygon.srid = 4326
    return polygon


def moment(days_ago: float = 0) -> datetime.datetime:
    """A time ``days_ago`` days (may be fractional or negative) before now, in Viet Nam."""
    base = timezone.localtime() - datetime.timedelta(days=days_ago)
    return base.replace(second=0, microsecond=0)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"+8491{n:07d}")
    full_name = factory.Faker("name", locale="vi_VN")
    password = factory.django.Password("an-unguessable-passphrase")


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    kind = Producer.Kind.COOPERATIVE
    name = factory.Sequence(lambda n: f"HTX Rau an toàn số {n}")
    registration_code = factory.Sequence(lambda n: f"0108{n:06d}")
    commune = "Vân Nội"
    district = "Đông Anh"
    province = "Hà Nội"
    street_address = "Số 12 ngõ 34 thôn Bắc"
    contact_name = "Nguyễn Văn Bình"
    contact_phone = "0912345678"
    contact_email = "binh.private@example.vn"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"rau-muong-{n}")
    name_vi = "Rau muống"
    name_en = "Water spinach"
    category = Product.Category.VEGETABLE
    unit = "kg"
    shelf_life_days = 10  # fresh greens kept cool


class PlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plot

    producer = factory.SubFactory(ProducerFactory)
    name = factory.Sequence(lambda n: f"Thửa {n}")
    # A grid of 100 × 100 places 1 km apart north-east of Đông Anh, so that a long test
    # session (thousands of plots) never leaves Viet Nam.
    geometry = factory.Sequence(
        lambda n: square(DONG_ANH[0] + n % 100 * 0.01, DONG_ANH[1] + n // 100 % 100 * 0.01, 60)
    )
    area_m2 = factory.LazyAttribute(lambda plot: area_m2(plot.geometry))


class PesticideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgriculturalInput

    name = factory.Sequence(lambda n: f"Thuốc trừ sâu {n}")
    kind = AgriculturalInput.Kind.PESTICIDE
    active_ingredient = "Abamectin"
    pre_harvest_interval_days = 7


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification
        skip_postgeneration_save = True

    producer = factory.SubFactory(ProducerFactory)
    scheme = Certification.Scheme.VIETGAP
    number = factory.Sequence(lambda n: f"VietGAP-TT-{n:04d}")
    issued_by = "Trung tâm Chứng nhận Phù hợp"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=300))
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=400))

    @factory.post_generation
    def products(certificate, create, extracted, **kwargs):
        """The products it covers: those given, or every product of the catalogue then."""
        if create:
            certificate.products.set(Product.objects.all() if extracted is None else extracted)


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    kind = Place.Kind.PACKING_HOUSE
    name = factory.Sequence(lambda n: f"Điểm sơ chế {n}")
    commune = "Vân Nội"
    district = "Đông Anh"
    location = factory.LazyFunction(lambda: Point(DONG_ANH[0] + 0.002, DONG_ANH[1], srid=4326))


class DailyPriceFactory(factory.django.DjangoModelFactory):
    """A day's aggregated price; lowest and highest default to the average."""

    class Meta:
        model = DailyPrice

    unit = "kg"
    district = "Đông Anh"
    source = DailyPrice.Source.MARKET
    average_price = 20_000
    min_price = factory.SelfAttribute("average_price")
    max_price = factory.SelfAttribute("average_price")
    samples = 1


def member(user: User, producer: Producer, role: str = Membership.Role.OWNER) -> User:
    Membership.objects.create(user=user, producer=producer, role=role)
    return user


def kg(value) -> Decimal:
    return Decimal(str(value))


def error_code(error) -> str:
    """The code of a service's refusal (its first error)."""
    return next(iter(error.error_dict.values()))[0].code


def harvested_lot(owner, producer, plot, product, days_ago: float = 1, quantity=50):
    """A lot of ``product`` harvested ``days_ago`` from ``plot``."""
    from traceability.services.batches import create_batch

    return create_batch(
        owner,
        producer=producer,
        product=product,
        plots=[plot],
        harvested_at=moment(days_ago),
        quantity=kg(quantity),
    )


def converts(source, result, low: str, high: str, keeps_certification: bool = False):
    """Let the catalogue make ``result`` from ``source`` at a yield between low and high."""
    from farms.models import ProductConversion

    return ProductConversion.objects.create(
        source=source,
        result=result,
        min_yield=Decimal(low),
        max_yield=Decimal(high),
        keeps_certification=keeps_certification,
    )


def trader(producer):
    """A trader (thương lái) with no account, whom the producer sells to."""
    from traceability.models import Party

    party, _created = Party.objects.get_or_create(
        name="Thương lái Tư",
        kind=Party.Kind.TRADER,
        district="Đông Anh",
        defaults={"registered_by": producer},
    )
    return party


def ship(actor, batch, quantity, when, to=None):
    """A shipping of ``quantity`` of ``batch`` at ``when``, to a trader unless ``to``."""
    from traceability.services.events import record_event

    return record_event(
        actor,
        batch,
        "shipping",
        occurred_at=when,
        quantity=quantity,
        party=to or trader(batch.producer),
    )


def staff_member(user, group: str):
    """``user`` given the admin and one of the platform's role groups."""
    from django.contrib.auth.models import Group

    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user
