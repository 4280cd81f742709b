from django.urls import path

from fagnett.procedures import views

app_name = "procedures"
urlpatterns = [
    path("networks/<int:network_id>/procedures/", views.network_register, name="network_register"),
    path("networks/<int:network_id>/procedures/new/", views.procedure_create, name="create"),
    path("procedures/overview/", views.region_overview, name="overview"),
    path("procedures/<int:procedure_id>/", views.procedure_detail, name="detail"),
    path("procedures/<int:procedure_id>/edit/", views.procedure_update, name="update"),
    path("procedures/<int:procedure_id>/status/", views.procedure_change_status, name="change_status"),
]
