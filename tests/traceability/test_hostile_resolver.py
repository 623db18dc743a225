"""The GS1 resolver (and the public pages it redirects to) attacked as a stranger would:
malformed and hostile URIs, headers and methods, through the real URLs and database.

Tests marked ``# Was a defect:`` assert the correct behaviour and fail against the code as it
stands; each comment says what is wrong."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ProductFactory, kg, moment
from tests.traceability.test_resolver import GTIN
from traceability.models import Label, Scan, TraceEvent
from traceability.services import scans
from traceability.services.batches import create_batch
from traceability.services.events import record_event
from traceability.services.labels import new_serials
from traceability.steps import BusinessStep as Step

OTHER_GTIN = "4006381333931"  # a GTIN-13 of another product
SITE = urlsplit(settings.SITE_URL)
LINKSET_TYPES = {"application/linkset+json", "application/json"}
PRIVATE_NOTE = "Gọi chị Lan 0987654321 để lấy hàng"


@pytest.fixture
def web(db):
    """A stranger's browser: a server error comes back as a 500, not as an exception."""
    return Client(raise_request_exception=False)


def dl(lot=None, serial=None, gtin=GTIN) -> str:
    path = f"/01/{gtin}"
    if lot is not None:
        path += f"/10/{lot.code}"
    if serial is not None:
        path += f"/21/{serial.serial if hasattr(serial, 'serial') else serial}"
    return path


def site(path: str) -> str:
    return settings.SITE_URL + path


def same_host(location: str) -> bool:
    target = urlsplit(location)
    return (target.scheme, target.netloc) == (SITE.scheme, SITE.netloc)


def all_headers(response) -> str:
    return "".join(f"{name}: {value}\n" for name, value in response.headers.items())


def with_digits(value: str, zero: str) -> str:
    """``value``'s ASCII digits written with another script's digits starting at ``zero``."""
    return value.translate({ord("0") + i: ord(zero) + i for i in range(10)})


# ---------------------------------------------------------------------------------------------
# Malformed paths: a 400 (or a walk up, for values that are valid), never a 500.


MALFORMED_PATHS = [
    "/01/" + "9" * 100_000,  # 100 KB GTIN
    f"/01/{GTIN}/" + "10/x/" * 5_000,  # thousands of segments
    "/01/" + "/".join(["a"] * 10_001),
    f"/01/{GTIN}/10/" + "A" * 100_000,  # 100 KB lot
    f"/01/{GTIN}/21/" + "S" * 21,  # overlong serial
    f"/01/{GTIN}/22/" + "V" * 21,  # overlong variant
    f"/01/{GTIN}/" + "9" * 100_000 + "/x",  # 100 KB AI
    "/01/%00",
    f"/01/{GTIN}%00",
    f"/01/{GTIN}/10/%00",
    f"/01/{GTIN}/10/L1%00/21/S1",
    f"/01/{GTIN}/21/%00%00",
    "/01//10/x",
    "/01//",
    "/01///",
    f"/01/{GTIN}//10/L1",
    f"/01/{GTIN}/10//21/S1",
    f"/01/{GTIN}/10/",
    f"/01/{GTIN}/10/%20",
    f"/01/{GTIN}/10/L%0D1",
    f"/01/{GTIN}/10/L%091",
    f"/01/{GTIN}/1O/L1",  # letter O
    f"/01/{GTIN}/lot/L1",
    f"/01/{GTIN}/LOT/L1",
    f"/01/{GTIN}/ser/S1",
    f"/01/{GTIN}/%31%30/L%C3%A9",
    f"/01/{GTIN}/10/L1/22/V1",
    f"/01/{GTIN}/21/S1/21/S1",
    f"/01/{GTIN}/00/123456789012345675",
    f"/01/{GTIN}/01/{GTIN}",
    f"/01/{GTIN}/%D9%A1%D9%A0/L1",  # "10" in Arabic-Indic digits
    "/01/+8930000000019",
    "/01/-8930000000019",
    "/01/%208930000000019",
    "/01/8930000000019%20",
    "/01/0x8930000000019",
    "/01/8.930000000019",
    "/01/1e13",
    "/01/00000000000000000000000000000000008930000000019",
    "/01/L1",
    "/01/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/01/%E2%80%AE8930000000019",  # right-to-left override
    f"/01/{GTIN}/10/L%E2%80%8B1",  # zero-width space
    f"/01/{GTIN}/10/%EF%BC%AC1",  # full-width L
]


