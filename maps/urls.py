from django.urls import path, re_path

from maps import views

urlpatterns = [
    path("map/", views.map_page, name="map"),
    path("map/layers/<slug:name>.geojson", views.layer_geojson, name="map-layer"),
    path(
        "map/tiles/<slug:layer>/<int:z>/<int:x>/<int:y>.mvt",
        views.vector_tile,
        name="map-tile",
    ),
    path("map/analysis/", views.analysis_page, name="map-analysis"),
    re_path(
        r"^map/analysis/(?P<name>[-a-z]+)\.(?P<extension>csv|geojson)$",
        views.analysis_download,
        name="map-analysis-download",
    ),
    path("open-data/", views.open_data_page, name="open-data"),
    path("open-data/datapackage.json", views.open_data_package, name="open-data-package"),
    re_path(
        r"^open-data/(?P<name>[-a-z]+)\.(?P<extension>csv|geojson)$",
        views.open_dataset,
        name="open-dataset",
    ),
]
