from django.apps import AppConfig


class WebConfig(AppConfig):
    """The top layer: the page shell, the start and region pages, the menu and the error pages.

    It may read every app below it; nothing imports it (docs/ARCHITECTURE.md, "Layers").
    """

    name = "fagnett.web"
