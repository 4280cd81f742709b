"""Calendar addresses: the person's page of feeds and the feed itself (opened by a calendar program)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.meetings import selectors, services
from fagnett.meetings.calendar import calendar_feed
from fagnett.meetings.forms import CalendarFeedForm


def _calendar_feeds_page(
    request: AuthenticatedRequest, *, form: CalendarFeedForm | None = None, new_token: str = "", replaced: bool = False
) -> HttpResponse:
    """The person's addresses, with a new one's full address shown this once (the page is never cached)."""
    return render(
        request,
        "meetings/calendar_feeds.html",
        {
            "feeds": selectors.calendar_feed_list(user=request.user),
            "form": form or CalendarFeedForm(networks=selectors.calendar_feed_networks(user=request.user)),
            "new_url": request.build_absolute_uri(reverse("meetings:calendar_feed", args=[new_token]))
            if new_token
            else "",
            "replaced": replaced,
        },
    )


@require_http_methods(["GET", "POST"])
def calendar_feeds(request: AuthenticatedRequest) -> HttpResponse:
    if request.method != "POST":
        return _calendar_feeds_page(request)
    form = CalendarFeedForm(request.POST, networks=selectors.calendar_feed_networks(user=request.user))
    if not form.is_valid():
        return _calendar_feeds_page(request, form=form)
    _feed, token = services.calendar_feed_create(user=request.user, network=form.cleaned_data["network"])
    return _calendar_feeds_page(request, new_token=token)


@require_POST
def calendar_feed_regenerate(request: AuthenticatedRequest, feed_id: int) -> HttpResponse:
    feed = selectors.calendar_feed_get(user=request.user, feed_id=feed_id)
    _feed, token = services.calendar_feed_regenerate(user=request.user, feed=feed)
    return _calendar_feeds_page(request, new_token=token, replaced=True)


@require_POST
def calendar_feed_revoke(request: AuthenticatedRequest, feed_id: int) -> HttpResponse:
    feed = selectors.calendar_feed_get(user=request.user, feed_id=feed_id)
    services.calendar_feed_revoke(user=request.user, feed=feed)
    messages.success(request, _("The address was revoked; calendars using it no longer get updates."))
    return redirect("meetings:calendar_feeds")


@login_not_required  # a calendar program fetches it; the secret address is the key
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The subscribable feed: the secret token is the credential, so no login is asked for."""
    feed = selectors.calendar_feed_by_token(token=token)
    meetings = selectors.feed_meetings(user=feed.user, network=feed.network)
    name = f"Fagnett – {feed.network.name}" if feed.network else f"Fagnett – {feed.user}"
    return HttpResponse(calendar_feed(meetings, name=name), content_type="text/calendar; charset=utf-8")
