from django.urls import path

from fagnett.people import views

app_name = "people"
region = "regions/<int:region_id>/people/"
person = region + "<int:person_id>/"
urlpatterns = [
    path("region/people/", views.home, name="home"),
    path(region, views.person_list, name="list"),
    path(region + "open-work/", views.open_work, name="open_work"),
    path(person, views.person_detail, name="detail"),
    path(person + "region-roles/", views.region_role_give, name="region_role_give"),
    path(person + "region-roles/<int:role_id>/remove/", views.region_role_remove, name="region_role_remove"),
    path(person + "trust-roles/", views.trust_role_give, name="trust_role_give"),
    path(person + "trust-roles/<int:role_id>/remove/", views.trust_role_remove, name="trust_role_remove"),
    path(person + "deactivate/", views.person_deactivate, name="deactivate"),
    path(person + "reactivate/", views.person_reactivate, name="reactivate"),
    path(person + "merge/", views.person_merge, name="merge"),
]
