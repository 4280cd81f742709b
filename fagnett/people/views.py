"""Thin views: the region's people, a person's page, their roles and access, merging two records, open work."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.core.views_helpers import add_service_errors, paginate, render_page_or_part
from fagnett.people import selectors, services
from fagnett.people.forms import (
    DeactivateForm,
    MergeForm,
    MergeSearchForm,
    PersonFilterForm,
    RegionRoleForm,
    TrustRoleForm,
)
from fagnett.people.merge import merge_plan
from fagnett.people.selectors import Scope


def home(request: AuthenticatedRequest) -> HttpResponse:
    """The way in from the region page: the one region whose people the person manages or reads, or a choice."""
    regions = list(selectors.people_regions(user=request.user))
    if not regions:
        raise PermissionDenied
    if len(regions) == 1:
        return redirect("people:list", region_id=regions[0].pk)
    return render(request, "people/home.html", {"regions": regions})


def person_list(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    scope = selectors.scope_get(user=request.user, region_id=region_id)
    trusts = selectors.region_trusts(scope=scope)
    form = PersonFilterForm(request.GET or None, trusts=trusts, with_rhf=scope.manages)
    filters = selectors.PersonFilters()
    if form.is_valid():
        filters = selectors.PersonFilters(**{name: form.cleaned_data[name] or "" for name in form.fields})
    page = paginate(request, selectors.person_list(scope=scope, filters=filters))
    context = {"scope": scope, "region": scope.region, "form": form, "page": page}
    return render_page_or_part(request, "people/person_list.html", context, part="results")


# --- A person ------------------------------------------------------------------------------------------------------


def _trust_role_form(scope: Scope, person: User, data: Any = None) -> TrustRoleForm | None:
    """The trust roles the person asking may give this person: every trust role in the region's trusts for the
    coordinator; capacity reporter in the fagsjef's own trust to its own people."""
    if scope.manages:
        trusts, roles = selectors.region_trusts(scope=scope), list(TrustRole.Role.choices)
        initial = {"trust": person.trust_id}
    elif person.trust_id in scope.trusts:
        trusts = selectors.region_trusts(scope=scope).filter(pk=person.trust_id)
        roles = [(value, label) for value, label in TrustRole.Role.choices if value in services.FAGSJEF_GIVES]
        initial = {}
    else:
        return None
    return TrustRoleForm(data, trusts=trusts, roles=roles, initial=initial, prefix="trust")


def _can_remove(scope: Scope, role: TrustRole) -> bool:
    return scope.manages or (role.trust_id in scope.trusts and role.role in services.FAGSJEF_GIVES)


