"""Copy detection counts networks, not requests: one person cannot get a genuine label
called a copy on its public page, while the producer and inspectors still see the signal
(issue 13, item 6)."""

import threading
import time

import pytest
from django.core import signing
from django.db import connection
from django.utils import translation

from tests.traceability.scanning import (
    HANOI,
    SAIGON,
    add_label,
    scan,
    scan_and_share,
    share,
    token_in,
    warned,
)
from traceability.models import Label, Scan
from traceability.services import scans


@pytest.fixture
def label(harvested):
    return add_label(harvested)


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request's language outlives it in this thread; these tests read English, and
    later tests expect Vietnamese."""
    yield
    translation.deactivate()


def test_one_network_reloading_without_cookies_is_no_public_evidence(label, settings):
    """The finding: 32 anonymous GETs of a genuine label called it a copy."""
    assert settings.LABEL_DEFAULT_MAX_SCANS == label.batch.max_scans_per_label == 30
    for _ in range(32):
        response = scan(label, "203.0.113.7")
        assert response.status_code == 200
    assert label.batch.code in response.content.decode()
    assert not warned(label)
    label.refresh_from_db()
    # Kept for the producer and inspectors: many scans, one network.
    assert (scans.evidence(label).scans, scans.evidence(label).networks) == (32, 1)
    assert label.suspicion == Label.Suspicion.TOO_MANY_SCANS
    assert not label.public_warning


@pytest.mark.parametrize(
    ("proxies", "socket", "headers_of"),
    [
        pytest.param(0, lambda i: "203.0.113.7", lambda i: {}, id="one IPv4 address"),
        pytest.param(0, lambda i: f"2001:db8:7:7::{i + 1:x}", lambda i: {}, id="one IPv6 /64"),
        pytest.param(
            0,
            lambda i: "203.0.113.7",
            lambda i: {"HTTP_X_FORWARDED_FOR": f"198.51.{i}.1"},
            id="X-Forwarded-For without a trusted proxy",
        ),
        pytest.param(
            1,
            lambda i: "10.0.0.2",
            lambda i: {"HTTP_X_FORWARDED_FOR": f"198.51.{i}.1, 203.0.113.7"},
            id="a forged hop before the trusted proxy's",
        ),
    ],
)
def test_one_source_cannot_pass_for_many(label, settings, proxies, socket, headers_of):
    settings.TRUSTED_PROXY_COUNT = proxies
    settings.LABEL_MIN_DISTINCT_SOURCES = 3
    label.batch.max_scans_per_label = 3
    label.batch.save()
    for i in range(12):
        assert scan(label, socket(i), **headers_of(i)).status_code == 200
    assert not warned(label)
    label.refresh_from_db()
    assert (scans.evidence(label).scans, scans.evidence(label).networks) == (12, 1)
    assert label.suspicion and not label.public_warning


def test_scans_from_many_networks_beyond_the_normal_count_warn_consumers(label, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # the product behind one proxy that appends the client
    assert settings.LABEL_MIN_DISTINCT_SOURCES == 10

    def scan_via_proxy(network: int):
        forwarded = {"HTTP_X_FORWARDED_FOR": f"100.64.{network}.9"}
        assert scan(label, "10.0.0.2", **forwarded).status_code == 200

    for network in range(9):
        for _ in range(4):
            scan_via_proxy(network)
    assert not warned(label)
    label.refresh_from_db()
    evidence = scans.evidence(label)
    assert (evidence.scans, evidence.networks) == (36, 9)  # beyond 30, but 9 networks
    assert label.suspicion == Label.Suspicion.TOO_MANY_SCANS
    scan_via_proxy(9)
    label.refresh_from_db()
    assert label.public_warning
    assert warned(label)


def test_a_network_scanning_again_counts_once_toward_the_networks(label, settings):
    label.batch.max_scans_per_label = 5
    label.batch.save()
    settings.LABEL_MIN_DISTINCT_SOURCES = 3
    for _ in range(3):
        for address in ("198.51.100.1", "198.51.100.2"):
            scan(label, address)
    assert not warned(label)
    scan(label, "198.51.100.3")
    assert warned(label)


def test_located_scans_far_apart_from_one_network_stay_with_staff(label):
    scan_and_share(label, "203.0.113.7", HANOI)
    scan_and_share(label, "203.0.113.7", SAIGON)
    assert not warned(label)
    label.refresh_from_db()
    assert label.suspicion == Label.Suspicion.FAR_APART
    assert 1000 < label.spread_km < 1300
    assert not label.public_warning


def test_located_scans_far_apart_from_distinct_networks_warn_consumers(label):
    scan_and_share(label, "198.51.100.1", HANOI)
    scan_and_share(label, "198.51.100.2", HANOI)
    scan_and_share(label, "198.51.100.3", SAIGON)
    assert not warned(label)
    label.refresh_from_db()
    assert label.suspicion == Label.Suspicion.FAR_APART and not label.public_warning
    scan_and_share(label, "198.51.100.1", SAIGON)  # a network already vouching for Hà Nội
    label.refresh_from_db()
    assert not label.public_warning
    scan_and_share(label, "198.51.100.4", SAIGON)
    label.refresh_from_db()
    assert not label.public_warning  # Hà Nội: .2 alone, since .1 claims both places
    assert not warned(label)
    scan_and_share(label, "198.51.100.5", HANOI)
    label.refresh_from_db()
    assert label.public_warning
    assert warned(label)


def test_nearby_located_scans_are_normal(label):
    for number, latitude in enumerate((21.03, 21.05, 21.30)):
        scan_and_share(label, f"198.51.100.{number}", (latitude, 105.85))
    label.refresh_from_db()
    assert (label.suspicion, label.public_warning) == ("", False)
    assert label.spread_km < label.batch.max_scan_spread_km


@pytest.mark.parametrize(
    ("latitude", "longitude", "code"),
    [
        (123, 1, "invalid_position"),
        (21.03, 200, "invalid_position"),
        ("nan", "nan", "invalid_position"),
        ("inf", 105.8, "invalid_position"),
        (21.03, "1e999", "invalid_position"),
        ("Hà Nội", 105.8, "invalid_position"),
        ("", "", "invalid_position"),
        (0, 0, "outside_region"),  # "Null Island", a phone's failed fix
        (48.85, 2.35, "outside_region"),  # Paris
        (-21.03, -105.86, "outside_region"),  # signs flipped
    ],
)
def test_absurd_positions_are_refused_and_nothing_is_stored(label, latitude, longitude, code):
    token = token_in(scan(label, "203.0.113.7"))
    response = share("203.0.113.7", token, latitude, longitude)
    assert response.status_code == 400
    assert not Scan.objects.exclude(location=None).exists()
    assert response.json()["code"] == code


def test_positions_in_viet_nam_and_its_islands_are_accepted(label):
    for number, position in enumerate([HANOI, (8.6, 104.7), (16.5, 112.0), (9.9, 114.3)]):
        scan_and_share(label, f"198.51.100.{number}", position)  # Cà Mau, Hoàng Sa, Trường Sa
    assert Scan.objects.exclude(location=None).count() == 4


def _signed_earlier(token: str, seconds: int) -> str:
    """The same scan's token, as if the page had been loaded ``seconds`` ago."""
    scan_id = signing.loads(token, salt=scans._SIGNING_SALT)

    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - seconds)

    return Earlier(salt=scans._SIGNING_SALT).sign_object(scan_id)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda token: "", id="missing"),
        pytest.param(lambda token: "forged", id="garbage"),
        pytest.param(lambda token: token[:-2] + "xx", id="bad signature"),
        pytest.param(lambda token: signing.dumps(999999, salt=scans._SIGNING_SALT), id="no scan"),
        pytest.param(lambda token: signing.dumps(1), id="other salt"),
        pytest.param(
            lambda token: _signed_earlier(token, scans.LOCATION_TOKEN_MAX_AGE + 60), id="expired"
        ),
    ],
)
def test_a_location_needs_the_pages_fresh_token(label, forge):
    token = token_in(scan(label, "203.0.113.7"))
    assert token
    response = share("203.0.113.7", forge(token), *HANOI)
    assert response.status_code == 400
    assert not Scan.objects.exclude(location=None).exists()
    assert response.json()["code"] == "expired_token"


