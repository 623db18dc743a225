"""Forms of the buyers' pages. They check shapes; the services check the rules."""

from django import forms
from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _

from backend.number_input import NumberField, WholeNumberField
from farms.models import Certification, Product
from marketplace.models import Buyer, Order
from marketplace.services.search import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, OfferSearch, SortOrder
from traceability.models import QUANTITY

QUANTITY_FIELD = {**QUANTITY, "min_value": 0}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Product"), required=False, max_length=100)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All")), *Product.Category.choices]
    )
    certification = forms.ChoiceField(
        label=_("Standard"),
        required=False,
        choices=[("", _("Any")), *Certification.Scheme.choices],
    )
    max_price = WholeNumberField(label=_("Price up to (VND)"), required=False, min_value=0)
    available_on = forms.DateField(
        label=_("Available on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    within_km = WholeNumberField(
        label=_("Within (km)"), initial=DEFAULT_RADIUS_KM, min_value=1, max_value=MAX_RADIUS_KM
    )
    delivers = forms.BooleanField(label=_("Delivers to me"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (SortOrder.DISTANCE, _("Nearest")),
            (SortOrder.PRICE, _("Cheapest")),
            (SortOrder.NEWEST, _("Newest")),
        ],
    )

    def search(self, near: Point | None) -> OfferSearch:
        data = self.cleaned_data
        sort = SortOrder(data["sort"]) if data.get("sort") else None
        if near is None and sort == SortOrder.DISTANCE:
            sort = None
        return OfferSearch(
            text=data.get("q") or "",
            category=data.get("category") or "",
            certification=data.get("certification") or "",
            max_price=data.get("max_price"),
            available_on=data.get("available_on"),
            near=near,
            within_km=data.get("within_km") or DEFAULT_RADIUS_KM,
            delivers_to_me=bool(data.get("delivers")) and near is not None,
            sort=sort,
        )


class CartForm(forms.Form):
    quantity = NumberField(label=_("Quantity"), **QUANTITY_FIELD)

    def __init__(self, *args, unit: str = "", adding: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].unit = unit
        self.adding = adding  # from an offer's page: 0 adds nothing (the cart's 0 removes)

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if self.adding and not quantity:
            raise forms.ValidationError(_("Give a quantity above zero."))
        return quantity


class CheckoutForm(forms.Form):
    fulfilment = forms.ChoiceField(
        label=_("Fulfilment"), choices=Order.Fulfilment.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note to the sellers"), required=False, max_length=500, widget=forms.Textarea
    )
    checkout_id = forms.UUIDField(widget=forms.HiddenInput)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Order.Status.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


class ReviewForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)]
    )
    text = forms.CharField(label=_("Review"), required=False, max_length=500, widget=forms.Textarea)


class BuyerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Buyer.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    registration_code = forms.CharField(
        label=_("Business registration or tax code"), required=False, max_length=32
    )
    district = forms.CharField(label=_("District"), max_length=100)
    commune = forms.CharField(label=_("Commune"), required=False, max_length=100)
    delivery_address = forms.CharField(label=_("Delivery address"), max_length=255)
    latitude = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=20)

    @classmethod
    def for_buyer(cls, buyer: Buyer, data=None) -> "BuyerForm":
        initial = {
            field: getattr(buyer, field) for field in cls.base_fields if hasattr(buyer, field)
        }
        initial.update(latitude=buyer.delivery_location.y, longitude=buyer.delivery_location.x)
        return cls(data, initial=initial)

    def buyer_fields(self) -> dict:
        data = dict(self.cleaned_data)
        latitude, longitude = data.pop("latitude"), data.pop("longitude")
        data["delivery_location"] = Point(longitude, latitude, srid=4326)
        return data
