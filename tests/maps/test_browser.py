"""The map page in a real browser (Debian's headless Chromium): it fetches its layers,
clusters producers and draws its legend."""

import subprocess

import pytest
from PIL import Image

from tests import factories
from tests.maps.conftest import box, plot

CHROMIUM = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--accept-lang=vi"]


def browse(*arguments: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own arguments)
        [*CHROMIUM, "--virtual-time-budget=8000", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


@pytest.mark.django_db(transaction=True)
def test_the_map_draws_its_layers_in_a_browser(live_server, settings, land, rice, tmp_path):
    settings.MAP_TILE_URL = ""  # no outside host in tests
    for i in range(3):
        farm = factories.ProducerFactory(kind="household", name=f"Hộ {i}")
        plot(farm, box(105.81 + i * 0.01, 21.11, 105.812 + i * 0.01, 21.112), rice)
    factories.PlaceFactory(kind="market", name="Chợ Vân Trì")
    url = f"{live_server.url}/map/"
    dom = browse("--dump-dom", url)
    assert "leaflet-container" in dom, "Leaflet started"
    assert "marker-cluster" in dom or "leaflet-marker-icon" in dom, "producers were fetched"
    assert "legend leaflet-control" in dom, "the legend is drawn"
    shot = tmp_path / "map.png"
    browse("--window-size=1000,700", f"--screenshot={shot}", url)
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours and len(colours) > 50, "the screenshot shows a drawn map, not a blank page"
