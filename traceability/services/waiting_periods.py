"""Pre-harvest intervals (waiting periods): an input with one, applied to a plot, makes
every crop harvested from that plot within the interval unsafe, whichever lot the
application or the harvest was recorded on. Both are facts: recorded, and the lots
harvested too early are held (see services.holds)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from farms.services import same_land
from traceability.models import Batch, EventInput, TraceEvent
from traceability.steps import BusinessStep


@dataclass(frozen=True)
class Breach:
    """A harvest inside an input's waiting period."""

    batch_id: int
    input_name: str
    applied_at: datetime.datetime
    days: int
    harvested_at: datetime.datetime

    @property
    def explanation(self) -> str:
        return _(
            "Harvested on %(harvested)s, inside the %(days)d-day waiting period of "
            "%(input)s applied on %(applied)s (safe from %(safe)s)."
        ) % {
            "harvested": _day(self.harvested_at),
            "days": self.days,
            "input": self.input_name,
            "applied": _day(self.applied_at),
            "safe": _day(safe_from(self.applied_at, self.days)),
        }


def _day(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def safe_from(applied_at: datetime.datetime, days: int) -> datetime.datetime:
    return applied_at + datetime.timedelta(days=days)


def _applications(batch: Batch, plot_ids: list[int], until: datetime.datetime):
    """Inputs with a waiting period applied to this crop by then: on its lot, or on its
    land (its plots and any plot overlapping them, whoever farmed it)."""
    plot_ids = list(set().union(*same_land(plot_ids).values()))
    return (
        EventInput.objects.filter(
            pre_harvest_interval_days__gt=0,
            event__occurred_at__lte=until,
            event__corrections__isnull=True,
        )
        .filter(
            Q(event__batch=batch)
            | Q(event__plot_id__in=plot_ids)
            | Q(event__batch__origin_plots__in=plot_ids)
        )
        .select_related("event")
        .distinct()
    )


def breaches(
    batch: Batch, step: str, occurred_at, rows: list[EventInput], plot, plot_ids: list[int]
) -> list[Breach]:
    """The harvests this event puts inside a waiting period: its own, if it is a harvest;
    later harvests of the plots it treated, if it applied an input."""
    if step == BusinessStep.HARVESTING:
        return [
            Breach(
                batch.pk,
                row.name,
                row.event.occurred_at,
                row.pre_harvest_interval_days,
                occurred_at,
            )
            for row in _applications(batch, plot_ids, occurred_at)
            if occurred_at < safe_from(row.event.occurred_at, row.pre_harvest_interval_days)
        ]
    rows = [row for row in rows if row.pre_harvest_interval_days]
    if not rows:
        return []
    affected = [plot.pk] if plot else plot_ids
    harvests = (
        TraceEvent.objects.standing()
        .filter(business_step=BusinessStep.HARVESTING, occurred_at__gte=occurred_at)
        .filter(Q(batch=batch) | Q(batch__origin_plots__in=affected))
        .distinct()
    )
    return [
        Breach(
            harvest.batch_id,
            row.name,
            occurred_at,
            row.pre_harvest_interval_days,
            harvest.occurred_at,
        )
        for row in rows
        for harvest in harvests
        if harvest.occurred_at < safe_from(occurred_at, row.pre_harvest_interval_days)
    ]


def earliest_safe_harvest(batch: Batch) -> datetime.datetime | None:
    """While a waiting period runs on this crop, the moment it ends (the app warns before
    the harvest, not after)."""
    now = timezone.now()
    plot_ids = list(batch.origin_plots.values_list("pk", flat=True))
    ends = [
        safe_from(row.event.occurred_at, row.pre_harvest_interval_days)
        for row in _applications(batch, plot_ids, now)
    ]
    latest = max(ends, default=None)
    return latest if latest and latest > now else None
