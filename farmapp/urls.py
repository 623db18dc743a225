from django.urls import path

from farmapp import views

app_name = "farmapp"

urlpatterns = [
    path("", views.shell, name="shell"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("i18n/<str:language>.json", views.catalog, name="catalog"),
]
