from django.urls import path

from fagnett.core import views

app_name = "downloads"
urlpatterns = [
    path("downloads/", views.download_list, name="list"),
    path("downloads/<int:download_id>/", views.download_detail, name="detail"),
    path("downloads/<int:download_id>/file", views.download_file, name="file"),
]
