from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from fagnett.core.urls import public
from fagnett.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("region/", web_views.region, name="region"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", login_not_required(auth_views.LogoutView.as_view()), name="logout"),
    path("oidc/", public(include("mozilla_django_oidc.urls"))),  # the identity provider's way in
    path("language/", web_views.language_set, name="set_language"),
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", web_views.readyz, name="readyz"),
    path("metrics", web_views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("", include("fagnett.accounts.urls")),
    path("", include("fagnett.networks.urls")),
    path("", include("fagnett.cases.urls")),
    path("", include("fagnett.progress.urls")),
    path("", include("fagnett.meetings.urls")),
    path("", include("fagnett.capacity.urls")),
    path("", include("fagnett.procedures.urls")),
    path("", include("fagnett.budget.urls")),
    path("", include("fagnett.reports.urls")),
    path("", include("fagnett.topics.urls")),
    path("", include("fagnett.opendata.urls")),
    path("", include("fagnett.events.urls")),
    path("", include("fagnett.funding.urls")),
    path("", include("fagnett.archive.urls")),
    path("", include("fagnett.audit.urls")),
    path("", include("fagnett.onboarding.urls")),
    path("", include("fagnett.provisioning.urls")),
    path("", include("fagnett.people.urls")),
    path("", include("fagnett.core.download_urls")),
    path("scim/v2/", public(include("fagnett.provisioning.scim_urls"))),  # the region's bearer key
]

handler403 = "fagnett.web.errors.permission_denied"
handler404 = "fagnett.web.errors.page_not_found"
handler500 = "fagnett.web.errors.server_error"
