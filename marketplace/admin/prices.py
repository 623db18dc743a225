"""Staff pages for prices: extension staff type survey prices; daily prices are read-only.

Who may record a price is decided by marketplace.permissions.is_price_surveyor, not by
model permissions, and every entry goes through the price service (which recomputes
its day). An entry is not edited: a mistaken one is deleted and typed again.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import ModelAdmin, add_service_errors
from backend.errors import codes_of
from marketplace.error_codes import MarketplaceErrorCode
from marketplace.models import DailyPrice, MarketPrice
from marketplace.permissions import is_price_surveyor
from marketplace.services import prices


class MarketPriceForm(ModelForm):
    # Shown only with the question it answers, and valid only for the price asked about:
    # a tick must never carry over to another price typed after a different error.
    price_is_right = forms.BooleanField(
        label=_("The price is right, though far from recent ones"),
        required=False,
        widget=forms.HiddenInput,
    )
    asked_price = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = MarketPrice
        fields = ["product", "unit", "district", "place", "price_per_unit", "observed_on"]

    def clean(self):
        data = super().clean()
        self.price_confirmed = bool(
            data.get("price_is_right") and data.get("asked_price") == data.get("price_per_unit")
        )
        if self.errors:
            return data
        try:
            data.update(
                prices.clean_market_price(
                    product=data["product"],
                    unit=data["unit"],
                    district=data["district"],
                    price_per_unit=data["price_per_unit"],
                    observed_on=data["observed_on"],
                    price_confirmed=self.price_confirmed,
                )
            )
        except ValidationError as error:
            if MarketplaceErrorCode.UNUSUAL_PRICE in codes_of(error):
                self._ask_about(data["price_per_unit"])
            add_service_errors(self, error)
        return data

    def _ask_about(self, price: int) -> None:
        """Show the form again with the question, for this price only."""
        self.data = self.data.copy()
        self.data["asked_price"] = price
        self.data.pop("price_is_right", None)
        self.fields["price_is_right"].widget = forms.CheckboxInput()


class SurveyorsSee:
    """Price surveyors see the prices, beyond what model permissions give."""

    def has_module_permission(self, request):
        return super().has_module_permission(request) or is_price_surveyor(request.user)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or is_price_surveyor(request.user)


@admin.register(MarketPrice)
class MarketPriceAdmin(SurveyorsSee, ModelAdmin):
    form = MarketPriceForm
    list_display = [
        "product",
        "price_per_unit",
        "unit",
        "observed_on",
        "district",
        "place",
        "recorded_by",
    ]
    list_filter = ["product", "district", "observed_on"]
    search_fields = ["product__name_vi", "product__name_en", "product__code", "district"]
    list_select_related = ["product", "place", "recorded_by"]
    date_hierarchy = "observed_on"

    def has_add_permission(self, request):
        return is_price_surveyor(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return is_price_surveyor(request.user)

    def save_model(self, request, obj, form, change):
        entry = prices.record_market_price(
            request.user,
            product=obj.product,
            unit=obj.unit,
            district=obj.district,
            price_per_unit=obj.price_per_unit,
            observed_on=obj.observed_on,
            place=obj.place,
            price_confirmed=form.price_confirmed,
        )
        obj.pk, obj.recorded_by, obj.created_at = entry.pk, entry.recorded_by, entry.created_at

    def delete_model(self, request, obj):
        prices.delete_market_price(request.user, obj)

    def delete_queryset(self, request, queryset):
        for entry in queryset:
            prices.delete_market_price(request.user, entry)


@admin.register(DailyPrice)
class DailyPriceAdmin(SurveyorsSee, ModelAdmin):
    list_display = [
        "day",
        "product",
        "unit",
        "district",
        "source",
        "average_price",
        "min_price",
        "max_price",
        "volume",
        "samples",
    ]
    list_filter = ["source", "product", "district", "day"]
    search_fields = ["product__name_vi", "product__name_en", "product__code", "district"]
    list_select_related = ["product"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False  # computed from orders and surveys only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
