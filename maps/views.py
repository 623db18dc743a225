"""The public map page, its layers (GeoJSON by bbox and page, vector tiles), the staff
analyses with their downloads, and the open datasets."""

import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import http_date, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from backend.decorators import signed_in_and
from backend.errors import field_error, readable
from maps.error_codes import MapsErrorCode
from maps.legend import legend
from maps.permissions import require_analyst
from maps.services import analysis, layers, open_data, tiles
from maps.services.reports import CONTENT_TYPES, Report

analyst_required = signed_in_and(require_analyst)
PLOT_DETAIL_ZOOM = 15  # from here plots come as GeoJSON with popups; below, as tiles


@require_GET
def map_page(request):
    options = {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "layerUrl": reverse("map-layer", args=["LAYER"]),
        "tileLayerUrl": reverse("map-tile", args=["LAYER", 0, 0, 0]).replace(
            "/0/0/0.", "/{z}/{x}/{y}."
        ),
        "plotDetailZoom": PLOT_DETAIL_ZOOM,
        "plotTileMinZoom": tiles.TILE_LAYERS["plots"][1],
        **legend(),
    }
    return render(request, "maps/map.html", {"options": json.dumps(options, ensure_ascii=False)})


@require_GET
@cache_control(public=True, max_age=60)
def layer_geojson(request, name: str):
    """/map/layers/<name>.geojson?bbox=minLon,minLat,maxLon,maxLat&after=<id>&limit=<n>"""
    try:
        page = layers.layer_page(
            name,
            layers.parse_bbox(request.GET.get("bbox", "")),
            after=_number(request, "after", 0),
            limit=_number(request, "limit", layers.DEFAULT_PAGE),
        )
    except ValidationError as error:
        return JsonResponse({"error": readable(error)}, status=400)
    next_link = None
    if page.next_after is not None:
        query = urlencode({**request.GET.dict(), "after": page.next_after})
        next_link = f"{request.path}?{query}"
    body = page.feature_collection(next_link)
    return HttpResponse(body, content_type="application/geo+json")


def _number(request, name: str, default: int) -> int:
    text = request.GET.get(name, "")
    if text == "":
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise field_error(name, _("Give a whole number."), MapsErrorCode.NUMBER)
    return int(text)


@require_GET
@cache_control(public=True, max_age=300)
def vector_tile(request, layer: str, z: int, x: int, y: int):
    try:
        content = tiles.tile(layer, z, x, y)
    except ValidationError as error:
        raise Http404(readable(error)) from error
    return HttpResponse(content, content_type="application/vnd.mapbox-vector-tile")


@analyst_required
def analysis_page(request):
    day = timezone.localdate()
    context = {
        "crops_by_commune": analysis.area_by_crop_and_commune(),
        "conformity": analysis.planning_conformity(day),
        "certified": analysis.certified_area_by_district(day),
        "day": day,
    }
    return render(request, "maps/analysis.html", context)


@analyst_required
def analysis_download(request, name: str, extension: str):
    if name not in analysis.REPORTS:
        raise Http404
    report: Report = analysis.REPORTS[name](timezone.localdate(), extension == "geojson")
    return file_response(report.to_text(extension), extension, f"{name}.{extension}")


def file_response(body: str, extension: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def open_data_page(request):
    context = {
        "datasets": open_data.DATASETS.values(),
        "license": open_data.license_(),
        "min_producers": settings.OPEN_DATA_MIN_PRODUCERS,
        "built_at": open_data.last_built(),
    }
    return render(request, "maps/open_data.html", context)


@require_GET
@cache_control(public=True, max_age=3600)
def open_data_package(request):
    package = open_data.data_package(request.build_absolute_uri(reverse("open-data")))
    response = JsonResponse(package, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def open_dataset(request, name: str, extension: str):
    """The last published build of a dataset (public, no account)."""
    if name not in open_data.DATASETS:
        raise Http404
    file = open_data.published_file(name, extension)
    if file is None:
        message = _("The file is being prepared: try again in a few minutes.")
        waiting = HttpResponse(message, status=503, headers={"Retry-After": "300"})
        add_never_cache_headers(waiting)
        return waiting
    response = file_response(file.content, extension, str(file))
    response["Last-Modified"] = http_date(file.built_at.timestamp())
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, public=True, max_age=3600)
    return response
