from django.urls import path

from fagnett.audit import views

app_name = "audit"
urlpatterns = [
    path("history/<slug:kind>/<int:record_id>/", views.record_history, name="history"),
    path("audit/", views.index, name="index"),
    path("regions/<int:region_id>/audit/", views.region_log, name="region_log"),
    path("regions/<int:region_id>/audit/export.<str:fmt>", views.region_log_export, name="region_log_export"),
]
