"""Under a burst of hostile queries, the real server (gunicorn, two workers) refuses each
one at once and keeps answering everyone else."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.mobile_api.test_limits import fan_out
from tests.servers import product_environment, web_servers

pytestmark = pytest.mark.django_db(transaction=True)


def hostile_requests() -> list[dict]:
    """Fan-out, cycles, deep nesting and huge variables: 5 of each kind."""
    deep = "{ me " + "{ phone " * 200 + "}" * 200 + " }"
    cycle = "{ me { ...A } } fragment A on UserType { phone ...B } fragment B on UserType { ...A }"
    huge_variables = {"blob": ["x" * 1000] * 4000}  # 4 MB the query never declares
    kinds = [
        {"query": fan_out(8, 10)},
        {"query": cycle},
        {"query": deep},
        {"query": "{ me { phone } }", "variables": {"geometry": json.loads("[" * 400 + "]" * 400)}},
        {"query": "query { crops { name } }", "variables": huge_variables},
    ]
    return [kind for kind in kinds for _copy in range(5)][:20]


def test_hostile_queries_are_refused_at_once_while_others_are_served(tmp_path, product):
    env = product_environment(tmp_path)
    with web_servers(env, tmp_path, count=1, workers=2) as (url,):

        def send(body):
            started = time.monotonic()
            response = requests.post(f"{url}/graphql", json=body, timeout=30)
            return response.status_code, time.monotonic() - started, response

        ordinary = {"query": "{ crops { name unit } }"}
        with ThreadPoolExecutor(max_workers=24) as pool:
            hostile = [pool.submit(send, body) for body in hostile_requests()]
            time.sleep(0.05)  # while the burst is in flight
            served = [pool.submit(send, ordinary) for _ in range(4)]
            hostile_answers = [future.result() for future in hostile]
            served_answers = [future.result() for future in served]

    # Twenty refusals queue on two workers, so each waits for the others: the bound is
    # for the queue, far below what executing one of these queries would take.
    for status, seconds, response in hostile_answers:
        assert status in (400, 413), response.text[:200]
        assert seconds < 3, (seconds, response.text[:200])
    for status, seconds, response in served_answers:
        assert status == 200 and response.json()["data"]["crops"], response.text[:200]
        assert seconds < 3
