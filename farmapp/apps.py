from django.apps import AppConfig


class FarmAppConfig(AppConfig):
    name = "farmapp"
    verbose_name = "Farmers' app"
