from django.urls import path

from fagnett.accounts import views

app_name = "accounts"
urlpatterns = [
    path("me/settings/", views.my_settings, name="settings"),
]
