"""What this product's GS1 resolver answers for a Digital Link: the links of a serial, its
lot and its GTIN, walking up to the nearest level that exists here.

A label's default link is the consumer's scan page (where a scan is counted), a lot's its
public journey, a GTIN's the product page that lists its current lots.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from backend.gs1 import DigitalLink, gtin_spellings
from backend.linkset import Level, Link, Resolution
from farms.models import Product
from traceability import epcis
from traceability.models import Batch, Label


def _url(name: str, *args, fragment: str = "") -> str:
    return settings.SITE_URL + reverse(name, args=args) + fragment


def _product_level(product: Product, link: DigitalLink) -> Level:
    page = Link("pip", _url("traceability:product", link.gtin), _("Product information"))
    return Level(settings.SITE_URL + DigitalLink(link.gtin).path(), product.name, page, [page])


def _lot_level(batch: Batch, link: DigitalLink) -> Level:
    journey = Link(
        "traceability",
        _url("traceability:lot", batch.code),
        _("Journey of lot %(lot)s") % {"lot": batch.code},
    )
    links = [
        journey,
        Link("recallStatus", _url("traceability:recall_status", batch.code), _("Recall status")),
        Link(
            "verificationService",
            _url("traceability:verify", batch.code),
            _("Check that the recorded history is intact"),
        ),
    ]
    query = urlencode({"MATCH_anyEPCClass": epcis.lot_uri(batch.code, batch.product.gtin)})
    links.append(
        Link(
            "epcis",
            f"{_url('traceability:epcis_events')}?{query}",
            _("The lot's EPCIS events (for partners with an API key)"),
            media_type="application/json",
        )
    )
    if batch.certification_id:
        certificate = batch.certification
        links.append(
            Link(
                "certificationInfo",
                _url("traceability:lot", batch.code, fragment="#certification"),
                f"{certificate.get_scheme_display()} {certificate.number}",
            )
        )
    anchor = settings.SITE_URL + DigitalLink(link.gtin, batch.code, variant=link.variant).path()
    description = _("%(product)s, lot %(lot)s") % {"product": batch.product.name, "lot": batch.code}
    return Level(anchor, description, journey, links)


def _serial_level(label: Label, link: DigitalLink) -> Level:
    page = Link(
        "traceability",
        _url("traceability:scan", label.serial),
        _("Origin and journey of this pack"),
    )
    anchor = settings.SITE_URL + link.path()
    description = _("%(product)s, lot %(lot)s, serial %(serial)s") % {
        "product": label.batch.product.name,
        "lot": label.batch.code,
        "serial": label.serial,
    }
    return Level(anchor, description, page, [page])


def _find(link: DigitalLink) -> tuple[Product | None, Batch | None, Label | None]:
    """The most specific item the link names, in one query when it is all known."""
    gtins = gtin_spellings(link.gtin)
    if link.serial:
        labels = Label.objects.select_related("batch__product", "batch__certification")
        labels = labels.filter(serial=link.serial, batch__product__gtin__in=gtins)
        if link.lot:
            labels = labels.filter(batch__code=link.lot)
        label = labels.first()
        if label is not None:
            return label.batch.product, label.batch, label
    if link.lot:
        batches = Batch.objects.select_related("product", "certification")
        batch = batches.filter(code=link.lot, product__gtin__in=gtins).first()
        if batch is not None:
            return batch.product, batch, None
    return product_by_gtin(link.gtin), None, None


def product_by_gtin(gtin: str) -> Product | None:
    return Product.objects.filter(gtin__in=gtin_spellings(gtin)).first()


LOTS_LISTED = 50


def lots_in_stock(product: Product) -> list[Batch]:
    """What a product page lists: the latest lots of the product still in stock and
    sellable, with what the list shows fetched alongside."""
    batches = Batch.objects.filter(
        product=product, status=Batch.Status.ACTIVE, on_hold=False, remaining_quantity__gt=0
    )
    batches = batches.select_related("producer__cooperative", "certification")
    return list(batches.order_by("-harvest_date", "-created_at")[:LOTS_LISTED])


def resolve(link: DigitalLink) -> Resolution | None:
    """The levels known here, most specific first; None when the GTIN is not ours. An
    unknown serial answers with its lot's links, an unknown lot with its GTIN's."""
    product, batch, label = _find(link)
    if product is None:
        return None
    levels = [_product_level(product, link)]
    if batch is not None:
        levels.insert(0, _lot_level(batch, link))
    if label is not None:
        levels.insert(0, _serial_level(label, link))
    return Resolution(levels)
