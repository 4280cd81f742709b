import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from fagnett.core.exceptions import ConflictError
from fagnett.meetings.models import Meeting
from fagnett.networks.models import AppointmentRole, TaskListItem
from fagnett.reports import services, statistics
from fagnett.reports.models import NetworkReport, ReflectionPoint, RegionalReport
from fagnett.reports.tests.factories import at, complete_draft, make_point, make_report, meeting
from tests.factories import World, appoint, make_user

pytestmark = pytest.mark.django_db

YEAR = 2025
TEXT = {
    "registry_data_reviewed": True,
    "registry_data_note": "Gjennomgått data fra Norsk intensivregister.",
    "central_work": "Prosedyrer for sedasjon.",
    "worked_well": "",
    "improve": "Flere saker fra alle HF.",
    "priorities": "Regionale prosedyrer.",
}


def save(
    world: World,
    report: NetworkReport,
    role: str = "leader",
    *,
    rankings: list[TaskListItem | None] | None = None,
    well_points: list[ReflectionPoint] | None = None,
    improve_points: list[ReflectionPoint] | None = None,
    lock_version: int | None = None,
    **data: Any,
) -> NetworkReport:
    return services.network_report_save(
        user=world[role],
        report=report,
        data={**TEXT, **data},
        rankings=rankings if rankings is not None else [world.tasks[0], world.tasks[1], None],
        worked_well_points=well_points or [],
        improve_points=improve_points or [],
        lock_version=NetworkReport.objects.get(pk=report.pk).lock_version if lock_version is None else lock_version,
    )


def start(world: World, role: str = "leader", year: int = YEAR) -> NetworkReport:
    return services.network_report_start(user=world[role], network=world.network, year=year)


@pytest.fixture
def points(world: World) -> dict[str, ReflectionPoint]:
    return {
        "well": make_point(world.region_a, "Gode faglige diskusjoner"),
        "improve": make_point(world.region_a, "Bedre oppfølging", ReflectionPoint.Kind.IMPROVE),
        "well_b": make_point(world.region_b, "Gode faglige diskusjoner"),
    }


# --- Writing a network report ----------------------------------------------------------------------------------


def test_the_leader_saves_a_draft(world: World, points: dict[str, ReflectionPoint]) -> None:
    report = start(world)
    assert (report.status, report.lock_version, report.facts) == ("draft", 1, {})
    saved = save(world, report, well_points=[points["well"]], improve_points=[points["improve"]])
    saved.refresh_from_db()
    assert saved.lock_version == 2
    assert saved.registry_data_reviewed is True
    assert saved.priorities == "Regionale prosedyrer."
    assert [(r.rank, r.task.code) for r in saved.rankings.all()] == [(1, "T1"), (2, "T2")]
    assert list(saved.worked_well_points.all()) == [points["well"]]
    assert list(saved.improve_points.all()) == [points["improve"]]
    assert saved.facts == {}  # still a draft: nothing is frozen
    # Saving again replaces the ranking.
    save(world, saved, rankings=[world.tasks[2], None, None])
    assert [r.task.code for r in saved.rankings.all()] == ["T3"]
    assert saved.history.earliest().priorities == ""
    assert saved.history.latest().lock_version == 3


def test_starting_twice_gives_the_same_draft(world: World) -> None:
    assert start(world).pk == start(world, "secretary").pk
    assert NetworkReport.objects.count() == 1


@pytest.mark.parametrize("year", [1999, timezone.localdate().year + 1])
def test_reports_are_written_for_past_and_this_year_only(world: World, year: int) -> None:
    with pytest.raises(ValidationError):
        start(world, year=year)
    assert not NetworkReport.objects.exists()


@pytest.mark.parametrize(
    ("ranks", "field"),
    [
        ((0, 0, None), "rank_2"),  # the same task twice
        ((0, None, 1), "rank_2"),  # a gap
        ((None, 0, None), "rank_1"),  # no most central task
    ],
)
def test_bad_rankings_are_refused_and_nothing_is_saved(world: World, ranks: tuple[int | None, ...], field: str) -> None:
    report = start(world)
    save(world, report, rankings=[world.tasks[2], None, None])
    rankings = [None if i is None else world.tasks[i] for i in ranks]
    with pytest.raises(ValidationError) as error:
        save(world, report, rankings=rankings, priorities="Endret")
    assert field in error.value.message_dict
    report.refresh_from_db()
    assert (report.lock_version, report.priorities) == (2, "Regionale prosedyrer.")
    assert [r.task.code for r in report.rankings.all()] == ["T3"]


def test_a_task_of_another_region_is_refused(world: World) -> None:
    task_b = TaskListItem.objects.get(region=world.region_b)
    with pytest.raises(ValidationError) as error:
        save(world, start(world), rankings=[task_b, None, None])
    assert "rank_1" in error.value.message_dict
    assert not NetworkReport.objects.get().rankings.exists()


