"""Who may set a task's reporting schedule, write progress reports and read them (django-rules).

The object is always the task's ``Case``. Every predicate reads ``access_for(user)`` and the case's columns.
"""

import rules

from fagnett.cases.rules import can_view, is_coordinator, is_director, leads_case_network

# The people who may assign tasks set and change their schedule.
rules.add_perm("progress.set_schedule", is_coordinator | is_director)
# The network's leader and secretary report to the medical director.
rules.add_perm("progress.report_progress", leads_case_network)
rules.add_perm("progress.view_progress", can_view)
