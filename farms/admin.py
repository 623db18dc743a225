from django.contrib import admin
from django.contrib.gis.db.models import PointField
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import CharField, Form, ModelForm, Textarea
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.phone import normalize_phone
from backend.admin_tools import (
    ModelAdmin,
    ReadOnlyMixin,
    TabularInline,
    add_service_errors,
    service_form_view,
)
from backend.widgets import MapWidget
from farms import services, soil
from farms.admin_scope import ProducerScopedAdmin
from farms.models import (
    AgriculturalInput,
    Certification,
    Membership,
    Place,
    Plot,
    PlotHandover,
    Producer,
    Product,
    ProductConversion,
    SoilSample,
)
from farms.permissions import Action, has_global_access, producers_for


class ProductConversionInline(TabularInline):
    model = ProductConversion
    fk_name = "source"
    extra = 0
    autocomplete_fields = ["result"]


@admin.register(Product)
class ProductAdmin(ModelAdmin):
    inlines = [ProductConversionInline]
    list_display = [
        "name_vi",
        "name_en",
        "category",
        "unit",
        "gtin",
        "shelf_life_days",
        "max_yield_per_ha",
    ]
    list_filter = ["category"]
    search_fields = ["name_vi", "name_en", "code", "gtin"]
    prepopulated_fields = {"code": ["name_en"]}


@admin.register(AgriculturalInput)
class AgriculturalInputAdmin(ModelAdmin):
    list_display = ["name", "kind", "active_ingredient", "pre_harvest_interval_days"]
    list_filter = ["kind"]
    search_fields = ["name", "active_ingredient"]


