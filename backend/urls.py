from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView, TemplateView
from django.views.static import serve

from backend import views
from mobile_api.views import graphql_view

handler404 = "traceability.views.not_found"

admin.site.site_header = admin.site.site_title = "Nông sản số"
admin.site.index_title = _("Administration")
# The sidebar repeats the index's two dozen links before every form (45 tabs to the first
# field of an event); the index and the breadcrumbs lead everywhere it does.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", views.health, name="health"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "favicon.svg")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("graphql", graphql_view(), name="graphql"),
    path("app/", include("farmapp.urls")),
    path("", include("marketplace.urls")),
    path("", include("knowledge.urls")),
    path("", include("maps.urls")),
    path("", include("traceability.urls")),
]

if settings.DEBUG:
    # In production a web server or object store serves uploads (see README).
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
