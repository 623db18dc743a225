"""Staff pages for equipment sharing; every change goes through the equipment services.

Bookings are never edited here: staff book (the database refuses overlaps, and the
refusal shows on the form) or cancel, and the price is fixed by the service.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import add_service_errors, service_form_view
from backend.errors import readable
from farms.admin_scope import ProducerScopedAdmin
from farms.models import Producer
from farms.permissions import Action, has_global_access, producers_for
from marketplace.models import Equipment, EquipmentBooking
from marketplace.services import equipment as services

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EquipmentForm(forms.ModelForm):
    class Meta:
        model = Equipment
        fields = ["producer", "kind", "name", "description", "daily_price", "active"]

    def clean(self):
        data = super().clean()
        if all(
            data.get(field) is not None for field in ("producer", "kind", "name", "daily_price")
        ):
            try:
                services.validate_equipment(
                    producer=data["producer"],
                    kind=data["kind"],
                    name=data["name"],
                    daily_price=data["daily_price"],
                    description=data.get("description") or "",
                    equipment=self.instance if self.instance.pk else None,
                )
            except ValidationError as error:
                add_service_errors(self, error)
        return data


@admin.register(Equipment)
class EquipmentAdmin(ProducerScopedAdmin):
    form = EquipmentForm
    list_display = ["name", "kind", "producer", "daily_price", "active"]
    list_filter = ["kind", "active", "producer__district"]
    search_fields = ["name", "producer__name"]
    list_select_related = ["producer"]

    def has_delete_permission(self, request, obj=None):
        return False  # bookings refer to it: make it unavailable instead

    def save_model(self, request, obj, form, change):
        saved = services.save_equipment(
            request.user,
            producer=obj.producer,
            kind=obj.kind,
            name=obj.name,
            daily_price=obj.daily_price,
            description=obj.description,
            active=obj.active,
            equipment=obj if change else None,
        )
        obj.pk, obj.uuid = saved.pk, saved.uuid


class BookingForm(forms.Form):
    equipment = forms.ModelChoiceField(
        Equipment.objects.filter(active=True).select_related("producer"), label=_("equipment")
    )
    booked_for = forms.ModelChoiceField(Producer.objects.none(), label=_("booked for"))
    first_day = forms.DateField(label=_("first day"), widget=DATE_WIDGET)
    last_day = forms.DateField(label=_("last day"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("note"), required=False, max_length=services.MAX_NOTE)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["booked_for"].queryset = producers_for(user, Action.OPERATE)


def _label(booking: EquipmentBooking) -> str:
    first, last = (
        date_format(day, "SHORT_DATE_FORMAT") for day in services.first_and_last(booking.days)
    )
    return f"{booking.equipment} · {first}–{last}"


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, max_length=services.MAX_REASON)


@admin.register(EquipmentBooking)
class EquipmentBookingAdmin(ProducerScopedAdmin):
    producer_path = "booked_for"
    change_action = Action.OPERATE
    list_display = ["equipment", "booked_for", "first_day", "last_day", "total_price", "status"]
    list_filter = ["status", "equipment__kind"]
    search_fields = ["equipment__name", "booked_for__name"]
    list_select_related = ["equipment", "booked_for"]
    actions = ["cancel_selected"]
    fields = readonly_fields = [
        "equipment",
        "booked_for",
        "booked_by",
        "first_day",
        "last_day",
        "total_price",
        "status",
        "note",
        "cancelled_by",
        "created_at",
        "cancel_link",
    ]

    def get_queryset(self, request):
        """The booker's staff and the owner's staff both see a booking."""
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if has_global_access(request.user, self.view_action):
            return queryset
        return queryset.filter(services.involving(producers_for(request.user, self.view_action)))

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the days are freed and the record kept

    @admin.display(description=_("first day"), ordering="days")
    def first_day(self, booking):
        return services.first_and_last(booking.days)[0]

    @admin.display(description=_("last day"))
    def last_day(self, booking):
        return services.first_and_last(booking.days)[1]

    @admin.display(description=_("cancel"))
    def cancel_link(self, booking):
        if booking.status != EquipmentBooking.Status.BOOKED:
            return "—"
        url = reverse("admin:marketplace_equipmentbooking_cancel", args=[booking.pk])
        return format_html('<a href="{}">{}</a>', url, _("Cancel this booking"))

    def get_urls(self):
        cancel = path(
            "<int:pk>/cancel/",
            self.admin_site.admin_view(self.cancel_view),
            name="marketplace_equipmentbooking_cancel",
        )
        return [cancel, *super().get_urls()]

    def _done(self, message):
        def success(booking):
            return message, reverse("admin:marketplace_equipmentbooking_change", args=[booking.pk])

        return success

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BookingForm(request.user, request.POST or None)

        def perform(data):
            return services.book_equipment(
                request.user,
                data["equipment"],
                booked_for=data["booked_for"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                note=data["note"],
            )

        return service_form_view(
            request,
            self,
            title=_("Book equipment"),
            form=form,
            perform=perform,
            success=self._done(_("Equipment booked.")),
            submit=_("Book"),
        )

    def cancel_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        booking = get_object_or_404(self.get_queryset(request), pk=pk)
        form = CancelForm(request.POST or None)

        def perform(data):
            return services.cancel_booking(request.user, booking, data["reason"])

        return service_form_view(
            request,
            self,
            title=_("Cancel the booking"),
            form=form,
            perform=perform,
            success=self._done(_("Booking cancelled: its days are free again.")),
            obj=booking,
            submit=_("Cancel the booking"),
            confirm=_("Cancel this booking? Its days are freed for others."),
        )

    @admin.action(description=_("Cancel the selected bookings"))
    def cancel_selected(self, request, queryset):
        cancelled = 0
        for booking in queryset.select_related("equipment__producer", "booked_for"):
            try:
                services.cancel_booking(request.user, booking)
                cancelled += 1
            except (ValidationError, PermissionDenied) as error:
                self.message_user(
                    request, f"{_label(booking)}: {readable(error)}", level=messages.ERROR
                )
        if cancelled:
            self.message_user(request, _("Bookings cancelled: %(count)d.") % {"count": cancelled})
