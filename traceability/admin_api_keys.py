"""Admin for the EPCIS interface: platform staff make a key for a trading partner, a
producer or an inspection body, see it once, revoke it, and read what partners captured."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.admin_tools import ReadOnlyMixin
from backend.errors import readable
from traceability.models import ApiKey, CaptureJob
from traceability.services import api_keys


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "scope", "party", "producer"]

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        holders = {
            ApiKey.Scope.PARTNER: data.get("party"),
            ApiKey.Scope.PRODUCER: data.get("producer"),
        }
        wanted = holders.get(scope)
        given = [holder for holder in holders.values() if holder]
        if (scope == ApiKey.Scope.INSPECTION and given) or (
            scope != ApiKey.Scope.INSPECTION and (wanted is None or len(given) > 1)
        ):
            raise ValidationError(
                _("Name the trading partner or the producer the scope is for, and only it.")
            )
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ["name", "scope", "party", "producer", "prefix", "last_used_at", "revoked_at"]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "prefix", "party__name", "producer__name"]
    autocomplete_fields = ["party", "producer"]
    actions = ["revoke"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "scope", "party", "producer"]
        return ["name", "scope", "party", "producer", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "scope", "party", "producer", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        try:
            row, key = api_keys.issue_key(
                request.user,
                data["name"],
                party=data.get("party"),
                producer=data.get("producer"),
                inspection=data["scope"] == ApiKey.Scope.INSPECTION,
            )
        except ValidationError as error:
            messages.error(request, readable(error))
            return
        obj.pk = row.pk
        messages.warning(
            request,
            _("The key is %(key)s. Copy it now: it is not kept and cannot be shown again.")
            % {"key": key},
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: what a key did stays attributable

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for row in queryset:
            api_keys.revoke_key(row)
        messages.success(request, _("The keys are revoked."))


@admin.register(CaptureJob)
class CaptureJobAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """What partners sent and what came of it, to answer a partner's questions."""

    list_display = ["uuid", "api_key", "created_at", "running", "success", "captured"]
    list_filter = ["success", "running"]
    search_fields = ["uuid", "api_key__name", "api_key__party__name"]
    list_select_related = ["api_key"]