def _person_page(
    request: AuthenticatedRequest,
    scope: Scope,
    person: User,
    *,
    region_role_form: RegionRoleForm | None = None,
    trust_role_form: TrustRoleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    roles = selectors.person_roles(person=person, region=scope.region)
    merged_into, merged_records = selectors.person_merges(person=person)
    return render(
        request,
        "people/person_detail.html",
        {
            "scope": scope,
            "region": scope.region,
            "person": person,
            "region_roles": roles.region_roles,
            "trust_roles": [(role, _can_remove(scope, role)) for role in roles.trust_roles],
            "appointments": selectors.person_appointments(person=person, region=scope.region),
            "merged_into": merged_into,
            "merged_records": merged_records,
            "work": selectors.open_work(user=request.user, region=scope.region, people=person)
            if scope.manages
            else None,
            "region_role_form": (region_role_form or RegionRoleForm(prefix="region"))
            if scope.manages and person.is_active
            else None,
            "trust_role_form": (trust_role_form or _trust_role_form(scope, person)) if person.is_active else None,
            "is_self": person.pk == request.user.pk,
        },
        status=status,
    )


def person_detail(request: AuthenticatedRequest, region_id: int, person_id: int) -> HttpResponse:
    scope = selectors.scope_get(user=request.user, region_id=region_id)
    person = selectors.person_get(scope=scope, person_id=person_id)
    return _person_page(request, scope, person)


def _managed(request: AuthenticatedRequest, region_id: int, person_id: int) -> tuple[Scope, User]:
    """The coordinator's scope and the person, for the changes only the coordinator makes."""
    scope = selectors.scope_get(user=request.user, region_id=region_id)
    person = selectors.person_get(scope=scope, person_id=person_id)
    if not scope.manages:
        raise PermissionDenied
    return scope, person


@require_POST
def region_role_give(request: AuthenticatedRequest, region_id: int, person_id: int) -> HttpResponse:
    scope, person = _managed(request, region_id, person_id)
    form = RegionRoleForm(request.POST, prefix="region")
    if form.is_valid():
        try:
            role = services.region_role_give(
                user=request.user, region=scope.region, person=person, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(person)s is now %(role)s.") % {"person": person, "role": role.get_role_display()}
            )
            return redirect("people:detail", region_id=scope.region.pk, person_id=person.pk)
    return _person_page(request, scope, person, region_role_form=form, status=400)


@require_POST
def region_role_remove(request: AuthenticatedRequest, region_id: int, person_id: int, role_id: int) -> HttpResponse:
    scope, person = _managed(request, region_id, person_id)
    role = RegionRole.objects.filter(pk=role_id, user=person, region=scope.region).select_related("region").first()
    if role is None:
        raise Http404
    try:
        services.region_role_remove(user=request.user, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(person)s is no longer %(role)s.") % {"person": person, "role": role.get_role_display()}
        )
    return redirect("people:detail", region_id=scope.region.pk, person_id=person.pk)


@require_POST
def trust_role_give(request: AuthenticatedRequest, region_id: int, person_id: int) -> HttpResponse:
    scope = selectors.scope_get(user=request.user, region_id=region_id)
    person = selectors.person_get(scope=scope, person_id=person_id)
    form = _trust_role_form(scope, person, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            role = services.trust_role_give(
                user=request.user, person=person, trust=form.cleaned_data["trust"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(person)s is now %(role)s in %(trust)s.")
                % {"person": person, "role": role.get_role_display(), "trust": role.trust},
            )
            return redirect("people:detail", region_id=scope.region.pk, person_id=person.pk)
    return _person_page(request, scope, person, trust_role_form=form, status=400)


@require_POST
def trust_role_remove(request: AuthenticatedRequest, region_id: int, person_id: int, role_id: int) -> HttpResponse:
    scope = selectors.scope_get(user=request.user, region_id=region_id)
    person = selectors.person_get(scope=scope, person_id=person_id)
    role = TrustRole.objects.filter(pk=role_id, user=person, trust__region=scope.region).select_related("trust").first()
    if role is None:
        raise Http404
    if not _can_remove(scope, role):
        raise PermissionDenied
    try:
        services.trust_role_remove(user=request.user, role=role)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s is no longer %(role)s in %(trust)s.")
            % {"person": person, "role": role.get_role_display(), "trust": role.trust},
        )
    return redirect("people:detail", region_id=scope.region.pk, person_id=person.pk)


# --- Access --------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def person_deactivate(request: AuthenticatedRequest, region_id: int, person_id: int) -> HttpResponse:
    """Confirm, with why; the person's open work is shown before and listed on their page after."""
    scope, person = _managed(request, region_id, person_id)
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_deactivate(user=request.user, person=person, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(person)s can no longer log in. Their open work is listed below for you to give to others.")
                % {"person": person},
            )
            return redirect("people:detail", region_id=scope.region.pk, person_id=person.pk)
    return render(
        request,
        "people/person_deactivate.html",
        {
            "region": scope.region,
            "person": person,
            "form": form,
            "work": selectors.open_work(user=request.user, region=scope.region, people=person),
        },
    )


@require_POST
def person_reactivate(request: AuthenticatedRequest, region_id: int, person_id: int) -> HttpResponse:
    scope, person = _managed(request, region_id, person_id)
    try:
        services.person_reactivate(user=request.user, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(person)s can log in again.") % {"person": person})
    return redirect("people:detail", region_id=scope.region.pk, person_id=person.pk)


# --- Merging -------------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def person_merge(request: AuthenticatedRequest, region_id: int, person_id: int) -> HttpResponse:
    """Merge another record of the same person into this one: find it, compare the two, confirm."""
    scope, kept = _managed(request, region_id, person_id)
    other_id = request.POST.get("other") or request.GET.get("other")
    if not other_id:
        search = MergeSearchForm(request.GET or None)
        q = search.cleaned_data["q"] if search.is_valid() else ""
        return render(
            request,
            "people/person_merge_find.html",
            {
                "region": scope.region,
                "person": kept,
                "search": search,
                "candidates": selectors.merge_candidates(scope=scope, person=kept, q=q),
                "searched": bool(q),
            },
        )
    try:
        merged = selectors.person_get(scope=scope, person_id=int(other_id))
    except ValueError:
        raise Http404 from None
    form = MergeForm(request.POST or None, kept=kept, merged=merged)
    if request.method == "POST" and form.is_valid():
        choices = services.MergeChoices(
            email=form.cleaned_data.get("email", ""), sso_identifier=form.cleaned_data.get("sso_identifier", "")
        )
        try:
            record = services.person_merge(user=request.user, kept=kept, merged=merged, choices=choices)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            moved = sum(part["moved"] for part in record.moved.values())
            messages.success(
                request,
                ngettext(
                    "%(merged)s is merged into this record: %(count)s record moved here, and the other login is "
                    "closed.",
                    "%(merged)s is merged into this record: %(count)s records moved here, and the other login is "
                    "closed.",
                    moved,
                )
                % {"merged": merged, "count": moved},
            )
            return redirect("people:detail", region_id=scope.region.pk, person_id=kept.pk)
    return render(
        request,
        "people/person_merge.html",
        {
            "region": scope.region,
            "person": kept,
            "other": merged,
            "form": form,
            "problems": services.merge_problems(user=request.user, kept=kept, merged=merged),
            "summaries": [
                (kept, selectors.record_summary(person=kept)),
                (merged, selectors.record_summary(person=merged)),
            ],
            "not_moved": sorted(
                {str(plan.reason) for plan in merge_plan() if not plan.moved and not plan.relation.is_history}
            ),
        },
    )


# --- The region's deactivated people's open work --------------------------------------------------------------------


def open_work(request: AuthenticatedRequest, region_id: int) -> HttpResponse:
    scope = selectors.scope_get(user=request.user, region_id=region_id)
    if not scope.manages:
        raise PermissionDenied
    people = selectors.deactivated_people(scope=scope)
    return render(
        request,
        "people/open_work.html",
        {
            "region": scope.region,
            "work": selectors.open_work(user=request.user, region=scope.region, people=people),
            "back": reverse("people:open_work", args=[scope.region.pk]),
        },
    )
