"""The endpoint validates as GraphQL specifies, then bounds every request in size, shape
and time: documents built to multiply themselves are refused at once."""

import json
import re
import time

import pytest
from graphql_relay import to_global_id


def fan_out(levels: int, spreads: int) -> str:
    """A small document whose naive expansion is spreads**levels fields: each fragment
    spreads the one below it under ``spreads`` aliases of a field of the same type."""
    fragments = ["fragment F0 on ProducerNode { name }"]
    for level in range(1, levels + 1):
        body = " ".join(f"a{i}: cooperative {{ ...F{level - 1} }}" for i in range(spreads))
        fragments.append(f"fragment F{level} on ProducerNode {{ {body} }}")
    top = f"{{ myProducers {{ producer {{ ...F{levels} }} }} }}"
    return "\n".join([top, *fragments])


def post(client, query: str, variables=None, **extra):
    return client.post(
        "/graphql",
        json.dumps({"query": query, "variables": variables or {}}),
        content_type="application/json",
        **extra,
    )


def test_an_unknown_field_is_a_validation_error(api):
    body = api("{ crops { noSuchField } }")
    assert "data" not in body or body["data"] is None
    assert "noSuchField" in body["errors"][0]["message"]


def test_a_fragment_that_spreads_itself_is_refused_not_a_crash(client, db):
    response = post(client, "{ me { ...Loop } } fragment Loop on UserType { phone ...Loop }")
    assert response.status_code == 400
    assert "Loop" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("levels, spreads", [(7, 10), (8, 10), (21, 2), (60, 3)])
def test_documents_that_multiply_themselves_are_refused_at_once(client, db, levels, spreads):
    query = fan_out(levels, spreads)
    assert len(query) < 20_000
    started = time.monotonic()
    response = post(client, query)
    elapsed = time.monotonic() - started
    assert response.status_code == 400
    codes = {error.get("extensions", {}).get("code") for error in response.json()["errors"]}
    assert codes & {"query_too_costly", "query_too_deep"}, response.json()
    assert elapsed < 1.0


def test_a_spread_repeated_in_one_selection_is_counted_once(api, settings):
    settings.GRAPHQL_MAX_COST = 10
    repeated = " ".join(["...Me"] * 50)
    body = api(f"{{ me {{ {repeated} }} }} fragment Me on UserType {{ phone fullName }}")
    assert body["data"]["me"]["phone"]


def test_too_many_tokens_are_refused_before_validation(client, db):
    query = "{ me { " + "x " * 6000 + "} }"
    response = post(client, query)
    assert response.status_code == 400
    assert "token" in response.json()["errors"][0]["message"]


def test_resolving_stops_at_the_deadline(api, settings):
    settings.GRAPHQL_DEADLINE_SECONDS = 0
    body = api("{ me { phone } }")
    assert body["data"]["me"] is None
    assert "quá nhiều thời gian" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "payload",
    [
        {"operations": "{}", "map": "[1]"},
        {"operations": "[1]", "map": "{}"},
        {"operations": '{"query": "{ me { phone } }"}', "map": '{"0": ["variables.x"]}'},
        {"operations": '{"query": "{ me { phone } }"}', "map": '{"0": "variables.x"}'},
    ],
)
def test_a_malformed_upload_is_a_400_in_plain_words(client, db, payload):
    response = client.post("/graphql", payload)
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert message.startswith(("Tệp tải lên", "Nội dung yêu cầu"))
    assert not re.search(r"unhashable|Traceback|object|'\w+'", message)


