from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fagnett.audit"

    def ready(self) -> None:
        from fagnett.audit import downloads

        downloads.register()
