"""The GS1-conformant resolver, statement by statement of the GS1-Conformant Resolver
standard 1.2 (the list GS1's resolver test suite checks), through the real URLs."""

import json
from pathlib import Path
from urllib.parse import unquote

import jsonschema
import pytest
from django.conf import settings
from django.test import Client

from tests.factories import CertificationFactory, ProductFactory, kg, moment
from tests.traceability.conftest import RESOLVER_GTIN
from traceability.models import Hold, Label
from traceability.services import scans
from traceability.services.batches import create_batch, recall_batch
from traceability.services.holds import place_holds
from traceability.services.labels import new_serials

STANDARDS = Path(__file__).resolve().parent.parent / "standards" / "gs1-digital-link"
LINKSET_SCHEMA = json.loads((STANDARDS / "gs1-linkset-schema.json").read_text())
LINK_TYPES = json.loads((STANDARDS / "linktypes-v1.16.json").read_text())
GTIN = RESOLVER_GTIN
VOC = "https://ref.gs1.org/voc/"


def dl(lot=None, serial=None) -> str:
    path = f"/01/{GTIN}"
    if lot is not None:
        path += f"/10/{lot.code}"
    if serial is not None:
        path += f"/21/{serial.serial if hasattr(serial, 'serial') else serial}"
    return path


def site(path: str) -> str:
    return settings.SITE_URL + path


def linkset_of(response) -> dict:
    document = json.loads(response.content)
    jsonschema.Draft7Validator(LINKSET_SCHEMA).validate(document)
    return document


def test_get_head_and_options_are_answered(client, label):
    get = client.get(dl(label.batch, label))
    head = client.head(dl(label.batch, label))
    assert get.status_code == head.status_code == 307
    assert get["Location"] == head["Location"] == site(f"/s/{label.serial}")
    assert head.content == b""
    options = client.options(dl(label.batch, label))
    assert options.status_code == 204
    for method in ("GET", "HEAD", "OPTIONS"):
        assert method in options["Allow"] and method in options["Access-Control-Allow-Methods"]


def test_other_methods_are_not_allowed_and_change_nothing(client, label):
    response = Client(enforce_csrf_checks=True).post(dl(label.batch, label))
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    label.refresh_from_db()
    assert scans.evidence(label).scans == 0


