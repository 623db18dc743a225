from django.urls import path

from knowledge import views

urlpatterns = [
    path("knowledge/", views.article_list, name="knowledge-articles"),
    path("knowledge/bundle.json", views.bundle_json, name="knowledge-bundle"),
    path("knowledge/propose/", views.propose_page, name="knowledge-propose"),
    path("knowledge/<slug:slug>/", views.article_detail, name="knowledge-article"),
]
