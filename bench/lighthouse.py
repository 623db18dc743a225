"""Lighthouse accessibility (and SEO) scores of every public and staff page of the demo.

Run against a running demo (`bin/demo`, or PORT=8011 bin/demo) with Google's Lighthouse
from npm, driving Debian's Chromium:

    npm install --prefix var/node lighthouse@12
    .venv/bin/python -m bench.lighthouse http://127.0.0.1:8000

Staff pages are read signed in as the demo's cooperative manager and extension officer
(a session cookie passed to Lighthouse). Prints one line per page and the lowest score.
The tests hold the same pages to axe-core's rules (tests/marketplace/
test_accessibility_browser.py); this prints the score the issue asks for.
"""

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

LIGHTHOUSE = Path(__file__).resolve().parent.parent / "var/node/node_modules/.bin/lighthouse"
DEMO_PASSWORD = "nongsan-demo-2026"  # noqa: S105 (the demo's, printed by bin/demo)
MANAGER, EXTENSION_OFFICER = "0901000101", "0902000201"
PUBLIC = [
    "/",
    "/market/",
    "/market/?q=rau&within_km=30",
    "/market/prices/rau-muong/",
    "/knowledge/",
    "/map/",
    "/open-data/",
    "/accounts/login/",
]


def demo_pages(base: str) -> list[str]:
    """An offer, its lot's page and history check, and an article of the demo."""

    def first(pattern: str, path: str) -> str:
        return re.search(pattern, requests.get(base + path, timeout=30).text)[1]

    offer = first(r'"(/market/offers/[0-9a-f-]{36}/)"', "/market/")
    lot = first(r'href="(/lot/[^"/]+)"', offer)
    article = first(r'href="(/knowledge/(?!staff|propose)[\w-]+/)"', "/knowledge/")
    return [offer, lot, f"{lot}/verify", article]


def session_cookie(base: str, phone: str) -> str:
    session = requests.Session()
    login = f"{base}/accounts/login/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(login).text)[1]
    session.post(
        login,
        data={"username": phone, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": login},
    )
    return "; ".join(f"{name}={value}" for name, value in session.cookies.items())


def score(url: str, cookie: str = "", categories: str = "accessibility,seo") -> dict[str, float]:
    """Lighthouse's scores of ``url`` (its default: a phone, slow 4G, 4× slower CPU)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        command = [
            str(LIGHTHOUSE),
            url,
            f"--only-categories={categories}",
            "--output=json",
            f"--output-path={report.name}",
            "--chrome-flags=--headless=new --no-sandbox",
            "--quiet",
        ]
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        subprocess.run(  # noqa: S603 (our own fixed command)
            command, check=True, env={"CHROME_PATH": "/usr/bin/chromium", "PATH": "/usr/bin:/bin"}
        )
        categories = json.loads(Path(report.name).read_text())["categories"]
    return {name: category["score"] for name, category in categories.items()}


def main(base: str) -> None:
    manager = session_cookie(base, MANAGER)
    officer = session_cookie(base, EXTENSION_OFFICER)
    staff = [
        ("/admin/", manager),
        ("/admin/traceability/batch/", manager),
        ("/admin/traceability/labelsheet/", manager),
        ("/market/orders/", manager),
        ("/knowledge/staff/", officer),
        ("/admin/marketplace/marketprice/add/", officer),
    ]
    pages = [(path, "") for path in PUBLIC + demo_pages(base)] + staff
    lowest = 1.0
    for path, cookie in pages:
        scores = score(base + path, cookie)
        lowest = min(lowest, scores["accessibility"])
        print(f"{scores['accessibility']:.2f} a11y  {scores['seo']:.2f} seo  {path}")
    print(f"lowest accessibility score: {lowest:.2f} over {len(pages)} pages")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
