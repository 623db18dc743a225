"""Staff pages for batches: every change goes through a traceability service.

Events are append-only, so they are never edited here; the batch page offers the
actions (record an event, split, transform, merge, order labels, recall).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import ReadOnlyMixin, TabularInline, service_form_view
from backend.numbers import format_quantity
from farms.admin_scope import ProducerScopedAdmin
from farms.models import Plot
from farms.permissions import Action
from traceability import forms, printing
from traceability.models import (
    Batch,
    BatchLink,
    CopyReport,
    EventInput,
    EventPhoto,
    Hold,
    Label,
    LabelSheet,
    Party,
    RecallNotice,
    Scan,
    TraceEvent,
)
from traceability.services import batches, holds, labels, scans, transformations
from traceability.services.events import InputUse, record_event
from traceability.services.recall_scope import recall_scope
from traceability.services.trace import ancestor_ids

SIGNALS_SHOWN = 10  # suspected labels listed on a batch's page, strongest first
SHEETS_SHOWN = 10  # the latest label sheets listed on a batch's page


class EventInline(ReadOnlyMixin, TabularInline):
    model = TraceEvent
    fields = ["business_step", "occurred_at", "quantity", "plot", "place", "notes"]
    readonly_fields = fields
    show_change_link = True
    extra = 0


class ParentLinkInline(ReadOnlyMixin, TabularInline):
    model = BatchLink
    fk_name = "child"
    fields = readonly_fields = ["parent", "kind", "quantity"]
    verbose_name_plural = _("made from")
    extra = 0


class ChildLinkInline(ReadOnlyMixin, TabularInline):
    model = BatchLink
    fk_name = "parent"
    fields = readonly_fields = ["child", "kind", "quantity"]
    verbose_name_plural = _("made into")
    extra = 0


@admin.register(Batch)
class BatchAdmin(ProducerScopedAdmin):
    change_action = Action.OPERATE
    change_form_template = "admin/traceability/batch/change_form.html"
    change_list_template = "admin/traceability/batch/change_list.html"
    list_display = [
        "code",
        "product",
        "producer",
        "status",
        "harvest_date",
        "remaining_quantity",
        "unit",
        "suspected_copies",
    ]
    list_filter = ["status", "product", "producer__district"]
    search_fields = ["code", "product__name_vi", "producer__name"]
    list_select_related = ["product", "producer"]
    date_hierarchy = "harvest_date"
    fields = [
        "code",
        "product",
        "producer",
        "origin",
        "status",
        "quantity",
        "remaining_quantity",
        "unit",
        "harvest_date",
        "produced_on",
        "certification",
        "recall_reason",
        "max_scans_per_label",
        "max_scan_spread_km",
        "copy_signals",
        "label_sheets",
        "event_count",
    ]
    readonly_fields = fields
    inlines = [ParentLinkInline, ChildLinkInline, EventInline]

    def get_queryset(self, request):
        suspected = (
            Label.objects.filter(batch=OuterRef("pk"))
            .exclude(suspicion="")
            .values("batch")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(suspected_labels=Subquery(suspected))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["tools"] = batches.next_steps(obj) if obj else set()
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("origin plots"))
    def origin(self, batch):
        """Its own plots, or for a lot made from others (split, merged, processed) the
        plots of its sources."""
        plots = batch.origin_plots.all()
        if not plots:
            plots = Plot.objects.filter(batches__in=ancestor_ids(batch.pk)).distinct()
        return ", ".join(f"{plot.name} ({plot.location_code})" for plot in plots) or "—"

    @admin.display(description=_("label sheets"))
    def label_sheets(self, batch):
        sheets = batch.label_sheets.order_by("-created_at")[:SHEETS_SHOWN]
        return (
            format_html_join(mark_safe("<br>"), "{}", ((_sheet_line(sheet),) for sheet in sheets))
            or "—"
        )

    @admin.display(description=_("suspected copies"), ordering="suspected_labels")
    def suspected_copies(self, batch):
        return batch.suspected_labels or "—"

    @admin.display(description=_("suspected copies"))
    def copy_signals(self, batch):
        """Each suspected label's evidence, without its serial (inspectors read this page,
        and a serial is a printable label)."""
        suspected = list(scans.suspected_labels(batch)[:SIGNALS_SHOWN])
        if not suspected:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            "{}. {}: {}",
            ((n, _signal(label), _evidence(label)) for n, label in enumerate(suspected, 1)),
        )

    def has_delete_permission(self, request, obj=None):
        return False  # traceability records are kept; recall instead

    def get_urls(self):
        def view(name, function, with_pk=True):
            route = f"<int:pk>/{name}/" if with_pk else f"{name}/"
            return path(
                route, self.admin_site.admin_view(function), name=f"traceability_batch_{name}"
            )

        return [
            view("event", self.event_view),
            view("split", self.split_view),
            view("transform", self.transform_view),
            view("labels", self.labels_view),
            view("recall", self.recall_view),
            view("release", self.release_view),
            view("withdraw", self.withdraw_view),
            view("merge", self.merge_view, with_pk=False),
            *super().get_urls(),
        ]

    def _batch(self, request, pk) -> Batch:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _done(self, message):
        def success(result):
            target = result[0] if isinstance(result, list) else result
            return message, reverse("admin:traceability_batch_change", args=[target.pk])

        return success

    def _run(self, request, form, title, perform, done, obj=None, confirm=""):
        """``done``: the message shown after, or a ``success(result)`` of its own."""
        return service_form_view(
            request,
            self,
            title=title,
            form=form,
            perform=perform,
            success=done if callable(done) else self._done(done),
            obj=obj,
            submit=title,
            confirm=confirm,
        )

    def add_view(self, request, form_url="", extra_context=None):
        form = forms.BatchCreateForm(request.user, request.POST or None)

        def perform(data):
            return batches.create_batch(
                request.user,
                producer=data["producer"],
                product=data["product"],
                plots=list(data["plots"]),
                harvested_at=data["harvested_at"],
                quantity=data["quantity"],
            )

        return self._run(request, form, _("New batch"), perform, _("Batch created."))

    def event_view(self, request, pk):
        batch = self._batch(request, pk)
        form = forms.EventForm(
            batch,
            request.POST or None,
            request.FILES or None,
            initial={"occurred_at": timezone.localtime()},
        )

        def perform(data):
            used = data["agricultural_input"] or data["input_name"]
            inputs = (
                [
                    InputUse(
                        agricultural_input=data["agricultural_input"],
                        name=data["input_name"],
                        dose=data["dose"],
                        dose_unit=data["dose_unit"],
                    )
                ]
                if used
                else []
            )
            record_event(
                request.user,
                batch,
                data["business_step"],
                occurred_at=data["occurred_at"],
                plot=data["plot"],
                place=data["place"],
                quantity=data["quantity"],
                party=data["party"],
                notes=data["notes"],
                inputs=inputs,
                photos=[data["photo"]] if data["photo"] else [],
                check=form.check_result(),
            )
            return batch

        return self._run(request, form, _("Record an event"), perform, _("Event recorded."), batch)

    def split_view(self, request, pk):
        batch = self._batch(request, pk)
        form = forms.SplitForm(request.POST or None, initial={"occurred_at": timezone.localtime()})

        def perform(data):
            return transformations.split_batch(
                request.user, batch, data["quantities"], occurred_at=data["occurred_at"]
            )

        def success(children):
            made = format_html_join(
                ", ",
                '<a href="{}">{}</a> ({} {})',
                (
                    (
                        reverse("admin:traceability_batch_change", args=[child.pk]),
                        child.code,
                        format_quantity(child.quantity),
                        child.get_unit_display(),
                    )
                    for child in children
                ),
            )
            message = format_html(_("Batch split into {}."), made)
            return message, reverse("admin:traceability_batch_change", args=[batch.pk])

        return self._run(request, form, _("Split the batch"), perform, success, batch)

    def transform_view(self, request, pk):
        batch = self._batch(request, pk)
        form = forms.TransformForm(
            request.POST or None, initial={"occurred_at": timezone.localtime()}
        )

        def perform(data):
            return transformations.transform_batches(
                request.user,
                [(batch, data["quantity_used"])],
                product=data["product"],
                quantity=data["quantity"],
                occurred_at=data["occurred_at"],
                place=data["place"],
            )

        return self._run(
            request, form, _("Transform into a new product"), perform, _("New batch made."), batch
        )

    def merge_view(self, request):
        form = forms.MergeForm(
            request.user, request.POST or None, initial={"occurred_at": timezone.localtime()}
        )

        def perform(data):
            parts = [(b, b.free_quantity) for b in data["batches"]]  # reserved stock stays
            return transformations.merge_batches(
                request.user, parts, producer=data["producer"], occurred_at=data["occurred_at"]
            )

        return self._run(request, form, _("Merge batches"), perform, _("Batches merged."))

    def labels_view(self, request, pk):
        batch = self._batch(request, pk)
        form = forms.LabelOrderForm(request.POST or None)

        def perform(data):
            return labels.order_label_sheet(request.user, batch, data["count"], data["layout"])

        def success(sheet):
            url = reverse("admin:traceability_labelsheet_change", args=[sheet.pk])
            message = format_html(
                _("Labels ordered. {}: its PDF is ready in a minute or two, there and here."),
                format_html('<a href="{}">{}</a>', url, _("Open the label sheet")),
            )
            return message, reverse("admin:traceability_batch_change", args=[batch.pk])

        return self._run(request, form, _("Order labels"), perform, success, batch)

    def recall_view(self, request, pk):
        batch = self._batch(request, pk)
        form = forms.RecallForm(request.POST or None)

        def perform(data):
            return batches.recall_batch(request.user, batch, data["reason"])

        try:  # what the recall will reach, read before it is confirmed
            scope = recall_scope(request.user, batch)
        except PermissionDenied:
            scope = None  # the form says why on submit
        return service_form_view(
            request,
            self,
            title=_("Recall the batch"),
            form=form,
            perform=perform,
            success=self._done(_("Batch recalled.")),
            obj=batch,
            template="admin/traceability/batch/recall.html",
            extra_context={"scope": scope},
            submit=_("Recall the batch"),
            confirm=_("Recall this lot? Everyone who holds it is told at once."),
        )

    def release_view(self, request, pk):
        batch = self._batch(request, pk)
        form = forms.ReasonForm(request.POST or None)

        def perform(data):
            holds.release_hold(request.user, batch, data["reason"])
            return batch

        title, done = _("Release the hold"), _("Hold released.")
        confirm = _("Release the hold? The lot can be sold and labelled again.")
        return self._run(request, form, title, perform, done, batch, confirm)

    def withdraw_view(self, request, pk):
        batch = self._batch(request, pk)
        form = forms.ReasonForm(request.POST or None)

        def perform(data):
            return batches.withdraw_recall(request.user, batch, data["reason"])

        title, done = _("Withdraw the recall"), _("Recall withdrawn.")
        confirm = _("Withdraw the recall? Its scan page stops warning consumers.")
        return self._run(request, form, title, perform, done, batch, confirm)


class EventInputInline(ReadOnlyMixin, TabularInline):
    model = EventInput
    fields = readonly_fields = [
        "name",
        "active_ingredient",
        "dose",
        "dose_unit",
        "pre_harvest_interval_days",
    ]


class EventPhotoInline(ReadOnlyMixin, TabularInline):
    model = EventPhoto
    fields = readonly_fields = ["image", "sha256"]


@admin.register(TraceEvent)
class TraceEventAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    producer_path = "batch__producer"
    list_display = ["batch", "business_step", "occurred_at", "quantity_with_unit", "producer"]
    list_filter = ["business_step"]
    search_fields = ["batch__code"]
    list_select_related = ["batch__product", "producer"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "batch",
                    "business_step",
                    "occurred_at",
                    "quantity_with_unit",
                    "plot",
                    "place",
                    "party",
                    "notes",
                    "producer",
                    "recorded_by",
                    "recorded_at",
                ]
            },
        ),
        (
            _("Technical record (EPCIS, for exchanges and audits)"),
            {
                "classes": ["collapse"],
                "fields": [
                    "uuid",
                    "sequence",
                    "event_type",
                    "action",
                    "disposition",
                    "time_zone_offset",
                    "transformation_id",
                    "details",
                    "previous_hash",
                    "hash",
                ],
            },
        ),
    ]

    @admin.display(description=_("quantity"))
    def quantity_with_unit(self, event):
        if event.quantity is None:
            return "—"
        return f"{format_quantity(event.quantity)} {event.batch.get_unit_display()}"

    inlines = [EventInputInline, EventPhotoInline]


@admin.register(LabelSheet)
class LabelSheetAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    producer_path = "batch__producer"
    view_action = Action.OPERATE  # serials are printable labels
    list_display = ["batch", "status", "download", "label_count", "layout_name", "created_at"]
    list_filter = ["status"]
    search_fields = ["batch__code"]
    list_select_related = ["batch__product"]
    # The PDF is in private storage and has no URL of its own: it is linked through the
    # view that checks who asks (never the file field, whose display needs a URL).
    fields = readonly_fields = [
        "batch",
        "layout_name",
        "label_count",
        "status",
        "failure",
        "created_at",
        "finished_at",
        "download",
    ]

    @admin.display(description=_("sticker layout"))
    def layout_name(self, sheet):
        layout = printing.LAYOUTS.get(sheet.layout)
        return layout.name if layout else sheet.layout

    @admin.display(description=_("reason"))
    def failure(self, sheet):
        return sheet.error or "—"

    @admin.display(description=_("PDF"))
    def download(self, sheet):
        return _download_link(sheet)


def _download_link(sheet: LabelSheet) -> str:
    if sheet.status != LabelSheet.Status.READY:
        return sheet.get_status_display()
    url = reverse("traceability:sheet_pdf", args=[sheet.uuid])
    return format_html('<a href="{}">{}</a>', url, _("Download the PDF"))


def _sheet_line(sheet: LabelSheet) -> str:
    """A sheet on its lot's page: how many labels, when, and its PDF."""
    url = reverse("admin:traceability_labelsheet_change", args=[sheet.pk])
    return format_html(
        '<a href="{}">{}</a> · {}',
        url,
        _("%(count)s labels, %(day)s")
        % {
            "count": sheet.label_count,
            "day": date_format(timezone.localtime(sheet.created_at), "SHORT_DATETIME_FORMAT"),
        },
        _download_link(sheet),
    )