def test_every_answer_is_open_to_other_origins(client, label):
    answers = [
        client.get(dl(label.batch, label)),
        client.get(dl(label.batch, label) + "?linkType=all"),
        client.get(dl(label.batch, label) + "?linkType=gs1:nothingLikeThis"),
        client.get(f"/01/{GTIN[:-1]}8"),
        client.get("/01/08930000000026"),
        client.options(dl(label.batch), HTTP_ORIGIN="https://retailer.example"),
    ]
    assert [answer.status_code for answer in answers] == [307, 200, 404, 400, 404, 204]
    for answer in answers:
        assert answer["Access-Control-Allow-Origin"] == "*"
    assert "Link" in answers[0]["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (f"/01/{GTIN[:-1]}8", "chữ số kiểm tra"),
        ("/01/893000000001", "chữ số kiểm tra"),  # 12 digits: a UPC with a wrong check digit
        ("/01/4006381333932", "chữ số kiểm tra"),
        ("/01/0893000000001", "GTIN"),  # 13 digits that are no GTIN-13's
        ("/01/08930000000A19", "GTIN"),
        ("/01/089300000000199", "GTIN"),
        (f"/01/{GTIN}/21/S1/10/L1", "thứ tự"),
        (f"/01/{GTIN}/10/L1/10/L2", "thứ tự"),
        (f"/01/{GTIN}/17/261231", "17"),
        (f"/01/{GTIN}/10/L1/21/S1/foo", "cặp"),
        (f"/01/{GTIN}/10", "cặp"),
        (f"/01/{GTIN}/10/{'A' * 21}", "20"),
        (f"/01/{GTIN}/10/L%C3%A91", "20"),
        (f"/01/{GTIN}/10/L%201", "20"),
        (f"/01/{GTIN}/21/S%00", "20"),
        ("/01", "cặp"),
        (f"/01/{GTIN}?17=2612", "YYMMDD"),
    ],
)
def test_a_malformed_digital_link_is_a_400_with_its_reason(client, rice, path, reason):
    response = client.get(path)
    assert response.status_code == 400
    html = response.content.decode()
    assert reason in html and "Mã này viết chưa đúng" in html
    problem = client.get(path, HTTP_ACCEPT="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert problem.status_code == 400 and problem["Content-Type"] == "application/problem+json"
    assert problem.json()["status"] == 400 and problem.json()["detail"]
    assert "chữ" not in problem.json()["detail"]  # in the reader's language


def test_the_default_link_is_the_scan_page_and_the_query_string_passes_on(client, label):
    response = client.get(dl(label.batch, label) + "?foo=bar&17=261231")
    assert response.status_code == 307
    assert response["Location"] == site(f"/s/{label.serial}?foo=bar&17=261231")
    lot_default = client.get(dl(label.batch) + "?foo=bar")
    assert lot_default["Location"] == site(f"/lot/{label.batch.code}?foo=bar")
    product_default = client.get(dl())
    assert product_default["Location"] == site(f"/product/{GTIN}")


def test_a_trailing_slash_is_tolerated(client, label):
    for path in (dl(label.batch, label), dl(label.batch), dl()):
        plain, slashed = client.get(path), client.get(path + "/")
        assert (plain.status_code, plain["Location"]) == (slashed.status_code, slashed["Location"])


def test_a_gtin_13_in_the_uri_resolves_like_its_14_digits(client, label):
    response = client.get(f"/01/{GTIN[1:]}/10/{label.batch.code}/21/{label.serial}")
    assert response["Location"] == site(f"/s/{label.serial}")


@pytest.mark.parametrize(
    ("link_type", "target"),
    [
        ("gs1:pip", "/product/{gtin}"),
        ("https://gs1.org/voc/pip", "/product/{gtin}"),
        (f"{VOC}traceability", "/s/{serial}"),
        ("gs1:recallStatus", "/lot/{lot}/recall"),
        ("gs1:verificationService", "/lot/{lot}/verify"),
        ("gs1:certificationInfo", "/lot/{lot}#certification"),
        ("gs1:defaultLink", "/s/{serial}"),
    ],
)
def test_a_requested_link_type_redirects_to_that_link(client, label, plot, coop, link_type, target):
    CertificationFactory(producer=coop, number="VG-0042").plots.add(plot)
    lot = create_batch(
        label.batch.created_by,
        producer=coop,
        product=label.batch.product,
        plots=[plot],
        harvested_at=moment(1),
        quantity=kg(10),
    )
    assert lot.certification is not None
    serial = Label.objects.create(batch=lot, serial=new_serials(1)[0])
    response = client.get(dl(lot, serial), {"linkType": link_type, "foo": "bar"})
    assert response.status_code == 307
    path = target.format(gtin=GTIN, serial=serial.serial, lot=lot.code)
    assert response["Location"] == site(path) + "?foo=bar"


def test_a_link_type_the_item_lacks_is_a_404(client, label):
    assert label.batch.certification is None
    for link_type in ("gs1:certificationInfo", "gs1:xyz", "https://example.com/voc/pip"):
        response = client.get(dl(label.batch, label), {"linkType": link_type})
        assert response.status_code == 404
        assert 'rel="linkset"' in response["Link"]


def test_the_linkset_has_every_level_up_to_the_gtin_and_is_valid(client, label, plot, coop):
    for request in (
        {"path": dl(label.batch, label) + "?linkType=all"},
        {"path": dl(label.batch, label) + "?linkType=linkset"},
        {"path": dl(label.batch, label), "HTTP_ACCEPT": "application/linkset+json"},
    ):
        response = client.get(**request)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/linkset+json"
        assert "Accept" in response["Vary"]
        linkset = linkset_of(response)["linkset"]
        assert [item["anchor"] for item in linkset] == [
            site(dl(label.batch, label)),
            site(dl(label.batch)),
            site(dl()),
        ]
    relations = {relation for item in linkset for relation in item if relation.startswith(VOC)}
    assert {VOC + name for name in ("pip", "traceability", "recallStatus")} <= relations
    assert {VOC + "verificationService", VOC + "defaultLink", VOC + "epcis"} <= relations
    epcis_link = linkset[1][VOC + "epcis"][0]["href"]
    assert epcis_link.startswith(site("/epcis/events?MATCH_anyEPCClass="))
    assert {relation.removeprefix(VOC) for relation in relations} <= set(LINK_TYPES)
    for item in linkset:
        assert len(item[VOC + "defaultLink"]) == 1
        for relation, links in item.items():
            for link in links if relation.startswith(VOC) else []:
                html = "application/json" if relation == VOC + "epcis" else "text/html"
                assert link["hreflang"] == ["vi", "en"] and link["type"] == html
                assert link["title"] and link["href"].startswith(settings.SITE_URL)
    assert "Gạo ST25" in linkset[2]["itemDescription"]


def test_the_linkset_speaks_the_readers_language_and_answers_plain_json(client, label):
    response = client.get(
        dl(label.batch),
        {"linkType": "all"},
        HTTP_ACCEPT="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Content-Type"] == "application/json"
    linkset = linkset_of(response)["linkset"]
    assert linkset[0][VOC + "recallStatus"][0]["title"] == "Recall status"
    assert "ST25 rice" in linkset[1]["itemDescription"]


def test_a_certified_lot_links_its_certificate(client, owner, coop, plot, rice):
    CertificationFactory(producer=coop, number="VG-0042").plots.add(plot)
    lot = create_batch(
        owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(1), quantity=kg(5)
    )
    linkset = linkset_of(client.get(dl(lot), {"linkType": "all"}))["linkset"]
    certificates = linkset[0][VOC + "certificationInfo"]
    assert "VG-0042" in certificates[0]["title"]
    page = client.get(certificates[0]["href"].removeprefix(settings.SITE_URL).split("#")[0])
    assert 'id="certification"' in page.content.decode() and "VG-0042" in page.content.decode()


def test_every_answer_points_to_its_linkset(client, label):
    for response in (
        client.get(dl(label.batch, label)),
        client.head(dl(label.batch, label)),
        client.get(dl(label.batch, label), {"linkType": "all"}),
        client.get(dl(label.batch, label), {"linkType": "gs1:pip"}),
    ):
        header = response["Link"]
        assert header.startswith(f"<{site(dl(label.batch, label))}?linkType=linkset>")
        assert 'rel="linkset"' in header and 'type="application/linkset+json"' in header
        assert 'title="' in header and "title*=UTF-8''" in header


def test_an_unknown_serial_walks_up_to_its_lot_and_an_unknown_lot_to_its_gtin(client, label):
    unknown_serial = client.get(dl(label.batch, "NOSUCHSERIAL"))
    assert unknown_serial["Location"] == site(f"/lot/{label.batch.code}")
    anchors = [
        item["anchor"]
        for item in linkset_of(client.get(dl(label.batch, "NOSUCHSERIAL") + "?linkType=all"))[
            "linkset"
        ]
    ]
    assert anchors == [site(dl(label.batch)), site(dl())]
    unknown_lot = client.get(f"/01/{GTIN}/10/NOSUCHLOT/21/{label.serial}")
    assert unknown_lot["Location"] == site(f"/product/{GTIN}")
    assert client.get(f"/01/{GTIN}/10/NOSUCHLOT")["Location"] == site(f"/product/{GTIN}")


def test_a_lot_of_another_gtin_is_not_found_under_this_one(client, label, owner, coop, plot):
    other = ProductFactory(code="rau", gtin="4006381333931")
    foreign = create_batch(
        owner, producer=coop, product=other, plots=[plot], harvested_at=moment(1), quantity=kg(5)
    )
    response = client.get(f"/01/{GTIN}/10/{foreign.code}")
    assert response["Location"] == site(f"/product/{GTIN}")
    response = client.get(
        f"/01/{GTIN}/10/{label.batch.code}/21/{label.serial}".replace(
            label.batch.code, foreign.code
        )
    )
    assert response["Location"] == site(f"/product/{GTIN}")


def test_an_unknown_gtin_is_a_404_not_an_error_page_with_200(client, db):
    response = client.get("/01/08930000000026/10/L1")
    assert response.status_code == 404
    assert "Chúng tôi không tìm thấy mã này" in response.content.decode()
    problem = client.get("/01/08930000000026", HTTP_ACCEPT="application/json")
    assert problem.status_code == 404 and problem.json()["status"] == 404


def test_the_resolver_description_file(client, db):
    response = client.get("/.well-known/gs1resolver")
    assert response.status_code == 200 and response["Access-Control-Allow-Origin"] == "*"
    description = response.json()
    assert description["resolverRoot"] == settings.SITE_URL
    assert description["supportedPrimaryKeys"] == ["01"]
    assert description["name"]
    assert description["supportedLinkType"] == [{"namespace": VOC, "prefix": "gs1:"}]
    assert description["linkTypeDefaultCanBeLinkset"] is False


def test_scans_count_once_per_real_visit_not_for_resolver_requests(label):
    phone = Client(HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 13) Chrome/120 Mobile")
    phone.head(dl(label.batch, label))
    phone.get(dl(label.batch, label), {"linkType": "all"})
    phone.get(dl(label.batch, label), HTTP_ACCEPT="application/linkset+json")
    label.refresh_from_db()
    assert scans.evidence(label).scans == 0
    page = phone.get(dl(label.batch, label), follow=True)
    assert page.status_code == 200 and label.serial in page.content.decode()
    phone.get(dl(label.batch, label), follow=True)  # the same phone again: not another scan
    crawler = Client(HTTP_USER_AGENT="facebookexternalhit/1.1")
    crawler.get(dl(label.batch, label), follow=True)
    label.refresh_from_db()
    assert scans.evidence(label).scans == 1


def test_short_labels_keep_working_and_link_the_product_page(client, label):
    response = client.get(f"/s/{label.serial}")
    assert response.status_code == 200 and label.batch.code in response.content.decode()
    assert f'href="/product/{GTIN[1:]}"' in response.content.decode()


def test_resolving_a_label_costs_one_query(client, label, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert client.get(dl(label.batch, label)).status_code == 307
    with django_assert_max_num_queries(1):
        assert client.get(dl(label.batch), {"linkType": "all"}).status_code == 200


def test_the_product_page_lists_the_lots_in_stock(client, lot, owner, coop, plot, rice):
    held = create_batch(
        owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(1), quantity=kg(5)
    )
    place_holds({held.pk}, Hold.Reason.FAILED_CHECK, "Kiểm tra dư lượng")
    recalled = create_batch(
        owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(1), quantity=kg(5)
    )
    recall_batch(owner, recalled, "Dư lượng thuốc")
    html = client.get(f"/product/{GTIN}").content.decode()
    assert "Gạo ST25" in html and lot.code in html and coop.name in html
    assert held.code not in html and recalled.code not in html
    assert not coop.contact_phone or coop.contact_phone not in html
    assert client.get(f"/product/{GTIN[1:]}").status_code == 200
    assert client.get("/product/08930000000026").status_code == 404
    assert client.get("/product/" + "9" * 300).status_code == 404


def test_the_product_page_costs_the_same_for_many_lots(
    client, lot, owner, coop, plot, rice, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        client.get(f"/product/{GTIN}")
    for _ in range(5):
        create_batch(
            owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(1), quantity=kg(5)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/product/{GTIN}").content.decode().count("/lot/") == 6


def test_the_recall_status_page_follows_the_lot(client, lot, owner):
    page = client.get(f"/lot/{lot.code}/recall")
    assert 'data-status="not_recalled"' in page.content.decode()
    place_holds({lot.pk}, Hold.Reason.FAILED_CHECK, "Kiểm tra dư lượng")
    assert 'data-status="on_hold"' in client.get(f"/lot/{lot.code}/recall").content.decode()
    recall_batch(owner, lot, "Dư lượng thuốc vượt ngưỡng")
    html = client.get(f"/lot/{lot.code}/recall").content.decode()
    assert 'data-status="recalled"' in html and "Dư lượng thuốc vượt ngưỡng" in html
    assert client.get("/lot/NOPE/recall").status_code == 404


def test_a_percent_encoded_lot_is_read_decoded(client, owner, coop, plot, rice):
    lot = create_batch(
        owner, producer=coop, product=rice, plots=[plot], harvested_at=moment(1), quantity=kg(5)
    )
    encoded = "".join(f"%{ord(char):02X}" for char in lot.code)
    assert unquote(encoded) == lot.code
    assert client.get(f"/01/{GTIN}/10/{encoded}")["Location"] == site(f"/lot/{lot.code}")


# In a real browser (Playwright driving Debian's Chromium): a phone that opens a label's
# Digital Link lands on the scan page and counts once; a retailer's web page on another
# origin reads the linkset through CORS, preflight included.
@pytest.mark.django_db(transaction=True)
def test_a_phone_lands_on_the_scan_page_and_another_origin_reads_the_links(
    live_server, browser, settings, label
):
    settings.SITE_URL = live_server.url
    uri = f"{live_server.url}/01/{GTIN}/10/{label.batch.code}/21/{label.serial}"
    phone = browser.new_context(
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        user_agent="Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile",
    ).new_page()
    phone.goto(uri + "?17=261231")
    assert phone.url == f"{live_server.url}/s/{label.serial}?17=261231"
    assert label.batch.code in phone.inner_text("main")
    phone.reload()
    label.refresh_from_db()
    assert scans.evidence(label).scans == 1

    # The same server under another name is another origin for the browser.
    other_origin = live_server.url.replace("localhost", "127.0.0.1")
    assert other_origin != live_server.url
    retailer = browser.new_page()
    retailer.goto(f"{other_origin}/static/favicon.svg")  # a file: no CSP of ours limits it
    answer = retailer.evaluate(
        """async (uri) => {
            const response = await fetch(uri + "?linkType=all", {
                headers: {"Accept": "application/linkset+json", "X-Retailer": "1"},
            });
            return {status: response.status, link: response.headers.get("Link"),
                    body: await response.json()};
        }""",
        uri,
    )
    assert answer["status"] == 200 and 'rel="linkset"' in answer["link"]
    recall = answer["body"]["linkset"][1][VOC + "recallStatus"][0]["href"]
    assert recall == f"{live_server.url}/lot/{label.batch.code}/recall"
    label.refresh_from_db()
    assert scans.evidence(label).scans == 1  # the program's requests counted nothing
