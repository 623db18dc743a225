"""Admin building blocks shared by every app. ``service_form_view`` runs a form through
a service and shows the service's ValidationErrors on the form. (What staff may see per
producer is ``farms.admin_scope``.)
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.forms import Form
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from backend.errors import readable
from backend.number_input import NumberField, WholeNumberField
from backend.numbers import format_quantity, format_vnd

# Whole-number columns holding money: every one is in đồng.
MONEY_FIELDS = models.PositiveBigIntegerField


SHOWN = "__shown"  # a read-only number field, shown through _number_column


class NumbersMixin:
    """Numbers typed the reader's way ("12.000" is twelve thousand in Vietnamese) in every
    admin form, and shown that way in lists and read-only fields: no empty decimals, the
    unit or ₫ beside them."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DecimalField):
            kwargs.setdefault("form_class", NumberField)
        elif isinstance(db_field, models.IntegerField) and not db_field.is_relation:
            kwargs.setdefault("form_class", WholeNumberField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_list_display(self, request):
        return [
            _number_column(self.model, name) or name for name in super().get_list_display(request)
        ]

    def get_readonly_fields(self, request, obj=None):
        return [self._shown(name) for name in super().get_readonly_fields(request, obj)]

    def get_exclude(self, request, obj=None):
        """Read-only number fields are shown under another name: keep them off the form."""
        shown = [
            name
            for name in super().get_readonly_fields(request, obj)
            if _number_column(self.model, name)
        ]
        return [*(super().get_exclude(request, obj) or []), *shown] or None

    def get_fieldsets(self, request, obj=None):
        readonly = set(super().get_readonly_fields(request, obj))

        def rename(names):
            return [
                rename(name)
                if isinstance(name, (list, tuple))
                else self._shown(name)
                if name in readonly
                else name
                for name in names
            ]

        return [
            (title, {**options, "fields": rename(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def _shown(self, name):
        return f"{name}{SHOWN}" if _number_column(self.model, name) else name

    def __getattr__(self, name: str):
        if name.endswith(SHOWN) and (column := _number_column(self.model, name[: -len(SHOWN)])):
            return column
        raise AttributeError(name)


def _number_column(model, name) -> Callable | None:
    """For a number field, a function showing it the reader's way; else None."""
    if not isinstance(name, str):
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if isinstance(field, MONEY_FIELDS):
        shown = format_vnd
    elif isinstance(field, models.DecimalField):
        shown = format_quantity
    else:
        return None

    def column(obj):
        value = getattr(obj, name)
        if value is None:
            return "—"
        unit = getattr(obj, "get_unit_display", None) if shown is format_quantity else None
        return f"{shown(value)} {unit()}" if unit else shown(value)

    column.short_description = field.verbose_name
    column.admin_order_field = name
    column.__name__ = name
    return column


def shown_fields(model) -> list[str]:
    """Every field of ``model`` people read: not its database id or its UUID, which are
    identifiers for programs (the app, exports), not for a clerk."""
    return [field.name for field in model._meta.fields if field.name not in ("id", "uuid")]


class ModelAdmin(NumbersMixin, admin.ModelAdmin):
    """The base of every admin page of the product."""


class TabularInline(NumbersMixin, admin.TabularInline):
    """The base of every inline table of the product."""


class ReadOnlyMixin:
    """For records that only services write (history, lines, events): shown, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Put a service's errors on the matching form fields, the rest at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def service_form_view(
    request,
    model_admin: admin.ModelAdmin,
    *,
    title: str,
    form: Form,
    perform: Callable[[dict], object],
    success: Callable[[object], tuple[str, str]],
    obj=None,
    template: str = "admin/service_form.html",
    extra_context: dict | None = None,
    submit: str = "",
    confirm: str = "",
):
    """Show ``form``; when valid, call ``perform(cleaned_data)``. ``success(result)``
    gives the message and the URL to go to. A service's refusal, whether a rule or a
    permission, is shown on the form. A ``template`` extending the default one may show
    ``extra_context`` above the form (what the action will affect). ``submit`` names the
    button by what it does; with ``confirm``, a step that cannot be taken back, the button
    is marked as such and asks ``confirm`` before sending."""
    if first := next(iter(form.fields.values()), None):
        first.widget.attrs.setdefault("autofocus", True)  # the keyboard starts at the form
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, readable(error))
        else:
            message, url = success(result)
            messages.success(request, message)
            return redirect(url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "opts": model_admin.model._meta,
        "original": obj,
        "media": model_admin.media + form.media,
        "submit": submit or _("Save"),
        "confirm": confirm,
        **(extra_context or {}),
    }
    return TemplateResponse(request, template, context)