def test_a_fresh_token_signed_a_minute_ago_is_accepted(label):
    token = _signed_earlier(token_in(scan(label, "203.0.113.7")), 60)
    assert share("203.0.113.7", token, *HANOI).status_code == 200


def test_a_location_is_shared_once_per_scan(label):
    token = token_in(scan(label, "203.0.113.7"))
    assert share("203.0.113.7", token, *HANOI).status_code == 200
    replay = share("198.51.100.9", token, *SAIGON)
    assert replay.status_code == 400
    assert replay.json()["code"] == "already_shared"
    located = Scan.objects.exclude(location=None)
    assert located.count() == 1
    assert located.get().location.y == pytest.approx(21.0)
    label.refresh_from_db()
    assert label.suspicion == ""


def test_locations_are_rate_limited_per_network(label):
    tokens = [token_in(scan(label, "203.0.113.7")) for _ in range(30)]
    answers = [share("203.0.113.7", token, *HANOI) for token in tokens]
    assert 429 in {answer.status_code for answer in answers}
    limit = scans.LOCATION_RATE.limit
    assert [a.status_code for a in answers] == [200] * limit + [429] * (30 - limit)
    assert answers[-1].json()["code"] == "throttled"
    assert Scan.objects.exclude(location=None).count() == limit
    assert share("198.51.100.9", tokens[-1], *HANOI).status_code == 200  # another network


