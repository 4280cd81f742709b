from django.urls import path

from fagnett.provisioning import views

app_name = "provisioning"
urlpatterns = [
    path("region/sign-in/", views.home, name="home"),
    path("region/<int:region_id>/sign-in/", views.identities, name="identities"),
    path("region/<int:region_id>/sign-in/<int:identity_id>/delete/", views.identity_delete, name="identity_delete"),
    path("region/<int:region_id>/provisioning/", views.scim_keys, name="scim_keys"),
    path(
        "region/<int:region_id>/provisioning/keys/<int:key_id>/revoke/", views.scim_key_revoke, name="scim_key_revoke"
    ),
]
