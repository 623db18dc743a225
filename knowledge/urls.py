from django.urls import path

from knowledge import views

urlpatterns = [
    path("knowledge/bundle.json", views.bundle_json, name="knowledge-bundle"),
]
