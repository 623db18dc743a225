"""The app's shell: installable (manifest, icons, a service worker over /app/), small,
strict about what it loads, and translated."""

import json

import pytest
from django.contrib.staticfiles import finders

from farmapp import assets

SHELL_BUDGET_BYTES = 150 * 1024


def test_the_manifest_makes_the_app_installable(client):
    manifest = json.loads(client.get("/app/manifest.webmanifest").content)
    assert manifest["start_url"] == "/app/" and manifest["display"] == "standalone"
    assert manifest["name"] == "Nông sản số: ứng dụng cho nông dân"  # Vietnamese by default
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon


def test_the_service_worker_keeps_every_shell_file_and_changes_with_them(client):
    response = client.get("/app/sw.js")
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/app/"
    text = response.content.decode()
    for url in [*assets.shell_files(), "/app/i18n/vi.json", "/app/i18n/en.json"]:
        assert f'"{url}"' in text
    assert f"shell-{assets.version()}" in text


def test_the_shell_loads_nothing_from_elsewhere_and_runs_no_inline_script_without_a_nonce(
    client,
):
    response = client.get("/app/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    page = response.content.decode()
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'<script type="importmap" nonce="{nonce}">' in page
    assert page.count("<script") == 2  # the import map and the module, nothing inline else
    imports = json.loads(page.split(f'nonce="{nonce}">')[1].split("</script>")[0])["imports"]
    assert imports["app/main"] == "/static/farmapp/js/main.js"


def test_the_shell_fits_its_budget():
    assert 20_000 < assets.shell_gzipped_bytes() <= SHELL_BUDGET_BYTES


@pytest.mark.parametrize("language,word", [("vi", "Hôm nay"), ("en", "Today")])
def test_the_scripts_words_come_in_both_languages(client, language, word):
    catalog = client.get(f"/app/i18n/{language}.json").json()["catalog"]
    assert catalog.get("Today", "Today") == word


def test_an_unknown_language_is_not_found(client):
    assert client.get("/app/i18n/fr.json").status_code == 404