def _evidence(label: Label) -> str:
    return _("scans: %(scans)s · networks: %(sources)s · spread: %(spread)s km") % {
        "scans": label.scans_counted,
        "sources": label.networks,
        "spread": label.spread_km,
    }


def _signal(label: Label) -> str:
    if not label.suspicion:
        return "—"
    if label.public_warning:
        return _("%(reason)s: consumers are warned") % {"reason": label.get_suspicion_display()}
    return _("%(reason)s: for staff only, from few networks") % {
        "reason": label.get_suspicion_display()
    }


@admin.register(Label)
class LabelAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    producer_path = "batch__producer"
    view_action = Action.OPERATE  # serials are printable labels
    list_display = ["serial", "batch", "last_scanned", "copy_signal", "evidence"]
    list_filter = ["suspicion", "public_warning"]
    search_fields = ["serial", "batch__code"]
    list_select_related = ["batch__product", "batch__producer"]
    fields = readonly_fields = [
        "serial",
        "batch",
        "sheet",
        "created_at",
        "last_scanned",
        "copy_signal",
        "evidence",
        "reviewed_at",
    ]
    actions = ["clear_suspicion"]

    @admin.display(description=_("suspected copy"), ordering="suspicion")
    def copy_signal(self, label):
        return _signal(label)

    def get_queryset(self, request):
        return scans.with_evidence(super().get_queryset(request))

    @admin.display(description=_("last scanned"), ordering="last_scanned_at")
    def last_scanned(self, label):
        return label.last_scanned_at

    @admin.display(description=_("evidence"), ordering="scans_counted")
    def evidence(self, label):
        return _evidence(label)

    @admin.action(description=_("The labels were checked: clear the copy warning"))
    def clear_suspicion(self, request, queryset):
        for label in queryset:
            scans.clear_suspicion(request.user, label)
        self.message_user(request, _("Warnings cleared; counting starts again."))


