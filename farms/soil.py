"""Soil tests of plots: recording them (the farm's people or extension staff), and the
plain reading a farmer gets back."""

import datetime
import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import field_error, replayed
from backend.idempotency import once
from farms.error_codes import FarmsErrorCode
from farms.models import Plot, SoilSample
from farms.permissions import Action, require

MEASURES = ("ph", "organic_matter", "nitrogen", "phosphorus", "potassium", "salinity")
# Plausible ranges of what a laboratory reports (anything outside is a typing error).
RANGES = {
    "ph": (Decimal("2"), Decimal("11")),
    "organic_matter": (Decimal("0"), Decimal("60")),
    "nitrogen": (Decimal("0"), Decimal("5")),
    "phosphorus": (Decimal("0"), Decimal("500")),
    "potassium": (Decimal("0"), Decimal("500")),
    "salinity": (Decimal("0"), Decimal("100")),
}


MAX_NOTE = 300
EARLIEST_SAMPLE = datetime.date(2000, 1, 1)  # earlier is a typing slip


@transaction.atomic
def record_soil_sample(
    actor,
    plot: Plot,
    *,
    sampled_on: datetime.date,
    laboratory: str,
    note: str = "",
    sample_uuid: uuid.UUID | None = None,
    **measures,
) -> SoilSample:
    """Record a soil test; sent again with the same ``sample_uuid`` (an app retrying
    without signal), it returns the first record."""
    require(actor, Action.SAMPLE, plot.producer)
    values = cleaned_results(sampled_on, laboratory, measures)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise field_error(
            "note", _("A note is at most 300 characters."), FarmsErrorCode.NOTE_TOO_LONG
        )
    return once(
        lambda: replayed(SoilSample, sample_uuid, plot_id=plot.pk),
        lambda: SoilSample.objects.create(
            uuid=sample_uuid or uuid.uuid4(),
            plot=plot,
            note=note,
            recorded_by=actor,
            **values,
        ),
    )


def cleaned_results(sampled_on: datetime.date, laboratory: str, measures: dict) -> dict:
    """The sample's fields, checked: a ValidationError names the first wrong one."""
    if sampled_on > timezone.localdate():
        raise field_error(
            "sampled_on", _("The sampling date is in the future."), FarmsErrorCode.FUTURE_DATE
        )
    if sampled_on < EARLIEST_SAMPLE:
        raise field_error(
            "sampled_on",
            _("A sample before %(year)d cannot be recorded: check the date.")
            % {"year": EARLIEST_SAMPLE.year},
            FarmsErrorCode.IMPLAUSIBLE_DATE,
        )
    laboratory = (laboratory or "").strip()
    if not 0 < len(laboratory) <= 200:
        raise field_error("laboratory", _("Name the laboratory."), FarmsErrorCode.LABORATORY)
    values = {name: _measure(name, measures.get(name)) for name in MEASURES}
    if all(value is None for value in values.values()):
        raise field_error(
            "ph", _("Give at least one result of the test."), FarmsErrorCode.NO_RESULTS
        )
    return {"sampled_on": sampled_on, "laboratory": laboratory, **values}


def _measure(name: str, value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:  # not a number, or one too large for any context (1e1000000)
        number = None
    low, high = RANGES[name]
    if number is not None and number.is_finite() and number.adjusted() < 6:
        # As stored, so the advice reads the same (a huge number cannot be rounded so).
        places = SoilSample._meta.get_field(name).decimal_places
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if number is None or not number.is_finite() or not low <= number <= high:
        raise field_error(
            name,
            _("%(value)s is not a plausible result (%(low)s to %(high)s).")
            % {"value": value, "low": low, "high": high},
            FarmsErrorCode.OUT_OF_RANGE,
        )
    return number


def soil_advice(sample: SoilSample) -> list[str]:
    """A plain reading of the numbers; the thresholds are the usual rough classes of
    Vietnamese soil manuals, enough to tell a farmer what to ask the extension officer."""
    advice = []
    if sample.ph is not None and sample.ph < Decimal("4.5"):
        advice.append(_("Very acid soil: ask about liming before the next crop."))
    elif sample.ph is not None and sample.ph < Decimal("5.5"):
        advice.append(_("Acid soil: lime and organic manure help most crops."))
    elif sample.ph is not None and sample.ph > Decimal("7.5"):
        advice.append(_("Alkaline soil: some nutrients are hard for plants to take up."))
    if sample.organic_matter is not None and sample.organic_matter < Decimal("1.5"):
        advice.append(_("Little organic matter: add compost or manure, keep crop residues."))
    if sample.salinity is not None and sample.salinity > Decimal("4"):
        advice.append(_("Salty soil: choose tolerant crops and wash the salt out with water."))
    return advice
