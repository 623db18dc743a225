import json

import pytest

from accounts.services import sign_in

PASSWORD = "an-unguessable-passphrase"


class Api:
    """The GraphQL endpoint as the app calls it (through Django's test client)."""

    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def __call__(self, query: str, variables: dict | None = None, **headers) -> dict:
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        response = self.client.post(
            "/graphql",
            json.dumps({"query": query, "variables": variables or {}}),
            content_type="application/json",
            **headers,
        )
        assert response.status_code in (200, 400), response.content
        return response.json()

    def ok(self, query: str, variables: dict | None = None, **headers) -> dict:
        """The data of a request that must succeed, and whose mutation reports no error."""
        body = self(query, variables, **headers)
        assert "errors" not in body, body["errors"]
        for payload in body["data"].values():
            if isinstance(payload, dict) and "errors" in payload:
                assert payload["errors"] == [], payload["errors"]
        return body["data"]


def token_for(user, rf) -> str:
    request = rf.post("/graphql")
    return sign_in(request, user.phone, PASSWORD).access_token


@pytest.fixture
def anonymous_api(client):
    return Api(client)


@pytest.fixture
def api(client, owner, rf):
    return Api(client, token_for(owner, rf))


@pytest.fixture
def stranger_api(client, stranger, rf):
    return Api(client, token_for(stranger, rf))
