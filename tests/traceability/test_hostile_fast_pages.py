"""A stranger's attacks on the fast public trace pages (the kept page with holes, the
prepared statements, scans in one insert), the label sheets' text and the map layers'
hand-serialized GeoJSON. Each test passes when the attack fails."""

import html
import json
import re
from urllib.parse import quote

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.utils.encoding import escape_uri_path
from django.utils.html import escape
from reportlab.pdfbase import pdfmetrics

from farms.models import Certification
from tests import factories
from tests.factories import CertificationFactory, kg, moment
from tests.maps.conftest import box, land, plot  # noqa: F401 (land: a fixture)
from traceability import printing
from traceability.models import Batch, Hold, Label
from traceability.services import scans
from traceability.services.batches import create_batch, recall_batch
from traceability.services.holds import place_holds
from traceability.services.labels import new_serials, order_label_sheet

MARKERS = ("nonce", "path", "csrf", "serial", "report", "location")


def visit(path: str, address: str = "203.0.113.7", language: str = "en", **headers):
    client = Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=address, **headers)
    return client, client.get(path)


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def csrf_field(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def report_token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def location_token_of(page: str) -> str:
    return re.search(r'f\.append\("token","([^"]*)"\)', page).group(1)


def next_field(page: str) -> str:
    return re.search(r'name="next" value="([^"]*)"', page).group(1)


# --- Hole markers typed into stored text ------------------------------------------------


@pytest.mark.parametrize("marker", MARKERS)
def test_a_product_name_holding_a_hole_marker_is_shown_as_written(label, marker):
    name = f"Gạo \ue000{marker}\ue001 sạch"
    label.batch.product.name_en = name
    label.batch.product.save(update_fields=["name_en"])
    _client, response = visit(f"/s/{label.serial}")
    page = text_of(response)
    assert f"<h1>{escape(name)}</h1>" in page, "the visitor's own values were filled into it"


def test_a_recall_reason_does_not_print_the_pages_nonce(owner, label):
    recall_batch(owner, label.batch, "Nhiễm khuẩn \ue000nonce\ue001 \ue000csrf\ue001")
    _client, response = visit(f"/s/{label.serial}")
    page = text_of(response)
    nonce = nonce_of(response)
    assert page.count(nonce) == page.count('nonce="'), "the CSP nonce is printed as text"
    assert page.count(csrf_field(page)) == page.count('name="csrfmiddlewaretoken"')


def test_a_hole_marker_in_the_query_string_stays_text(label):
    for _ in range(2):  # the second visit is served from the kept page
        _client, response = visit(
            f"/s/{label.serial}?q=\ue000csrf\ue001&r=%EE%80%80report%EE%80%81"
        )
        page = text_of(response)
        token = csrf_field(page)
        assert page.count(token) == 2  # the language form and the report form, no more
        assert report_token_of(page) not in next_field(page)


# --- Injection through serials, lot codes, paths and query strings ----------------------


def test_hostile_but_valid_serial_characters_are_escaped(lot):
    serial = "A\"<i>&'x%;=("
    hostile = Label.objects.create(batch=lot, serial=serial)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")
    for _ in range(2):  # the same browser: counted once, even with ; " = in its cookie
        page = text_of(client.get("/s/" + quote(serial, safe="")))
        assert "<i>" not in page
        assert f"<dd>{escape(serial)}</dd>" in page
        assert html.unescape(next_field(page)) == escape_uri_path("/s/" + serial)
    assert hostile.scans.count() == 1


def test_hostile_but_valid_lot_code_characters_are_escaped(lot):
    code = "L\"<i>&'1"
    Batch.objects.filter(pk=lot.pk).update(code=code)
    for _ in range(2):
        _client, response = visit("/lot/" + quote(code, safe=""))
        page = text_of(response)
        assert "<i>" not in page and escape(code) in page


@pytest.mark.parametrize(
    "query",
    [
        '?"><script>alert(1)</script>',
        "?x=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
        "?next=javascript:alert(1)&lang=%0d%0aSet-Cookie:x=1",
        "?" + "a" * 5000,
    ],
)
def test_the_query_string_never_escapes_its_attribute(label, query):
    for _ in range(2):
        _client, response = visit(f"/s/{label.serial}{query}")
        page = text_of(response)
        assert "<script>alert" not in page
        assert "Set-Cookie: x" not in str(response.headers)
        value = next_field(page)
        assert '"' not in value and "<" not in value


@pytest.mark.parametrize(
    "path",
    [
        "/s/%00abc",
        "/s/abc%00",
        "/s/" + "A" * 21,
        "/s/" + "A" * 5000,
        "/s/%EE%80%80csrf%EE%80%81",
        "/s/%ED%A0%80",  # a lone surrogate, not UTF-8
        "/s/%FF%FE",
        "/s/ABC%20DEF",
        "/s/Gạo",
        "/s/%",
        "/lot/%00",
        "/lot/" + "L" * 21,
        "/lot/%E2%80%A8",
        "/lot/%ED%A0%80",
    ],
)
def test_malformed_codes_are_a_friendly_not_found(db, path):
    _client, response = visit(path)
    assert response.status_code == 404


def test_an_unknown_but_valid_serial_is_not_found(label):
    _client, response = visit("/s/" + quote("Z\"<>&'", safe=""))
    assert response.status_code == 404


# --- One visitor's values never reach another -------------------------------------------


def test_each_visitor_gets_their_own_tokens_nonce_and_csrf(label):
    pages = []
    for address in ("203.0.113.7", "198.51.100.9", "192.0.2.33"):
        client, response = visit(f"/s/{label.serial}", address=address)
        page = text_of(response)
        assert page.count(nonce_of(response)) == page.count('nonce="') == 2
        pages.append((client, page))
    tokens = [location_token_of(page) for _client, page in pages]
    assert len(set(tokens)) == 3 and all(tokens)
    csrfs = [csrf_field(page) for _client, page in pages]
    assert len(set(csrfs)) == 3
    for index, (client, page) in enumerate(pages):
        for other in [*tokens[:index], *tokens[index + 1 :]]:
            assert other not in page
        client.enforce_csrf_checks = True  # the kept page's token is this browser's own
        response = client.post(
            "/scan/location",
            {
                "token": location_token_of(page),
                "latitude": 21.03,
                "longitude": 105.85,
                "csrfmiddlewaretoken": csrf_field(page),
            },
        )
        assert response.status_code != 403, response.content


def test_a_signed_in_page_never_becomes_the_anonymous_page(label, owner):
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in.force_login(owner)
    mine = text_of(signed_in.get(f"/s/{label.serial}"))
    assert "Sign out" in mine
    _client, response = visit(f"/s/{label.serial}")
    page = text_of(response)
    assert "Sign out" not in page and "Sign in" in page
    assert owner.get_username() not in page


def test_a_repeat_visitor_gets_no_location_token_of_anothers_scan(label):
    client, first = visit(f"/s/{label.serial}")
    token = location_token_of(text_of(first))
    again = text_of(client.get(f"/s/{label.serial}"))
    assert token not in again and 'id="share"' not in again
    _other, response = visit(f"/s/{label.serial}", address="198.51.100.1")
    assert token not in text_of(response)


@pytest.mark.parametrize(
    "accept, language",
    [
        ("en", "en"),
        ("vi", "vi"),
        ("en-US,en;q=0.9", "en"),
        ("fr, de", "vi"),
        ("*", "vi"),
        ("en;q=0, vi;q=1", "vi"),
        ("x" * 500, "vi"),
        ("\ue000csrf\ue001", "vi"),
        ("vi;q=0.1, en;q=0.9", "en"),
    ],
)
def test_accept_language_cannot_poison_the_kept_page(label, accept, language):
    visit(f"/s/{label.serial}", language="en")  # keep an English page
    visit(f"/s/{label.serial}", language="vi")  # and a Vietnamese one
    _client, response = visit(f"/s/{label.serial}", language=accept)
    page = text_of(response)
    assert f'<html lang="{language}">' in page
    assert ("Its journey" in page) == (language == "en")


def test_the_host_header_never_reaches_the_kept_page(label, settings):
    settings.ALLOWED_HOSTS = ["*"]
    visit(f"/s/{label.serial}", HTTP_HOST="evil.example")
    _client, response = visit(f"/s/{label.serial}", HTTP_HOST="testserver")
    assert "evil.example" not in text_of(response)


def test_a_messages_cookie_gets_a_full_page_and_no_one_elses_values(label):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.7")
    client.cookies["messages"] = "junk"
    page = text_of(client.get(f"/s/{label.serial}"))
    assert "\ue000" not in page and "\ue001" not in page


# --- What a consumer must see at once ---------------------------------------------------


def page_of(label: Label, language: str = "en", address: str = "203.0.113.7") -> str:
    return text_of(visit(f"/s/{label.serial}", address=address, language=language)[1])


def lot_of(label: Label) -> str:
    return text_of(visit(f"/lot/{label.batch.code}")[1])


def test_a_certificates_standard_changed_shows_at_once(label, coop):
    certificate = CertificationFactory(producer=coop, scheme=Certification.Scheme.VIETGAP)
    label.batch.certification = certificate
    label.batch.save(update_fields=["certification"])
    assert "VietGAP" in page_of(label)
    certificate.scheme = Certification.Scheme.ORGANIC
    certificate.save(update_fields=["scheme"])
    shown = certificate.get_scheme_display()
    assert shown in page_of(label) and shown in lot_of(label)


def test_a_certificate_verified_or_renumbered_shows_at_once(label, coop, inspector):
    certificate = CertificationFactory(producer=coop)
    label.batch.certification = certificate
    label.batch.save(update_fields=["certification"])
    assert "not yet checked" in page_of(label)
    Certification.objects.filter(pk=certificate.pk).update(
        verified_at=moment(0), number="VG-999-NEW"
    )
    page = page_of(label)
    assert "checked by an inspector" in page and "VG-999-NEW" in page


def test_a_producer_rename_and_move_show_at_once(label, coop):
    assert coop.name in page_of(label)
    coop.name, coop.district = "HTX Đổi Tên", "Sóc Sơn"
    coop.save(update_fields=["name", "district"])
    page = page_of(label)
    assert "HTX Đổi Tên" in page and "Sóc Sơn" in page and "HTX Đổi Tên" in lot_of(label)


def test_a_product_rename_shows_in_each_language_at_once(label):
    page_of(label, "en"), page_of(label, "vi")
    product = label.batch.product
    product.name_vi, product.name_en = "Gạo mới", "New rice"
    product.save(update_fields=["name_vi", "name_en"])
    assert "<h1>New rice</h1>" in page_of(label, "en")
    assert "<h1>Gạo mới</h1>" in page_of(label, "vi")


def test_a_hold_on_the_source_lot_shows_on_what_was_made_from_it(owner, label):
    from traceability.services.transformations import split_batch

    _kept, sold = split_batch(owner, label.batch, [2, 3], occurred_at=moment(1))
    child = Label.objects.create(batch=sold, serial=new_serials(1)[0])
    assert "On hold" not in page_of(child)
    with transaction.atomic():
        place_holds({label.batch.pk}, Hold.Reason.FAILED_CHECK, "Dư lượng vượt ngưỡng")
    assert "On hold" in page_of(child)
    recall_batch(owner, label.batch, "Nhiễm khuẩn")
    assert "RECALLED" in page_of(child)


def test_a_cleared_warning_goes_at_once(label, owner):
    scans.flag(label, Label.Suspicion.TOO_MANY_SCANS, public=True)
    assert "Possible copy" in page_of(label)
    label.refresh_from_db()
    scans.clear_suspicion(owner, label)
    assert "Possible copy" not in page_of(label)


# --- Counting scans ---------------------------------------------------------------------


def test_a_browser_counts_once_and_previews_never(label):
    client, _response = visit(f"/s/{label.serial}")
    for _ in range(3):
        client.get(f"/s/{label.serial}")
    visit(f"/s/{label.serial}", HTTP_USER_AGENT="facebookexternalhit/1.1", address="192.0.2.9")
    visit(f"/s/{label.serial}", HTTP_USER_AGENT="Zalo", address="192.0.2.10")
    client.get(f"/lot/{label.batch.code}")
    assert label.scans.count() == 1


def test_one_network_counts_at_most_its_rate(label):
    for _ in range(scans.SCAN_RATE.limit + 5):
        visit(f"/s/{label.serial}", address="203.0.113.50")
    assert label.scans.count() == scans.SCAN_RATE.limit


def test_copies_scanned_from_many_networks_warn_on_the_next_page(label, settings):
    Batch.objects.filter(pk=label.batch.pk).update(max_scans_per_label=3)
    networks = settings.LABEL_MIN_DISTINCT_SOURCES + 2
    pages = [page_of(label, address=f"198.51.100.{n}") for n in range(1, networks + 1)]
    label.refresh_from_db()
    assert label.public_warning
    assert "Possible copy" not in pages[0] and "Possible copy" in pages[-1]
    assert "Possible copy" in page_of(label, address="192.0.2.200")
    evidence = scans.evidence(label)
    assert evidence.scans == networks + 1 and evidence.networks == networks + 1


def test_many_scans_from_few_networks_stay_a_staff_signal(label):
    Batch.objects.filter(pk=label.batch.pk).update(max_scans_per_label=3)
    for _ in range(8):
        page_of(label, address="203.0.113.60")
    label.refresh_from_db()
    assert label.suspicion == Label.Suspicion.TOO_MANY_SCANS and not label.public_warning
    assert "Possible copy" not in page_of(label, address="203.0.113.61")


# --- Prepared statements ----------------------------------------------------------------


def test_the_page_survives_a_failed_transaction_before_it(label):
    page_of(label)
    with transaction.atomic():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT 1/0")
        except Exception:  # noqa: S110 (the failure is the point)
            pass
        assert label.serial in page_of(label, address="198.51.100.77")
    assert label.scans.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_page_survives_a_column_changed_by_a_migration(label):
    """A deploy's migration widens a shown column while workers keep their connections
    (outside a transaction, as a web request runs)."""
    page_of(label)  # prepared on this connection
    alter = "ALTER TABLE farms_product ALTER COLUMN name_en TYPE varchar({})"
    with connection.cursor() as cursor:
        cursor.execute(alter.format(200))
    try:
        assert label.serial in page_of(label, address="198.51.100.78")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(alter.format(120))


@pytest.mark.django_db(transaction=True)
def test_the_page_survives_a_new_connection(label):
    page_of(label)
    connection.close()
    assert label.serial in page_of(label, address="198.51.100.79")


# --- Label sheets: text wrapped or shrunk, never cut ------------------------------------


def _fits(text: printing.LabelText, layout_key: str, serial: str = "AB12CD34EF"):
    from reportlab.lib.units import mm

    printing._register_fonts()
    layout = printing.LAYOUTS[layout_key]
    height = layout.height_mm * mm
    edge = min(1.5 * mm, height * 0.05)
    qr_size = height - 2 * edge
    width = layout.width_mm * mm - qr_size - 2 * edge - printing.GAP
    fitted = printing._fitted_text(text, serial, width, height - 2 * edge)
    wrapped = fitted.lines
    if fitted.serial_size:
        wrapped = [*wrapped, (printing.FONT, fitted.serial_size, [serial])]
    widest = max(
        pdfmetrics.stringWidth(part, font, size) for font, size, parts in wrapped for part in parts
    )
    said = "".join(part for _font, _size, parts in wrapped for part in parts).replace(" ", "")
    return widest <= width + 0.01, printing._height(wrapped) <= height - 2 * edge + 0.01, said


@pytest.mark.parametrize("layout", sorted(printing.LAYOUTS))
def test_a_long_word_in_a_product_name_stays_on_the_label(layout):
    text = printing.LabelText(
        "Gạo-ST25-Sóc-Trăng-hữu-cơ-đặc-sản", "HTX Vân Nội", "Thu hoạch 01/01/2026", ""
    )
    within_width, _within_height, said = _fits(text, layout)
    assert within_width, "a word wider than the text column runs off the label"
    assert "Gạo-ST25-Sóc-Trăng-hữu-cơ-đặc-sản" in said


LONGEST_PRODUCT = ("Gạo Bắc Hương Hải Hậu hữu cơ loại đặc biệt " * 4)[:120].strip()
LONGEST_PRODUCER = ("Hợp tác xã Nông nghiệp Hữu cơ Vân Nội Đông Anh " * 5)[:200].strip()


@pytest.mark.parametrize("layout", sorted(printing.LAYOUTS))
def test_the_longest_names_stay_on_the_label_or_the_layout_is_refused(layout, owner, coop, plot):
    """Names that fit are drawn whole and inside the label; names that cannot fit at a
    legible size make the order refuse the layout, with a clear code, and print nothing."""
    text = printing.LabelText(
        LONGEST_PRODUCT, LONGEST_PRODUCER, "Thu hoạch 01/01/2026", "VietGAP VG-1"
    )
    if printing.text_fits(layout, text):
        within_width, within_height, said = _fits(text, layout)
        assert within_width and within_height, "the lines run off the label"
        assert LONGEST_PRODUCT.replace(" ", "") in said
        assert LONGEST_PRODUCER.replace(" ", "") in said
        return
    coop.name = LONGEST_PRODUCER
    coop.save(update_fields=["name"])
    product = factories.ProductFactory(name_vi=LONGEST_PRODUCT)
    lot = create_batch(
        owner, producer=coop, product=product, plots=[plot], harvested_at=moment(3), quantity=kg(5)
    )
    with pytest.raises(ValidationError) as refused:
        order_label_sheet(owner, lot, 10, layout)
    codes = {e.code for errors in refused.value.error_dict.values() for e in errors}
    assert codes == {"label_text_too_long"}
    assert not Label.objects.filter(batch=lot).exists()


def test_the_largest_layout_holds_the_longest_names():
    text = printing.LabelText(
        LONGEST_PRODUCT, LONGEST_PRODUCER, "Thu hoạch 01/01/2026", "VietGAP VG-1"
    )
    assert printing.text_fits("a4_2x7", text)


@pytest.mark.parametrize("layout", sorted(printing.LAYOUTS))
def test_ordinary_names_keep_every_line(layout):
    text = printing.LabelText("Rau muống", "HTX Vân Nội", "Thu hoạch 01/01/2026", "VietGAP 1")
    within_width, within_height, said = _fits(text, layout)
    assert within_width and within_height and "AB12CD34EF" in said


# --- Map layers: GeoJSON written around PostGIS's text ----------------------------------

HOSTILE_NAMES = [
    'Chợ "Vân Trì" \\ nhà \\"',
    "Dòng\u2028mới\u2029đoạn",
    "</script><script>alert(1)</script>",
    "\ue000csrf\ue001 🥬 \x7f",
    "Tab\tand\nnewline",
]


@pytest.mark.usefixtures("land")
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_keep_the_geojson_valid(name):
    factories.PlaceFactory(kind="market", name=name, location=Point(105.83, 21.13, srid=4326))
    farm = factories.ProducerFactory(kind="cooperative", name=name)
    plot(farm, box(105.86, 21.16, 105.862, 21.162))
    for layer in ("places", "producers", "plots"):
        response = Client().get(
            f"/map/layers/{layer}.geojson",
            {"bbox": "105.7,21.0,106.0,21.3", "limit": 1, "x": name},
        )
        assert response.status_code == 200
        collection = json.loads(response.content.decode())
        assert collection["type"] == "FeatureCollection"
        assert collection["numberReturned"] == len(collection["features"])
        names = {
            feature["properties"].get("name") or feature["properties"].get("producer")
            for feature in collection["features"]
        }
        assert name in names
        for link in collection["links"]:
            assert link["rel"] == "next" and "after=" in link["href"]


@pytest.mark.usefixtures("land")
def test_paging_by_bounding_box_loses_no_shape():
    farm = factories.ProducerFactory(kind="cooperative")
    # A thin diagonal plot whose bounding box overlaps the query's but not its shape.
    sliver = Polygon(
        ((105.80, 21.10), (105.90, 21.20), (105.90, 21.199), (105.80, 21.10)), srid=4326
    )
    plot(farm, sliver)
    inside = [
        plot(farm, box(105.81 + i * 0.002, 21.18, 105.811 + i * 0.002, 21.181)) for i in range(3)
    ]
    url = "/map/layers/plots.geojson?bbox=105.805,21.175,105.82,21.19&limit=1"
    seen, pages = [], 0
    while url and pages < 10:
        collection = json.loads(Client().get(url).content.decode())
        seen += [feature["id"] for feature in collection["features"]]
        url = next((link["href"] for link in collection["links"]), None)
        pages += 1
    assert seen == [p.pk for p in inside]
