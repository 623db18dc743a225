"""The EPCIS 2.0 REST interface's query side, through its real URLs with API keys: every
answer checked against GS1's EPCIS JSON Schema, visibility per key holder, the standard
query parameters, paging, and problems typed with EPCIS's exceptions."""

import pytest
from django.test import Client

from tests.factories import ProducerFactory, kg, moment, ship
from tests.traceability.epcis_clients import EPCIS_GTIN, client_for, event_list
from traceability import epcis
from traceability.models import ApiKey
from traceability.services.api_keys import issue_key, revoke_key
from traceability.services.parties import register_party

GTIN = EPCIS_GTIN


def valid(validator, response) -> dict:
    assert response.status_code == 200, response.content
    assert response["GS1-EPCIS-Version"] == "2.0.0" and response["GS1-CBV-Version"] == "2.0.0"
    document = response.json()
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors[:5]
    assert document["type"] == "EPCISQueryDocument"
    return document


def test_an_inspection_body_sees_every_event_once(validator, inspection, journey):
    events = event_list(valid(validator, inspection.get("/epcis/events")))
    steps = [event["bizStep"] for event in events]
    assert steps.count("repackaging") == 1  # a split stored on three lots, shown once
    assert steps.count("shipping") == 2
    assert not any("correcting" in step for step in steps)
    wrong = next(e for e in events if e["eventID"] == f"urn:uuid:{journey['wrong'].uuid}")
    assert wrong["errorDeclaration"]["reason"] == "did_not_occur"
    assert any(e.get("nongsan:notes") == "Gọi 0912345678" for e in events)


def test_a_partner_sees_only_what_names_it_and_no_farm_notes(validator, partner, journey):
    events = event_list(valid(validator, partner.get("/epcis/events")))
    assert [e["eventID"] for e in events] == [f"urn:uuid:{journey['to_supermarket'].uuid}"]
    assert "nongsan:notes" not in events[0]
    assert events[0]["quantityList"][0]["epcClass"] == epcis.lot_uri(journey["sold"].code, GTIN)


def test_a_partner_that_never_handled_a_lot_gets_nothing(validator, admin_user, coop, journey):
    other = register_party(admin_user, coop, name="Bếp trường", kind="kitchen", district="Hà Đông")
    stranger = client_for(issue_key(admin_user, "Bếp", party=other)[1])
    lot_uri = epcis.lot_uri(journey["sold"].code, GTIN)
    assert event_list(valid(validator, stranger.get("/epcis/events"))) == []
    response = stranger.get("/epcis/events", {"MATCH_anyEPCClass": lot_uri})
    assert event_list(valid(validator, response)) == []
    missing = stranger.get(f"/epcis/events/urn:uuid:{journey['to_supermarket'].uuid}")
    assert missing.status_code == 404
    assert missing.json()["type"] == "epcisException:NoSuchNameException"


def test_a_producer_sees_its_own_records_not_another_farms(
    validator, producer_client, admin_user, journey, owner
):
    elsewhere = ProducerFactory()
    other = client_for(issue_key(admin_user, "Khác", producer=elsewhere)[1])
    assert event_list(valid(validator, other.get("/epcis/events"))) == []
    own = event_list(valid(validator, producer_client.get("/epcis/events")))
    assert len(own) == 6  # harvest, spraying, storing, split, two shippings


@pytest.mark.parametrize(
    ("query", "expected_steps"),
    [
        ({"EQ_bizStep": "shipping"}, ["shipping", "shipping"]),
        ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-shipping"}, ["shipping", "shipping"]),
        (
            {"EQ_bizStep": "urn:epcglobal:cbv:bizstep:storing|shipping"},
            ["storing", "shipping", "shipping"],
        ),
        ({"eventType": "TransformationEvent"}, ["repackaging"]),
        ({"EXISTS_errorDeclaration": "true"}, ["storing"]),
        ({"EQ_errorReason": "https://ref.gs1.org/cbv/ER-did_not_occur"}, ["storing"]),
        ({"EQ_errorReason": "incorrect_data"}, []),
        ({"MATCH_epc": "https://id.gs1.org/01/04006381333931/21/X"}, []),
        ({"GE_quantity": "15", "EQ_bizStep": "shipping"}, ["shipping"]),
    ],
)
def test_standard_query_parameters(validator, inspection, journey, query, expected_steps):
    events = event_list(valid(validator, inspection.get("/epcis/events", query)))
    assert [event["bizStep"].rsplit("/", 1)[-1] for event in events] == expected_steps


