"""manage.py check_mass_balance: an inspector's check that every lot and every split or
merge balances (see traceability.services.mass_balance). Exits with 1 when one does not."""

from django.core.management.base import BaseCommand, CommandError

from backend.numbers import format_quantity
from traceability.models import Batch
from traceability.services.mass_balance import lot_balances, transformation_balances

SHOWN = 50  # unbalanced lots listed in full; the rest are counted


class Command(BaseCommand):
    help = "Check that, for every lot, in = out + remaining + lost or destroyed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--lot", action="append", default=[], help="only these lot codes")

    def handle(self, *args, lot: list[str], **options) -> None:
        batches = Batch.objects.filter(code__in=lot) if lot else None
        lots = unbalanced = 0
        for balance in lot_balances(batches):
            lots += 1
            if not balance.balanced:
                unbalanced += 1
                if unbalanced <= SHOWN:
                    self.stdout.write(self._lot_line(balance))
        transformations = broken = 0
        for transformation in [] if lot else transformation_balances():
            transformations += 1
            if not transformation.balanced:
                broken += 1
                self.stdout.write(
                    f"{transformation.kind} {transformation.transformation_id}: took "
                    f"{format_quantity(transformation.taken)}, made "
                    f"{format_quantity(transformation.made)}"
                )
        self.stdout.write(
            f"{lots} lots checked, {unbalanced} unbalanced; "
            f"{transformations} splits, merges and transformations checked, {broken} unbalanced."
        )
        if unbalanced or broken:
            raise CommandError("The mass balance does not hold.")

    @staticmethod
    def _lot_line(balance) -> str:
        numbers = (balance.came_in, balance.went_out, balance.lost, balance.remaining)
        came_in, went_out, lost, remaining = (format_quantity(n) for n in numbers)
        return (
            f"{balance.code} ({balance.unit}): in {came_in} ≠ out {went_out} + lost {lost} "
            f"+ remaining {remaining}"
        )
