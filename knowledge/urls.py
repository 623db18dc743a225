from django.urls import include, path

from knowledge import staff_views, views

staff_urls = [
    path("", staff_views.desk, name="knowledge-staff"),
    path("new/", staff_views.write, name="knowledge-staff-new"),
    path("a/<slug:slug>/", staff_views.article_history, name="knowledge-staff-article"),
    path("a/<slug:slug>/edit/", staff_views.write, name="knowledge-staff-edit"),
    path("a/<slug:slug>/compare/", staff_views.compare, name="knowledge-staff-compare"),
    path("a/<slug:slug>/publish/", staff_views.publish, name="knowledge-staff-publish"),
    path("a/<slug:slug>/archive/", staff_views.archive, name="knowledge-staff-archive"),
    path("a/<slug:slug>/images/", staff_views.upload_image, name="knowledge-staff-image"),
    path(
        "a/<slug:slug>/restore/<int:number>/",
        staff_views.restore,
        name="knowledge-staff-restore",
    ),
    path("proposals/<uuid:uuid>/", staff_views.review, name="knowledge-staff-review"),
]

urlpatterns = [
    path("knowledge/staff/", include(staff_urls)),
    path("knowledge/", views.article_list, name="knowledge-articles"),
    path("knowledge/bundle.json", views.bundle_json, name="knowledge-bundle"),
    path("knowledge/propose/", views.propose_page, name="knowledge-propose"),
    path("knowledge/<slug:slug>/", views.article_detail, name="knowledge-article"),
]
