from django.urls import path

from fagnett.funding import views

app_name = "funding"
urlpatterns = [
    path("funding/", views.call_list, name="call_list"),
    path("funding/mine/", views.my_applications, name="my_applications"),
    path("funding/calls/new/", views.call_create, name="call_create"),
    path("funding/calls/<int:call_id>/", views.call_detail, name="call_detail"),
    path("funding/calls/<int:call_id>/edit/", views.call_update, name="call_update"),
    path("funding/calls/<int:call_id>/apply/", views.application_create, name="application_create"),
    path("funding/applications/<int:application_id>/", views.application_detail, name="application_detail"),
    path("funding/applications/<int:application_id>/edit/", views.application_update, name="application_update"),
    path("funding/applications/<int:application_id>/submit/", views.application_submit, name="application_submit"),
    path("funding/applications/<int:application_id>/endorse/", views.application_endorse, name="application_endorse"),
    path("funding/applications/<int:application_id>/decide/", views.application_decide, name="application_decide"),
]
