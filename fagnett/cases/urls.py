from django.urls import path

from fagnett.cases import views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/mine/", views.my_cases, name="mine"),
    path("cases/to-route/", views.unrouted_cases, name="unrouted"),
    path("cases/new/", views.case_submit, name="submit"),
    path("cases/network/<int:network_id>/", views.network_cases, name="network"),
    path("cases/<int:case_id>/", views.case_detail, name="detail"),
    path("cases/<int:case_id>/route/", views.case_route, name="route"),
    path("cases/<int:case_id>/respond/", views.case_respond, name="respond"),
    path("cases/<int:case_id>/start/", views.case_start, name="start"),
    path("cases/<int:case_id>/responsible/", views.case_responsible, name="responsible"),
    path("cases/<int:case_id>/recommend/", views.case_recommend, name="recommend"),
    path("cases/<int:case_id>/decision/", views.case_decide, name="decide"),
    path("cases/<int:case_id>/close/", views.case_close, name="close"),
    path("cases/<int:case_id>/comment/", views.case_comment, name="comment"),
    path("cases/<int:case_id>/consultations/<str:kind>/", views.case_consult, name="consult"),
    path("cases/<int:case_id>/topics/", views.case_topics, name="topics"),
    path("cases/<int:case_id>/action-items/", views.action_item_add, name="action_item_add"),
    path("cases/<int:case_id>/export.docx", views.case_export, name="export"),
    path("cases/<int:case_id>/attachments/", views.case_attach, name="attach"),
    path("cases/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("cases/common/", views.common_case_list, name="common_list"),
    path("cases/common/new/", views.common_case_create, name="common_create"),
    path("cases/common/<int:common_case_id>/", views.common_case_detail, name="common_detail"),
    path("cases/common/<int:common_case_id>/export.docx", views.common_case_export, name="common_export"),
    path(
        "capacity/rounds/<int:round_id>/recommendation/agenda/",
        views.recommendation_agenda,
        name="recommendation_agenda",
    ),
    path("capacity/rounds/<int:round_id>/recommendation/send/", views.recommendation_send, name="recommendation_send"),
    path("meetings/<int:meeting_id>/agenda/cases/", views.agenda_cases, name="agenda_cases"),
]