@pytest.mark.parametrize("path", MALFORMED_PATHS, ids=lambda p: p[:60])
def test_a_malformed_path_is_a_400_never_a_500(web, rice, path):
    response = web.get(path)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    problem = web.get(path, HTTP_ACCEPT="application/problem+json")
    assert problem.status_code == 400 and problem.json()["status"] == 400
    assert problem["Content-Type"] == "application/problem+json"


def test_the_reason_reflected_from_a_malformed_path_is_escaped(web, rice):
    response = web.get(f"/01/{GTIN}/%3Cscript%3Ealert(1)%3B%3C%21--/x")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1);&lt;!--" in html
    problem = web.get(
        f"/01/{GTIN}/%3Cscript%3Ealert(1)%3B%3C%21--/x", HTTP_ACCEPT="application/json"
    )
    assert problem["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        f"/01/{GTIN}/10/{'A' * 20}",  # as long as a lot may be
        f"/01/{GTIN}/10/..",  # a valid lot, not a path
        f"/01/{GTIN}/10/%2E%2E",
        f"/01/{GTIN}/10/.",
        f"/01/{GTIN}/10/%25",
        f"/01/{GTIN}/10/%2525",  # double encoding stays literal
        f"/01/{GTIN}/10/%254C%2531",  # "L1" encoded twice: the lot "%4C%31"
        f"/01/{GTIN}/10/%22%3C%3E%26'",  # quotes and angle brackets are GS1 characters
        f"/01/{GTIN}/21/!%22%25%26'()*+,-.:;%3C=%3E%3F_",
        f"/01/{GTIN}/22/V/10/L/21/S",
        f"/01/{GTIN}/",
        f"/01/{GTIN}" + "/" * 5_000,  # a trailing slash, tolerated, however long
        "/01/8930000000019",  # GTIN-13
    ],
)
def test_an_unknown_but_valid_qualifier_walks_up_to_the_product(web, rice, path):
    response = web.get(path)
    assert response.status_code == 307
    assert response["Location"] == site(f"/product/{GTIN}")
    assert "\r" not in all_headers(response) and "\n" not in response["Link"]


@pytest.mark.parametrize(
    "digits",
    [
        "\u0660",  # Arabic-Indic
        "\u06f0",  # Extended Arabic-Indic (Persian)
        "\u0966",  # Devanagari
        "\uff10",  # full-width
        "\U0001d7ce",  # mathematical bold
    ],
    ids=["arabic", "persian", "devanagari", "fullwidth", "math-bold"],
)
def test_a_gtin_written_with_other_digits_is_not_a_gtin(web, rice, digits):
    # Was a defect: str.isdigit() and int() accept any Unicode decimal digit, so a GTIN written in
    # Arabic-Indic, full-width… digits with a right check digit passes as a valid Digital Link
    # (404 "GTIN not known" instead of 400): GS1 keys are the ASCII digits 0-9 only.
    path = "/01/" + with_digits(GTIN, digits)
    response = web.get(path)
    assert response.status_code == 400
    mixed = web.get("/01/" + with_digits(GTIN[:7], digits) + GTIN[7:])
    assert mixed.status_code == 400


