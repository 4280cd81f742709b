"""Changes to meetings, agendas, attendance, minutes and action items, one module per subject.

Each service is one transaction, checks permission, and leaves an audit trail (django-simple-history).
Invitations and other mail leave only after the transaction has committed. The package re-exports every service,
so callers keep writing ``from fagnett.meetings import services`` and ``services.minutes_approve(...)``.
"""

from fagnett.meetings.services.action_items import (
    action_item_close,
    action_item_create,
    action_item_reassign,
    action_item_reopen,
)
from fagnett.meetings.services.agenda import (
    CaseItem,
    agenda_add_case_items,
    agenda_add_standard_items,
    agenda_item_add,
    agenda_item_delete,
    agenda_item_move,
    agenda_item_update,
    document_attach,
    document_delete,
)
from fagnett.meetings.services.attendance import attendance_record, attendance_reply
from fagnett.meetings.services.feeds import (
    calendar_feed_create,
    calendar_feed_regenerate,
    calendar_feed_revoke,
    calendar_feeds_revoke_all,
)
from fagnett.meetings.services.minutes import (
    NewActionItem,
    minutes_approve,
    minutes_circulate,
    minutes_comment,
    minutes_correct,
    minutes_no_remarks,
    minutes_save,
    minutes_start,
)
from fagnett.meetings.services.planning import (
    MEETING_FIELDS,
    SIGNIFICANT_FIELDS,
    PlannedMeeting,
    meeting_cancel,
    meeting_plan_year,
    meeting_send_invitations,
    meeting_update,
    send_calendar_mail,
)

__all__ = [
    "MEETING_FIELDS",
    "SIGNIFICANT_FIELDS",
    "CaseItem",
    "NewActionItem",
    "PlannedMeeting",
    "action_item_close",
    "action_item_create",
    "action_item_reassign",
    "action_item_reopen",
    "agenda_add_case_items",
    "agenda_add_standard_items",
    "agenda_item_add",
    "agenda_item_delete",
    "agenda_item_move",
    "agenda_item_update",
    "attendance_record",
    "attendance_reply",
    "calendar_feed_create",
    "calendar_feed_regenerate",
    "calendar_feed_revoke",
    "calendar_feeds_revoke_all",
    "document_attach",
    "document_delete",
    "meeting_cancel",
    "meeting_plan_year",
    "meeting_send_invitations",
    "meeting_update",
    "minutes_approve",
    "minutes_circulate",
    "minutes_comment",
    "minutes_correct",
    "minutes_no_remarks",
    "minutes_save",
    "minutes_start",
    "send_calendar_mail",
]