def test_epc_class_and_time_and_id_parameters(validator, inspection, journey):
    sold = epcis.lot_uri(journey["sold"].code, GTIN)
    by_class = event_list(
        valid(validator, inspection.get("/epcis/events", {"MATCH_epcClass": sold}))
    )
    assert [e["bizStep"] for e in by_class] == ["shipping", "shipping"]
    any_class = event_list(
        valid(validator, inspection.get("/epcis/events", {"MATCH_anyEPCClass": sold}))
    )
    assert sorted(e["type"] for e in any_class) == ["ObjectEvent"] * 2 + ["TransformationEvent"]
    whole_gtin = inspection.get(
        "/epcis/events", {"MATCH_epcClass": f"https://id.gs1.org/01/0{GTIN}"}
    )
    assert len(event_list(valid(validator, whole_gtin))) == 5
    since = moment(6.5).isoformat()
    late = event_list(valid(validator, inspection.get("/epcis/events", {"GE_eventTime": since})))
    assert [e["bizStep"] for e in late] == ["shipping"]
    one = inspection.get(f"/epcis/events/urn:uuid:{journey['to_supermarket'].uuid}")
    assert [e["eventID"] for e in event_list(valid(validator, one))] == [
        f"urn:uuid:{journey['to_supermarket'].uuid}"
    ]
    by_id = inspection.get("/epcis/events", {"EQ_eventID": f"urn:uuid:{journey['wrong'].uuid}"})
    assert len(event_list(valid(validator, by_id))) == 1


def test_pages_follow_the_link_header_to_the_end(validator, inspection, journey):
    seen, url, pages = [], "/epcis/events?perPage=2", 0
    while url:
        response = inspection.get(url)
        seen += [e["eventID"] for e in event_list(valid(validator, response))]
        pages += 1
        link = response.get("Link", "")
        url = link[link.index("/epcis/") : link.index(">")] if link else None
        if link:
            assert 'rel="next"' in link and response["GS1-Next-Page-Token-Expires"].endswith("Z")
    assert pages == 3 and len(seen) == len(set(seen)) == 6