@pytest.mark.parametrize(
    "gtin",
    [
        "\u00b2" + GTIN[1:],  # superscript two
        "\u2070" + GTIN[1:],  # superscript zero
        "\u2460" + GTIN[1:],  # circled one
        GTIN[:5] + "\u00b9" + GTIN[6:],
        "\u2070" * 13 + "0",
    ],
    ids=["sup2", "sup0", "circled1", "sup1-inside", "all-sup0"],
)
def test_a_gtin_with_a_digit_that_is_no_decimal_is_a_400_not_a_500(web, rice, gtin):
    # Was a defect: "²".isdigit() is True but int("²") raises ValueError in check_digit(), which
    # _check_gtin does not catch (it catches ValidationError only): the resolver answers 500.
    response = web.get(f"/01/{gtin}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "raw",
    [
        "/01/{gtin}/10/{lot}%2F21%2F{serial}",  # the lot "<lot>/21/<serial>"
        "/01/{gtin}/10/{lot}%2f21%2f{serial}",
    ],
)
def test_an_encoded_slash_is_part_of_the_value_not_a_separator(web, label, raw):
    # Was a defect: Django percent-decodes PATH_INFO before routing, so %2F inside a value
    # became a separator and the URI of the lot "<lot>/21/<serial>" resolved as that serial
    # of <lot>, another item. The resolver now reads the raw target gunicorn hands over
    # (RAW_URI): the value is one lot, longer than 20 characters, so not a Digital Link.
    path = raw.format(gtin=GTIN, lot=label.batch.code, serial=label.serial)
    response = web.get(path, RAW_URI=path, REQUEST_URI=path)
    assert response.status_code == 400
    assert "Location" not in response


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (f"/01/{GTIN}/10/A%2FB", 307),  # the lot "A/B": valid, unknown, walks up
        (f"/01/{GTIN}/21/S%2F1", 307),
        (f"/01/{GTIN}%2F10%2FL1", 400),  # the GTIN "<GTIN>/10/L1"
        (f"/01%2F{GTIN}", 400),
    ],
)
def test_an_encoded_slash_never_splits_a_segment(web, rice, raw, status):
    # Was a defect: %2F was split like "/" (400 for a valid lot "A/B", a resolution for a
    # GTIN segment that is not a GTIN).
    response = web.get(raw, RAW_URI=raw, REQUEST_URI=raw)
    assert response.status_code == status
    if status == 307:
        assert response["Location"] == site(f"/product/{GTIN}")


@pytest.mark.parametrize(
    "path",
    [f"/01/{GTIN}/10/%FF", f"/01/{GTIN}/10/L%C01", f"/01/{GTIN}/21/%ED%A0%80"],
    ids=["ff", "overlong", "surrogate"],
)
def test_a_value_that_is_not_utf8_is_a_400(web, rice, path):
    # Was a defect: Django re-percent-encodes bytes that are not UTF-8 ("%FF" becomes the
    # three characters % F F, all in GS1's character set 82), so a value that is no text at
    # all was taken as a valid lot. The resolver now decodes the raw target gunicorn hands
    # over (RAW_URI) strictly.
    response = web.get(path, RAW_URI=path)
    assert response.status_code == 400


@pytest.mark.parametrize("path", [f"/01/{GTIN}/10/L1%0A", f"/01/{GTIN}%0A", "/01/%0A/10/L1"])
def test_a_newline_in_a_digital_link_is_a_400_open_to_other_origins(web, rice, path):
    # Was a defect: the resolver's route ``01(?:/.*)?`` does not match a newline ("." stops at it),
    # so these fall through to the site's 404 page: no 400 with its reason, no CORS header
    # (the resolver promises every answer is open to other origins).
    response = web.get(path)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"


def test_double_encoding_never_names_the_real_lot(web, label):
    code = "".join(f"%25{ord(char):02X}" for char in "L1")
    response = web.get(f"/01/{GTIN}/10/{code}")
    assert response.status_code == 307 and response["Location"] == site(f"/product/{GTIN}")
    real = "".join(f"%25{ord(char):02X}" for char in label.batch.code)
    assert web.get(f"/01/{GTIN}/10/{real}").status_code == 400  # longer than 20 characters
    assert web.get(f"/01/{GTIN}/10/{label.batch.code.lower()}")["Location"] == site(
        f"/product/{GTIN}"
    )


