from django.urls import path

from fagnett.progress import views

app_name = "progress"
urlpatterns = [
    path("progress/", views.overview, name="overview"),
    path("progress/tasks/<int:case_id>/report/", views.report_create, name="report"),
    path("progress/tasks/<int:case_id>/schedule/", views.schedule_edit, name="schedule"),
    path("cases/tasks/new/", views.task_assign, name="assign_task"),
]
