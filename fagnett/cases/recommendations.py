"""The ICU network's capacity recommendation between capacity, meetings and cases.

Capacity and meetings are independent domain apps and may not import each other; cases sits above both
(docs/ARCHITECTURE.md, "Layers"), so the steps that join them are here:

- ``recommendation_to_agenda``: the recommendation becomes an agenda item for decision, its text the proposed
  resolution (``meetings.services.agenda_item_add``), noted on the recommendation.
- ``record_meeting_decisions``: when minutes are approved (``meetings.signals.minutes_approved``, connected in
  ``CasesConfig.ready()``), the decision they record on such an item is kept on the recommendation with the minutes.
- ``recommendation_send``: the leader sends the decided recommendation to the medical director as a case of the
  network, escalated to the director at once (``services.case_submit_for_decision``); the director's decision on the
  case is what the recommendation's page shows as the director's.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.capacity import services as capacity_services
from fagnett.capacity.models import Recommendation
from fagnett.cases.models import Case
from fagnett.cases.services import case_submit_for_decision
from fagnett.core.permissions import require_perm
from fagnett.meetings import services as meeting_services
from fagnett.meetings.models import AgendaItem, Meeting, Minutes


def agenda_meetings(*, recommendation: Recommendation) -> QuerySet[Meeting]:
    """The assessing network's meetings the recommendation can be put on: not cancelled, minutes not started (the
    minutes take their sections from the agenda when they are started)."""
    return (
        Meeting.objects.filter(network=recommendation.round.network, minutes__isnull=True)
        .exclude(status=Meeting.Status.CANCELLED)
        .order_by("starts_at")
    )


def _wording(recommendation: Recommendation) -> tuple[str, str]:
    """The agenda item's title and description: the round, the criteria and any dissent, as the network wrote them."""
    title = _("ICU capacity: the network's recommendation, %(round)s") % {"round": recommendation.round.name}
    parts = [f"{label}: {text}" for label, text in recommendation.criteria if text]
    if recommendation.consensus is False:
        parts.append(
            _("Dissent (%(who)s): %(dissent)s") % {"who": recommendation.dissent_by, "dissent": recommendation.dissent}
        )
    return title[:300], "\n\n".join(parts)


@transaction.atomic
def recommendation_to_agenda(
    *, user: User, recommendation: Recommendation, meeting: Meeting, lock_version: int | None = None
) -> AgendaItem:
    """Put the recommendation on ``meeting``'s agenda as an item for decision."""
    require_perm(user, "capacity.write_recommendation", recommendation)
    if not agenda_meetings(recommendation=recommendation).filter(pk=meeting.pk).exists():
        raise ValidationError(
            {"meeting": _("Choose a meeting of the assessing network that is not cancelled and has no minutes yet.")}
        )
    if not recommendation.is_editable:
        raise ValidationError(_("The recommendation has been decided already."))
    title, description = _wording(recommendation)
    item = meeting_services.agenda_item_add(
        user=user,
        meeting=meeting,
        data={
            "title": title,
            "description": description,
            "item_type": AgendaItem.ItemType.DECISION,
            "proposed_resolution": recommendation.summary,
        },
    )
    capacity_services.recommendation_put_on_agenda(
        user=user, recommendation=recommendation, agenda_item=item, lock_version=lock_version
    )
    return item


def record_meeting_decisions(sender: Any, *, minutes: Minutes, **kwargs: Any) -> None:
    """Receiver of ``minutes_approved``: each recommendation on the approved minutes' agenda gets their decision."""
    items = {i.agenda_item_id: i for i in minutes.items.exclude(decision="")}
    if not items:
        return
    for recommendation in Recommendation.objects.filter(agenda_item_id__in=items):
        capacity_services.recommendation_record_meeting_decision(
            recommendation=recommendation,
            minutes=minutes,
            decision=items[recommendation.agenda_item_id].decision,  # type: ignore[index]
        )


@transaction.atomic
def recommendation_send(*, user: User, recommendation: Recommendation, lock_version: int | None = None) -> Case:
    """The leader sends the decided recommendation to the region's medical director as a case."""
    require_perm(user, "capacity.send_recommendation", recommendation)
    capacity_services.recommendation_check_sendable(recommendation)
    round_ = recommendation.round
    assert round_.network is not None  # a recommendation is written only for a round with an assessing network
    criteria = "\n\n".join(f"{label}: {text}" for label, text in recommendation.criteria if text)
    meeting = recommendation.decided_in.meeting if recommendation.decided_in else None
    description = "\n\n".join(
        part
        for part in (
            _("The ICU network's recommendation on the capacity of report round %(round)s.") % {"round": round_.name},
            _("Decided in the meeting %(meeting)s: %(decision)s")
            % {"meeting": meeting, "decision": recommendation.meeting_decision}
            if meeting
            else "",
            criteria,
        )
        if part
    )
    case = case_submit_for_decision(
        user=user,
        network=round_.network,
        title=(_("ICU capacity: recommendation, %(round)s") % {"round": round_.name})[:200],
        description=description,
        wanted=_("The medical director's decision on the network's recommendation."),
        recommendation=recommendation.summary,
        consensus=bool(recommendation.consensus),
        other_view=(
            ""
            if recommendation.consensus
            else _("%(who)s: %(dissent)s") % {"who": recommendation.dissent_by, "dissent": recommendation.dissent}
        ),
    )
    capacity_services.recommendation_mark_sent(
        user=user, recommendation=recommendation, case=case, lock_version=lock_version
    )
    return case