# ---------------------------------------------------------------------------------------------
# Data attributes in the query string.


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("17=261231", 307),
        ("17=", 400),
        ("17=26123", 400),
        ("17=2612310", 400),
        ("17=26-12-31", 400),
        ("17=%00%00%00%00%00%00", 400),
        ("17=261231%0A", 400),
        ("11=abcdef", 400),
        ("13=" + "1" * 100_000, 400),
        ("17=%D9%A2%D9%A6%D9%A1%D9%A2%D9%A3%D9%A1", 400),  # Was a defect: Arabic-Indic digits
        ("17=%EF%BC%92%EF%BC%96%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%91", 400),  # full-width
        ("17=261399", 400),  # Was a defect: month 13 is no date
        ("15=260230", 400),  # Was a defect: 30 February
        ("17=bad&17=261231", 400),  # Was a defect: only the last value is checked
        ("17=261231&17=nodate", 400),
    ],
)
def test_date_attributes_are_dates(web, rice, query, status):
    # Was a defect (marked rows): check_data_attributes() uses r"\d{6}", which matches any Unicode
    # digit and any six digits whatever the month or day, and reads request.GET.dict(), so a
    # repeated key has only its last value checked. GS1 dates are YYMMDD in ASCII digits
    # (MM 01-12, DD 00-31 with the month's bounds), so these are not valid Digital Links.
    response = web.get(f"/01/{GTIN}?{query}")
    assert response.status_code == status


# ---------------------------------------------------------------------------------------------
# The query string passed on, link types, header injection, open redirects.


def test_a_repeated_query_key_passes_on_with_every_value(web, label):
    # Was a defect: _redirect() passes request.GET.items(), which keeps only the last value of a
    # repeated key: "?foo=1&foo=2" reaches the target as "?foo=2". The standard (and the
    # function's own docstring, "every key=value pair but linkType") asks for the query
    # string passed on.
    response = web.get(dl(label.batch, label) + "?foo=1&foo=2&bar=x")
    assert response.status_code == 307
    assert parse_qs(urlsplit(response["Location"]).query) == {"foo": ["1", "2"], "bar": ["x"]}


@pytest.mark.parametrize(
    "query",
    [
        "x=%0D%0ASet-Cookie:%20owned=1",
        "%0D%0ASet-Cookie:%20owned=1=1",
        "x=%0ALocation:%20https://evil.example",
        "x=%E2%80%A8%E2%80%A9",  # Unicode line and paragraph separators
        "x=ph%E1%BB%9F&y=%F0%9F%8D%9A",  # non-ASCII
        "x=%FF%FE",  # not UTF-8
        "x=%00",
        "next=https://evil.example",
        "x=@evil.example",
        "x=//evil.example",
        "=anonymous&novalue&&&",
        "LINKTYPE=all&linktype=gs1:pip",
    ],
    ids=lambda q: q[:40],
)
def test_the_query_string_passes_on_without_injection_or_open_redirect(web, label, query):
    response = web.get(dl(label.batch, label) + "?" + query)
    assert response.status_code == 307
    location = response["Location"]
    assert location.startswith(site(f"/s/{label.serial}?"))
    assert same_host(location)
    assert location.isascii() and " " not in location
    headers = all_headers(response)
    assert "\r" not in headers and "owned" not in response.cookies
    assert headers.count("\n") == len(response.headers)  # one line per header, none injected
    assert "Set-Cookie" not in response.headers


def test_a_query_string_too_long_to_pass_on_is_a_client_error(web, label):
    response = web.get(dl(label.batch, label), {"x": "A" * 100_000})
    assert 400 <= response.status_code < 500  # Django refuses a Location over 16 KB
    assert "Location" not in response.headers


