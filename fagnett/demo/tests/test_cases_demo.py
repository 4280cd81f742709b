import pytest

from fagnett.cases.models import ANSWERED_STATUSES, Case, CommonCase

pytestmark = pytest.mark.django_db


def test_the_demo_has_cases_in_every_state_tasks_and_the_two_common_cases(demo: None) -> None:
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses >= {"received", "accepted", "in_progress", "declined", "escalated", "decision_recorded", "closed"}
    assert Case.objects.filter(network__isnull=True).count() == 1  # waiting for the coordinator
    assert Case.objects.filter(source=Case.Source.RHF_TASK).count() == 3
    assert Case.objects.filter(source=Case.Source.TRUST).exists()
    assert CommonCase.objects.count() == 2
    for common in CommonCase.objects.all():
        total = common.cases.count()
        answered = common.cases.filter(status__in=ANSWERED_STATUSES).count()
        assert total >= 30
        assert 0 < answered < total
    # numbers run per network and year without gaps
    for network_id, year in Case.objects.exclude(network=None).values_list("network", "year").distinct():
        numbers = sorted(Case.objects.filter(network=network_id, year=year).values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))
    # the timelines are in order and start when the case was submitted
    for case in Case.objects.prefetch_related("events"):
        times = [e.at for e in case.events.all()]
        assert times == sorted(times)
        assert times[0] == case.submitted_at
