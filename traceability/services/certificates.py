"""What a harvested lot may claim of its producer's certificates: only within each
certificate's scope (its plots, its products, its validity, in force, its volume), and
an organic certificate only when nothing outside the standard's permitted inputs was
used on the land in the conversion period."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from farms.models import Certification, Unit
from farms.services import certifications_for, same_land
from traceability.models import Batch, EventInput

# Land must have been farmed to the organic standard this long before an organic harvest
# (TCVN 11041-2: twelve months for annual crops).
ORGANIC_CONVERSION = datetime.timedelta(days=365)


def claim_for(batch: Batch) -> Certification | None:
    """The certificate a lot just harvested holds, if any."""
    plots = list(batch.origin_plots.all())
    for certificate in certifications_for(plots, batch.harvest_date, batch.product):
        if not _within_volume(certificate, batch):
            continue
        if certificate.scheme == Certification.Scheme.ORGANIC and _outside_organic(batch, plots):
            continue
        return certificate
    return None


def _within_volume(certificate: Certification, batch: Batch) -> bool:
    """Harvests claiming it (in kg; splits and merges are not new volume) stay within
    the volume it certifies."""
    if certificate.max_volume_kg is None or batch.unit != Unit.KILOGRAM:
        return True
    claimed = (
        Batch.objects.filter(
            certification=certificate, unit=Unit.KILOGRAM, parent_links__isnull=True
        )
        .exclude(pk=batch.pk)
        .aggregate(total=Sum("quantity"))["total"]
    ) or Decimal(0)
    return claimed + batch.quantity <= certificate.max_volume_kg


def _outside_organic(batch: Batch, plots) -> bool:
    """Whether an input not permitted by the organic standard (or one the catalogue does
    not know, which cannot be checked) went on this crop or its land lately."""
    land = set().union(*same_land([plot.pk for plot in plots]).values())
    since = batch.harvest_date - ORGANIC_CONVERSION
    on_crop_or_land = (
        Q(event__batch=batch) | Q(event__plot__in=land) | Q(event__batch__origin_plots__in=land)
    )
    return (
        EventInput.objects.filter(on_crop_or_land, event__corrections__isnull=True)
        .filter(event__occurred_at__date__gte=since)
        .exclude(agricultural_input__allowed_in_organic=True)
        .exists()
    )
