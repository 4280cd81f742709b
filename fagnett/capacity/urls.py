from django.urls import path  # noqa: F401

app_name = "capacity"
urlpatterns: list = []  # type: ignore[type-arg]