@pytest.mark.parametrize(("which", "field"), [("well_b", "worked_well_points"), ("improve", "worked_well_points")])
def test_answers_of_another_region_or_kind_are_refused(
    world: World, points: dict[str, ReflectionPoint], which: str, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        save(world, start(world), well_points=[points[which]])
    assert field in error.value.message_dict


def test_a_stale_save_is_a_conflict(world: World) -> None:
    report = start(world)
    save(world, report)  # someone else saved: version 2
    with pytest.raises(ConflictError) as error:
        save(world, report, "secretary", lock_version=1, priorities="Mine prioriteringer")
    assert error.value.current.lock_version == 2
    report.refresh_from_db()
    assert report.priorities == "Regionale prosedyrer."


def test_the_secretary_saves_but_cannot_submit(world: World) -> None:
    report = complete_draft(world.network, world.tasks[0])
    save(world, report, "secretary")
    with pytest.raises(PermissionDenied):
        services.network_report_submit(user=world["secretary"], report=report)
    assert NetworkReport.objects.get().status == "draft"


@pytest.mark.parametrize("role", ["member", "other_member", "rhf_rep", "coordinator", "director", "coordinator_b"])
def test_others_cannot_write(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        start(world, role)
    report = start(world)
    with pytest.raises(PermissionDenied):
        save(world, report, role)
    with pytest.raises(PermissionDenied):
        services.network_report_submit(user=world[role], report=report)


def test_a_leader_of_another_network_or_of_nothing_cannot_write(world: World) -> None:
    leader_elsewhere = make_user(trust=world.trusts_a[0])
    appoint(world.other_network, leader_elsewhere, AppointmentRole.LEADER)
    nobody = make_user(trust=world.trusts_a[0])
    report = start(world)
    for user in (leader_elsewhere, nobody):
        with pytest.raises(PermissionDenied):
            services.network_report_start(user=user, network=world.network, year=YEAR)
        with pytest.raises(PermissionDenied):
            services.network_report_save(
                user=user,
                report=report,
                data=TEXT,
                rankings=[world.tasks[0]],
                worked_well_points=[],
                improve_points=[],
                lock_version=1,
            )
    report.refresh_from_db()
    assert (report.lock_version, report.priorities) == (1, "")


# --- Submitting, accepting, returning --------------------------------------------------------------------------


def test_an_incomplete_report_cannot_be_submitted_and_says_what_is_missing(world: World) -> None:
    report = start(world)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.network_report_submit(user=world["leader"], report=report)
    assert error.value.messages == [
        "Rank at least the most central task of the year.",
        "Say whether registry or health-atlas data were reviewed.",
        "Say what worked well.",
        "Say what should improve.",
        "Write the priorities for next year.",
    ]
    save(world, report)  # everything but what worked well
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.network_report_submit(user=world["leader"], report=report)
    assert error.value.messages == ["Say what worked well."]
    assert NetworkReport.objects.get().status == "draft"


def test_a_ticked_answer_is_enough_for_what_worked_well(world: World, points: dict[str, ReflectionPoint]) -> None:
    report = start(world)
    save(world, report, well_points=[points["well"]])
    report.refresh_from_db()
    assert services.missing_for_submission(report) == []
    assert services.network_report_submit(user=world["leader"], report=report).status == "submitted"


def test_this_years_report_cannot_be_submitted_before_the_year_is_over(world: World) -> None:
    year = timezone.localdate().year
    report = complete_draft(world.network, world.tasks[0], year=year)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.network_report_submit(user=world["leader"], report=report)
    # The reasons, December's included, are tested at fixed dates in test_early_reports.py.
    assert error.value.messages[0] == (
        f"The year {year} is not over: the report can be submitted from 1 January {year + 1}."
    )
    assert NetworkReport.objects.get().status == "draft"


def test_submitting_freezes_the_facts(world: World) -> None:
    Meeting.objects.bulk_create([meeting(world.network, at(YEAR, 3, 1)), meeting(world.network, at(YEAR, 5, 1))])
    report = complete_draft(world.network, world.tasks[0])
    submitted = services.network_report_submit(user=world["leader"], report=report)
    assert (submitted.status, submitted.submitted_by, submitted.lock_version) == ("submitted", world["leader"], 2)
    assert submitted.submitted_at is not None
    assert submitted.facts["meetings"]["held"] == 2
    assert submitted.facts["year"] == YEAR

    Meeting.objects.bulk_create([meeting(world.network, at(YEAR, 9, 1))])
    submitted.refresh_from_db()
    assert submitted.facts["meetings"]["held"] == 2
    assert statistics.network_facts(network=world.network, year=YEAR)["meetings"]["held"] == 3
    with pytest.raises(ValidationError):
        save(world, submitted)
    with pytest.raises(ValidationError):
        services.network_report_submit(user=world["leader"], report=submitted)


def test_the_coordinator_accepts(world: World) -> None:
    report = complete_draft(world.network, world.tasks[0])
    with pytest.raises(ValidationError):  # a draft cannot be accepted
        services.network_report_accept(user=world["coordinator"], report=report)
    services.network_report_submit(user=world["leader"], report=report)
    for role in ("leader", "director", "coordinator_b"):
        with pytest.raises(PermissionDenied):
            services.network_report_accept(user=world[role], report=report)
    accepted = services.network_report_accept(user=world["coordinator"], report=report)
    accepted.refresh_from_db()
    assert (accepted.status, accepted.accepted_by) == ("accepted", world["coordinator"])
    assert accepted.facts["meetings"]["held"] == 0  # still frozen
    with pytest.raises(ValidationError):
        services.network_report_return(user=world["coordinator"], report=accepted, reason="For sent")


def test_the_coordinator_returns_with_a_reason_and_the_leader_can_edit_again(world: World) -> None:
    report = complete_draft(world.network, world.tasks[0])
    services.network_report_submit(user=world["leader"], report=report)
    with pytest.raises(ValidationError) as error:
        services.network_report_return(user=world["coordinator"], report=report, reason="   ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.network_report_return(user=world["leader"], report=report, reason="Selv")
    assert NetworkReport.objects.get().status == "submitted"

    returned = services.network_report_return(user=world["coordinator"], report=report, reason="  Mangler data.  ")
    returned.refresh_from_db()
    assert (returned.status, returned.returned_reason, returned.facts) == ("draft", "Mangler data.", {})
    assert returned.is_editable
    saved = save(world, returned, priorities="Nye prioriteringer", worked_well="Godt samarbeid.")
    resubmitted = services.network_report_submit(user=world["leader"], report=saved)
    assert (resubmitted.status, resubmitted.returned_reason, resubmitted.priorities) == (
        "submitted",
        "",
        "Nye prioriteringer",
    )
    assert resubmitted.facts["network"]["name"] == "Anestesi og intensiv"


# --- The regional report ---------------------------------------------------------------------------------------


def regional(world: World) -> RegionalReport:
    return services.regional_report_start(user=world["coordinator"], region=world.region_a, year=YEAR)


def approve(world: World, report: RegionalReport, role: str = "director", **kwargs: Any) -> RegionalReport:
    values = {"approved_on": timezone.localdate(), "approved_by_body": "Regionalt fagdirektørnettverk", **kwargs}
    return services.regional_report_approve(user=world[role], report=report, **values)


def test_the_coordinator_starts_and_writes_the_regional_report(world: World) -> None:
    report = regional(world)
    assert (report.version, report.status, report.created_by) == (1, "draft", world["coordinator"])
    assert regional(world).pk == report.pk
    saved = services.regional_report_save(
        user=world["coordinator"],
        report=report,
        data={"introduction": "Nettverkene er en viktig arena.", "summary": "Positiv utvikling.", "status": "approved"},
        lock_version=1,
    )
    saved.refresh_from_db()
    assert (saved.introduction, saved.summary, saved.status, saved.lock_version) == (
        "Nettverkene er en viktig arena.",
        "Positiv utvikling.",
        "draft",  # only the narrative is taken from ``data``
        2,
    )
    with pytest.raises(ConflictError):
        services.regional_report_save(user=world["coordinator"], report=report, data={"summary": "x"}, lock_version=1)


@pytest.mark.parametrize("role", ["director", "leader", "member", "coordinator_b"])
def test_only_the_coordinator_compiles(world: World, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.regional_report_start(user=world[role], region=world.region_a, year=YEAR)
    report = regional(world)
    with pytest.raises(PermissionDenied):
        services.regional_report_save(user=world[role], report=report, data={"summary": "x"}, lock_version=1)
    assert RegionalReport.objects.get().summary == ""


@pytest.mark.parametrize("role", ["coordinator", "leader", "coordinator_b"])
def test_only_a_director_approves(world: World, role: str) -> None:
    report = regional(world)
    with pytest.raises(PermissionDenied):
        approve(world, report, role)
    assert RegionalReport.objects.get().status == "draft"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"approved_on": timezone.localdate() + datetime.timedelta(days=1)}, "approved_on"),
        ({"approved_on": datetime.date(YEAR, 12, 31)}, "approved_on"),
        ({"approved_by_body": "  "}, "approved_by_body"),
    ],
)
def test_approval_needs_a_sensible_date_and_a_body(world: World, change: dict[str, Any], field: str) -> None:
    report = regional(world)
    with pytest.raises(ValidationError) as error:
        approve(world, report, **change)
    assert field in error.value.message_dict
    report.refresh_from_db()
    assert (report.status, report.statistics, report.approved_on) == ("draft", {}, None)


