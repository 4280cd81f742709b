from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "fagnett.archive"

    def ready(self) -> None:
        from fagnett.archive import downloads

        downloads.register()
