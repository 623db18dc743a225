from django.urls import path, re_path

from traceability import epcis_views, resolver_views, views

app_name = "traceability"

urlpatterns = [
    # GS1 Digital Link (GTIN, then lot, then serial), valid or not: the resolver says which.
    re_path(r"^(?P<path>01(?:/[\s\S]*)?)$", resolver_views.resolver, name="resolver"),
    path(".well-known/gs1resolver", resolver_views.description_file, name="resolver_description"),
    path("product/<str:gtin>", views.product_page, name="product"),
    path("s/<str:serial>", views.scan_short, name="scan"),
    path("scan/location", views.share_scan_location, name="share_location"),
    path("scan/report", views.report_copy, name="report_copy"),
    path("lot/<str:lot>", views.lot_page, name="lot"),
    path("lot/<str:lot>/verify", views.verify_lot, name="verify"),
    path("lot/<str:lot>/recall", views.recall_status, name="recall_status"),
    path("lot/<str:lot>/epcis.jsonld", views.epcis_export, name="epcis"),
    path("labels/sheets/<uuid:sheet_uuid>.pdf", views.label_sheet_pdf, name="sheet_pdf"),
    re_path(
        r"^labels/(?P<serial>[0-9A-Z]{1,20})\.(?P<extension>svg|png)$",
        views.label_image,
        name="label_image",
    ),
    # The EPCIS 2.0 REST interface.
    path("epcis/", epcis_views.top_level, name="epcis"),
    path("epcis/events", epcis_views.events, name="epcis_events"),
    re_path(r"^epcis/events/(?P<event_id>[\s\S]+)$", epcis_views.event, name="epcis_event"),
    path("epcis/capture", epcis_views.capture, name="epcis_capture"),
    path("epcis/capture/<uuid:capture_id>", epcis_views.capture_job, name="epcis_capture_job"),
    re_path(r"^epcis/queries(?:/.*)?$", epcis_views.not_yet, name="epcis_queries"),
    re_path(
        r"^epcis/(?P<dimension>eventTypes|epcs|bizSteps|bizLocations|readPoints|dispositions)$",
        epcis_views.values,
        name="epcis_values",
    ),
    re_path(
        r"^epcis/(?P<dimension>eventTypes|epcs|bizSteps|bizLocations|readPoints|dispositions)"
        r"/(?P<value>[\s\S]+)/events$",
        epcis_views.events_of_value,
        name="epcis_value_events",
    ),
    re_path(
        r"^epcis/(?P<dimension>eventTypes|epcs|bizSteps|bizLocations|readPoints|dispositions)"
        r"/(?P<value>[\s\S]+)$",
        epcis_views.value,
        name="epcis_value",
    ),
    re_path(r"^epcis/[\s\S]*$", epcis_views.unknown, name="epcis_unknown"),
    path("voc/bizstep/<str:term>", views.vocabulary_term, name="vocabulary"),
    path("loc/<str:code>", views.location_page, name="location"),
    path("party/<uuid:producer_uuid>", views.party_page, name="party"),
]