def test_approval_freezes_the_statistics_and_locks_the_version(world: World) -> None:
    Meeting.objects.bulk_create([meeting(world.network, at(YEAR, 3, 1))])
    make_report(world.network, ranking=[world.tasks[1]], registry=True, submitted_by=world["leader"])
    report = regional(world)
    approved = approve(world, report)
    approved.refresh_from_db()
    assert (approved.status, approved.approved_on, approved.approval_recorded_by) == (
        "approved",
        timezone.localdate(),
        world["director"],
    )
    assert approved.approved_by_body == "Regionalt fagdirektørnettverk"
    assert approved.statistics == statistics.region_statistics(region=world.region_a, year=YEAR)
    assert approved.statistics["meetings"]["totals"][-1] == 1
    assert approved.statistics["submissions"]["submitted"] == 1

    # The records change after the approval; the approved version does not.
    Meeting.objects.bulk_create([meeting(world.network, at(YEAR, 9, 1)), meeting(world.other_network, at(YEAR, 9, 2))])
    make_report(world.other_network, ranking=[world.tasks[0]], submitted_by=world["leader"])
    approved.refresh_from_db()
    assert approved.statistics["meetings"]["totals"][-1] == 1
    assert approved.statistics["submissions"]["submitted"] == 1
    assert statistics.region_statistics(region=world.region_a, year=YEAR)["meetings"]["totals"][-1] == 3

    with pytest.raises(ValidationError):
        services.regional_report_save(
            user=world["coordinator"], report=approved, data={"summary": "Endret"}, lock_version=approved.lock_version
        )
    with pytest.raises(ValidationError):
        approve(world, approved)
    approved.refresh_from_db()
    assert approved.summary == ""
    # Starting again opens the newest version, which is the locked one.
    assert regional(world).pk == approved.pk