@pytest.mark.parametrize(
    "link_type",
    [
        "gs1:pip\r\nSet-Cookie: owned=1",
        "gs1:pip\nLocation: https://evil.example",
        "\r\n\r\n<script>alert(1)</script>",
        "gs1:" + "p" * 100_000,
        "https://evil.example/voc/pip",
        "//evil.example",
        "https://ref.gs1.org/voc/../../evil.example",
        "gs1:",
        "gs1:pip\x00",
        "gs1:PIP",
        "ALL",
        " all",
        "gs1:all",
        "\u0000",
    ],
    ids=lambda v: repr(v[:30]),
)
def test_a_hostile_link_type_is_a_404_that_injects_nothing(web, label, link_type):
    response = web.get(dl(label.batch, label), {"linkType": link_type})
    assert response.status_code == 404
    assert "Location" not in response.headers
    headers = all_headers(response)
    assert "\r" not in headers and "evil.example" not in headers and "owned" not in headers
    assert headers.count("\n") == len(response.headers)
    assert "<script>alert(1)" not in response.content.decode()
    problem = web.get(
        dl(label.batch, label), {"linkType": link_type}, HTTP_ACCEPT="application/json"
    )
    assert problem.status_code == 404 and problem.json()["status"] == 404


@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_HOST": "evil.example"},
        {"HTTP_X_FORWARDED_HOST": "evil.example"},
        {"HTTP_X_FORWARDED_PROTO": "javascript"},
        {"HTTP_HOST": "evil.example", "HTTP_X_FORWARDED_HOST": "evil.example"},
        {"HTTP_REFERER": "https://evil.example/"},
    ],
)
@pytest.mark.parametrize("query", ["", "?linkType=gs1:pip", "?linkType=gs1:recallStatus"])
def test_no_header_makes_the_resolver_redirect_to_another_host(web, label, extra, query):
    response = web.get(dl(label.batch, label) + query, **extra)
    assert response.status_code == 307
    assert same_host(response["Location"])
    assert response["Link"].startswith(f"<{settings.SITE_URL}/01/")
    linkset = web.get(dl(label.batch, label), {"linkType": "all"}, **extra).json()["linkset"]
    hrefs = [
        link["href"]
        for item in linkset
        for relation, links in item.items()
        if relation.startswith("https://ref.gs1.org/voc/")
        for link in links
    ]
    assert hrefs and all(same_host(href) for href in hrefs)
    assert all(same_host(item["anchor"]) for item in linkset)


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example",
        "//evil.example/01/" + GTIN,
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "/\\evil.example/01",
        "///evil.example/%2E%2E",
        "/01/" + GTIN + "/..//evil.example",
    ],
)
def test_no_path_redirects_to_another_host(web, rice, path):
    response = web.get(path)
    assert response.status_code < 500
    if "Location" in response.headers:
        location = response["Location"]
        assert not location.startswith(("//", "/\\", "\\"))
        assert same_host(location) or not urlsplit(location).netloc


# ---------------------------------------------------------------------------------------------
# Content negotiation.


def _linkset_or_redirect(response, label):
    assert response.status_code in (200, 307)
    if response.status_code == 200:
        assert response["Content-Type"] in LINKSET_TYPES
        assert json.loads(response.content)["linkset"]
    else:
        assert response["Location"] == site(f"/s/{label.serial}")


MALFORMED_ACCEPT = [
    "",
    ",,,,,,",
    ";;;;",
    "/",
    "*",
    "text",
    "text/html;q=abc",
    "*/*;q=nan",
    "*/*;q=-1",
    "application/linkset+json;q=inf",
    "application/linkset+json;q=1e999",
    "text/html;q=0, */*;q=0",
    "application/linkset+json;q=0",
    'application/linkset+json;profile="',
    "application/linkset+json; charset=utf-8",
    "t\u00e9xt/html",
    "\x00",
    "a" * 100_000,
    "*/*," * 25_000,
    "text/html;" + "a=b;" * 25_000,
    '"' * 100_000,
    "text/html;a=" + '"\\"' * 30_000,
    ";" + "q=0.5;" * 20_000,
    "application/json;q=0.1," * 5_000 + "text/html",
]


@pytest.mark.parametrize("accept", MALFORMED_ACCEPT, ids=lambda a: repr(a[:30]))
def test_a_malformed_or_huge_accept_header_is_answered_quickly(web, label, accept):
    started = time.perf_counter()
    response = web.get(dl(label.batch, label), HTTP_ACCEPT=accept)
    assert time.perf_counter() - started < 2
    _linkset_or_redirect(response, label)
    invalid = web.get(f"/01/{GTIN[:-1]}8", HTTP_ACCEPT=accept)
    assert invalid.status_code == 400
    if invalid["Content-Type"].startswith("application/"):
        assert invalid.json()["status"] == 400
    unknown = web.get("/01/08930000000026", HTTP_ACCEPT=accept)
    assert unknown.status_code == 404


