"""Schemathesis over GS1's own OpenAPI description of the EPCIS 2.0 REST bindings, for the
query operations this product implements: requests generated from the description, sent
through the WSGI app with an inspection body's key; no answer is a server error, answers
are of the media types and shapes the description gives, and every query document is
valid against GS1's EPCIS JSON Schema.

The description refers to schema stubs on gs1.github.io (not reachable here, and not
files of the standard we hold): those references are read as "any value", and the query
documents are checked against the official schema instead."""

import json
from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks as openapi_checks

from backend.wsgi import application
from tests.conftest import EPCIS_SCHEMA
from traceability.services.api_keys import issue_key

BINDINGS = Path(__file__).resolve().parent.parent / "standards" / "epcis" / "rest-bindings"
EXAMPLES_PER_OPERATION = 20
_BROWSABLE = "(eventTypes|epcs|bizSteps|bizLocations|readPoints|dispositions)"
IMPLEMENTED = (
    rf"^/(events(/\{{eventID\}})?|capture(/\{{captureID\}})?"
    rf"|{_BROWSABLE}(/\{{[a-zA-Z]+\}}(/events)?)?)?$"
)


def _without_remote_references(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("http"):
            return {}
        node = {key: _without_remote_references(value) for key, value in node.items()}
        choices = node.get("oneOf")
        if choices and all(choice == choices[0] for choice in choices):
            # "one of" two stubs read as "any value" would admit nothing
            node = {**{k: v for k, v in node.items() if k != "oneOf"}, **choices[0]}
        return node
    if isinstance(node, list):
        return [_without_remote_references(value) for value in node]
    return node


def _description() -> dict:
    raw = yaml.safe_load((BINDINGS / "openapi.yaml").read_text())
    raw = _without_remote_references(raw)
    raw["servers"] = [{"url": "/epcis"}]
    return raw


schema = schemathesis.openapi.from_dict(_description())
schema.app = application
EPCIS_VALIDATOR = None


def _query_documents_are_valid(response, case) -> None:
    import jsonschema

    global EPCIS_VALIDATOR
    events = case.path.endswith("events") or "{eventID}" in case.path
    if response.status_code != 200 or not events:
        return
    if EPCIS_VALIDATOR is None:
        EPCIS_VALIDATOR = jsonschema.Draft7Validator(json.loads(EPCIS_SCHEMA.read_text()))
    document = json.loads(response.text)
    errors = [error.message for error in EPCIS_VALIDATOR.iter_errors(document)]
    assert not errors, (case.path, case.query, errors[:3])


@pytest.fixture
def key(inspector, harvested):
    return issue_key(inspector, "Fuzz", inspection=True)[1]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Called directly, the WSGI app would close the test's database connection at the
    end of each request, as Django's own test client prevents."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.include(path_regex=IMPLEMENTED, method=["GET", "POST", "OPTIONS"]).parametrize()
@settings(
    derandomize=True,
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_query_interface_conforms_to_gs1s_description(case, key):
    response = case.call(headers={"Authorization": f"Bearer {key}"})
    assert response.status_code < 500, response.text[:500]
    assert response.headers.get("gs1-epcis-version") == ["2.0.0"], (case.path, case.path_parameters)
    case.validate_response(
        response,
        checks=[
            openapi_checks.content_type_conformance,
            openapi_checks.response_schema_conformance,
            openapi_checks.response_headers_conformance,
        ],
    )
    _query_documents_are_valid(response, case)