def test_a_new_version_copies_the_text_and_is_a_draft(world: World) -> None:
    report = regional(world)
    services.regional_report_save(
        user=world["coordinator"],
        report=report,
        data={"introduction": "Innledning.", "priorities": "Prioriteringer.", "summary": "Oppsummering."},
        lock_version=1,
    )
    approved = approve(world, report)
    with pytest.raises(PermissionDenied):
        services.regional_report_new_version(user=world["director"], report=approved)
    new = services.regional_report_new_version(user=world["coordinator"], report=approved)
    assert (new.version, new.status, new.statistics, new.approved_on) == (2, "draft", {}, None)
    assert (new.introduction, new.priorities, new.summary) == ("Innledning.", "Prioriteringer.", "Oppsummering.")
    assert regional(world).pk == new.pk
    # Version 1 stays approved.
    approved.refresh_from_db()
    assert approved.status == "approved"
    # While the newest is a draft, there is no newer version to make, even from the approved one.
    with pytest.raises(ValidationError):
        services.regional_report_new_version(user=world["coordinator"], report=approved)
    with pytest.raises(ValidationError):
        services.regional_report_new_version(user=world["coordinator"], report=new)
    assert RegionalReport.objects.count() == 2


def test_no_new_version_before_anything_is_saved(world: World) -> None:
    unsaved = RegionalReport(region=world.region_a, year=YEAR)
    with pytest.raises(ValidationError):
        services.regional_report_new_version(user=world["coordinator"], report=unsaved)
    assert not RegionalReport.objects.exists()


def test_the_coordinator_of_another_region_is_refused_everywhere(world: World) -> None:
    report = regional(world)
    user = world["coordinator_b"]
    with pytest.raises(PermissionDenied):
        services.regional_report_start(user=user, region=world.region_a, year=YEAR)
    with pytest.raises(PermissionDenied):
        services.regional_report_save(user=user, report=report, data={"summary": "x"}, lock_version=1)
    with pytest.raises(PermissionDenied):
        services.regional_report_approve(
            user=user, report=report, approved_on=timezone.localdate(), approved_by_body="Fagdirektørene"
        )
    approve(world, report)
    with pytest.raises(PermissionDenied):
        services.regional_report_new_version(user=user, report=report)
    submitted = make_report(world.network, ranking=[world.tasks[0]], submitted_by=world["leader"])
    with pytest.raises(PermissionDenied):
        services.network_report_accept(user=user, report=submitted)


def test_a_director_who_read_an_older_text_is_asked_to_read_it_again(world: World) -> None:
    report = regional(world)
    read = report.lock_version
    services.regional_report_save(
        user=world["coordinator"], report=report, data={"summary": "Ny oppsummering."}, lock_version=read
    )
    with pytest.raises(ConflictError):
        approve(world, report, lock_version=read)
    report.refresh_from_db()
    assert report.status == RegionalReport.Status.DRAFT
    assert approve(world, report, lock_version=report.lock_version).status == RegionalReport.Status.APPROVED
