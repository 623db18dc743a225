from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FarmsConfig(AppConfig):
    name = "farms"
    verbose_name = _("Producers and land")

    def ready(self):
        from django.db.models.signals import post_migrate

        from farms.roles import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
