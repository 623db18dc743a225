"""Admin building blocks shared by every app. ``service_form_view`` runs a form through
a service and shows the service's ValidationErrors on the form. (What staff may see per
producer is ``farms.admin_scope``.)
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from backend.errors import readable


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
):
    """Show ``form``; when valid, call ``perform(cleaned_data)``. ``success(result)``
    gives the message and the URL to go to. A service's refusal, whether a rule or a
    permission, is shown on the form. A ``template`` extending the default one may show
    ``extra_context`` above the form (what the action will affect)."""
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
        **(extra_context or {}),
    }
    return TemplateResponse(request, template, context)
