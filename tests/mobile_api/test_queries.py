"""Reading through the API: limits, a constant number of SQL queries, language, photos."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from graphql_relay import to_global_id

from tests.factories import kg, moment
from tests.test_images import GPS_IFD, jpeg_with_gps
from traceability.models import EventPhoto
from traceability.services.batches import create_batch
from traceability.services.events import InputUse, record_event

MY_BATCHES = """query($first: Int!, $after: String) {
  myBatches(first: $first, after: $after) { pageInfo { hasNextPage endCursor }
    edges { node { code status product { name } producer { name }
      events { businessStep occurredAt inputs { name } photos { url } } } } } }"""


@pytest.fixture
def many_batches(owner, coop, plot, product, pesticide):
    for index in range(100):
        batch = create_batch(owner, producer=coop, product=product, plots=[plot])
        record_event(
            owner,
            batch,
            "spraying",
            occurred_at=moment(60 - index * 0.01),
            inputs=[InputUse(agricultural_input=pesticide, dose=kg(5))],
        )
        record_event(owner, batch, "irrigating", occurred_at=moment(40))
    return coop


def test_listing_100_batches_with_events_costs_a_constant_number_of_queries(
    api, many_batches, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as captured:
        data = api.ok(MY_BATCHES, {"first": 100})
    edges = data["myBatches"]["edges"]
    assert len(edges) == 100
    assert all(len(edge["node"]["events"]) == 2 for edge in edges)
    assert edges[0]["node"]["events"][0]["inputs"][0]["name"].startswith("Thuốc trừ sâu")
    with django_assert_max_num_queries(len(captured.captured_queries)):
        api.ok(MY_BATCHES, {"first": 10})


def test_pages_follow_cursors_and_filters_narrow(api, many_batches, harvested):
    first = api.ok(MY_BATCHES, {"first": 60})["myBatches"]
    assert first["pageInfo"]["hasNextPage"]
    rest = api.ok(MY_BATCHES, {"first": 60, "after": first["pageInfo"]["endCursor"]})
    codes = {e["node"]["code"] for e in first["edges"]} | {
        e["node"]["code"] for e in rest["myBatches"]["edges"]
    }
    assert len(codes) == 101
    active = api.ok('{ myBatches(first: 100, status: "active") { edges { node { code } } } }')
    assert [e["node"]["code"] for e in active["myBatches"]["edges"]] == [harvested.code]


def test_page_size_is_capped(api, many_batches):
    body = api(MY_BATCHES, {"first": 500})
    assert body["data"]["myBatches"] is None
    assert body["errors"][0]["extensions"]["code"] == "page_too_large"


def test_deep_queries_are_refused(api, db):
    nested = (
        "{ myProducers { producer { cooperative { cooperative { cooperative { cooperative "
        "{ cooperative { cooperative { cooperative { cooperative { cooperative { name "
        "} } } } } } } } } } } }"
    )
    body = api(nested)
    assert body["errors"][0]["extensions"]["code"] == "query_too_deep"


def test_expensive_queries_are_refused_before_running(api, db, settings):
    settings.GRAPHQL_MAX_COST = 500
    body = api(MY_BATCHES, {"first": 100})
    assert body["errors"][0]["extensions"]["code"] == "query_too_costly"
    assert "quá nhiều" in body["errors"][0]["message"]
    assert "data" not in body or body["data"] is None


def test_fragments_count_towards_the_cost(api, db, settings):
    settings.GRAPHQL_MAX_COST = 500
    body = api("""query { myBatches(first: 100) { edges { node { ...Full } } } }
      fragment Full on BatchNode { code events { businessStep inputs { name } } }""")
    assert body["errors"][0]["extensions"]["code"] == "query_too_costly"


def test_introspection_is_a_setting(api, db, settings):
    query = "{ __schema { queryType { name } } }"
    assert api.ok(query)["__schema"]["queryType"]["name"] == "Query"
    settings.GRAPHQL_INTROSPECTION = False
    assert api(query)["errors"][0]["extensions"]["code"] == "introspection_disabled"
    assert api.ok("{ crops { __typename } }")["crops"] is not None  # Apollo adds these


def test_malformed_requests_are_400_not_500(client, db):
    for body, content_type in [
        ("{not json", "application/json"),
        ("[1, 2]", "application/json"),
        ("", "application/json"),
    ]:
        response = client.post("/graphql", body, content_type=content_type)
        assert response.status_code == 400, body
    response = client.post("/graphql", {"operations": "{bad", "map": "{}"})
    assert response.status_code == 400


def test_crop_names_and_messages_follow_accept_language(api, product):
    english = api.ok("{ crops { name } }", HTTP_ACCEPT_LANGUAGE="en")
    vietnamese = api.ok("{ crops { name } }", HTTP_ACCEPT_LANGUAGE="vi")
    assert english["crops"] == [{"name": "Water spinach"}]
    assert vietnamese["crops"] == [{"name": "Rau muống"}]


def record_with_photo(api, batch, photo, keep_location: bool) -> dict:
    operations = {
        "query": """mutation($input: RecordEventInput!) { recordEvent(input: $input) {
          errors { field code message } event { photos { url thumbnailUrl } } } }""",
        "variables": {
            "input": {
                "batchId": to_global_id("BatchNode", batch.pk),
                "step": "PACKING",
                "occurredAt": moment(0.5).isoformat(),
                "photos": [None],
                "keepPhotoLocation": keep_location,
            }
        },
    }
    response = api.client.post(
        "/graphql",
        {
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.photos.0"]}),
            "0": photo,
        },
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    return response.json()["data"]["recordEvent"]


def test_photos_lose_their_location_unless_the_farmer_keeps_it(
    api, harvested, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = record_with_photo(api, harvested, jpeg_with_gps(), keep_location=False)
    assert result["errors"] == []
    photo = EventPhoto.objects.get()
    assert photo.location is None
    from PIL import Image

    assert not Image.open(photo.image.path).getexif().get(GPS_IFD)
    assert photo.thumbnail and Image.open(photo.thumbnail.path).size[0] <= 320
    with django_capture_on_commit_callbacks(execute=True):
        kept = record_with_photo(api, harvested, jpeg_with_gps(), keep_location=True)
    assert kept["errors"] == []
    located = EventPhoto.objects.exclude(location=None).get()
    assert round(located.location.y, 3) == 21.142 and round(located.location.x, 3) == 105.803
    assert not Image.open(located.image.path).getexif().get(GPS_IFD)


def test_a_fake_photo_is_a_typed_error(api, harvested):
    fake = SimpleUploadedFile("photo.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg")
    result = record_with_photo(api, harvested, fake, keep_location=False)
    assert result["errors"][0]["code"] == "invalid_image"
    assert harvested.events.count() == 1


def test_an_unexpected_failure_is_a_typed_error_without_internals(api, harvested, monkeypatch):
    from traceability.services import batches

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(batches, "recall_batch", broken)
    result = api(
        """mutation($input: RecallBatchInput!) { recallBatch(input: $input) {
      errors { code message } } }""",
        {"input": {"batchId": to_global_id("BatchNode", harvested.pk), "reason": "x"}},
    )
    errors = result["data"]["recallBatch"]["errors"]
    assert errors[0]["code"] == "internal_error"
    assert "secret" not in json.dumps(result)


def test_a_nul_character_anywhere_is_refused_at_the_door(api, harvested):
    body = api(
        """mutation($input: RecallBatchInput!) { recallBatch(input: $input) {
      errors { code } } }""",
        {"input": {"batchId": to_global_id("BatchNode", harvested.pk), "reason": "bad\x00reason"}},
    )
    assert "data" not in body and body["errors"]
    assert api('{ batchByCode(code: "A\\u0000B") { code } }').get("data") is None
    harvested.refresh_from_db()
    assert harvested.status == "active"


def test_plots_of_listed_batches_and_events_come_from_the_prefetch(
    api, many_batches, plot, django_assert_max_num_queries
):
    query = """query($first: Int!) { myBatches(first: $first) { edges { node {
      originPlots { edges { node { name } } } events { plot { name } } } } } }"""
    with django_assert_max_num_queries(12) as few:
        api.ok(query, {"first": 5})
    with django_assert_max_num_queries(len(few.captured_queries)):
        edges = api.ok(query, {"first": 50})["myBatches"]["edges"]
    assert edges[0]["node"]["originPlots"]["edges"] == [{"node": {"name": plot.name}}]
    assert {event["plot"]["name"] for edge in edges for event in edge["node"]["events"]} == {
        plot.name
    }
