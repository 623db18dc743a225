import json

import pytest
from django.utils import translation

from traceability.services.labels import order_label_sheet


@pytest.fixture
def sheet(owner, harvested, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return order_label_sheet(owner, harvested, 3)


def test_members_download_the_epcis_export(client, owner, harvested):
    client.force_login(owner)
    response = client.get(f"/lot/{harvested.code}/epcis.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert json.loads(response.content)["type"] == "EPCISDocument"


def test_the_export_is_not_public(client, stranger, harvested):
    assert client.get(f"/lot/{harvested.code}/epcis.jsonld").status_code == 302
    client.force_login(stranger)
    assert client.get(f"/lot/{harvested.code}/epcis.jsonld").status_code == 403


def test_label_sheets_are_downloaded_by_members_only(client, owner, stranger, sheet):
    url = f"/labels/sheets/{sheet.uuid}.pdf"
    assert client.get(url).status_code == 302
    client.force_login(stranger)
    assert client.get(url).status_code == 403
    client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_single_labels_as_svg_and_png(client, owner, stranger, sheet):
    serial = sheet.labels.first().serial
    client.force_login(stranger)
    assert client.get(f"/labels/{serial}.png").status_code == 403
    client.force_login(owner)
    png = client.get(f"/labels/{serial}.png")
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = client.get(f"/labels/{serial}.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_our_vocabulary_uris_resolve(client, db):
    assert client.get("/voc/bizstep/spraying").status_code == 200
    assert client.get("/voc/bizstep/shipping").status_code == 404  # a CBV step, not ours
    assert client.get("/voc/bizstep/nonsense").status_code == 404


def test_exported_location_and_party_uris_resolve_to_public_facts(client, coop, plot):
    from farms.models import Place

    shop = Place.objects.create(
        kind=Place.Kind.SUPERMARKET,
        name="Siêu thị Xanh",
        district="Cầu Giấy",
        address="Số 1 phố Xuân Thủy",
    )
    plot_page = client.get(f"/loc/{plot.location_code}").content.decode()
    assert plot.name in plot_page and "Vân Nội" in plot_page
    assert coop.street_address not in plot_page
    assert "Siêu thị Xanh" in client.get(f"/loc/{shop.location_code}").content.decode()
    assert client.get("/loc/LNOTACODE1").status_code == 404
    assert client.get(f"/party/{coop.pk}").status_code == 404  # no enumerable ids
    party = client.get(f"/party/{coop.uuid}").content.decode()
    assert coop.name in party
    for private in (coop.contact_phone, coop.contact_name, coop.street_address, coop.contact_email):
        assert private not in party


def test_only_those_who_operate_a_producer_can_print_its_labels(client, sheet):
    from django.contrib.auth.models import Group

    from farms.permissions import EXTENSION_STAFF_GROUP
    from tests.factories import UserFactory

    reader = UserFactory(is_staff=True)
    reader.groups.add(Group.objects.get(name=EXTENSION_STAFF_GROUP))
    client.force_login(reader)
    serial = sheet.labels.first().serial
    assert client.get(f"/labels/sheets/{sheet.uuid}.pdf").status_code == 403
    assert client.get(f"/labels/{serial}.png").status_code == 403
    assert serial not in client.get("/admin/traceability/label/").content.decode()


def test_location_codes_with_control_characters_are_404(client, db):
    assert client.get("/loc/%00").status_code == 404


def test_a_household_registration_code_is_not_public(client, db):
    from farms.models import Producer
    from tests.factories import ProducerFactory

    farm = ProducerFactory(kind=Producer.Kind.HOUSEHOLD, registration_code="001088012345")
    assert "001088012345" not in client.get(f"/party/{farm.uuid}").content.decode()


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request's language outlives it in this thread; these tests read English, and
    later tests expect Vietnamese."""
    yield
    translation.deactivate()


@pytest.fixture
def cooperative_staff(owner):
    from django.contrib.auth.models import Group

    from farms.roles import COOPERATIVE_STAFF_GROUP

    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    return owner


@pytest.fixture
def inspector(db):
    from django.contrib.auth.models import Group

    from farms.permissions import INSPECTOR_GROUP
    from tests.factories import UserFactory

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=INSPECTOR_GROUP))
    return user


@pytest.mark.parametrize("who", ["cooperative_staff", "admin_user"])
def test_a_label_sheet_page_opens_and_links_its_pdf_through_the_checked_view(
    client, request, sheet, who
):
    sheet.refresh_from_db()  # drawn after the fixture's commit
    client.force_login(request.getfixturevalue(who))
    response = client.get(
        f"/admin/traceability/labelsheet/{sheet.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ready" in html
    download = f'href="/labels/sheets/{sheet.uuid}.pdf"'
    assert download in html
    assert sheet.file.name not in html  # the private file's own path is never shown
    pdf = client.get(f"/labels/sheets/{sheet.uuid}.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_sheet_not_ready_shows_its_status_and_no_link(client, cooperative_staff, harvested):
    from traceability.models import LabelSheet
    from traceability.services.labels import order_label_sheet

    sheet = order_label_sheet(cooperative_staff, harvested, 3)  # not committed: no PDF yet
    LabelSheet.objects.filter(pk=sheet.pk).update(
        status=LabelSheet.Status.FAILED, error="Font missing"
    )
    client.force_login(cooperative_staff)
    response = client.get(
        f"/admin/traceability/labelsheet/{sheet.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Failed" in html and "Font missing" in html
    assert f"/labels/sheets/{sheet.uuid}.pdf" not in html


def _copied_from_one_network(label):
    from django.test import Client

    for _ in range(32):
        Client(REMOTE_ADDR="203.0.113.7").get(f"/s/{label.serial}")


def test_staff_see_a_weak_copy_signal_the_public_page_does_not_show(
    client, cooperative_staff, inspector, sheet
):
    label = sheet.labels.first()
    _copied_from_one_network(label)
    client.force_login(cooperative_staff)
    listing = client.get("/admin/traceability/label/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "scans: 32 · networks: 1 · spread: 0 km" in listing
    assert "for staff only" in listing
    page = client.get(f"/admin/traceability/label/{label.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert "scans: 32 · networks: 1" in page.content.decode()
    batches = client.get("/admin/traceability/batch/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'class="field-suspected_copies">1<' in batches
    # Inspectors may not see serials (printable labels) but read the batch's evidence.
    client.force_login(inspector)
    batch_page = client.get(
        f"/admin/traceability/batch/{sheet.batch.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "scans: 32 · networks: 1 · spread: 0 km" in batch_page
    assert label.serial not in batch_page
    public = client.get(f"/s/{label.serial}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "It may be a copy" not in public
