"""The farmers' app on a cheap phone: the shell's size, Lighthouse's mobile scores of
/app/, and the time to a usable Today screen in Chromium with a 4× slower CPU and 3G
(Chrome DevTools Protocol throttling), first visit and repeat visit (service worker).

Against a running demo (`bin/demo`), with Lighthouse from npm (see bench/lighthouse.py):
    .venv/bin/python -m bench.farm_app http://127.0.0.1:8000
"""

import gzip
import os
import sys
import time

import django
import requests

from bench.lighthouse import DEMO_PASSWORD, score

FARMER = "0905000501"  # the demo's farm household
# Chrome DevTools' 3G: 300 ms round trips, 750 kbit/s down, 250 kbit/s up.
THREE_G = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 750_000 / 8,
    "uploadThroughput": 250_000 / 8,
}
CPU_SLOWDOWN = 4


def throttled_page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", THREE_G)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return page


def usable_today(page) -> None:
    """Today's heading and its first section's content are on the screen."""
    page.get_by_role("heading", name="Hôm nay").wait_for(timeout=60_000)
    page.locator("main .cards, main .empty").first.wait_for(timeout=60_000)


def time_to_today(base: str) -> tuple[float, float, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        page = throttled_page(browser)
        start = time.perf_counter()
        page.goto(f"{base}/app/")
        page.get_by_label("Số điện thoại").wait_for(timeout=60_000)
        sign_in_ready = time.perf_counter() - start
        page.get_by_label("Số điện thoại").fill(FARMER)
        page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        start = time.perf_counter()
        page.get_by_role("button", name="Đăng nhập").click()
        usable_today(page)
        first_today = time.perf_counter() - start
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.wait_for_timeout(3000)  # the forms' data fetched ahead settles
        start = time.perf_counter()
        page.reload()
        usable_today(page)
        repeat_today = time.perf_counter() - start
        browser.close()
    return sign_in_ready, first_today, repeat_today


def main(base: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    from farmapp.assets import shell_gzipped_bytes

    page = len(gzip.compress(requests.get(f"{base}/app/", timeout=30).content, 9))
    shell = (shell_gzipped_bytes() + page) / 1024
    print(f"app shell (page, scripts, styles, icons, Leaflet): {shell:.1f} KB gzipped (budget 150)")
    scores = score(f"{base}/app/", categories="performance,accessibility")
    print(
        f"Lighthouse mobile (slow 4G, 4× CPU) on /app/: performance {scores['performance']:.2f}, "
        f"accessibility {scores['accessibility']:.2f}"
    )
    sign_in_ready, first_today, repeat_today = time_to_today(base)
    print(f"3G + {CPU_SLOWDOWN}× CPU: sign-in screen ready in {sign_in_ready:.1f} s (first visit)")
    print(f"  Today usable {first_today:.1f} s after signing in")
    print(f"  Today usable {repeat_today:.1f} s after reopening the app (service worker)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000")
