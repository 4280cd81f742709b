"""The coordinator's page for the region's topic list."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from fagnett.access import AuthenticatedRequest, access_for
from fagnett.core.exceptions import ConflictError
from fagnett.core.views_helpers import add_service_errors, rebind_after_conflict
from fagnett.networks.selectors import coordinated_regions
from fagnett.organisations.models import Region
from fagnett.topics import selectors, services
from fagnett.topics.forms import TopicForm
from fagnett.topics.models import Topic


def _region(request: AuthenticatedRequest, region_id: int) -> Region:
    """The region if the person keeps its topics: 404 outside the region, 403 for others in it."""
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not access_for(request.user).in_region(region.pk):
        raise Http404
    if not request.user.has_perm("topics.manage_topics", region):
        raise PermissionDenied
    return region


def topic_home(request: AuthenticatedRequest) -> HttpResponse:
    """The topic list of the region the person coordinates (the first by name, if several: the list page links
    the others)."""
    region = coordinated_regions(user=request.user).first()
    if region is None:
        raise PermissionDenied
    return redirect("topics:list", region.pk)


@require_http_methods(["GET", "POST"])
def topic_list(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    region = _region(request, region_id)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = services.topic_create(user=request.user, region=region, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(topic)s was added to the list.") % {"topic": topic.name})
            return redirect("topics:list", region.pk)
    topics = selectors.topic_list(region_id=region.pk).annotate(
        n_cases=Count("cases", distinct=True),
        n_items=Count("agenda_items", distinct=True),
        n_reports=Count("network_reports", distinct=True),
    )
    others = coordinated_regions(user=request.user).exclude(pk=region.pk)
    return render(
        request, "topics/topic_list.html", {"region": region, "topics": topics, "form": form, "others": others}
    )


@require_http_methods(["GET", "POST"])
def topic_update(request: AuthenticatedRequest, region_id: int, topic_id: int) -> HttpResponse:
    region = _region(request, region_id)
    topic = Topic.objects.filter(region=region, pk=topic_id).first()
    if topic is None:
        raise Http404
    form = TopicForm(request.POST or None, instance=topic)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_update(user=request.user, topic=topic, data=form.cleaned_data, lock_version=form.version)
        except ConflictError as error:
            conflict = error.current
            form = rebind_after_conflict(
                request, conflict, lambda data: TopicForm(data, instance=Topic.objects.get(pk=topic.pk))
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("topics:list", region.pk)
    return render(
        request, "topics/topic_form.html", {"region": region, "topic": topic, "form": form, "conflict": conflict}
    )
