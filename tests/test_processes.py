"""Two web servers and two Celery workers on one database, one Redis cache and broker,
as a site with more than one process runs: limits, "only once" flags and retried
writes hold across all of them."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle

import pytest
import redis
import requests
from graphql_relay import to_global_id

from tests.factories import UserFactory, moment
from tests.mobile_api.conftest import PASSWORD, token_for
from tests.servers import REDIS, celery_workers, product_environment, web_servers
from traceability.models import BatchLink, Label, Scan
from traceability.services import scans
from traceability.services.events import record_event
from traceability.services.labels import new_serials
from traceability.steps import BusinessStep as Step

pytestmark = [pytest.mark.celery_broker, pytest.mark.django_db(transaction=True)]

CROP_AREAS = "open-data/crop-areas-by-commune.csv"
PHONE = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36"}
SIGN_IN = """mutation($phone: String!, $password: String!) {
  signIn(input: {phone: $phone, password: $password}) { errors { code } } }"""
SYNC = """mutation($ops: [SyncOperationInput!]!) { sync(operations: $ops) {
  results { errors { code } batches { id } } } }"""


@pytest.fixture
def site(tmp_path):
    redis.Redis.from_url(f"{REDIS}/14").flushdb()
    env = product_environment(tmp_path, LOGIN_FAILURES_PER_NETWORK="6")
    with web_servers(env, tmp_path, count=2) as urls, celery_workers(env, tmp_path, 2) as logs:
        yield urls, logs


def graphql(url: str, query: str, variables: dict, token: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = {"query": query, "variables": variables}
    response = requests.post(f"{url}/graphql", json=body, headers=headers, timeout=30)
    return response.json()["data"]


def test_limits_flags_and_retries_hold_across_processes(site, owner, harvested, rf):
    urls, worker_logs = site

    # The login throttle counts failures in whichever process they reach.
    for phone in ("+84912000301", "+84912000302"):
        UserFactory(phone=phone)
    servers = cycle(urls)
    for _attempt in range(6):
        graphql(next(servers), SIGN_IN, {"phone": "0912000301", "password": "wrong-guess"})
    for url in urls:
        answer = graphql(url, SIGN_IN, {"phone": "0912000302", "password": PASSWORD})
        assert answer["signIn"]["errors"] == [{"code": "locked_out"}]

    # The first open-data build is asked for once, however many processes are asked.
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda url: requests.get(f"{url}/{CROP_AREAS}", timeout=30),
                [*urls, *urls, *urls, *urls],
            )
        )
    assert {answer.status_code for answer in answers} <= {200, 503}
    _wait_for_build(urls[0])
    builds = [
        line
        for log in worker_logs
        for line in log.read_text().splitlines()
        if "maps.tasks.publish_open_data[" in line and "received" in line
    ]
    assert len(builds) == 1

    # A queue resent to both servers at once is applied once.
    token = token_for(owner, rf)
    split = {
        "clientId": str(uuid.uuid4()),
        "batchId": to_global_id("BatchNode", harvested.pk),
        "quantities": ["5", "5"],
        "occurredAt": moment(0.5).isoformat(),
    }
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(
            pool.map(
                lambda url: graphql(url, SYNC, {"ops": [{"splitBatch": split}]}, token),
                [*urls, *urls, *urls],
            )
        )
    children = {repr(result["sync"]["results"][0]["batches"]) for result in results}
    assert len(children) == 1
    assert BatchLink.objects.filter(parent=harvested).count() == 2
    harvested.refresh_from_db()
    assert harvested.remaining_quantity == 90


def _wait_for_build(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (
            requests.get(f"{url}/open-data/crop-areas-by-commune.csv", timeout=30).status_code
            == 200
        ):
            return
        time.sleep(0.5)
    raise TimeoutError("the open data was never built")


def test_scan_pages_and_their_counts_hold_across_processes(tmp_path, owner, harvested):
    """Two servers share one Redis cache: a page kept by one is never older than the
    record on the other, and one network's scans are limited across both."""
    redis.Redis.from_url(f"{REDIS}/14").flushdb()
    label = Label.objects.create(batch=harvested, serial=new_serials(1)[0])
    env = product_environment(tmp_path)
    with web_servers(env, tmp_path, count=2, workers=2) as urls:

        def page(url: str) -> str:
            # A phone's browser, keeping no cookies: each visit may count.
            answer = requests.get(f"{url}/s/{label.serial}", headers=PHONE, timeout=30)
            assert answer.status_code == 200
            return answer.text

        assert all("Lưu kho" not in page(url) for url in urls)  # both keep the page
        record_event(owner, harvested, Step.STORING, occurred_at=moment(0.5))
        assert all("Lưu kho" in page(url) for url in urls)

        servers = cycle(urls)
        for _ in range(scans.SCAN_RATE.limit + 10):
            page(next(servers))
    # One network (this machine): counted up to its rate, whichever server it reached.
    assert Scan.objects.filter(label=label).count() == scans.SCAN_RATE.limit