def test_variables_nested_absurdly_deep_are_a_400(client, db):
    deep = json.loads("[" * 500 + "]" * 500)
    body = {"query": "{ me { phone } }", "variables": {"geometry": deep}}
    response = client.post("/graphql", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith("Các biến lồng nhau")


def test_any_node_can_be_fetched_by_its_id_and_a_bad_id_is_not_a_crash(api, plot, harvested):
    query = "query($id: ID!) { node(id: $id) { id __typename } }"
    for kind, pk in [("PlotNode", plot.pk), ("BatchNode", harvested.pk)]:
        node = api.ok(query, {"id": to_global_id(kind, pk)})["node"]
        assert node["__typename"] == kind
    for wrong in (to_global_id("PlotNode", "xyz"), "garbage", to_global_id("Nope", 1)):
        refused = api(query, {"id": wrong})
        assert refused["data"]["node"] is None
        assert refused["errors"][0]["extensions"]["code"] == "not_found"


def test_an_unexpected_failure_in_a_query_reads_as_ours_not_pythons(api, caplog):
    from backend.graphql.errors import QueryRefusals

    def broken(root, info, **args):
        raise AttributeError("'Manager' object has no attribute '_result_cache'")

    with pytest.raises(Exception) as refused:
        QueryRefusals().resolve(broken, None, None)
    assert refused.value.extensions["code"] == "internal_error"
    assert "Manager" not in refused.value.message


@pytest.mark.parametrize(
    "body",
    [
        {"query": "{ me { phone } }", "operationName": ["x"]},
        {"query": "{ me { phone } }", "variables": [1]},
        {
            "query": "mutation($g: GeoJSON!) { savePlot(input: "
            '{producerId: "x", name: "a", geometry: $g}) { errors { code } } }',
            "variables": {"g": {"type": "Polygon", "coordinates": "abc"}},
        },
        {
            "query": "mutation($g: GeoJSON!) { savePlot(input: "
            '{producerId: "x", name: "a", geometry: $g}) { errors { code } } }',
            "variables": {"g": {"type": ["Polygon"], "coordinates": []}},
        },
    ],
)
def test_malformed_values_are_told_in_our_words(client, db, body):
    response = client.post("/graphql", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert not re.search(r"OGR|unhashable|pointer|\['x'\]", message), message


def test_other_methods_are_refused_in_our_words(client, db):
    response = client.put("/graphql", "{}", content_type="application/json")
    assert response.status_code == 405
    assert response.json()["errors"][0]["message"] == "Hãy dùng GET hoặc POST."


def test_a_selection_too_wide_for_graphqls_own_rules_is_refused_first(client, db):
    query = "{" + "crops{id} " * 1000 + "}"  # 10 KB, anonymous
    started = time.monotonic()
    response = post(client, query)
    # Refused by the width check, which runs before GraphQL's rules (0.5 s of CPU here).
    assert response.json()["errors"][0]["extensions"]["code"] == "query_too_wide"
    assert time.monotonic() - started < 1.0


def test_introspection_counts_in_the_cost(client, db):
    aliases = " ".join(f"a{i}: __schema {{ types {{ name }} }}" for i in range(100))
    response = post(client, "{ " + aliases + " }")
    assert response.json()["errors"][0]["extensions"]["code"] == "query_too_costly"


def test_a_body_larger_than_allowed_is_refused_before_it_is_read(client, db, settings):
    settings.GRAPHQL_MAX_REQUEST_BYTES = 1000
    response = post(client, "{ me { phone } }", {"pad": "x" * 2000})
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "request_too_large"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ('{"query": "{ me { phone } }", "extensions": ' + "[" * 900 + "]" * 900 + "}", "too_deep"),
        (b'{"query": "\xff"}', "invalid_request"),
        (
            '{"query": "{ me { phone } }", "variables": {"ids": ' + str(list(range(10_001))) + "}}",
            "too_long",
        ),
        ('{"query": "{ me { ' + "x " * 5100 + '} }"}', "too_many_tokens"),
    ],
)
def test_refusals_before_graphql_carry_a_code(client, db, body, code):
    response = client.post("/graphql", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize("cursor", ["YXJyYXljb25uZWN0aW9uOi01", "not-a-cursor"])
def test_a_cursor_we_never_gave_is_refused_in_our_words(api, cursor):
    body = api(
        "query($c: String) { myBatches(first: 5, after: $c) { edges { cursor } } }", {"c": cursor}
    )
    assert body["errors"][0]["extensions"]["code"] == "invalid_cursor"


def test_a_queue_that_runs_out_of_time_says_what_it_did_not_apply(api, growing, settings):
    settings.GRAPHQL_DEADLINE_SECONDS = 0.5
    operation = {
        "recordEvent": {
            "batchId": to_global_id("BatchNode", growing.pk),
            "step": "IRRIGATING",
            "occurredAt": "2026-12-01T07:00:00+07:00",
            "notes": "x" * 1900,
        }
    }
    body = api(
        "mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) { "
        "results { errors { code } event { sequence } } } }",
        {"ops": [operation] * 200},
    )
    assert "errors" not in body  # what was applied is answered, not replaced
    results = body["data"]["sync"]["results"]
    applied = [r for r in results if r["event"]]
    skipped = [r for r in results if r["errors"] == [{"code": "not_applied"}]]
    assert applied and skipped and len(applied) + len(skipped) == 200
    assert growing.events.count() == len(applied)
