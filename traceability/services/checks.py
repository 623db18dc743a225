"""Inspections and laboratory results: what was checked, by whom, and whether the produce
conformed. A laboratory's result lists each residue against its limit (CBV ``sampling``);
an inspection states its outcome. Either way a failure is disposition ``non_conformant``
and holds the lot (see services.holds): no check reads "conformant" unless it says so."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from backend.error_codes import CommonErrorCode
from backend.errors import field_error
from backend.numbers import format_quantity
from traceability.error_codes import TraceabilityErrorCode
from traceability.steps import BusinessStep

MAX_RESULTS = 100


@dataclass(frozen=True)
class Residue:
    """One measured substance: its value and the limit it must not exceed (an MRL)."""

    substance: str
    value: Decimal
    limit: Decimal
    unit: str = "mg/kg"

    @property
    def exceeds(self) -> bool:
        return self.value > self.limit


@dataclass(frozen=True)
class CheckResult:
    """The outcome of an inspection (``conformant`` given) or a laboratory test (given or
    read from its residues: any over its limit fails)."""

    conformant: bool | None = None
    laboratory: str = ""
    sample_code: str = ""
    residues: list[Residue] = field(default_factory=list)

    def checked(self, step: str) -> "CheckResult":
        """This result, validated for ``step``, with its outcome settled."""
        if step == BusinessStep.SAMPLING:
            return self._laboratory_result()
        if self.conformant is None:
            raise field_error(
                "conformant",
                _("Say whether the produce passed the inspection."),
                TraceabilityErrorCode.OUTCOME_REQUIRED,
            )
        return self

    def _laboratory_result(self) -> "CheckResult":
        if not self.laboratory.strip() or not self.residues or len(self.residues) > MAX_RESULTS:
            raise field_error(
                "check",
                _("Name the laboratory and give each substance measured with its limit."),
                TraceabilityErrorCode.RESULTS_REQUIRED,
            )
        residues = [_checked(residue) for residue in self.residues]
        failed = any(residue.exceeds for residue in residues)
        if self.conformant is True and failed:
            raise field_error(
                "conformant",
                _("A substance is above its limit: the sample does not conform."),
                TraceabilityErrorCode.OUTCOME_CONTRADICTS_RESULTS,
            )
        return CheckResult(
            conformant=not failed and self.conformant is not False,
            laboratory=self.laboratory.strip()[:200],
            sample_code=self.sample_code.strip()[:60],
            residues=residues,
        )

    @property
    def disposition(self) -> str:
        return "conformant" if self.conformant else "non_conformant"

    def details(self) -> dict:
        """As kept in the event (and so in its hash)."""
        return {
            "conformant": self.conformant,
            "laboratory": self.laboratory,
            "sample": self.sample_code,
            "residues": [
                {
                    "substance": r.substance,
                    "value": f"{r.value:f}",
                    "limit": f"{r.limit:f}",
                    "unit": r.unit,
                }
                for r in self.residues
            ],
        }

    def explanation(self) -> str:
        over = [r for r in self.residues if r.exceeds]
        if over:
            return _("Laboratory test: %(substances)s above the limit.") % {
                "substances": ", ".join(
                    f"{r.substance} {format_quantity(r.value)} > {format_quantity(r.limit)} "
                    f"{r.unit}"
                    for r in over
                )
            }
        return _("The produce did not pass an inspection.")


def _checked(residue: Residue) -> Residue:
    substance = residue.substance.strip()
    if not 0 < len(substance) <= 120 or len(residue.unit) > 20:
        raise field_error(
            "check", _("Name each substance measured."), TraceabilityErrorCode.RESULTS_REQUIRED
        )
    return Residue(substance, _amount(residue.value), _amount(residue.limit), residue.unit.strip())


def _amount(value) -> Decimal:
    """A measured amount: residues are small (0.0005 mg/kg), never negative."""
    try:
        amount = Decimal(value)
    except (TypeError, ValueError, ArithmeticError):
        amount = Decimal("NaN")
    if not amount.is_finite() or not 0 <= amount < 1_000_000 or amount.as_tuple().exponent < -6:
        raise field_error(
            "check",
            _("Give each amount as a number of at most six decimals."),
            CommonErrorCode.INVALID_QUANTITY,
        )
    return amount