MALFORMED_LANGUAGE = [
    "",
    "*",
    "zz",
    "x-klingon",
    "vi-VN-x-",
    "en;q=abc",
    "en;q=-1, vi;q=2",
    "en-US,en;q=0.9," * 2_000,
    "a" * 100_000,
    "\x00",
    "\u00e9n",
    "en_US",
    "../../../etc/passwd",
    "en-" + "x" * 5_000,
    "zh-Hant-TW-u-ca-chinese",
]


@pytest.mark.parametrize("language", MALFORMED_LANGUAGE, ids=lambda a: repr(a[:30]))
def test_a_strange_accept_language_changes_only_the_language(web, label, language):
    started = time.perf_counter()
    response = web.get(dl(label.batch, label), HTTP_ACCEPT_LANGUAGE=language)
    assert time.perf_counter() - started < 2
    assert response.status_code == 307 and response["Location"] == site(f"/s/{label.serial}")
    linkset = web.get(dl(label.batch, label), {"linkType": "all"}, HTTP_ACCEPT_LANGUAGE=language)
    assert linkset.status_code == 200 and json.loads(linkset.content)["linkset"]
    invalid = web.get(f"/01/{GTIN}/10", HTTP_ACCEPT_LANGUAGE=language)
    assert invalid.status_code == 400
    assert all(ord(char) < 128 for char in invalid["Content-Language"])


# ---------------------------------------------------------------------------------------------
# Methods.


@pytest.mark.parametrize(
    "method", ["PUT", "DELETE", "PATCH", "TRACE", "POST", "CONNECT", "PROPFIND"]
)
@pytest.mark.parametrize("valid", [True, False], ids=["valid", "invalid"])
def test_other_methods_are_405_and_change_nothing(label, method, valid):
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = dl(label.batch, label) if valid else f"/01/{GTIN}/10/%00"
    events = TraceEvent.objects.count()
    response = browser.generic(method, path, data="linkType=all", content_type="text/plain")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Location" not in response.headers
    label.refresh_from_db()
    assert scans.evidence(label).scans == 0 and not Scan.objects.exists()
    assert TraceEvent.objects.count() == events


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "POST"])
@pytest.mark.parametrize(
    "page", ["/product/{gtin}", "/lot/{lot}", "/lot/{lot}/recall", "/s/{serial}"]
)
def test_the_public_pages_refuse_other_methods(label, method, page):
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = page.format(gtin=GTIN, lot=label.batch.code, serial=label.serial)
    response = browser.generic(method, path)
    assert response.status_code in (403, 405)
    label.refresh_from_db()
    assert scans.evidence(label).scans == 0 and not Scan.objects.exists()


