"""The ICU network's capacity recommendation put on a meeting's agenda and sent to the medical director
(``cases.recommendations``): the pages are the cases app's, as the steps join capacity, meetings and cases."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from fagnett.access import AuthenticatedRequest
from fagnett.capacity import selectors as capacity_selectors
from fagnett.capacity.models import Recommendation
from fagnett.cases import recommendations
from fagnett.core.exceptions import ConflictError
from fagnett.core.forms import model_choice
from fagnett.core.locking import VersionedForm
from fagnett.core.views_helpers import add_service_errors, one_button_step


class AgendaMeetingForm(VersionedForm):
    meeting: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Meeting"),
        queryset=None,
        help_text=gettext_lazy(
            "The network's meetings that are not cancelled and have no minutes yet. The item is for decision, with "
            "the recommendation as the proposed resolution."
        ),
    )

    def __init__(self, *args: Any, meetings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "meeting").queryset = meetings


def _recommendation(request: AuthenticatedRequest, round_id: int, perm: str) -> Recommendation:
    round_ = capacity_selectors.recommendation_round(user=request.user, round_id=round_id)
    recommendation = capacity_selectors.recommendation_for(round_=round_)
    if recommendation is None:
        raise Http404
    if not request.user.has_perm(perm, recommendation):
        raise PermissionDenied
    return recommendation


@require_http_methods(["GET", "POST"])
def recommendation_agenda(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    recommendation = _recommendation(request, round_id, "capacity.write_recommendation")
    meetings = recommendations.agenda_meetings(recommendation=recommendation)
    form = AgendaMeetingForm(
        request.POST or None, meetings=meetings, initial={"lock_version": recommendation.lock_version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = recommendations.recommendation_to_agenda(
                user=request.user,
                recommendation=recommendation,
                meeting=form.cleaned_data["meeting"],
                lock_version=form.version,
            )
        except ConflictError:
            form.add_error(None, _("Someone changed the recommendation meanwhile: read it again, then try again."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The recommendation is on the agenda of %(meeting)s as an item for decision.")
                % {"meeting": item.meeting},
            )
            return redirect(recommendation)
    return render(
        request,
        "cases/recommendation_agenda.html",
        {"recommendation": recommendation, "round": recommendation.round, "form": form},
    )


@require_POST
def recommendation_send(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    recommendation = _recommendation(request, round_id, "capacity.send_recommendation")
    one_button_step(
        request,
        lambda version: recommendations.recommendation_send(
            user=request.user, recommendation=recommendation, lock_version=version
        ),
        done=_("The recommendation was sent to the medical director as a case."),
        conflict=_("Someone changed the recommendation meanwhile: read it again before you send it."),
    )
    return redirect(recommendation)
