"""The minutes' workflow as one table (``core.workflow``): the services refuse by it, the minutes page shows buttons
by it.

draft (written by the network's leader and secretary, or the coordinator) → circulated to the members for comments
→ approved and locked, by the leader or recorded as approved at the next meeting. First minutes are circulated
before the leader approves them; a correction (a new version of approved minutes) may be approved by the leader
without circulating again. Approved minutes are corrected as a new version, from the newest version only. The
permissions are asked on the minutes (``meetings/rules.py`` finds their network).
"""

from django.utils.translation import gettext_lazy as _

from fagnett.core.workflow import Step, Workflow
from fagnett.meetings.models import Minutes

S = Minutes.Status


def _circulated_or_a_correction(minutes: Minutes) -> bool:
    """The leader approves first minutes only after the members have had them for comments."""
    return not (minutes.status == S.DRAFT and minutes.version == 1)


def _newest(minutes: Minutes) -> bool:
    return not Minutes.objects.filter(meeting_id=minutes.meeting_id, version__gt=minutes.version).exists()


_ALREADY_APPROVED = _("These minutes are already approved.")

MINUTES_WORKFLOW = Workflow(
    "minutes",
    steps=(
        Step(
            "save",
            sources=[S.DRAFT, S.CIRCULATED],
            perm="meetings.manage_meetings",
            refusal=_("Approved minutes are locked. Make a correction as a new version."),
        ),
        Step(
            "circulate",
            sources=[S.DRAFT],
            perm="meetings.manage_meetings",
            target=S.CIRCULATED,
            refusal=_("Only a draft can be circulated."),
        ),
        Step(
            "comment",
            sources=[S.CIRCULATED],
            perm="meetings.comment_minutes",
            refusal=_("Comments are taken while the minutes are circulated."),
        ),
        # Approval by the leader (approved_via "leader").
        Step(
            "approve",
            sources=[S.DRAFT, S.CIRCULATED],
            perm="meetings.approve_minutes",
            target=S.APPROVED,
            refusal=_ALREADY_APPROVED,
            guard=_circulated_or_a_correction,
            guard_message=_("Circulate the minutes for comments before they are approved."),
        ),
        # The leader or secretary records that the next meeting approved them (approved_via "meeting").
        Step(
            "record_approval",
            sources=[S.DRAFT, S.CIRCULATED],
            perm="meetings.record_meeting_approval",
            target=S.APPROVED,
            refusal=_ALREADY_APPROVED,
        ),
        # A correction is a new version; these minutes stay approved as they were.
        Step(
            "correct",
            sources=[S.APPROVED],
            perm="meetings.manage_meetings",
            refusal=_("Only approved minutes are corrected as a new version; edit the draft instead."),
            guard=_newest,
            guard_message=_("A newer version exists; correct that one."),
        ),
    ),
)


def approval_step(via: str) -> str:
    """The step an approval ``via`` the leader or a meeting is (``Minutes.ApprovedVia``)."""
    return "approve" if via == Minutes.ApprovedVia.LEADER else "record_approval"
