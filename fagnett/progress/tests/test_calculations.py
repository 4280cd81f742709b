import datetime

import pytest

from fagnett.progress.calculations import add_interval, add_months, is_overdue, next_due

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 15), 3, D(2026, 4, 15)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),  # the month's last day when the day does not exist
        (D(2027, 11, 30), 3, D(2028, 2, 29)),  # leap year
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2026, 12, 1), 12, D(2027, 12, 1)),
    ],
)
def test_months_are_calendar_months(day: datetime.date, months: int, expected: datetime.date) -> None:
    assert add_months(day, months) == expected


def test_weeks_are_seven_days() -> None:
    assert add_interval(D(2026, 3, 2), 2, "weeks") == D(2026, 3, 16)
    assert add_interval(D(2026, 3, 2), 2, "months") == D(2026, 5, 2)


def test_the_first_report_is_due_on_the_first_date_then_one_interval_after_the_last() -> None:
    schedule = {"first_due": D(2026, 3, 1), "interval": 3, "unit": "months"}
    assert next_due(**schedule, last_reported_on=None) == D(2026, 3, 1)
    assert next_due(**schedule, last_reported_on=D(2026, 3, 10)) == D(2026, 6, 10)  # late: counted from the report
    assert next_due(**schedule, last_reported_on=D(2026, 2, 20)) == D(2026, 5, 20)  # just early
    # a report long before the first date does not move the first date forward
    assert next_due(first_due=D(2026, 3, 1), interval=2, unit="weeks", last_reported_on=D(2026, 1, 5)) == D(2026, 3, 1)


def test_overdue_is_after_the_due_date() -> None:
    assert not is_overdue(None, D(2026, 3, 1))
    assert not is_overdue(D(2026, 3, 1), D(2026, 3, 1))
    assert is_overdue(D(2026, 3, 1), D(2026, 3, 2))
