"""Talking to the EPCIS interface in tests: a client holding a key, and a document's
events."""

from django.test import Client


def client_for(key: str, **extra) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


def event_list(answer) -> list[dict]:
    """The events of a query document, or of a response holding one."""
    document = answer if isinstance(answer, dict) else answer.json()
    return document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
