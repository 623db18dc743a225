"""Scanning labels through the real endpoints, from chosen networks (test helpers)."""

import re

from django.test import Client

from traceability.models import Label
from traceability.services.labels import new_serials

HANOI, SAIGON = (21.03, 105.86), (10.78, 106.70)  # about 1,140 km apart
WARNING_EN = "It may be a copy"  # the consumers' warning, in English
_TOKEN = re.compile(r'f\.append\("token","([^"]+)"\)')


def add_label(batch) -> Label:
    return Label.objects.create(batch=batch, serial=new_serials(1)[0])


def phone(address: str, **headers) -> Client:
    """A browser with no cookies on the network ``address``, reading English."""
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en", **headers)


def scan(label: Label, address: str, **headers):
    return phone(address, **headers).get(f"/s/{label.serial}")


def token_in(response) -> str:
    """The location token the scan page hands to its share button ('' when none)."""
    found = _TOKEN.search(response.content.decode())
    return found.group(1) if found else ""


def share(address: str, token: str, latitude, longitude):
    return phone(address).post(
        "/scan/location", {"token": token, "latitude": latitude, "longitude": longitude}
    )


def scan_and_share(label: Label, address: str, position: tuple[float, float]):
    response = share(address, token_in(scan(label, address)), *position)
    assert response.status_code == 200, response.content
    return response


def warned(label: Label) -> bool:
    """Whether the label's public page warns consumers (read by a link preview, which
    does not count as a scan)."""
    page = phone("192.0.2.250", HTTP_USER_AGENT="facebookexternalhit/1.1").get(f"/s/{label.serial}")
    assert page.status_code == 200
    return WARNING_EN in page.content.decode()
