import io
import itertools

import pypdfium2
import pytest
import zxingcpp
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from farms.models import LOCATION_CODE_ALPHABET
from tests.factories import ProductFactory, kg, moment
from traceability import qr
from traceability.models import Label, LabelSheet
from traceability.services.batches import create_batch, recall_batch
from traceability.services.labels import SERIAL_LENGTH, label_url, new_serials, order_label_sheet

QR_ONLY = zxingcpp.BarcodeFormat.QRCode  # text and lines can pass for a 1-D barcode


def decode_png(data: bytes) -> list[str]:
    image = Image.open(io.BytesIO(data))
    return [result.text for result in zxingcpp.read_barcodes(image, formats=QR_ONLY)]


def decode_pdf_pages(path) -> list[set[str]]:
    """Render each page at 300 dpi and read every QR code on it."""
    pdf = pypdfium2.PdfDocument(str(path))
    pages = []
    for page in pdf:
        image = page.render(scale=300 / 72).to_pil()
        pages.append({r.text for r in zxingcpp.read_barcodes(image, formats=QR_ONLY)})
    return pages


def test_a_label_png_decodes_to_its_short_url(harvested):
    url = label_url("ABCDEFGH2345", harvested)
    assert url == f"{settings.SITE_URL}/s/ABCDEFGH2345"
    assert decode_png(qr.png(url)) == [url]


def test_a_gtin_product_gets_a_gs1_digital_link(owner, coop, plot):
    bags = ProductFactory(code="gao-tui", gtin="4006381333931")
    batch = create_batch(
        owner, producer=coop, product=bags, plots=[plot], harvested_at=moment(1), quantity=kg(10)
    )
    url = label_url("K7QF2M9XW3PA", batch)
    assert url == f"{settings.SITE_URL}/01/04006381333931/10/{batch.code}/21/K7QF2M9XW3PA"
    assert decode_png(qr.png(url)) == [url]
    assert b"<svg" in qr.svg(url) and b"<path" in qr.svg(url)


@pytest.mark.django_db
def test_serials_are_random_and_unique():
    serials = new_serials(2000)
    assert len(set(serials)) == 2000
    assert all(len(s) == SERIAL_LENGTH and set(s) <= set(LOCATION_CODE_ALPHABET) for s in serials)
    # Not sequential: sorted neighbours almost never share a 4-sign prefix (32^4 ≈ 1 million).
    ordered = sorted(serials)
    assert sum(a[:4] == b[:4] for a, b in itertools.pairwise(ordered)) < 20


def test_a_sheet_of_labels_is_printed_and_every_code_scans(
    owner, harvested, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sheet = order_label_sheet(owner, harvested, 30, "a4_3x8")
    sheet.refresh_from_db()
    assert sheet.status == LabelSheet.Status.READY
    assert sheet.file.name.endswith(".pdf")
    urls = [label_url(label.serial, harvested) for label in sheet.labels.order_by("pk")]
    pages = decode_pdf_pages(sheet.file.path)
    assert len(pages) == 2  # 24 labels per A4 page
    assert pages[0] == set(urls[:24])
    assert pages[1] == set(urls[24:])


@pytest.mark.parametrize(
    ("count", "layout", "code"),
    [
        (0, "a4_3x8", "invalid_count"),
        (10**6, "a4_3x8", "invalid_count"),
        (5, "a3_99x99", "invalid_layout"),
    ],
)
def test_bad_orders_are_refused(owner, harvested, count, layout, code):
    with pytest.raises(ValidationError) as refused:
        order_label_sheet(owner, harvested, count, layout)
    assert {e.code for errors in refused.value.error_dict.values() for e in errors} == {code}
    assert not Label.objects.exists()


def test_no_labels_for_growing_or_recalled_batches(owner, growing, harvested):
    with pytest.raises(ValidationError):
        order_label_sheet(owner, growing, 5)
    recall_batch(owner, harvested, "Nhiễm khuẩn")
    with pytest.raises(ValidationError):
        order_label_sheet(owner, harvested, 5)
    assert not LabelSheet.objects.exists()


def test_strangers_cannot_order_labels(stranger, harvested):
    with pytest.raises(PermissionDenied):
        order_label_sheet(stranger, harvested, 5)


def test_a_sheet_ordered_before_a_recall_is_not_printed(owner, harvested):
    from traceability.services.labels import build_sheet

    sheet = order_label_sheet(owner, harvested, 5)  # the task has not run yet
    recall_batch(owner, harvested, "Nhiễm khuẩn")
    sheet = build_sheet(sheet.pk)
    assert sheet.status == LabelSheet.Status.FAILED and not sheet.file


def test_a_sheet_that_cannot_be_drawn_says_so(owner, harvested, settings):
    from traceability import printing
    from traceability.services.labels import build_sheet

    ordered = order_label_sheet(owner, harvested, 2)  # the font goes missing afterwards
    printing._register_fonts.cache_clear()
    settings.LABEL_FONT_PATH = "/nonexistent/font.ttf"
    try:
        sheet = build_sheet(ordered.pk)
    finally:
        printing._register_fonts.cache_clear()
    assert sheet.status == LabelSheet.Status.FAILED and "font" in sheet.error.lower()
