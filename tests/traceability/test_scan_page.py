import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from tests.factories import CertificationFactory, kg, moment, ship
from tests.traceability.scanning import scan, scan_and_share, share, token_in
from traceability.models import Label, Scan, TraceEvent
from traceability.services import scans
from traceability.services.batches import create_batch, recall_batch
from traceability.services.events import InputUse, record_event
from traceability.services.labels import new_serials
from traceability.steps import BusinessStep as Step

PAGE_BUDGET_BYTES = 100 * 1024


def add_label(batch) -> Label:
    return Label.objects.create(batch=batch, serial=new_serials(1)[0])


@pytest.fixture
def journey(owner, coop, plot, growing, pesticide):
    CertificationFactory(producer=coop, number="VG-0042").plots.add(plot)
    record_event(owner, growing, Step.SEEDING, occurred_at=moment(30), plot=plot)
    record_event(
        owner,
        growing,
        Step.SPRAYING,
        occurred_at=moment(12),
        plot=plot,
        inputs=[InputUse(agricultural_input=pesticide, dose=kg(10), dose_unit="ml")],
        notes="Gọi anh Bình 0912345678 nếu cần",
    )
    record_event(owner, growing, Step.HARVESTING, occurred_at=moment(2), quantity=kg(120))
    ship(owner, growing, kg(10), moment(1))
    growing.refresh_from_db()
    return growing


@pytest.fixture
def label(journey):
    return add_label(journey)


def test_the_scan_page_tells_where_the_food_came_from(client, label, coop, plot):
    response = client.get(f"/s/{label.serial}")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        "Rau muống",
        coop.name,
        "Vân Nội, Đông Anh, Hà Nội",
        "VietGAP",
        "VG-0042",
        label.batch.code,
        label.serial,
        "Gieo hạt",
        "Thu hoạch",
        "Vận chuyển",
        "Thuốc trừ sâu",
        "Abamectin",
        plot.name,
        "<polygon",
    ]:
        assert expected in html, expected
    assert "Nhật ký nguyên vẹn" in html


def test_the_page_says_whether_an_inspector_checked_the_certificate(client, label):
    from django.utils import timezone

    html = client.get(f"/lot/{label.batch.code}").content.decode()
    assert "chưa được thanh tra kiểm tra" in html
    label.batch.certification.verified_at = timezone.now()
    label.batch.certification.save()
    assert "đã được thanh tra kiểm tra" in client.get(f"/lot/{label.batch.code}").content.decode()


def test_the_scan_page_shows_no_personal_data(client, label, coop):
    html = client.get(f"/s/{label.serial}").content.decode()
    for private in [
        coop.contact_phone,
        coop.street_address,
        coop.contact_name,
        coop.contact_email,
        "0912345678",
        label.batch.created_by.phone,
        label.batch.created_by.full_name,
    ]:
        assert private not in html, private


def test_every_scan_is_counted_without_personal_data(label):
    Client().get(f"/s/{label.serial}", HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 9)")
    Client().get(f"/s/{label.serial}")
    label.refresh_from_db()
    assert scans.evidence(label).scans == 2
    scan_fields = {field.name for field in Scan._meta.get_fields()}
    # source: a 16-bit bucket of the network, keyed per label (test_copy_detection.py).
    assert scan_fields == {"id", "label", "scanned_at", "source", "location"}


def test_page_is_small_and_costs_a_constant_number_of_queries(
    client, label, owner, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as short:
        response = client.get(f"/s/{label.serial}")
    assert len(response.content) < PAGE_BUDGET_BYTES
    for days in range(30):
        record_event(owner, label.batch, Step.STORING, occurred_at=moment(0.9 - days * 0.01))
    with django_assert_max_num_queries(len(short.captured_queries)):
        # Another phone on another network: a counted scan from a new source.
        response = Client(REMOTE_ADDR="198.51.100.20").get(f"/s/{label.serial}")
    assert response.content.decode().count("Lưu kho") == 30
    label.refresh_from_db()
    assert scans.evidence(label).scans == 2


@pytest.mark.parametrize(
    "path",
    [
        "/s/NOSUCHSERIAL",
        "/s/" + "A" * 300,
        "/lot/NOPE",
        "/lot/NOPE/verify",
    ],
)
def test_unknown_or_malformed_codes_get_a_friendly_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Chúng tôi không tìm thấy mã này" in response.content.decode()


def test_english_is_beside_vietnamese(label):
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/s/{label.serial}").content.decode()
    assert "Water spinach" in english and "Harvesting" in english
    vietnamese = Client().get(f"/s/{label.serial}").content.decode()
    assert 'lang="vi"' in vietnamese and "Thu hoạch" in vietnamese


def test_recalled_batches_warn_the_consumer(client, label, owner):
    recall_batch(owner, label.batch, "Phát hiện dư lượng thuốc")
    html = client.get(f"/s/{label.serial}").content.decode()
    assert "THU HỒI" in html and "Phát hiện dư lượng thuốc" in html


def test_a_tampered_history_warns_the_consumer(client, label):
    TraceEvent.objects.filter(batch=label.batch, sequence=1).update(notes="sửa lại")
    html = client.get(f"/s/{label.serial}").content.decode()
    assert "đã bị sửa đổi" in html
    verify = client.get(f"/lot/{label.batch.code}/verify").content.decode()
    assert "bị thay đổi" in verify


def test_a_label_scanned_far_too_often_is_flagged(label, settings):
    label.batch.max_scans_per_label = 3
    label.batch.save()
    settings.LABEL_MIN_DISTINCT_SOURCES = 4
    for number in range(3):  # three phones on three networks
        page = Client(REMOTE_ADDR=f"198.51.100.{number}").get(f"/s/{label.serial}")
        assert "có thể là hàng giả" not in page.content.decode()
    html = Client(REMOTE_ADDR="198.51.100.3").get(f"/s/{label.serial}").content.decode()
    label.refresh_from_db()
    assert label.suspicion == Label.Suspicion.TOO_MANY_SCANS and label.public_warning
    assert "có thể là hàng giả" in html


def test_reloading_or_link_previews_do_not_count(client, label):
    for _ in range(5):
        client.get(f"/s/{label.serial}")
    Client(HTTP_USER_AGENT="facebookexternalhit/1.1").get(f"/s/{label.serial}")
    Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Zalo Link Preview)").get(f"/s/{label.serial}")
    label.refresh_from_db()
    assert scans.evidence(label).scans == 1
    client.cookies["scanned"] = "forged"
    client.get(f"/s/{label.serial}")
    label.refresh_from_db()
    assert scans.evidence(label).scans == 2  # a forged cookie is ignored, the scan counts


