from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Market network")

    def ready(self) -> None:
        # connect the receivers of recalls and holds
        from marketplace.services import notifications, offers  # noqa: F401