@pytest.mark.parametrize(
    "path", [f"/01/{GTIN}/10/%00", "/01/" + "9" * 100_000, f"/01/{GTIN}?17=bad"]
)
def test_options_on_anything_under_the_resolver_is_a_bodyless_204(web, rice, path):
    response = web.options(path, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 204 and response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


# ---------------------------------------------------------------------------------------------
# Private data and other GTINs' items.


@pytest.fixture
def noted_lot(owner, lot):
    record_event(owner, lot, Step.PACKING, occurred_at=moment(1), notes=PRIVATE_NOTE)
    return lot


def _private_facts(owner, coop) -> list[str]:
    national = "0" + owner.phone.removeprefix("+84")
    facts = [
        coop.contact_phone,
        coop.contact_name,
        coop.contact_email,
        coop.street_address,
        owner.full_name,
        owner.phone,
        national,
        PRIVATE_NOTE,
        "0987654321",
    ]
    return [fact for fact in facts if fact]


@pytest.mark.parametrize(
    "page",
    [
        "{dl}?linkType=all",
        "{dl}?linkType=linkset",
        "/product/{gtin}",
        "/lot/{lot}",
        "/lot/{lot}/recall",
        "/lot/{lot}/verify",
        "/.well-known/gs1resolver",
    ],
)
@pytest.mark.parametrize("language", ["vi", "en"])
def test_no_page_the_resolver_leads_to_shows_private_data(
    web, owner, coop, noted_lot, page, language
):
    label = Label.objects.create(batch=noted_lot, serial=new_serials(1)[0])
    path = page.format(dl=dl(noted_lot, label), gtin=GTIN, lot=noted_lot.code, serial=label.serial)
    response = web.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    text = response.content.decode()
    if response["Content-Type"].startswith("application/"):
        text = json.dumps(response.json(), ensure_ascii=False)
    for fact in _private_facts(owner, coop):
        assert fact not in text, f"{fact!r} shown at {page}"


@pytest.fixture
def foreign(owner, coop, plot):
    other = ProductFactory(code="rau", gtin=OTHER_GTIN)
    batch = create_batch(
        owner, producer=coop, product=other, plots=[plot], harvested_at=moment(1), quantity=kg(5)
    )
    return Label.objects.create(batch=batch, serial=new_serials(1)[0])


@pytest.mark.parametrize(
    "path",
    [
        "/01/{gtin}/21/{serial}",
        "/01/{gtin}/10/{lot}/21/{serial}",
        "/01/{gtin}/10/{lot}",
        "/01/{gtin}/22/X/10/{lot}/21/{serial}",
    ],
)
def test_an_item_of_another_gtin_is_never_resolved_under_this_one(web, label, foreign, path):
    path = path.format(gtin=GTIN, lot=foreign.batch.code, serial=foreign.serial)
    response = web.get(path)
    assert response.status_code == 307 and response["Location"] == site(f"/product/{GTIN}")
    linkset = web.get(path, {"linkType": "all"})
    text = linkset.content.decode()
    assert foreign.serial not in text and foreign.batch.code not in text
    assert foreign.batch.product.name not in text or foreign.batch.product.name in "Gạo ST25"
    # and the other way round: this GTIN's label under the other GTIN
    swapped = web.get(f"/01/{OTHER_GTIN.zfill(14)}/10/{label.batch.code}/21/{label.serial}")
    assert swapped["Location"] == site(f"/product/{OTHER_GTIN.zfill(14)}")


# ---------------------------------------------------------------------------------------------
# Cost and honesty of the answers.


@pytest.mark.parametrize("size", [1, 100, 900])
def test_queries_do_not_grow_with_the_input(web, label, size):
    query = "&".join(f"k{i}=v{i}" for i in range(size))
    with CaptureQueriesContext(connection) as redirect:
        assert web.get(dl(label.batch, label) + "?" + query).status_code == 307
    assert len(redirect.captured_queries) <= 1
    with CaptureQueriesContext(connection) as walk_up:
        assert web.get(dl(label.batch, "NOSUCH") + "?" + query).status_code == 307
    assert len(walk_up.captured_queries) <= 3
    segments = f"/01/{GTIN}" + "/10/L" * size
    with CaptureQueriesContext(connection) as invalid:
        assert web.get(segments).status_code == (307 if size == 1 else 400)
    assert len(invalid.captured_queries) <= 3


def test_too_many_query_fields_is_a_client_error(web, label):
    query = "&".join(f"k{i}=v" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = web.get(dl(label.batch, label) + "?" + query)
    assert 400 <= response.status_code < 500


HOSTILE_INPUTS = [
    "/01/" + "9" * 100_000,
    "/01/{gtin}/10/%00",
    "/01/{gtin}?linkType=gs1:nothing",
    "/01/08930000000026",
    "/01/{gtin}?17=bad",
    "/01/{gtin}/10/{lot}/21/NOSUCH?linkType=gs1:certificationInfo",
]


@pytest.mark.parametrize("path", HOSTILE_INPUTS, ids=lambda p: p[:40])
@pytest.mark.parametrize("accept", ["text/html", "application/json", "*/*", "image/png"])
def test_an_error_is_never_a_200(web, label, path, accept):
    path = path.format(gtin=GTIN, lot=label.batch.code)
    response = web.get(path, HTTP_ACCEPT=accept)
    assert response.status_code in (400, 404)
    if response["Content-Type"].startswith("application/"):
        assert response.json()["status"] == response.status_code
    head = web.head(path, HTTP_ACCEPT=accept)
    assert head.status_code == response.status_code and head.content == b""


# ---------------------------------------------------------------------------------------------
# The product page and the lot pages with hostile input.


@pytest.mark.parametrize(
    "gtin",
    [
        "9" * 100_000,
        "%00",
        "8930000000019%00",
        "\u00b2",  # a digit that int() refuses
        "\u2070" * 14,
        with_digits(GTIN, "\u0660"),  # another script's digits
        with_digits(GTIN, "\uff10"),
        "-1",
        "+8930000000019",
        "%208930000000019",
        "0",
        "00000000000000",
        "8930000000018",  # wrong check digit
        "08930000000019%0A",
        "%FF",
        "..",
        "%3Cscript%3E",
        "893000000001" + "9" * 3,
        "0" * 20 + "8930000000019",
    ],
    ids=lambda g: repr(g[:20]),
)
def test_the_product_page_answers_hostile_gtins_with_a_404(web, rice, gtin):
    response = web.get(f"/product/{gtin}")
    assert response.status_code == 404


def test_the_product_page_shows_only_its_own_lots(web, lot, foreign):
    html = web.get(f"/product/{GTIN}").content.decode()
    assert lot.code in html and foreign.batch.code not in html
    html = web.get(f"/product/{OTHER_GTIN}").content.decode()
    assert foreign.batch.code in html and lot.code not in html


@pytest.mark.parametrize(
    "lot_code",
    [
        "%00",
        "L%001",
        "A" * 100_000,
        "A" * 21,
        "%FF",
        "%C3%A9",
        "%EF%BC%AC1",
        "'%3B%20DROP%20TABLE%20traceability_batch%3B--",
        "%25",
        "..",
        "%2E%2E",
        "{lower}",
        "{code}%20",
        "%20{code}",
        "{code}%0A",
        "{code}%00",
    ],
    ids=lambda c: repr(c[:20]),
)
@pytest.mark.parametrize("suffix", ["", "/recall", "/verify"])
def test_the_lot_pages_answer_hostile_codes_with_a_404(web, lot, lot_code, suffix):
    code = lot_code.format(code=lot.code, lower=lot.code.lower())
    response = web.get(f"/lot/{code}{suffix}")
    assert response.status_code == 404
    assert "Gạo ST25" not in response.content.decode()  # not the lot's page


@pytest.mark.parametrize("lot_code", ["%00", "L%001", "A" * 10_000, "%FF"], ids=repr)
def test_the_lot_export_answers_hostile_codes_with_a_404_for_its_members(web, owner, lot, lot_code):
    # Was a defect (NUL rows): epcis_export passes the lot code straight to the database, unlike the
    # other lot pages (_well_formed); PostgreSQL refuses a NUL in a string and a signed-in
    # member gets a 500.
    web.force_login(owner)
    response = web.get(f"/lot/{lot_code}/epcis.jsonld")
    assert response.status_code == 404


@pytest.mark.parametrize("page", ["/product/{gtin}", "/lot/{lot}", "/lot/{lot}/recall"])
def test_a_page_shared_caches_may_keep_carries_no_visitor_secret(web, lot, page):
    # Was a defect (product and lot pages): they are sent "Cache-Control: public, max-age=60" with a
    # Set-Cookie csrftoken and that visitor's CSRF token in the page (the language form). A
    # shared cache (a CDN, a proxy in front of gunicorn) may store it and hand one visitor's
    # CSRF token and cookie to every other visitor for a minute.
    response = web.get(page.format(gtin=GTIN, lot=lot.code))
    assert response.status_code == 200
    if "public" in response.get("Cache-Control", ""):
        assert not response.cookies, "a publicly cacheable answer sets a cookie"
        assert "csrfmiddlewaretoken" not in response.content.decode()
