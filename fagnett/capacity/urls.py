from django.urls import path

from fagnett.capacity import (
    situation_api,  # noqa: F401  (adds the situation endpoints to the API)
    situation_views,
    views,
)
from fagnett.capacity.api import api
from fagnett.core.urls import public

app_name = "capacity"
urlpatterns = [
    path("capacity/", views.round_list, name="round_list"),
    path("capacity/rounds/new/", views.round_create, name="round_create"),
    path("capacity/api-keys/", views.api_keys, name="api_keys"),
    path("capacity/api-keys/<int:token_id>/withdraw/", views.api_key_withdraw, name="api_key_withdraw"),
    path("capacity/rounds/<int:round_id>/", views.round_detail, name="round_detail"),
    path("capacity/rounds/<int:round_id>/close/", views.round_close, name="round_close"),
    path("capacity/rounds/<int:round_id>/compliance/", views.compliance, name="compliance"),
    path("capacity/rounds/<int:round_id>/units/<int:unit_id>/", views.unit_report, name="unit_report"),
    path("capacity/rounds/<int:round_id>/units/<int:unit_id>/profile/", views.unit_profile, name="unit_profile"),
    path(
        "capacity/rounds/<int:round_id>/units/<int:unit_id>/<str:category>/<str:scenario>/",
        views.entry_edit,
        name="entry_edit",
    ),
    path("capacity/rounds/<int:round_id>/template.xlsx", views.excel_template, name="excel_template"),
    path("capacity/rounds/<int:round_id>/upload/", views.excel_upload, name="excel_upload"),
    path("capacity/rounds/<int:round_id>/dashboard/", views.dashboard, name="dashboard"),
    path("capacity/rounds/<int:round_id>/charts/<str:name>.svg", views.chart, name="chart"),
    path("capacity/rounds/<int:round_id>/export.<str:fmt>", views.export, name="export"),
    path("capacity/rounds/<int:round_id>/dimensioning/", views.dimensioning, name="dimensioning"),
    path("capacity/rounds/<int:round_id>/assessment/", views.assessment, name="assessment"),
    path("capacity/rounds/<int:round_id>/recommendation/", views.recommendation_detail, name="recommendation_detail"),
    path("capacity/rounds/<int:round_id>/recommendation.<str:fmt>", views.recommendation, name="recommendation"),
    path(
        "capacity/rounds/<int:round_id>/recommendation-sent.<str:fmt>",
        views.recommendation_sent,
        name="recommendation_sent",
    ),
    path("capacity/situation/", situation_views.situation_list, name="situation_list"),
    path("capacity/situation/units/<int:unit_id>/", situation_views.situation_file, name="situation_file"),
    path("capacity/regions/<int:region_id>/now/", situation_views.situation_now, name="situation_now"),
    # situation_api adds its endpoints to ``api`` when imported (above), before the URLs are read here.
    path("api/capacity/", public(api.urls)),  # API keys
]
