from django.urls import path

from fagnett.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/new/", views.event_create, name="create"),
    path("events/<int:event_id>/", views.event_detail, name="detail"),
    path("events/<int:event_id>/edit/", views.event_update, name="update"),
    path("events/<int:event_id>/cancel/", views.event_cancel, name="cancel"),
    path("events/<int:event_id>/invite/", views.event_invite, name="invite"),
    path("events/<int:event_id>/calendar.ics", views.event_ics, name="ics"),
    path("events/<int:event_id>/register/", views.event_register, name="register"),
    path("events/<int:event_id>/unregister/", views.event_unregister, name="unregister"),
    path("events/<int:event_id>/registrations/", views.event_registrations, name="registrations"),
    path(
        "events/<int:event_id>/registrations.<str:fmt>", views.event_registrations_export, name="registrations_export"
    ),
    path("events/registrations/<int:registration_id>/cancel/", views.registration_cancel, name="registration_cancel"),
]
