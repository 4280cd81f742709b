"""Demo progress on tasks: the Helse Nord ICU leaders' network reports quarterly on its first task, the capacity
assessment (seed 004, 2.2.2), and Helse Midt-Norge's emergency-plan task has a report overdue.

Run after the cases demo (it uses its tasks). Goes through the services, then dates the records back.
"""

import datetime

from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases.models import Case, CaseEvent
from fagnett.progress import services
from fagnett.progress.models import ProgressReport, ReportingSchedule

ICU_TASK = "Vurdering av intensivkapasiteten i Helse Nord"
HMN_TASK = "Regional beredskapsplan for intensivkapasitet"


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _task(title: str) -> list[Case]:
    return list(Case.objects.filter(title=title, source=Case.Source.RHF_TASK).order_by("pk"))


def _schedule(case: Case, user: User, *, interval: int, unit: str, first_due: datetime.date) -> None:
    """Set the schedule as if at the assignment."""
    schedule = services.schedule_set(user=user, case=case, interval=interval, unit=unit, first_due=first_due)
    ReportingSchedule.objects.filter(pk=schedule.pk).update(set_at=case.submitted_at)
    case.events.filter(kind=CaseEvent.Kind.SCHEDULE).update(at=case.submitted_at)


def _report(case: Case, user: User, at: datetime.datetime, **data: str) -> None:
    report = services.progress_report_submit(user=user, case=case, **data)
    ProgressReport.objects.filter(pk=report.pk).update(reported_at=at)
    event = case.events.filter(kind=CaseEvent.Kind.PROGRESS).order_by("-pk").first()
    assert event is not None
    CaseEvent.objects.filter(pk=event.pk).update(at=at)


def build() -> None:
    now = timezone.now()

    # --- Helse Nord: quarterly reports on the capacity assessment, the first a few weeks after the assignment -------
    # (The task was assigned about ten weeks ago; early in a year the cases demo keeps it within the year, so
    # the dates here are fractions of the time since.)
    (capacity,) = _task(ICU_TASK)
    leader = _user("leder-intensiv")
    since = now - capacity.submitted_at
    _schedule(
        capacity,
        _user("fagdirektor-nord"),
        interval=3,
        unit=ReportingSchedule.Unit.MONTHS,
        first_due=timezone.localdate(capacity.submitted_at + since * 0.45),
    )
    _report(
        capacity,
        leader,
        capacity.submitted_at + since * 0.4,
        status=ProgressReport.Status.ON_TRACK,
        progress="Rapporteringsrunden for K1, K2 og K3 er åpnet for alle fire HF-ene. UNN og Finnmarkssykehuset har "
        "levert normal drift og lavdrift.",
        risks="",
        next_steps="Purre Nordlandssykehuset og Helgelandssykehuset; dimensjonere med Erlang-modellen når tallene "
        "er inne.",
    )
    _report(
        capacity,
        leader,
        capacity.submitted_at + since * 0.85,
        status=ProgressReport.Status.AT_RISK,
        progress="Tall for alle scenarier er inne fra tre HF. Første dimensjonering viser for få bemannede K3-senger "
        "i lavdrift om sommeren.",
        risks="Helgelandssykehuset mangler tall for oppskalering. Verneombud og tillitsvalgte er ikke konsultert "
        "ennå; anbefalingen kan ikke gis før det er gjort.",
        next_steps="Møte med hovedverneombud og foretakstillitsvalgte i de fire HF-ene; utkast til vurdering på neste "
        "nettverksmøte.",
    )

    # --- Helse Midt-Norge: reports every four weeks on the emergency plan; the first, due a week in, is overdue ----
    director = _user("fagdirektor")
    yesterday = timezone.localdate(now) - datetime.timedelta(days=1)
    for case in _task(HMN_TASK):
        assigned = timezone.localdate(case.submitted_at)
        _schedule(
            case,
            director,
            interval=4,
            unit=ReportingSchedule.Unit.WEEKS,
            first_due=max(assigned, min(assigned + datetime.timedelta(days=7), yesterday)),
        )
