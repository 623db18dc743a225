from django.apps import AppConfig


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Nông sản số"

    def ready(self) -> None:
        from backend import checks  # noqa: F401 (registers the deployment checks)
