from django.urls import path

from fagnett.core.urls import public
from fagnett.opendata import views
from fagnett.opendata.api import api

app_name = "opendata"
urlpatterns = [
    path("region/open-data/keys/", views.key_home, name="key_home"),
    path("region/<int:region_id>/open-data/keys/", views.api_keys, name="api_keys"),
    path("region/<int:region_id>/open-data/keys/<int:key_id>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("api/open/v1/", public(api.urls)),  # open data; keys for the rest
]
