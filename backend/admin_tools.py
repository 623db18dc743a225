"""Admin building blocks shared by every app.

``ProducerScopedAdmin`` limits what staff see and change to the producers they act
for, asking farms.permissions (the one place that decides). ``service_form_view``
runs a form through a service and shows the service's ValidationErrors on the form.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from backend.errors import readable
from farms.models import Producer
from farms.permissions import Action, can, has_global_access, producers_for


class ReadOnlyMixin:
    """For records that only services write (history, lines, events): shown, never edited."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProducerScopedAdmin(admin.ModelAdmin):
    producer_path = "producer"  # lookup from this model to its producer; "" for Producer
    view_action = Action.VIEW  # what a user must be allowed to do to see a row
    change_action = Action.MANAGE  # what a user must be allowed to do to change a row

    def _producer_of(self, obj) -> Producer:
        for step in filter(None, self.producer_path.split("__")):
            obj = getattr(obj, step)
        return obj

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if has_global_access(request.user, self.view_action):
            return queryset
        visible = producers_for(request.user, self.view_action)
        lookup = f"{self.producer_path}__in" if self.producer_path else "pk__in"
        return queryset.filter(**{lookup: visible})

    def _may(self, request, obj, allowed: bool) -> bool:
        return allowed and (
            obj is None or can(request.user, self.change_action, self._producer_of(obj))
        )

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj, super().has_change_permission(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj, super().has_delete_permission(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Producer:
            kwargs["queryset"] = producers_for(request.user, self.change_action)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
):
    """Show ``form``; when valid, call ``perform(cleaned_data)``. ``success(result)``
    gives the message and the URL to go to. A service's refusal, whether a rule or a
    permission, is shown on the form."""
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
    }
    return TemplateResponse(request, "admin/service_form.html", context)
