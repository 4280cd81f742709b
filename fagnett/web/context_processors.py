from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from fagnett.access import access_for
from fagnett.networks.rules import LEADERSHIP_ROLES


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The main menu for the person, marking the section of the current page: ``site_menu`` is ``(items, current,
    submit_case_url)`` — the menu's ``(url, label)`` pairs, the positions of the ones the page is in, and the address
    of "Submit a case" — or None for someone not logged in. Hashable: the header is kept under it
    (``web/templatetags/layout.py``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"site_menu": None}
    access = access_for(user)
    oversees = access.is_coordinator_anywhere or bool(access.director_regions)
    items, submit_case_url = _menu(
        bool(access.regions or access.is_superuser),
        oversees or any(roles & LEADERSHIP_ROLES for roles in access.network_roles.values()),
        oversees or access.is_fagsjef_anywhere,
        user.is_staff,
        get_language(),
        (get_script_prefix(), settings.ROOT_URLCONF, get_urlconf()),  # what reverse() answers depends on
    )
    path = request.path
    current = tuple(i for i, (url, _label) in enumerate(items) if (path == url if url == "/" else path.startswith(url)))
    return {"site_menu": (items, current, submit_case_url)}


@lru_cache(maxsize=128)
def _menu(
    in_a_region: bool, sees_tasks: bool, sees_region: bool, is_staff: bool, language: str | None, urls: object
) -> tuple[tuple[tuple[str, str], ...], str]:
    """The menu's links and labels for one combination of what decides it (a few dozen in all), built once per
    process: a dozen ``reverse()`` calls and translations were work on every page. Keyed by the person's kept
    ``Access`` read afresh on each request, so a change of roles shows on the next page."""
    items = [
        (reverse("home"), _("Start")),
        (reverse("networks:list"), _("Networks")),
        (reverse("cases:list"), _("Cases")),
        (reverse("meetings:my_action_items"), _("Action items")),
        (reverse("capacity:round_list"), _("ICU capacity")),
    ]
    if in_a_region:
        items.append((reverse("events:list"), _("Events")))
        items.append((reverse("funding:call_list"), pgettext_lazy("menu", "Funding")))
        items.append((reverse("reports:index"), _("Annual reports")))
    if sees_tasks:
        items.append((reverse("progress:overview"), pgettext_lazy("menu", "Tasks")))
    if sees_region:
        items.append((reverse("region"), _("Region")))
    if is_staff:
        items.append((reverse("admin:index"), _("Administration")))
    return tuple((url, str(label)) for url, label in items), reverse("cases:submit")
