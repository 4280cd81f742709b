from django.urls import path

from fagnett.topics import views

app_name = "topics"
urlpatterns = [
    path("topics/", views.topic_home, name="home"),
    path("regions/<int:region_id>/topics/", views.topic_list, name="list"),
    path("regions/<int:region_id>/topics/<int:topic_id>/", views.topic_update, name="update"),
]
