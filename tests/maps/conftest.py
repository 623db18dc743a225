"""Hand-made geography with known answers (two communes side by side in one district),
and a weather provider playing recorded answers."""

import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon

from farms.models import Plot
from farms.services import area_m2, refresh_map_geometry
from maps.models import AdministrativeArea
from tests import factories
from tests.mobile_api.conftest import anonymous_api, api, stranger_api  # noqa: F401 (fixtures)


def box(west: float, south: float, east: float, north: float) -> Polygon:
    polygon = Polygon.from_bbox((west, south, east, north))
    polygon.srid = 4326
    return polygon


def multi(polygon: Polygon) -> MultiPolygon:
    return MultiPolygon(polygon, srid=4326)


def tile_of(lon: float, lat: float, zoom: int) -> tuple[int, int]:
    """The web-mercator tile holding a point (the slippy-map formula)."""
    n = 2**zoom
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def plot(producer, polygon: Polygon, crop=None) -> Plot:
    """A plot saved as the service saves it (area, and the producer's map point)."""
    made = Plot.objects.create(
        producer=producer, name="Thửa", geometry=polygon, area_m2=area_m2(polygon), crop=crop
    )
    refresh_map_geometry(producer)
    return made


@pytest.fixture
def land(db):
    """District Đông Anh with communes Vân Nội (west) and Nguyên Khê (east), split at
    longitude 105.85."""
    district = AdministrativeArea.objects.create(
        code="017", name="Đông Anh", level="district", geometry=multi(box(105.8, 21.1, 105.9, 21.2))
    )
    west = AdministrativeArea.objects.create(
        code="00454",
        name="Vân Nội",
        level="commune",
        parent=district,
        geometry=multi(box(105.8, 21.1, 105.85, 21.2)),
    )
    east = AdministrativeArea.objects.create(
        code="00457",
        name="Nguyên Khê",
        level="commune",
        parent=district,
        geometry=multi(box(105.85, 21.1, 105.9, 21.2)),
    )
    return SimpleNamespace(district=district, west=west, east=east)


@pytest.fixture
def rice(db):
    return factories.ProductFactory(code="lua", name_vi="Lúa", name_en="Rice")


@pytest.fixture
def greens(db):
    return factories.ProductFactory(code="rau-muong", name_vi="Rau muống")


RECORDINGS = Path(__file__).parent / "weather"


class _Provider(BaseHTTPRequestHandler):
    """Answers as the provider did in a recording; notes every request it gets."""

    def do_GET(self):
        server = self.server
        server.requests.append(parse_qs(urlparse(self.path).query))
        status, recording = server.answers.pop(0) if server.answers else server.default
        body = (RECORDINGS / recording).read_bytes() if recording else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def weather_provider(settings):
    """A real HTTP server on loopback playing recorded Open-Meteo answers: by default the
    two-location recording; queue others with ``answers.append((status, file))``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    server.requests, server.answers = [], []
    server.default = (200, "open_meteo_two_locations.json")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WEATHER_FORECAST_URL = f"http://127.0.0.1:{server.server_port}/v1/forecast"
    settings.WEATHER_TIMEOUT_SECONDS = 5
    yield server
    server.shutdown()
    server.server_close()
