"""When the next progress report on a task is due: pure date arithmetic, no database.

The first report is due on the schedule's first date. After that, the next report is due one interval after
the last report, but never before the first date (a report written early, before the first due date, does
not move the first date forward). Reporting ends when the task is no longer open or the last report says done.
"""

import calendar
import datetime


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved ``months`` months on, on the same day of the month or the month's last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_interval(day: datetime.date, interval: int, unit: str) -> datetime.date:
    if unit == "weeks":
        return day + datetime.timedelta(weeks=interval)
    return add_months(day, interval)


def next_due(
    *, first_due: datetime.date, interval: int, unit: str, last_reported_on: datetime.date | None
) -> datetime.date:
    if last_reported_on is None:
        return first_due
    return max(first_due, add_interval(last_reported_on, interval, unit))


def is_overdue(due: datetime.date | None, today: datetime.date) -> bool:
    """Past the due date with no report since (``due`` is computed from the last report)."""
    return due is not None and due < today
