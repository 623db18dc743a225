"""Admin for the trade: staff verify buyers and follow offers, orders and reviews.

Offers and orders are written through the app and the buyers' pages, where the
services apply every rule; here they are read, paused or closed (through the service).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import ModelAdmin, ReadOnlyMixin, TabularInline, shown_fields
from backend.errors import readable
from farms.admin_scope import ProducerScopedAdmin
from farms.permissions import Action
from marketplace.models import (
    Buyer,
    Notification,
    Offer,
    OfferBatch,
    Order,
    OrderLine,
    OrderStatusChange,
    Review,
)
from marketplace.services.buyers import verify_buyer
from marketplace.services.offers import update_offer


class ReadOnlyInline(ReadOnlyMixin, TabularInline):
    extra = 0


@admin.register(Buyer)
class BuyerAdmin(ModelAdmin):
    list_display = ("name", "kind", "district", "registration_code", "verified_at")
    list_filter = ("kind", "district", ("verified_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "registration_code", "district")
    readonly_fields = ("verified_by", "verified_at", "created_at")
    exclude = ("uuid",)  # an identifier for the app, not for people
    filter_horizontal = ("members",)
    actions = ["verify"]

    def get_readonly_fields(self, request, obj=None):
        """Staff verify buyers; only the buyer's own people (through the pages and the app,
        where the rules apply) or a superuser change who the buyer is or who orders."""
        if request.user.is_superuser:
            return self.readonly_fields
        return [*shown_fields(Buyer), "members"]

    @admin.action(description=_("Verify the business registration of the selected buyers"))
    def verify(self, request, queryset):
        for buyer in queryset:
            try:
                verify_buyer(request.user, buyer)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, f"{buyer}: {readable(error)}")
            else:
                messages.success(request, _("%(buyer)s verified.") % {"buyer": buyer})


class OfferBatchInline(ReadOnlyInline):
    model = OfferBatch
    fields = ("batch", "quantity", "allocated")
    readonly_fields = fields


@admin.register(Offer)
class OfferAdmin(ProducerScopedAdmin):
    change_action = Action.OPERATE
    list_display = (
        "product",
        "producer",
        "price_per_unit",
        "quantity_available",
        "available_to",
        "status",
    )
    list_filter = ("status", "product")
    search_fields = ("producer__name", "product__name_vi")
    list_select_related = ("product", "producer")
    inlines = [OfferBatchInline]
    actions = ["pause", "close"]

    def get_readonly_fields(self, request, obj=None):
        return shown_fields(Offer)

    def has_add_permission(self, request):
        return False

    def _set_status(self, request, queryset, status: str) -> None:
        for offer in queryset:
            try:
                update_offer(request.user, offer, status=status)
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, f"{offer}: {readable(error)}")

    @admin.action(description=_("Pause the selected offers"))
    def pause(self, request, queryset):
        self._set_status(request, queryset, Offer.Status.PAUSED)

    @admin.action(description=_("Close the selected offers"))
    def close(self, request, queryset):
        self._set_status(request, queryset, Offer.Status.CLOSED)


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ("product", "quantity", "unit", "unit_price", "wholesale")
    readonly_fields = fields


class StatusChangeInline(ReadOnlyInline):
    model = OrderStatusChange
    fields = ("to_status", "changed_by", "changed_at", "reason")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ProducerScopedAdmin):
    change_action = Action.OPERATE
    list_display = ("code", "buyer", "producer", "status", "total", "placed_at")
    list_filter = ("status", "fulfilment")
    search_fields = ("code", "buyer__name", "producer__name")
    list_select_related = ("buyer", "producer")
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline, StatusChangeInline]

    def get_readonly_fields(self, request, obj=None):
        return shown_fields(Order)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ProducerScopedAdmin):
    list_display = ("producer", "stars", "text", "buyer", "created_at")
    list_filter = ("stars",)
    readonly_fields = ("order", "producer", "buyer", "author", "stars", "text", "created_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # moderation of abusive reviews


@admin.register(Notification)
class NotificationAdmin(ModelAdmin):
    list_display = ("change", "recipient", "channel", "attempts", "sent_at", "last_error")
    list_select_related = ("change__order", "recipient")
    list_filter = ("channel", ("sent_at", admin.EmptyFieldListFilter))

    def has_module_permission(self, request):
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return shown_fields(Notification)

    def has_add_permission(self, request):
        return False
