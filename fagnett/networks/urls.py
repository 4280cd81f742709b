from django.urls import path

from fagnett.networks import views

app_name = "networks"
urlpatterns = [
    path("networks/", views.network_list, name="list"),
    path("networks/new/", views.network_create, name="create"),
    path("networks/<int:network_id>/", views.network_detail, name="detail"),
    path("networks/<int:network_id>/edit/", views.network_update, name="update"),
    path("networks/<int:network_id>/mandates/", views.mandate_history, name="mandate_history"),
    path("networks/<int:network_id>/mandates/new/", views.mandate_create, name="mandate_create"),
    path("networks/<int:network_id>/mandates/<int:version>/", views.mandate_detail, name="mandate_detail"),
    path("networks/<int:network_id>/nominate/", views.nominate, name="nominate"),
    path("nominations/", views.nomination_list, name="nominations"),
    path("nominations/<int:appointment_id>/", views.nomination_decide, name="nomination_decide"),
    path("appointments/<int:appointment_id>/end/", views.appointment_end, name="appointment_end"),
]
