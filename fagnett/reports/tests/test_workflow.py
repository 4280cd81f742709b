"""The annual reports' workflow tables against the services and the report pages: for every status and step, the
service refuses exactly when the table says the step is not possible, and the page offers the step exactly when
``NETWORK_REPORT_WORKFLOW.available`` / ``REGIONAL_REPORT_WORKFLOW.available`` says so."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fagnett.reports import services
from fagnett.reports.models import NetworkReport, RegionalReport
from fagnett.reports.tests.factories import complete_draft
from fagnett.reports.workflow import NETWORK_REPORT_WORKFLOW, REGIONAL_REPORT_WORKFLOW
from tests.factories import World

pytestmark = pytest.mark.django_db

S = NetworkReport.Status
YEAR = 2025  # over, so the guard holds
Call = Callable[[NetworkReport, Any, World], Any]

STEPS: dict[str, tuple[str, Call]] = {
    "save": (
        "leader",
        lambda r, u, w: services.network_report_save(
            user=u,
            report=r,
            data={"priorities": "Regionale prosedyrer."},
            rankings=[w.tasks[0]],
            worked_well_points=[],
            improve_points=[],
            lock_version=r.lock_version,
        ),
    ),
    "submit": ("leader", lambda r, u, w: services.network_report_submit(user=u, report=r)),
    "accept": ("coordinator", lambda r, u, w: services.network_report_accept(user=u, report=r)),
    "return": ("coordinator", lambda r, u, w: services.network_report_return(user=u, report=r, reason="Mer")),
}

BUTTONS = {
    "save": "reports:network_report_edit",
    "submit": "reports:network_report_submit",
    "accept": "reports:network_report_accept",
}


def _at(world: World, status: str) -> NetworkReport:
    NetworkReport.objects.filter(network=world.network, year=YEAR).delete()
    report = complete_draft(world.network, world.tasks[0], YEAR)
    NetworkReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    return report


def test_every_step_of_the_table_is_tested() -> None:
    assert set(STEPS) == {step.name for step in NETWORK_REPORT_WORKFLOW.steps}
    assert set(BUTTONS) == set(STEPS) - {"return"}  # on the accept button's page


@pytest.mark.parametrize("status", S.values)
def test_services_refuse_exactly_when_the_table_says(world: World, status: str) -> None:
    for name, (role, call) in STEPS.items():
        report = _at(world, status)
        user = world[role]
        assert NETWORK_REPORT_WORKFLOW.may(user, name, report), name
        expected = NETWORK_REPORT_WORKFLOW.allows(name, report)
        assert expected == (status in NETWORK_REPORT_WORKFLOW.sources(name)), name
        try:
            call(report, user, world)
        except ValidationError:
            refused = True
        else:
            refused = False
        assert refused is not expected, (name, status)
        report.refresh_from_db()
        target = NETWORK_REPORT_WORKFLOW[name].target
        assert report.status == ((target or status) if expected else status), (name, status)


def test_this_years_report_is_not_submitted_by_the_guard(world: World) -> None:
    report = complete_draft(world.network, world.tasks[0], 2999)
    assert not NETWORK_REPORT_WORKFLOW.available(world["leader"], report)["submit"]
    with pytest.raises(ValidationError):
        services.network_report_submit(user=world["leader"], report=report)


@pytest.mark.parametrize("status", S.values)
def test_the_page_offers_exactly_the_available_steps(world: World, client: Client, status: str) -> None:
    report = _at(world, status)
    for role in ("leader", "secretary", "coordinator", "director"):
        user = world[role]
        client.force_login(user)
        response = client.get(reverse("reports:network_report", args=[world.network.pk, YEAR]))
        assert response.status_code == 200
        available = NETWORK_REPORT_WORKFLOW.available(user, report)
        page = response.content.decode()
        for name, url_name in BUTTONS.items():
            url = reverse(url_name, args=[world.network.pk, YEAR])
            assert (f'"{url}"' in page) is available[name], (name, status, role)


# --- The region's report ---------------------------------------------------------------------------------------

R = RegionalReport.Status
RegionalCall = Callable[[RegionalReport, Any], Any]

REGIONAL_STEPS: dict[str, tuple[str, RegionalCall]] = {
    "save": (
        "coordinator",
        lambda r, u: services.regional_report_save(
            user=u, report=r, data={"introduction": "Innledning."}, lock_version=r.lock_version
        ),
    ),
    "approve": (
        "director",
        lambda r, u: services.regional_report_approve(
            user=u, report=r, approved_on=timezone.localdate(), approved_by_body="Regionalt fagdirektørnettverk"
        ),
    ),
    "new_version": ("coordinator", lambda r, u: services.regional_report_new_version(user=u, report=r)),
}

REGIONAL_BUTTONS = {
    "save": "reports:regional_report_edit",
    "approve": "reports:regional_report_approve",
    "new_version": "reports:regional_report_new_version",
}

#: A draft (always the newest version); an approved newest version; an approved version a newer draft follows.
REGIONAL_SITUATIONS = [(R.DRAFT, True), (R.APPROVED, True), (R.APPROVED, False)]


def _regional_at(world: World, status: str, newest: bool) -> RegionalReport:
    RegionalReport.objects.filter(region=world.region_a, year=YEAR).delete()
    report = services.regional_report_start(user=world["coordinator"], region=world.region_a, year=YEAR)
    if status == R.APPROVED:
        report = REGIONAL_STEPS["approve"][1](report, world["director"])
        if not newest:
            services.regional_report_new_version(user=world["coordinator"], report=report)
    report.refresh_from_db()
    assert report.status == status
    return report


def _newest(report: RegionalReport) -> RegionalReport:
    return RegionalReport.objects.filter(region=report.region, year=report.year).latest("version")


def test_every_step_of_the_regional_table_is_tested() -> None:
    assert set(REGIONAL_STEPS) == set(REGIONAL_BUTTONS) == {step.name for step in REGIONAL_REPORT_WORKFLOW.steps}


@pytest.mark.parametrize(("status", "newest"), REGIONAL_SITUATIONS)
def test_the_regional_services_refuse_exactly_when_the_table_says(world: World, status: str, newest: bool) -> None:
    for name, (role, call) in REGIONAL_STEPS.items():
        report = _regional_at(world, status, newest)
        user = world[role]
        assert REGIONAL_REPORT_WORKFLOW.may(user, name, report), name
        # A new version follows the newest version, whichever version the page shows: the table is asked on that.
        asked = _newest(report) if name == "new_version" else report
        expected = REGIONAL_REPORT_WORKFLOW.allows(name, asked)
        versions = RegionalReport.objects.filter(region=world.region_a, year=YEAR).count()
        try:
            call(report, user)
        except ValidationError:
            refused = True
        else:
            refused = False
        assert refused is not expected, (name, status, newest)
        report.refresh_from_db()
        target = REGIONAL_REPORT_WORKFLOW[name].target
        assert report.status == ((target or status) if expected else status), (name, status, newest)
        made = RegionalReport.objects.filter(region=world.region_a, year=YEAR).count() - versions
        assert made == (name == "new_version" and expected), (name, status, newest)


@pytest.mark.parametrize(("status", "newest"), REGIONAL_SITUATIONS)
def test_the_regional_page_offers_exactly_the_available_steps(
    world: World, client: Client, status: str, newest: bool
) -> None:
    report = _regional_at(world, status, newest)
    shown = 0
    for role in ("coordinator", "director", "leader", "member", "coordinator_b"):
        user = world[role]
        client.force_login(user)
        response = client.get(report.get_absolute_url())
        available = REGIONAL_REPORT_WORKFLOW.available(user, report)
        if response.status_code != 200:
            assert response.status_code in (403, 404), role
            assert not any(available.values()), role  # who cannot read the report takes no step on it
            continue
        shown += 1
        page = response.content.decode()
        offered = {**available, "new_version": available["new_version"] and newest}
        for name, url_name in REGIONAL_BUTTONS.items():
            url = reverse(url_name, args=[world.region_a.pk, YEAR])
            assert (f'"{url}' in page) is offered[name], (name, status, newest, role)
    assert shown >= 2  # the coordinator and the director read every version
