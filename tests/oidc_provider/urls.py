from django.contrib.auth import views as auth_views
from django.urls import include, path

from tests.oidc_provider import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="provider_login.html"), name="login"),
    # Before the toolkit's own authorize view, which this one extends with PAR.
    path("o/authorize/", views.AuthorizationView.as_view(), name="authorize"),
    path("o/par/", views.pushed_authorization_request, name="par"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]
