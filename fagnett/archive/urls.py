from django.urls import path

from fagnett.archive import views

app_name = "archive"

urlpatterns = [
    path("networks/<int:network_id>/archive/", views.archive_export, name="export"),
]