def test_the_public_answer_to_a_shared_location_tells_nothing_about_the_evidence(label):
    scan_and_share(label, "203.0.113.7", HANOI)
    answer = scan_and_share(label, "203.0.113.7", SAIGON).json()
    assert set(answer) == {"thanks"}


def test_a_consumer_hammering_the_page_still_sees_the_trace(label):
    for number in range(100):
        response = scan(label, "203.0.113.7")
        assert response.status_code == 200, number
        assert label.batch.code in response.content.decode()
    label.refresh_from_db()
    assert scans.evidence(label).scans < 100  # beyond the rate, scans are not counted at all
    assert (
        scans.evidence(label).scans
        == Scan.objects.filter(label=label).count()
        == scans.SCAN_RATE.limit
    )
    assert not token_in(response)  # not counted, so nothing to attach a location to
    assert scan(label, "198.51.100.1").status_code == 200
    label.refresh_from_db()
    assert scans.evidence(label).scans == scans.SCAN_RATE.limit + 1  # other networks still count


def test_scans_store_a_network_bucket_never_the_address(label):
    addresses = ["203.0.113.77", "2001:db8:abcd:12::1"]
    for address in addresses:
        scan(label, address)
    rows = list(Scan.objects.values()) + list(Label.objects.values())
    for address in addresses:
        assert not any(address in str(value) for row in rows for value in row.values())
        assert "203.0.113" not in str(rows)
    sources = set(Scan.objects.values_list("source", flat=True))
    assert len(sources) == 2 and all(0 <= s < 2**16 for s in sources)
    assert scans.evidence(label).networks == len(sources)
    # Keyed per label: one network cannot be followed from label to label.
    other = add_label(label.batch)
    networks = [f"198.51.100.{n}" for n in range(5)]
    ours = [scans.source_bucket(label, network) for network in networks]
    assert ours != [scans.source_bucket(other, network) for network in networks]


def test_checking_a_label_clears_its_evidence(label, owner):
    scan_and_share(label, "198.51.100.1", HANOI)
    scan_and_share(label, "198.51.100.2", SAIGON)
    label.refresh_from_db()
    assert label.suspicion and scans.evidence(label).networks and label.spread_km
    scans.clear_suspicion(owner, label)
    label.refresh_from_db()
    assert (label.suspicion, label.public_warning, label.spread_km) == ("", False, 0)
    assert (scans.evidence(label).scans, scans.evidence(label).networks) == (0, 0)
    scan_and_share(label, "198.51.100.3", HANOI)  # older locations no longer count
    label.refresh_from_db()
    assert label.suspicion == ""


@pytest.mark.django_db(transaction=True)
def test_scans_at_the_same_moment_count_each_network_once(harvested):
    """Ten reloads from one network and ten phones on ten networks, all at once."""
    label = add_label(harvested)
    addresses = ["203.0.113.7"] * 10 + [f"198.51.100.{n}" for n in range(10)]
    barrier, answers = threading.Barrier(len(addresses)), []

    def attempt(address: str):
        try:
            barrier.wait()
            answers.append(scan(label, address).status_code)
        except Exception as error:  # reported by the assertion below
            answers.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(a,)) for a in addresses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * len(addresses)
    label.refresh_from_db()
    assert (scans.evidence(label).scans, scans.evidence(label).networks) == (20, 11)
