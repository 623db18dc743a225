"""Label codes: masks chosen by the ISO/IEC 18004 penalty, a 4-module quiet zone inside
every label of every layout, every code readable at 300 dpi, and labels whose product,
producer and harvest date are never cut."""

import numpy as np
import pypdfium2
import pytest
import zxingcpp
from qrcode import util as reference

from tests.factories import ProductFactory, kg, moment
from traceability import qr
from traceability.printing import LAYOUTS
from traceability.services.batches import create_batch
from traceability.services.labels import label_url, order_label_sheet

URLS = [
    f"https://nongsan.example.vn/01/08938505974019/10/L{n:05d}/21/S{n * 7919:08d}"
    for n in range(12)
]


def variants(symbol: np.ndarray) -> np.ndarray:
    current = qr._mask_of(symbol)
    return np.stack([qr._with_mask(symbol, current, mask) for mask in range(8)])


@pytest.mark.parametrize("url", URLS)
def test_each_code_has_the_mask_with_the_lowest_penalty(url):
    symbol = np.array(qr.matrix(url))
    scores = qr.penalties(variants(symbol))
    assert scores[qr._mask_of(symbol)] == scores.min()
    assert len(set(scores.tolist())) > 1  # the masks really differ


def test_the_penalty_follows_each_rule():
    light = np.zeros((1, 21, 21), dtype=bool)
    # Rule 1: 21 runs of 21 in each direction (3 + 16 each); rule 2: 400 blocks of 2 × 2;
    # rule 4: no dark module at all, 50 % off balance.
    assert qr.penalties(light)[0] == 2 * 21 * 19 + 400 * 3 + 10 * 10
    finder_like = light.copy()
    finder_like[0, 10, 7:14] = [1, 0, 1, 1, 1, 0, 1]
    rows_and_blocks = sum(
        rule(finder_like[0].tolist(), 21)
        for rule in (reference._lost_point_level1, reference._lost_point_level2)
    )
    balance = reference._lost_point_level4(finder_like[0].tolist(), 21)
    # Light on both sides, four modules and more: the pattern counts once for each side.
    assert qr.penalties(finder_like)[0] == rows_and_blocks + balance + 2 * 40


def test_rules_one_two_and_four_agree_with_python_qrcode():
    generator = np.random.default_rng(18004)
    for size in (21, 25, 33, 41):
        symbol = generator.random((size, size)) < 0.5
        modules = symbol.tolist()
        expected = sum(
            rule(modules, size)
            for rule in (
                reference._lost_point_level1,
                reference._lost_point_level2,
                reference._lost_point_level4,
            )
        )
        # python-qrcode leaves the quiet zone out of rule 3: compare without patterns.
        no_finders = qr.penalties(symbol[None]) - _finder_penalty(symbol)
        assert no_finders[0] == expected


def _finder_penalty(symbol: np.ndarray) -> int:
    padded = np.pad(symbol, 5)
    count = 0
    for line in [*padded, *padded.T]:
        bits = "".join("1" if dark else "0" for dark in line)
        for pattern in ("000010111010", "010111010000"):
            count += sum(bits.startswith(pattern, i) for i in range(len(bits)))
    return count * 40


@pytest.mark.parametrize("url", URLS[:4])
def test_each_code_reads_back(url):
    image = np.where(np.pad(np.array(qr.matrix(url)), qr.QUIET_ZONE), 0, 255).astype(np.uint8)
    result = zxingcpp.read_barcode(np.kron(image, np.ones((4, 4), dtype=np.uint8)))
    assert result is not None and result.text == url


@pytest.fixture
def long_named_lot(owner, coop, plot):
    coop.name = "Hợp tác xã Nông nghiệp Hữu cơ Vân Nội Đông Anh"
    coop.save(update_fields=["name"])
    product = ProductFactory(name_vi="Gạo Bắc Hương Hải Hậu hữu cơ loại đặc biệt")
    return create_batch(
        owner, producer=coop, product=product, plots=[plot], harvested_at=moment(3), quantity=kg(50)
    )


def _page_text_and_image(path):
    page = pypdfium2.PdfDocument(str(path))[0]
    text = page.get_textpage().get_text_range()
    return "".join(text.split()), np.asarray(page.render(scale=300 / 72).to_pil().convert("L"))


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_says_everything_and_every_code_scans(
    owner, long_named_lot, layout, django_capture_on_commit_callbacks
):
    count = LAYOUTS[layout].per_page
    with django_capture_on_commit_callbacks(execute=True):
        sheet = order_label_sheet(owner, long_named_lot, count, layout)
    sheet.refresh_from_db()
    text, image = _page_text_and_image(sheet.file.path)
    harvest = long_named_lot.harvest_date.strftime("%d/%m/%Y")
    for whole in (long_named_lot.product.name_vi, long_named_lot.producer.name, harvest):
        assert text.count("".join(whole.split())) == count, whole
    assert "…" not in text
    # The reader now and then makes a short number out of the printed text: only what it
    # reads as a link is a code of ours.
    found = [
        result
        for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        if "://" in result.text
    ]
    urls = {label_url(label.serial, long_named_lot) for label in sheet.labels.all()}
    assert {result.text for result in found} == urls
    for result in found:
        _assert_quiet_zone(image, result)


def _assert_quiet_zone(image: np.ndarray, result) -> None:
    """Nothing dark within four modules of the code (less a pixel of anti-aliasing)."""
    top_left, bottom_right = result.position.top_left, result.position.bottom_right
    module = (bottom_right.x - top_left.x) / len(qr.matrix(result.text))
    near = round(module)  # the reader's corners are within a module of the code's edges
    around = image[
        top_left.y - near : bottom_right.y + near, top_left.x - near : bottom_right.x + near
    ]
    rows, cols = np.nonzero(around <= 128)
    top, left = top_left.y - near + rows.min(), top_left.x - near + cols.min()
    bottom, right = top_left.y - near + rows.max(), top_left.x - near + cols.max()
    zone = round(4 * module) - 1
    ring = image[top - zone : bottom + zone + 1, left - zone : right + zone + 1].copy()
    ring[zone:-zone, zone:-zone] = 255  # the code itself
    assert ring.min() > 128, "something is printed in the quiet zone"
