"""Factories for progress tests, on top of ``tests.factories``'s world and ``make_case``."""

import datetime
from typing import Any

from django.utils import timezone

from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.progress.models import ProgressReport, ReportingSchedule
from tests.factories import World


def make_task(
    world: World,
    *,
    status: str = Case.Status.IN_PROGRESS,
    schedule: tuple[int, str, datetime.date] | None = None,
    **kwargs: Any,
) -> Case:
    """A task from the region (oppdrag) assigned by the medical director, with ``schedule`` as
    (interval, unit, first due) when given."""
    kwargs.setdefault("due_date", timezone.localdate() + datetime.timedelta(days=180))
    kwargs.setdefault("title", "Vurdere intensivkapasiteten")
    case = make_case(world, status=status, source=Case.Source.RHF_TASK, submitted_by=world["director"], **kwargs)
    if schedule is not None:
        interval, unit, first_due = schedule
        ReportingSchedule.objects.create(
            case=case,
            interval=interval,
            unit=unit,
            first_due=first_due,
            set_by=world["director"],
            set_at=timezone.now(),
        )
    return case


def make_report(
    case: Case, by: Any, *, on: datetime.date, status: str = ProgressReport.Status.ON_TRACK, **kwargs: Any
) -> ProgressReport:
    """A progress report written at noon on ``on`` (local time)."""
    at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12)))
    return ProgressReport.objects.create(
        case=case,
        status=status,
        progress=kwargs.pop("progress", "Datainnsamlingen er i gang i alle HF."),
        risks=kwargs.pop("risks", ""),
        next_steps=kwargs.pop("next_steps", "Dimensjonere når tallene er inne."),
        reported_by=by,
        reported_at=at,
        **kwargs,
    )
