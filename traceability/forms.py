"""Forms for staff pages; each one feeds a service, which holds the rules."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.number_input import NumberField, WholeNumberField, parse_number
from farms.models import AgriculturalInput, Place, Plot, Producer, Product
from farms.permissions import Action, producers_for
from traceability.models import Batch, Party
from traceability.printing import DEFAULT_LAYOUT, LAYOUTS
from traceability.services.checks import CheckResult, Residue
from traceability.services.parties import partners_of
from traceability.steps import CHECKS, RECORDABLE_STEPS, BusinessStep

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BatchCreateForm(forms.Form):
    producer = forms.ModelChoiceField(Producer.objects.none(), label=_("producer"))
    product = forms.ModelChoiceField(Product.objects.all(), label=_("product"))
    plots = forms.ModelMultipleChoiceField(Plot.objects.none(), label=_("origin plots"))
    harvested_at = forms.DateTimeField(
        label=_("harvested at"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Leave empty for a crop still growing."),
    )
    quantity = NumberField(label=_("harvested quantity"), required=False, min_value=0)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        producers = producers_for(user, Action.OPERATE)
        self.fields["producer"].queryset = producers
        self.fields["plots"].queryset = Plot.objects.filter(producer__in=producers).select_related(
            "producer"
        )


class EventForm(forms.Form):
    business_step = forms.ChoiceField(
        label=_("step"),
        # No step chosen in advance: a default is how a spraying gets saved as a planting.
        choices=[("", _("— choose what was done —"))]
        + [(s, BusinessStep(s).label) for s in RECORDABLE_STEPS],
    )
    occurred_at = forms.DateTimeField(label=_("time"), widget=DATETIME_WIDGET)
    plot = forms.ModelChoiceField(Plot.objects.none(), label=_("plot"), required=False)
    place = forms.ModelChoiceField(Place.objects.all(), label=_("place"), required=False)
    quantity = NumberField(label=_("quantity"), required=False, min_value=0)
    party = forms.ModelChoiceField(
        Party.objects.none(),
        label=_("partner"),
        required=False,
        help_text=_("For a shipping, whom it went to; for a return, who sent it back."),
    )
    agricultural_input = forms.ModelChoiceField(
        AgriculturalInput.objects.all(), label=_("input used"), required=False
    )
    input_name = forms.CharField(label=_("or input name"), required=False, max_length=150)
    dose = NumberField(label=_("dose"), required=False, min_value=0)
    dose_unit = forms.CharField(label=_("dose unit"), required=False, max_length=40)
    notes = forms.CharField(
        label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.ImageField(label=_("photo"), required=False)
    conformant = forms.NullBooleanField(
        label=_("outcome of an inspection or test"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", "—"), ("true", _("Conformant")), ("false", _("Not conformant"))]
        ),
    )
    laboratory = forms.CharField(label=_("laboratory"), required=False, max_length=200)
    residues = forms.CharField(
        label=_("residues measured"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: substance; value; limit (mg/kg), e.g. Abamectin; 0,005; 0,01"),
    )

    def __init__(self, batch: Batch, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plot"].queryset = batch.origin_plots.all()
        self.fields["party"].queryset = partners_of(batch.producer)
        self.fields["agricultural_input"].choices = inputs_by_kind()

    def clean_residues(self) -> list[Residue]:
        residues = []
        for line in filter(str.strip, self.cleaned_data["residues"].splitlines()):
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 3:
                raise forms.ValidationError(_("Write each residue as: substance; value; limit."))
            value, limit = (parse_number(part) for part in parts[1:3])
            residues.append(Residue(parts[0], value, limit))
        return residues

    def clean(self):
        data = super().clean()
        if data.get("dose") is not None and not data.get("dose_unit", "").strip():
            self.add_error(
                "dose_unit", _("Say what the dose is measured in, e.g. ml per 16-litre tank.")
            )
        return data

    def check_result(self) -> CheckResult | None:
        """The outcome the form gives, for the steps that check the produce."""
        data = self.cleaned_data
        if data["business_step"] not in CHECKS:
            return None
        return CheckResult(data["conformant"], data["laboratory"], "", data["residues"])


def inputs_by_kind() -> list:
    """The catalogue's inputs grouped: pesticides, fertilisers and seeds apart."""
    groups: dict[str, list] = {kind: [] for kind in AgriculturalInput.Kind.values}
    for item in AgriculturalInput.objects.order_by("name"):
        groups[item.kind].append((item.pk, str(item)))
    return [("", "—")] + [
        (AgriculturalInput.Kind(kind).label, items) for kind, items in groups.items() if items
    ]


class SplitForm(forms.Form):
    quantities = forms.CharField(
        label=_("quantities"),
        help_text=_("The new batches' quantities, separated by semicolons, e.g. 12,5; 7,5"),
    )
    occurred_at = forms.DateTimeField(label=_("time"), widget=DATETIME_WIDGET)

    def clean_quantities(self) -> list[Decimal]:
        """Semicolons separate quantities, each written the reader's way (12,5 in Vietnamese)."""
        parts = [p.strip() for p in self.cleaned_data["quantities"].split(";") if p.strip()]
        return [parse_number(part) for part in parts]


class TransformForm(forms.Form):
    quantity_used = NumberField(label=_("quantity used"), min_value=0)
    product = forms.ModelChoiceField(Product.objects.all(), label=_("new product"))
    quantity = NumberField(label=_("quantity produced"), min_value=0)
    occurred_at = forms.DateTimeField(label=_("time"), widget=DATETIME_WIDGET)
    place = forms.ModelChoiceField(Place.objects.all(), label=_("place"), required=False)


class MergeForm(forms.Form):
    batches = forms.ModelMultipleChoiceField(Batch.objects.none(), label=_("batches"))
    producer = forms.ModelChoiceField(Producer.objects.none(), label=_("new batch belongs to"))
    occurred_at = forms.DateTimeField(label=_("time"), widget=DATETIME_WIDGET)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        producers = producers_for(user, Action.OPERATE)
        self.fields["producer"].queryset = producers
        self.fields["batches"].queryset = Batch.objects.filter(
            producer__in=producers, status=Batch.Status.ACTIVE
        ).select_related("product")


class LabelOrderForm(forms.Form):
    count = WholeNumberField(label=_("number of labels"), min_value=1, initial=24)
    layout = forms.ChoiceField(
        label=_("sticker layout"),
        initial=DEFAULT_LAYOUT,
        choices=[(key, layout.name) for key, layout in LAYOUTS.items()],
    )


class RecallForm(forms.Form):
    reason = forms.CharField(
        label=_("public notice"),
        help_text=_(
            "Shown to consumers on the scan page: say what is wrong and what to do. "
            "Do not name people or give phone numbers."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    """Why an inspector lifts a hold, or why a recall was a mistake: kept on the record."""

    reason = forms.CharField(
        label=_("reason"),
        help_text=_("The test, its result and the laboratory; or what the mistake was."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
