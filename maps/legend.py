"""Colours and labels of the public map: one place, so the legend, the GeoJSON popups
and the vector tiles agree."""

from django.utils.translation import gettext as _

from farms.models import Certification, Product
from maps.models import PlanningZone

PALETTE = ["#2e7d32", "#f9a825", "#6d4c41", "#0277bd", "#c62828", "#6a1b9a", "#00838f",
           "#ef6c00", "#558b2f", "#ad1457"]  # fmt: skip
PURPOSE_COLOURS = {
    PlanningZone.Purpose.SAFE_VEGETABLES: "#43a047",
    PlanningZone.Purpose.FRUIT_TREES: "#fb8c00",
    PlanningZone.Purpose.RICE: "#fdd835",
    PlanningZone.Purpose.AQUACULTURE: "#1e88e5",
    PlanningZone.Purpose.FLOWERS: "#d81b60",
    PlanningZone.Purpose.OTHER: "#757575",
}
SCHEME_COLOURS = {
    Certification.Scheme.VIETGAP: "#2e7d32",
    Certification.Scheme.GLOBALGAP: "#0277bd",
    Certification.Scheme.ORGANIC: "#8d6e63",
    Certification.Scheme.OTHER: "#7b1fa2",
}


def legend() -> dict:
    crops = Product.objects.filter(plots__isnull=False).distinct().order_by("name_vi")
    return {
        "crops": [
            {"code": crop.code, "name": crop.name, "colour": PALETTE[i % len(PALETTE)]}
            for i, crop in enumerate(crops)
        ],
        "purposes": [
            {"code": code, "name": str(label), "colour": PURPOSE_COLOURS[code]}
            for code, label in PlanningZone.Purpose.choices
        ],
        "schemes": [
            {"code": code, "name": str(label), "colour": SCHEME_COLOURS[code]}
            for code, label in Certification.Scheme.choices
        ],
        "labels": {
            "producers": _("Producers"),
            "plots": _("Plots"),
            "cooperatives": _("Cooperative areas"),
            "places": _("Markets and shops"),
            "zones": _("Planning zones"),
            "communes": _("Communes"),
            "byCrop": _("Colour plots by crop"),
            "byCertification": _("Colour plots by certification"),
            "uncertified": _("Not certified"),
            "producerPage": _("Producer page"),
            "offer": _("Offer on the market"),
            "placePage": _("Plot page"),
            "lot": _("Trace of lot"),
            "openNow": _("Open now"),
            "closedNow": _("Closed now"),
            "validUntil": _("Valid until"),
            "zoomIn": _("Zoom in to see each plot."),
            "legend": _("Legend"),
        },
    }