def test_a_checked_label_can_be_cleared_and_counting_restarts(label, owner):
    label.suspicion = Label.Suspicion.TOO_MANY_SCANS
    label.public_warning = True
    label.save()
    assert "có thể là hàng giả" in Client().get(f"/s/{label.serial}").content.decode()
    scans.clear_suspicion(owner, label)
    label.refresh_from_db()
    assert (label.suspicion, label.public_warning) == ("", False)
    assert scans.evidence(label).scans == 0
    assert "có thể là hàng giả" not in Client().get(f"/s/{label.serial}").content.decode()


def test_strangers_cannot_clear_a_warning(label, stranger):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        scans.clear_suspicion(stranger, label)


def test_scans_far_apart_flag_the_label(label):
    hanoi, saigon = (21.03, 105.86), (10.78, 106.70)
    for number, position in enumerate([hanoi, hanoi, saigon, saigon]):
        scan_and_share(label, f"198.51.100.{number}", position)  # two networks in each city
    label.refresh_from_db()
    assert label.suspicion == Label.Suspicion.FAR_APART and label.public_warning
    stored = list(Scan.objects.exclude(location=None).values_list("location", flat=True))
    assert Point(105.9, 21.0, srid=4326) in stored  # rounded to 0.1°, about 10 km


def test_nearby_scans_are_normal_and_bad_positions_refused(label):
    for number, latitude in enumerate((21.03, 21.05)):
        scan_and_share(label, f"198.51.100.{number}", (latitude, 105.85))
    label.refresh_from_db()
    assert label.suspicion == ""
    assert share("198.51.100.1", "forged", 21.03, 105.85).status_code == 400
    token = token_in(scan(label, "198.51.100.1"))
    assert share("198.51.100.1", token, 123, 1).status_code == 400


def test_a_lot_page_shows_the_trace_without_counting(client, label):
    response = client.get(f"/lot/{label.batch.code}")
    assert response.status_code == 200
    label.refresh_from_db()
    assert scans.evidence(label).scans == 0


def test_quantities_read_right_in_vietnamese_and_english(owner, coop, plot, product):
    batch = create_batch(
        owner,
        producer=coop,
        product=product,
        plots=[plot],
        harvested_at=moment(1),
        quantity=kg("15500"),
    )
    record_event(owner, batch, Step.PACKING, occurred_at=moment(0.5), quantity=kg("12.5"))
    label = add_label(batch)
    vietnamese = Client().get(f"/s/{label.serial}").content.decode()
    assert "15.500 kg" in vietnamese and "12,5 kg" in vietnamese
    assert "15500.000" not in vietnamese
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/s/{label.serial}").content.decode()
    assert "15,500 kg" in english and "12.5 kg" in english


def test_field_work_says_where_it_happened(owner, growing, plot):
    record_event(owner, growing, Step.IRRIGATING, occurred_at=moment(5))
    assert growing.events.get().plot == plot  # the batch's only plot


def test_a_lot_shows_its_parents_story_only_up_to_its_own_making(client, owner, journey):
    from traceability.services.transformations import split_batch

    half = split_batch(owner, journey, [kg(50), kg(50)], occurred_at=moment(0.6))[0]
    record_event(owner, journey, Step.STORING, occurred_at=moment(0.4))  # the 10 kg left over
    label = add_label(half)
    html = client.get(f"/s/{label.serial}").content.decode()
    assert "Gieo hạt" in html and "Tách hoặc gộp lô" in html
    assert "Lưu kho" not in html
    assert "Lưu kho" in client.get(f"/lot/{journey.code}").content.decode()
