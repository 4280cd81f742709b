"""The bench settings' urlconf: the whole application plus one bare view.

``/bench/ok/`` answers "ok" through the full middleware stack but without a template or a query of its own, so a
page's time can be read against the framework's floor (page-vs-bare ratios); ``/bench/layout/`` renders the page
layout alone (``base.html``, logged in): the floor of every page.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from config import urls as application
from config.urls import handler403, handler404, handler500


def bench_ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def bench_layout(request: HttpRequest) -> HttpResponse:
    """The page layout with nothing in it: what every page pays before its own content (menu, header, footer)."""
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/ok/", bench_ok, name="bench_ok"),
    path("bench/layout/", bench_layout, name="bench_layout"),
    *application.urlpatterns,
]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