@admin.register(Scan)
class ScanAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    producer_path = "label__batch__producer"
    view_action = Action.OPERATE
    list_display = ["label", "scanned_at", "location"]
    list_select_related = ["label"]


@admin.register(RecallNotice)
class RecallNoticeAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    """Who was told of each recall, and whether the message left (retries are Celery's)."""

    producer_path = "recall__batch__producer"
    view_action = Action.RECALL  # partners' phones
    list_display = ["recall", "addressee", "channel", "lots", "sent_at", "attempts", "last_error"]
    list_filter = ["channel", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["recall__batch__code", "party__name"]
    list_select_related = ["recall__batch", "recipient", "party"]

    @admin.display(description=_("to"))
    def addressee(self, notice):
        return notice.party or notice.recipient


@admin.register(Hold)
class HoldAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    """Holds are placed by the rules and lifted by an inspector (on the batch's page, or
    releaseHold in the app): listed here to find the open ones."""

    producer_path = "batch__producer"
    list_display = ["batch", "reason", "placed_at", "released_at", "released_by"]
    list_filter = ["reason", ("released_at", admin.EmptyFieldListFilter)]
    search_fields = ["batch__code"]
    list_select_related = ["batch", "released_by"]


@admin.register(CopyReport)
class CopyReportAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    """What consumers said about labels that looked copied (no one's identity is kept)."""

    producer_path = "label__batch__producer"
    list_display = ["label", "bought_at", "note", "reported_at"]
    list_select_related = ["label__batch__product"]
    search_fields = ["label__batch__code", "bought_at"]
    date_hierarchy = "reported_at"
    fields = readonly_fields = ["label", "bought_at", "note", "reported_at"]


@admin.register(Party)
class PartyAdmin(ReadOnlyMixin, ProducerScopedAdmin):
    """Trading partners a producer registered (from the app, or a shipping's form)."""

    producer_path = "registered_by"
    list_display = ["name", "kind", "district", "province", "phone", "tax_code"]
    list_filter = ["kind", "province"]
    search_fields = ["name", "district", "tax_code"]


from traceability import admin_api_keys  # noqa: E402, F401  (registers the API keys' admin)
