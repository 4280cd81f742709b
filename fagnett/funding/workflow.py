"""The application workflow as one table (``core.workflow``): the services refuse by it, the application page shows
buttons by it.

draft → submitted (by the deadline) → endorsed by the fagsjef of the applicant's trust (or returned to draft) →
granted or declined by the region's coordinator. The permissions in ``funding/rules.py`` also name the status
they are held in (a draft is changed only by its applicant); the table says it again so that the services refuse a
stale page with the workflow's message.
"""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from fagnett.core.workflow import Step, Workflow
from fagnett.funding.models import Application

S = Application.Status


def _refusal(application: Application) -> str:
    return gettext("This step is not possible while the application is %(status)s.") % {
        "status": application.get_status_display().lower()
    }


def _call_accepts(application: Application) -> bool:
    """The call is open and its deadline (a whole day, Norwegian time) has not passed."""
    return application.call.accepts_applications(timezone.localdate())


def _call_refusal(application: Application) -> str:
    call = application.call
    if call.deadline_passed(timezone.localdate()):
        return gettext(
            "The deadline for %(call)s was %(date)s, so the application can no longer be submitted. Ask the "
            "regional coordinator whether the deadline can be extended."
        ) % {"call": call.title, "date": date_format(call.deadline, "DATE_FORMAT")}
    return gettext("%(call)s is closed: applications can no longer be submitted.") % {"call": call.title}


APPLICATION_WORKFLOW = Workflow(
    "applications",
    steps=(
        Step("change", sources=[S.DRAFT], perm="funding.change_application"),
        Step(
            "submit",
            sources=[S.DRAFT],
            perm="funding.submit_application",
            target=S.SUBMITTED,
            guard=_call_accepts,
            guard_message=_call_refusal,
        ),
        Step("endorse", sources=[S.SUBMITTED], perm="funding.endorse_application", target=S.ENDORSED),
        Step("return", sources=[S.SUBMITTED], perm="funding.endorse_application", target=S.DRAFT),
        Step("grant", sources=[S.ENDORSED], perm="funding.decide_application", target=S.GRANTED),
        Step("decline", sources=[S.ENDORSED], perm="funding.decide_application", target=S.DECLINED),
    ),
    refusal=_refusal,
)
