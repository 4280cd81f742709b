from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "fagnett.demo"
    verbose_name = "Demo data"
