from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fagnett.access import access_for
from fagnett.networks.rules import LEADERSHIP_ROLES


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu for the person, marking the section of the current page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    access = access_for(user)
    oversees = access.is_coordinator_anywhere or bool(access.director_regions)
    items = [
        (reverse("home"), _("Start")),
        (reverse("networks:list"), _("Networks")),
        (reverse("cases:list"), _("Cases")),
        (reverse("meetings:my_action_items"), _("Action items")),
        (reverse("capacity:round_list"), _("ICU capacity")),
    ]
    if access.regions or access.is_superuser:
        items.append((reverse("events:list"), _("Events")))
        items.append((reverse("funding:call_list"), pgettext_lazy("menu", "Funding")))
        items.append((reverse("reports:index"), _("Annual reports")))
    if oversees or any(roles & LEADERSHIP_ROLES for roles in access.network_roles.values()):
        items.append((reverse("progress:overview"), pgettext_lazy("menu", "Tasks")))
    if oversees or access.is_fagsjef_anywhere:
        items.append((reverse("region"), _("Region")))
    if user.is_staff:
        items.append((reverse("admin:index"), _("Administration")))
    path = request.path
    nav = []
    for url, label in items:
        current = path == url if url == "/" else path.startswith(url)
        nav.append({"url": url, "label": label, "current": current})
    return {"nav_items": nav, "submit_case_url": reverse("cases:submit")}
