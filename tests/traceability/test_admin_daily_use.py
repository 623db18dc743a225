"""The lot pages of the admin in daily use: a split names every new lot and links both
ways, a label order links its sheet, a recalled lot offers only what it may still do,
steps that cannot be taken back say so and ask, and the event form starts empty."""

import re

import pytest
from django.contrib.auth.models import Group

from farms.models import AgriculturalInput
from farms.roles import COOPERATIVE_STAFF_GROUP
from tests.factories import moment
from traceability.models import Batch, LabelSheet, TraceEvent
from traceability.services.batches import recall_batch


@pytest.fixture
def clerk(client, owner):
    owner.is_staff = True
    owner.save()
    owner.groups.add(Group.objects.get(name=COOPERATIVE_STAFF_GROUP))
    client.force_login(owner)
    return owner


def when(days_ago: float) -> str:
    return moment(days_ago).strftime("%d/%m/%Y %H:%M")


def test_a_split_names_every_new_lot_and_parent_and_children_link(client, clerk, harvested, plot):
    done = client.post(
        f"/admin/traceability/batch/{harvested.pk}/split/",
        {"quantities": "12,5; 7,5", "occurred_at": when(0.5)},
        follow=True,
    )
    children = list(Batch.objects.filter(parent_links__parent=harvested).order_by("pk"))
    page = done.content.decode()

    assert [c.quantity for c in children] == [12.5, 7.5]
    assert done.redirect_chain[-1][0] == f"/admin/traceability/batch/{harvested.pk}/change/"
    for child in children:
        assert f'<a href="/admin/traceability/batch/{child.pk}/change/">{child.code}</a>' in page
        assert page.count(f'href="/admin/traceability/batch/{child.pk}/change/"') == 2  # made into
    assert "12,5 kg" in page and "7,5 kg" in page
    child_page = client.get(f"/admin/traceability/batch/{children[0].pk}/change/").content.decode()
    assert f"/admin/traceability/batch/{harvested.pk}/change/" in child_page  # made from
    assert f"{plot.name} ({plot.location_code})" in child_page  # its source's plot


def test_a_label_order_links_its_sheet_and_the_lot_lists_it(
    client, clerk, harvested, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/admin/traceability/batch/{harvested.pk}/labels/",
            {"count": "6", "layout": "a4_3x8"},
            follow=True,
        )
    sheet = LabelSheet.objects.get()
    page = done.content.decode()
    sheet_url = f"/admin/traceability/labelsheet/{sheet.pk}/change/"

    assert f'<a href="{sheet_url}">' in page.split('class="messagelist"')[1].split("</ul>")[0]
    lot_page = client.get(f"/admin/traceability/batch/{harvested.pk}/change/").content.decode()
    assert f"/labels/sheets/{sheet.uuid}.pdf" in lot_page  # made since: its PDF on the lot
    listing = client.get("/admin/traceability/labelsheet/").content.decode()
    assert "A4, 24 tem 70 × 37 mm" in listing
    assert "a4_3x8" not in listing
    columns = re.findall(r'<th scope="col" class="[^"]*column-(\w+)', listing)
    assert columns.index("download") < columns.index("created_at")


def test_a_recalled_lot_offers_only_what_it_may_still_do(client, clerk, owner, harvested):
    recall_batch(owner, harvested, "Dư lượng vượt ngưỡng")
    page = client.get(f"/admin/traceability/batch/{harvested.pk}/change/").content.decode()
    tools = page.split('class="object-tools"')[1].split("</ul>")[0]

    assert f"/{harvested.pk}/event/" in tools and f"/{harvested.pk}/withdraw/" in tools
    for gone in ("split", "transform", "labels", "recall"):
        assert f"/{harvested.pk}/{gone}/" not in tools


def test_recalling_names_its_button_and_asks_first(client, clerk, harvested):
    page = client.get(f"/admin/traceability/batch/{harvested.pk}/recall/").content.decode()
    button = re.search(r'<input type="submit" class="default destructive"[^>]*>', page)[0]
    assert 'value="Thu hồi lô"' in button
    assert "data-confirm=" in button


def test_the_event_form_starts_with_no_step_groups_inputs_and_needs_a_dose_unit(
    client, clerk, harvested, pesticide
):
    fertiliser = AgriculturalInput.objects.create(kind="fertilizer", name="Phân NPK 16-16-8")
    url = f"/admin/traceability/batch/{harvested.pk}/event/"
    form = client.get(url).content.decode()
    assert re.search(r'<option value="" selected>— ', form)
    pesticides = form.split('<optgroup label="Thuốc bảo vệ thực vật">')[1].split("</optgroup>")[0]
    fertilisers = form.split('<optgroup label="Phân bón">')[1].split("</optgroup>")[0]
    assert str(pesticide.pk) in pesticides and fertiliser.name in fertilisers
    assert fertiliser.name not in pesticides
    events = TraceEvent.objects.count()

    refused = client.post(
        url,
        {
            "business_step": "storing",
            "occurred_at": when(0.2),
            "agricultural_input": pesticide.pk,
            "dose": "20",
        },
    )

    assert refused.status_code == 200
    assert "ml/bình 16 lít" in refused.content.decode()
    assert TraceEvent.objects.count() == events
