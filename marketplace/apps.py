from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = _("Market network")

    def ready(self) -> None:
        from marketplace.services import offers  # noqa: F401 (connects the recall receiver)
