"""The case workflow as one table (``core.workflow``): the services refuse by it, the case page shows buttons by it.

received → accepted / declined → in progress → on an agenda → recommendation given → closed; without consensus,
recommendation → escalated → decision recorded → closed. A case submitted without a network is routed while it is
received. Consultations are recorded and a responsible person named while the case is worked on.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fagnett.cases.models import Case
from fagnett.core.workflow import Step, Workflow

S = Case.Status

#: While the network works on the case: a recommendation can be given and consultations recorded.
WORKED_ON = (S.ACCEPTED, S.IN_PROGRESS, S.ON_AGENDA)


def _refusal(case: Case) -> str:
    return gettext("This step is not possible while the case is %(status)s.") % {
        "status": case.get_status_display().lower()
    }


def _routed(case: Case) -> bool:
    return case.network_id is not None


def _unrouted(case: Case) -> bool:
    return case.network_id is None


_NOT_ROUTED = _("This case has already been routed.")
_NO_NETWORK = _("The responsible person must be appointed in the network.")

CASE_WORKFLOW = Workflow(
    "cases",
    steps=(
        Step("route", sources=[S.RECEIVED], perm="cases.route_case", guard=_unrouted, guard_message=_NOT_ROUTED),
        # A case not routed yet has no network to answer it (nobody holds respond_case on it either).
        Step(
            "accept",
            sources=[S.RECEIVED],
            perm="cases.respond_case",
            target=S.ACCEPTED,
            guard=_routed,
            guard_message=_refusal,
        ),
        Step(
            "decline",
            sources=[S.RECEIVED],
            perm="cases.respond_case",
            target=S.DECLINED,
            guard=_routed,
            guard_message=_refusal,
        ),
        Step("start", sources=[S.ACCEPTED], perm="cases.work_case", target=S.IN_PROGRESS),
        Step(
            "set_responsible",
            sources=WORKED_ON,
            perm="cases.work_case",
            guard=_routed,
            guard_message=_NO_NETWORK,
            guard_field="responsible",
        ),
        Step("set_on_agenda", sources=[S.ACCEPTED, S.IN_PROGRESS], perm="cases.set_on_agenda", target=S.ON_AGENDA),
        Step("consult", sources=WORKED_ON, perm="cases.consult_case"),
        Step("recommend", sources=WORKED_ON, perm="cases.recommend_case", target=S.RECOMMENDATION_GIVEN),
        Step("escalate", sources=WORKED_ON, perm="cases.recommend_case", target=S.ESCALATED),
        Step("decide", sources=[S.ESCALATED], perm="cases.record_decision", target=S.DECISION_RECORDED),
        Step("close", sources=[S.RECOMMENDATION_GIVEN, S.DECISION_RECORDED], perm="cases.close_case", target=S.CLOSED),
    ),
    refusal=_refusal,
)