def test_a_page_token_is_for_its_own_query(inspection, journey):
    link = inspection.get("/epcis/events?perPage=1")["Link"]
    token = link.split("nextPageToken=")[1].split(">")[0]
    other = inspection.get(
        "/epcis/events", {"perPage": 1, "nextPageToken": token, "eventType": "ObjectEvent"}
    )
    assert other.status_code == 400
    assert other.json()["type"] == "epcisException:QueryParameterException"
    forged = inspection.get("/epcis/events", {"nextPageToken": token[:-3] + "abc"})
    assert forged.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"GE_eventTime": "yesterday"},
        {"GE_eventTime": "2026-12-01T08:00:00"},  # no offset
        {"GE_quantity": "many"},
        {"orderDirection": "UP"},
        {"orderBy": "quantity"},
        {"eventCountLimit": "3"},  # without orderBy
        {"eventCountLimit": "3", "maxEventCount": "3", "orderBy": "eventTime"},
        {"perPage": "0"},
        {"SELECT": "*"},
        {"EQ_bizStep": ""},
        {"EXISTS_errorDeclaration": "maybe"},
    ],
)
def test_a_bad_parameter_is_a_query_parameter_exception(inspection, journey, query):
    response = inspection.get("/epcis/events", query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "epcisException:QueryParameterException"
    assert response.json()["detail"]


def test_order_limit_and_too_large(validator, inspection, journey):
    latest = inspection.get(
        "/epcis/events", {"orderBy": "eventTime", "orderDirection": "DESC", "eventCountLimit": 1}
    )
    events = event_list(valid(validator, latest))
    assert len(events) == 1 and "Link" not in latest
    assert (
        events[0]["eventID"]
        == event_list(inspection.get("/epcis/events", {"GE_eventTime": moment(6.5).isoformat()}))[
            0
        ]["eventID"]
    )
    too_many = inspection.get("/epcis/events", {"maxEventCount": 2})
    assert too_many.status_code == 413
    assert too_many.json()["type"] == "epcisException:QueryTooLargeException"


@pytest.mark.parametrize(
    "authorization", [None, "Bearer nope", "Basic abc", "Bearer ns_" + "x" * 43]
)
def test_without_a_live_key_it_is_a_security_exception(journey, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client(**headers).get("/epcis/events")
    assert response.status_code == 401
    assert response.json()["type"] == "epcisException:SecurityException"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(admin_user, supermarket, journey):
    row, key = issue_key(admin_user, "Siêu thị", party=supermarket)
    assert client_for(key).get("/epcis/events").status_code == 200
    revoke_key(row)
    assert client_for(key).get("/epcis/events").status_code == 401
    row.refresh_from_db()
    assert row.last_used_at is not None and row.digest != key and key.startswith(row.prefix)


def test_top_level_and_discovery(inspection, journey):
    top = inspection.get("/epcis/")
    assert top.status_code == 200
    assert set(top.json()["member"]) >= {"events", "eventTypes", "epcs", "bizSteps", "capture"}
    options = Client().options("/epcis/events")
    assert options.status_code == 204 and "GET" in options["Allow"]
    assert options["GS1-EPCIS-Version"] == "2.0.0"
    assert inspection.get("/epcis/queries").status_code == 501
    assert inspection.get("/epcis/capture").json() == []


def test_browsable_values_lead_to_their_events(validator, inspection, journey):
    steps = inspection.get("/epcis/bizSteps").json()["member"]
    assert "shipping" in steps and any(step.endswith("/bizstep/spraying") for step in steps)
    assert inspection.get("/epcis/eventTypes").json()["member"] == [
        "ObjectEvent",
        "TransformationEvent",
    ]
    lots = inspection.get("/epcis/epcs").json()["member"]
    sold = epcis.lot_uri(journey["sold"].code, GTIN)
    assert sold in lots
    assert inspection.get(f"/epcis/epcs/{sold}").json()["member"] == ["events"]
    events = event_list(valid(validator, inspection.get(f"/epcis/epcs/{sold}/events")))
    assert len(events) == 3
    shipping = event_list(valid(validator, inspection.get("/epcis/bizSteps/shipping/events")))
    assert len(shipping) == 2
    locations = inspection.get("/epcis/bizLocations").json()["member"]
    assert len(locations) == 1 and "/loc/" in locations[0]
    first = inspection.get("/epcis/epcs?perPage=1")
    assert len(first.json()["member"]) == 1 and 'rel="next"' in first["Link"]


def test_a_page_costs_the_same_for_many_events(
    inspection, journey, owner, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        inspection.get("/epcis/events")
    for day in range(20):
        ship(owner, journey["sold"], kg(0.5), moment(5 - day * 0.1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(event_list(inspection.get("/epcis/events"))) == 26


def test_staff_make_a_key_in_the_admin_see_it_once_and_revoke_it(client, admin_user, supermarket):
    client.force_login(admin_user)
    form = {"name": "Siêu thị Xanh", "scope": "partner", "party": supermarket.pk}
    response = client.post("/admin/traceability/apikey/add/", form, follow=True)
    text = response.content.decode()
    key = text.split("ns_", 1)[1].split(".", 1)[0]
    assert client_for("ns_" + key).get("/epcis/events").status_code == 200
    row = ApiKey.objects.get()
    assert row.party == supermarket and row.created_by == admin_user
    wrong = {"name": "Sai", "scope": "inspection", "party": supermarket.pk}
    refused = client.post("/admin/traceability/apikey/add/", wrong)
    assert refused.status_code == 200 and ApiKey.objects.count() == 1
    client.post(
        "/admin/traceability/apikey/",
        {"action": "revoke", "_selected_action": [row.pk]},
    )
    assert client_for("ns_" + key).get("/epcis/events").status_code == 401
