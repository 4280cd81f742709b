from django.urls import path

from fagnett.meetings import views

app_name = "meetings"
urlpatterns = [
    path("networks/<int:network_id>/meetings/", views.network_meetings, name="network_meetings"),
    path("networks/<int:network_id>/meetings/plan/", views.plan_year, name="plan_year"),
    path("networks/<int:network_id>/follow-up/", views.network_followup, name="followup"),
    path(
        "networks/<int:network_id>/follow-up/register.<str:fmt>",
        views.network_followup_export,
        name="followup_export",
    ),
    path("meetings/overview/", views.region_overview, name="region_overview"),
    path("meetings/<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("meetings/<int:meeting_id>/edit/", views.meeting_update, name="update"),
    path("meetings/<int:meeting_id>/cancel/", views.meeting_cancel, name="cancel"),
    path("meetings/<int:meeting_id>/invite/", views.meeting_invite, name="invite"),
    path("meetings/<int:meeting_id>/invitation.<str:fmt>", views.meeting_export, name="export"),
    path("meetings/<int:meeting_id>/reply/", views.attendance_reply, name="reply"),
    path("meetings/<int:meeting_id>/pack/", views.meeting_pack, name="pack"),
    path("meetings/<int:meeting_id>/agenda/standard/", views.agenda_standard, name="agenda_standard"),
    path("meetings/<int:meeting_id>/agenda/add/", views.agenda_item_add, name="agenda_item_add"),
    path("agenda-items/<int:item_id>/edit/", views.agenda_item_update, name="agenda_item_update"),
    path("agenda-items/<int:item_id>/move/", views.agenda_item_move, name="agenda_item_move"),
    path("agenda-items/<int:item_id>/delete/", views.agenda_item_delete, name="agenda_item_delete"),
    path("agenda-items/<int:item_id>/documents/", views.document_upload, name="document_upload"),
    path("documents/<int:document_id>/", views.document_download, name="document"),
    path("documents/<int:document_id>/delete/", views.document_delete, name="document_delete"),
    path("meetings/<int:meeting_id>/attendance/", views.attendance, name="attendance"),
    path("meetings/<int:meeting_id>/minutes/", views.minutes_start, name="minutes_start"),
    path("meetings/<int:meeting_id>/minutes/<int:version>/", views.minutes_detail, name="minutes"),
    path(
        "meetings/<int:meeting_id>/minutes/<int:version>/circulate/", views.minutes_circulate, name="minutes_circulate"
    ),
    path("meetings/<int:meeting_id>/minutes/<int:version>/comment/", views.minutes_comment, name="minutes_comment"),
    path(
        "meetings/<int:meeting_id>/minutes/<int:version>/no-remarks/",
        views.minutes_no_remarks,
        name="minutes_no_remarks",
    ),
    path("meetings/<int:meeting_id>/minutes/<int:version>/approve/", views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:meeting_id>/minutes/<int:version>/correct/", views.minutes_correct, name="minutes_correct"),
    path(
        "meetings/<int:meeting_id>/minutes/<int:version>/minutes.<str:fmt>", views.minutes_export, name="minutes_export"
    ),
    path("action-items/", views.my_action_items, name="my_action_items"),
    path("action-items/<int:item_id>/close/", views.action_item_close, name="action_item_close"),
    path("action-items/<int:item_id>/reopen/", views.action_item_reopen, name="action_item_reopen"),
    path("action-items/<int:item_id>/reassign/", views.action_item_reassign, name="action_item_reassign"),
    path("calendar/", views.calendar_feeds, name="calendar_feeds"),
    path("calendar/<int:feed_id>/new-address/", views.calendar_feed_regenerate, name="calendar_feed_regenerate"),
    path("calendar/<int:feed_id>/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed"),
]
