"""Thin views for meetings: parse the form, call one service or selector, render. One module per subject; the
package re-exports every view for ``urls.py``.
"""

from fagnett.meetings.views.action_items import action_item_reassign, my_action_items
from fagnett.meetings.views.agenda import (
    agenda_item_add,
    agenda_item_delete,
    agenda_item_move,
    agenda_item_update,
    agenda_standard,
    document_delete,
    document_download,
    document_upload,
)
from fagnett.meetings.views.attendance import attendance
from fagnett.meetings.views.feeds import (
    calendar_feed_ics,
    calendar_feed_regenerate,
    calendar_feed_revoke,
    calendar_feeds,
)
from fagnett.meetings.views.followup import (
    action_item_close,
    action_item_reopen,
    network_followup,
    network_followup_export,
)
from fagnett.meetings.views.meeting import (
    attendance_reply,
    meeting_cancel,
    meeting_detail,
    meeting_export,
    meeting_invite,
    meeting_pack,
    meeting_update,
)
from fagnett.meetings.views.minutes import (
    minutes_approve,
    minutes_circulate,
    minutes_comment,
    minutes_correct,
    minutes_detail,
    minutes_export,
    minutes_no_remarks,
    minutes_start,
)
from fagnett.meetings.views.planning import network_meetings, plan_year, region_overview

__all__ = [
    "action_item_close",
    "action_item_reassign",
    "action_item_reopen",
    "agenda_item_add",
    "agenda_item_delete",
    "agenda_item_move",
    "agenda_item_update",
    "agenda_standard",
    "attendance",
    "attendance_reply",
    "calendar_feed_ics",
    "calendar_feed_regenerate",
    "calendar_feed_revoke",
    "calendar_feeds",
    "document_delete",
    "document_download",
    "document_upload",
    "meeting_cancel",
    "meeting_detail",
    "meeting_export",
    "meeting_invite",
    "meeting_pack",
    "meeting_update",
    "minutes_approve",
    "minutes_circulate",
    "minutes_comment",
    "minutes_correct",
    "minutes_detail",
    "minutes_export",
    "minutes_no_remarks",
    "minutes_start",
    "my_action_items",
    "network_followup",
    "network_followup_export",
    "network_meetings",
    "plan_year",
    "region_overview",
]
