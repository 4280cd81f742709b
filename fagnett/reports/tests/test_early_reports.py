"""Why a network's report cannot be submitted yet, and the coordinator's early reporting in December."""

import datetime
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from fagnett.accounts.models import User
from fagnett.core.mail import site_url
from fagnett.meetings.models import Meeting
from fagnett.organisations.models import Region
from fagnett.reports import services
from fagnett.reports.models import NetworkReport
from fagnett.reports.tests.factories import at, complete_draft, meeting
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
NOT_OVER = "The year 2026 is not over: the report can be submitted from 1 January 2027."
NOT_ALLOWED = "The region's coordinator has not allowed reports to be submitted in December."


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime.date], None]:
    """Fix the date services and pages see as today (``timezone.localdate()`` without a value)."""
    real = timezone.localdate

    def set_today(day: datetime.date) -> None:
        def localdate(value: datetime.datetime | None = None, timezone: object = None) -> datetime.date:
            return day if value is None else real(value, timezone)  # type: ignore[arg-type]

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return set_today


@pytest.fixture
def english(world: World) -> None:
    User.objects.filter(pk__in=[u.pk for u in world.people.values()]).update(language="en")


def _reasons(report: NetworkReport) -> list[str]:
    with translation.override("en"):
        report.refresh_from_db()
        return services.submission_blockers(report)


def _refused(world: World, report: NetworkReport) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.network_report_submit(user=world["leader"], report=report)
    return error.value.messages


def _allow_early(world: World) -> None:
    Region.objects.filter(pk=world.network.region_id).update(early_network_reports=True)


def test_mid_year_the_year_not_being_over_is_the_reason(world: World, today) -> None:  # type: ignore[no-untyped-def]
    today(datetime.date(2026, 6, 15))
    report = complete_draft(world.network, world.tasks[0], year=2026)
    _allow_early(world)  # early reporting is for December only
    assert _reasons(report) == [NOT_OVER]
    assert _refused(world, report) == [NOT_OVER]
    assert NetworkReport.objects.get().status == "draft"


def test_an_incomplete_report_before_the_year_is_over_gives_every_reason(world: World, today) -> None:  # type: ignore[no-untyped-def]
    today(datetime.date(2026, 6, 15))
    report = services.network_report_start(user=world["leader"], network=world.network, year=2026)
    reasons = _refused(world, report)
    assert reasons[0] == NOT_OVER
    assert "Write the priorities for next year." in reasons and len(reasons) == 6


def test_in_december_without_the_coordinators_leave_it_waits(world: World, today) -> None:  # type: ignore[no-untyped-def]
    today(datetime.date(2026, 12, 15))
    report = complete_draft(world.network, world.tasks[0], year=2026)
    assert _refused(world, report) == [NOT_OVER, NOT_ALLOWED]


def test_in_december_with_leave_it_waits_for_the_last_meeting_then_goes(world: World, today) -> None:  # type: ignore[no-untyped-def]
    today(datetime.date(2026, 12, 15))
    _allow_early(world)
    Meeting.objects.bulk_create(
        [
            meeting(world.network, at(2026, 3, 10)),
            meeting(world.network, at(2026, 12, 8), status=Meeting.Status.INVITED),
            meeting(world.network, at(2026, 12, 1), status=Meeting.Status.CANCELLED),
            meeting(world.network, at(2027, 2, 9), status=Meeting.Status.PLANNED),  # next year's: no matter
        ]
    )
    report = complete_draft(world.network, world.tasks[0], year=2026)
    reasons = _refused(world, report)
    assert reasons[0] == NOT_OVER
    with translation.override("en"):
        day = formats.date_format(datetime.date(2026, 12, 8), "DATE_FORMAT")
    assert f"the meeting on {day} is not marked as held" in reasons[1]

    Meeting.objects.filter(starts_at=at(2026, 12, 8)).update(status=Meeting.Status.HELD)
    assert _reasons(report) == []
    submitted = services.network_report_submit(user=world["leader"], report=report)
    assert submitted.status == "submitted"
    assert submitted.facts["meetings"]["held"] == 2


def test_a_past_years_report_has_no_time_reason(world: World, today) -> None:  # type: ignore[no-untyped-def]
    today(datetime.date(2026, 6, 15))
    report = complete_draft(world.network, world.tasks[0], year=2025)
    assert _reasons(report) == []


def test_the_page_says_why_it_cannot_be_submitted(world: World, login_as: LoginAs, english: None, today) -> None:  # type: ignore[no-untyped-def]
    today(datetime.date(2026, 6, 15))
    complete_draft(world.network, world.tasks[0], year=2026)
    url = reverse("reports:network_report", args=[world.network.pk, 2026])
    page = login_as("leader").get(url)
    assert page.context["blockers"] == [NOT_OVER]
    assert not page.context["can_submit"]
    html = page.content.decode()
    assert 'id="missing-list"' in html and NOT_OVER in html
    # A member, who may not submit, is not told what the leader must do.
    assert login_as("member").get(url).context["blockers"] == []


def test_the_coordinator_switches_early_reporting_and_history_says_who(world: World, login_as: LoginAs) -> None:
    url = reverse("reports:early_reports", args=[world.network.region_id])
    assert login_as("leader").post(url, {"allowed": "1"}).status_code in (403, 404)
    region = Region.objects.get(pk=world.network.region_id)
    assert not region.early_network_reports

    client = login_as("coordinator")
    assert client.post(url, {"allowed": "1"}).status_code == 302
    region.refresh_from_db()
    assert region.early_network_reports
    latest = region.history.latest()
    assert (latest.early_network_reports, latest.history_user) == (True, world["coordinator"])
    assert client.post(url, {"allowed": "0"}).status_code == 302
    region.refresh_from_db()
    assert not region.early_network_reports
    assert region.history.count() == 3  # created, allowed, stopped

    other = reverse("reports:early_reports", args=[world.region_b.pk])
    assert client.post(other, {"allowed": "1"}).status_code == 404
    assert not Region.objects.get(pk=world.region_b.pk).early_network_reports


def test_allowing_early_reporting_tells_the_networks_leaders_and_secretaries(
    world: World, login_as: LoginAs, django_capture_on_commit_callbacks
) -> None:
    url = reverse("reports:early_reports", args=[world.network.region_id])
    client = login_as("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"allowed": "1"}).status_code == 302
    told = sorted(m.to[0] for m in mail.outbox)
    assert world["leader"].email in told and world["secretary"].email in told
    assert world["member"].email not in told and world["coordinator"].email not in told
    message = next(m for m in mail.outbox if m.to == [world["leader"].email])
    assert "kan sendes inn i desember" in message.subject
    assert f"{site_url()}/annual-reports/" in message.body
    # Stopping it again, or allowing what is already allowed, tells nobody.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"allowed": "1"})
        client.post(url, {"allowed": "0"})
    assert mail.outbox == []
