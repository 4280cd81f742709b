import pytest
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases.models import ANSWERED_STATUSES, OPEN_STATUSES, Case, Consultation
from fagnett.progress import demo as progress_demo
from fagnett.progress.models import ProgressReport
from fagnett.progress.selectors import task_overview

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo: None) -> None:
    if not ProgressReport.objects.exists():  # until the builder calls the progress demo itself
        progress_demo.build()


def test_the_icu_network_reports_quarterly_on_its_capacity_task_and_a_hmn_report_is_overdue(demo: None) -> None:
    today = timezone.localdate()
    capacity = Case.objects.get(title="Vurdering av intensivkapasiteten i Helse Nord")
    schedule = capacity.reporting_schedule
    assert (schedule.interval, schedule.unit) == (3, "months")
    assert list(capacity.progress_reports.values_list("status", flat=True)) == ["at_risk", "on_track"]

    nord = task_overview(user=User.objects.get(username="fagdirektor-nord"), today=today)
    assert [(row.case.title, row.overdue) for row in nord] == [("Vurdering av intensivkapasiteten i Helse Nord", False)]
    assert nord[0].latest is not None and nord[0].latest.status == "at_risk"
    assert [row.case for row in task_overview(user=User.objects.get(username="leder-intensiv"), today=today)] == [
        capacity
    ]

    hmn = task_overview(user=User.objects.get(username="fagdirektor"), today=today)
    assert any(row.overdue for row in hmn)
    assert {row.case.title for row in hmn if row.overdue} == {"Regional beredskapsplan for intensivkapasitet"}


def test_every_recommendation_has_its_consultations_and_an_open_case_waits_for_some(demo: None) -> None:
    answered = Case.objects.filter(status__in=ANSWERED_STATUSES).exclude(recommendation="")
    assert answered.count() > 10
    for case in answered.prefetch_related("consultations"):
        consultations = list(case.consultations.all())
        assert len(consultations) == 3, case
        assert not any(c.is_open for c in consultations), case
        assert all(c.not_required_reason for c in consultations if not c.required)
        assert all(c.consulted_on and c.consulted and c.outcome for c in consultations if c.required)
    waiting = Consultation.objects.filter(required=True, status="open", case__status__in=OPEN_STATUSES)
    capacity_kinds = set(
        waiting.filter(case__title="Vurdering av intensivkapasiteten i Helse Nord").values_list("kind", flat=True)
    )
    assert capacity_kinds == {"safety_service", "union_representatives"}
    # consultation dates follow the backdated timeline and are never in the future
    assert not Consultation.objects.filter(consulted_on__gt=timezone.localdate()).exists()
