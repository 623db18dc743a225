"""Forms of the knowledge pages: shapes only; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from farms.models import Product
from knowledge.models import Category, Proposal

MONTHS = [("", _("Any month"))] + [(str(n), str(n)) for n in range(1, 13)]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Category.choices]
    )
    crop = forms.ModelChoiceField(
        label=_("Crop"), required=False, queryset=Product.objects.all(), to_field_name="code"
    )
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, choices=MONTHS, coerce=int, empty_value=None
    )


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(label=_("What are you sending?"), choices=Proposal.Kind.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, max_length=500)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea, max_length=100_000)
