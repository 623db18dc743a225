"""The admin of every app shows and changes only what belongs to the producers a
person acts for, asking farms.permissions (the one place that decides)."""

from backend.admin_tools import ModelAdmin
from farms.models import Producer
from farms.permissions import Action, can, has_global_access, producers_for


class ProducerScopedAdmin(ModelAdmin):
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
