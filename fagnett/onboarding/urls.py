from django.urls import path

from fagnett.onboarding import views

app_name = "onboarding"
region = "regions/<int:region_id>/onboarding/"
urlpatterns = [
    path("region/onboarding/", views.home, name="home"),
    path(region, views.region_page, name="region"),
    path(region + "templates/<str:kind>.xlsx", views.template_download, name="template"),
    path(region + "upload/", views.upload, name="upload"),
    path(region + "imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path(region + "imports/<int:import_id>/confirm/", views.import_confirm, name="import_confirm"),
    path(region + "imports/<int:import_id>/discard/", views.import_discard, name="import_discard"),
    path(region + "imports/<int:import_id>/undo/", views.import_undo, name="import_undo"),
    path(region + "export.zip", views.export, name="export"),
]