class MembershipForm(ModelForm):
    """Staff name a member by phone number, so no one can browse the list of users."""

    phone = CharField(label=_("phone number"))

    class Meta:
        model = Membership
        fields = ["phone", "producer", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["phone"] = self.instance.user.phone

    def clean_phone(self):
        try:
            phone = normalize_phone(self.cleaned_data["phone"])
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        user = User.objects.filter(phone=phone).first()
        if user is None:
            raise ValidationError(
                _("No account has this phone number: ask the person to sign up first.")
            )
        self.instance.user = user
        return phone


class MembershipInline(TabularInline):
    model = Membership
    form = MembershipForm
    extra = 0


@admin.register(Producer)
class ProducerAdmin(ProducerScopedAdmin):
    producer_path = ""
    list_display = ["name", "kind", "commune", "district", "cooperative"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "registration_code", "commune"]
    inlines = [MembershipInline]
    fieldsets = [
        (
            None,
            {"fields": ["kind", "name", "registration_code", "gln", "cooperative", "description"]},
        ),
        (_("Public address"), {"fields": ["commune", "district", "province"]}),
        (
            _("Private details"),
            {
                "fields": [
                    "street_address",
                    "location",
                    "contact_name",
                    "contact_phone",
                    "contact_email",
                ]
            },
        ),
    ]
    formfield_overrides = {PointField: {"widget": MapWidget}}

    def get_readonly_fields(self, request, obj=None):
        # Only platform staff link farms to cooperatives here; a farm's own staff could
        # otherwise drop the link by saving a form that cannot list the cooperative.
        if has_global_access(request.user, Action.VIEW):
            return ()
        return ("cooperative",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cooperative":
            kwargs["queryset"] = Producer.objects.filter(kind=Producer.Kind.COOPERATIVE)
            return admin.ModelAdmin.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(ProducerScopedAdmin):
    list_display = ["user", "producer", "role"]
    list_filter = ["role"]
    form = MembershipForm
    search_fields = ["user__phone", "user__full_name", "producer__name"]
    list_select_related = ["user", "producer"]


class PlotForm(ModelForm):
    class Meta:
        model = Plot
        fields = ["producer", "name", "gln", "crop", "geometry"]
        widgets = {"geometry": MapWidget}

    def clean(self):
        data = super().clean()
        if data.get("producer") and data.get("geometry"):
            try:
                data["geometry"] = services.validate_plot(
                    data["producer"], data["geometry"], self.instance if self.instance.pk else None
                )
            except ValidationError as error:
                add_service_errors(self, error)
        return data


class HandoverForm(Form):
    to_registration_code = CharField(
        label=_("registration code of the new holder"),
        max_length=32,
        help_text=_("Ask the producer who takes the land for it."),
    )
    note = CharField(label=_("note"), required=False, widget=Textarea(attrs={"rows": 2}))

    def clean_to_registration_code(self) -> Producer:
        code = self.cleaned_data["to_registration_code"].strip()
        producer = Producer.objects.filter(registration_code=code).first()
        if producer is None:
            raise ValidationError(_("No producer has this registration code."))
        return producer


@admin.register(Plot)
class PlotAdmin(ProducerScopedAdmin):
    form = PlotForm
    list_display = ["name", "producer", "crop", "area_m2", "location_code", "handover"]
    list_filter = ["crop", "producer__district"]
    search_fields = ["name", "location_code", "producer__name"]
    readonly_fields = ["location_code", "area_m2", "handover"]
    list_select_related = ["producer", "crop", "handover__to_producer"]

    def get_urls(self):
        hand_over = self.admin_site.admin_view(self.hand_over_view)
        return [
            path("<int:pk>/hand-over/", hand_over, name="farms_plot_hand_over"),
            *super().get_urls(),
        ]

    def hand_over_view(self, request, pk):
        plot = get_object_or_404(self.get_queryset(request), pk=pk)

        def perform(data):
            return services.hand_over_plot(
                request.user, plot, data["to_registration_code"], data["note"]
            )

        def success(handover):
            url = reverse("admin:farms_plot_change", args=[plot.pk])
            return _("Handed over to %(holder)s.") % {"holder": handover.to_producer}, url

        return service_form_view(
            request,
            self,
            title=_("Hand the land over"),
            form=HandoverForm(request.POST or None),
            perform=perform,
            success=success,
            obj=plot,
            submit=_("Hand the land over"),
            confirm=_("Hand this land over? This plot then takes no new crops."),
        )

    def save_model(self, request, obj, form, change):
        services.save_plot(
            request.user,
            obj.producer,
            name=obj.name,
            geometry=obj.geometry,
            crop=obj.crop,
            gln=obj.gln,
            plot=obj if change else None,
        )


@admin.register(PlotHandover)
class PlotHandoverAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    """Land that changed hands (recorded from the plot's page or the app)."""

    producer_path = "plot__producer"
    list_display = ["plot", "to_producer", "handed_over_on", "note"]
    search_fields = ["plot__name", "to_producer__name"]
    list_select_related = ["plot__producer", "to_producer"]


class CertificationForm(ModelForm):
    class Meta:
        model = Certification
        fields = [
            "producer",
            "scheme",
            "number",
            "issued_by",
            "valid_from",
            "valid_to",
            "plots",
            "products",
            "area_ha",
            "max_volume_kg",
            "status",
            "status_note",
        ]

    def clean(self):
        data = super().clean()
        plots, area_ha = data.get("plots"), data.get("area_ha")
        if plots and area_ha is not None:
            try:
                services.check_certified_area(list(plots), area_ha)
            except ValidationError as error:
                add_service_errors(self, error)
        return data


@admin.register(Certification)
class CertificationAdmin(ProducerScopedAdmin):
    form = CertificationForm
    list_display = ["__str__", "producer", "issued_by", "valid_from", "valid_to", "status"]
    list_filter = ["scheme", "status"]
    search_fields = ["number", "producer__name"]
    filter_horizontal = ["plots", "products"]
    actions = ["verify"]

    def get_readonly_fields(self, request, obj=None):
        """Only inspectors suspend or restore a certificate (the body's decision)."""
        readonly = ["verified_by", "verified_at"]
        if not has_global_access(request.user, Action.CERTIFY):
            readonly += ["status", "status_note"]
        return readonly

    @admin.action(description=_("Checked against the paper certificate: mark as verified"))
    def verify(self, request, queryset):
        try:
            for certification in queryset:
                services.verify_certification(request.user, certification)
        except PermissionDenied as error:
            self.message_user(request, str(error), level="error")
            return
        self.message_user(request, _("Certificates marked as verified."))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change:
            services.certificate_edited(form.instance, set(form.changed_data))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "plots":
            kwargs["queryset"] = Plot.objects.filter(
                producer__in=producers_for(request.user, Action.MANAGE)
            ).select_related("producer")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class PlaceForm(ModelForm):
    actor = None  # set by PlaceAdmin.get_form: the person saving

    class Meta:
        model = Place
        fields = [
            "kind",
            "name",
            "producer",
            "gln",
            "address",
            "commune",
            "district",
            "province",
            "location",
            "opening_hours",
        ]

    def clean(self):
        data = super().clean()
        if "producer" in self.fields and "producer" not in self.errors:
            try:
                services.check_place_operator(self.actor, data.get("producer"))
            except ValidationError as error:
                add_service_errors(self, error)
        return data


@admin.register(Place)
class PlaceAdmin(ProducerScopedAdmin):
    form = PlaceForm
    list_display = ["name", "kind", "district", "producer", "location_code"]
    list_filter = ["kind", "district"]
    search_fields = ["name", "location_code"]
    readonly_fields = ["location_code"]
    formfield_overrides = {PointField: {"widget": MapWidget}}

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def _may(self, request, obj, allowed: bool) -> bool:
        # A place no producer runs (a public market) is platform staff's to change.
        if obj is not None and obj.producer_id is None:
            return allowed and has_global_access(request.user, self.change_action)
        return super()._may(request, obj, allowed)


class SoilSampleForm(ModelForm):
    class Meta:
        model = SoilSample
        fields = ["plot", "sampled_on", "laboratory", *soil.MEASURES, "note"]

    def clean(self):
        """The service's checks, shown on the form before anything is saved."""
        cleaned = super().clean()
        if not self.errors:
            try:
                soil.cleaned_results(cleaned["sampled_on"], cleaned["laboratory"], cleaned)
            except ValidationError as error:
                add_service_errors(self, error)
        return cleaned


@admin.register(SoilSample)
class SoilSampleAdmin(ProducerScopedAdmin):
    form = SoilSampleForm
    producer_path = "plot__producer"
    change_action = Action.SAMPLE
    list_display = ["plot", "sampled_on", "laboratory", "ph", "organic_matter", "salinity"]
    list_filter = ["sampled_on"]
    search_fields = ["plot__name", "plot__producer__name", "laboratory"]
    list_select_related = ["plot__producer"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)  # results stay

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "plot":
            allowed = producers_for(request.user, Action.SAMPLE)
            kwargs["queryset"] = Plot.objects.filter(producer__in=allowed)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        obj.pk = soil.record_soil_sample(
            request.user,
            data["plot"],
            sampled_on=data["sampled_on"],
            laboratory=data["laboratory"],
            note=data["note"],
            **{name: data[name] for name in soil.MEASURES},
        ).pk
