"""Annual reports for the tests, and a region whose numbers are those of the real 2025 report (seed 000).

``build_known_region()`` makes a region where exactly 6 of 33 networks held fewer than four meetings in
2025, 65 procedures were worked on in 2025 against 40 in 2024, the standardisation task (T1) was ranked
highest by 10 networks, registry data were reviewed by 13 networks in 2024 and 19 in 2025, and so on.
Every number is built so that a plausible mistake (counting drafts, cancelled meetings, another year,
another region, a council, the oldest mandate …) gives a different answer. Rows are bulk-created.
"""

import datetime
import itertools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fagnett.accounts.models import RegionRole, User
from fagnett.meetings.models import Meeting
from fagnett.networks.models import AppointmentRole, Network, TaskListItem
from fagnett.organisations.models import Region
from fagnett.procedures.models import Procedure, Status, StatusEvent
from fagnett.reports import statistics
from fagnett.reports.models import NetworkReport, ReflectionPoint, TaskRanking
from tests.factories import appoint, make_mandate, make_network, make_region, make_user

OSLO = ZoneInfo("Europe/Oslo")
YEAR = 2025
_names = itertools.count(1)


def at(year: int, month: int = 6, day: int = 15, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware datetime in Norwegian time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)


def meeting(
    network: Network,
    starts_at: datetime.datetime,
    *,
    status: str = Meeting.Status.HELD,
    form: str = Meeting.Form.DIGITAL,
) -> Meeting:
    """An unsaved meeting (for ``bulk_create``) of two hours."""
    return Meeting(
        network=network,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        status=status,
        form=form,
        uid=uuid.uuid4(),
        video_link="https://video.example.org/m",
        location="St. Olavs hospital",
    )


def meetings_in(
    network: Network, year: int, count: int, *, forms: Sequence[str] = (), status: str = Meeting.Status.HELD
) -> list[Meeting]:
    """``count`` unsaved meetings spread over spring and autumn of ``year`` (never near New Year)."""
    return [
        meeting(
            network,
            at(year, 2 + (i * 2) % 9, 10 + i % 10),
            status=status,
            form=forms[i] if i < len(forms) else Meeting.Form.DIGITAL,
        )
        for i in range(count)
    ]


def procedure_rows(network: Network, *events: tuple[str, datetime.date], kind: str = Procedure.Kind.PROCEDURE) -> Any:
    """An unsaved procedure and the unsaved events of its lifecycle (oldest first)."""
    procedure = Procedure(network=network, kind=kind, title=f"Prosedyre {next(_names)}", status=events[-1][0])
    previous = ""
    rows = []
    for status, day in events:
        rows.append(StatusEvent(procedure=procedure, from_status=previous, status=status, happened_on=day))
        previous = status
    return procedure, rows


def save_procedures(items: Iterable[tuple[Procedure, list[StatusEvent]]]) -> None:
    items = list(items)
    Procedure.objects.bulk_create([procedure for procedure, _events in items])
    events = []
    for procedure, rows in items:
        for event in rows:
            event.procedure = procedure  # the pk is known after bulk_create
            events.append(event)
    StatusEvent.objects.bulk_create(events)


def make_tasks(region: Region, count: int = 5) -> dict[str, TaskListItem]:
    return {
        f"T{i}": TaskListItem.objects.create(region=region, code=f"T{i}", title=f"Oppgave {i}", order=i)
        for i in range(1, count + 1)
    }


def make_point(region: Region, title: str, kind: str = ReflectionPoint.Kind.WORKED_WELL, order: int = 0) -> Any:
    return ReflectionPoint.objects.create(region=region, kind=kind, title=title, order=order)


def make_report(
    network: Network,
    year: int = YEAR,
    *,
    status: str = NetworkReport.Status.SUBMITTED,
    ranking: Sequence[TaskListItem] = (),
    registry: bool | None = None,
    worked_well_points: Sequence[ReflectionPoint] = (),
    improve_points: Sequence[ReflectionPoint] = (),
    facts: dict[str, Any] | None = None,
    submitted_by: User | None = None,
    **kwargs: Any,
) -> NetworkReport:
    """A report in ``status`` as if written through the services (a counted report gets facts frozen now)."""
    if facts is None and status != NetworkReport.Status.DRAFT:
        facts = statistics.network_facts(network=network, year=year)
    report = NetworkReport.objects.create(
        network=network,
        year=year,
        status=status,
        registry_data_reviewed=registry,
        facts=facts or {},
        submitted_by=submitted_by if status != NetworkReport.Status.DRAFT else None,
        submitted_at=timezone.now() if status != NetworkReport.Status.DRAFT else None,
        **kwargs,
    )
    TaskRanking.objects.bulk_create(TaskRanking(report=report, rank=r, task=t) for r, t in enumerate(ranking, 1))
    report.worked_well_points.set(worked_well_points)
    report.improve_points.set(improve_points)
    return report


def complete_draft(network: Network, task: TaskListItem, year: int = YEAR, **kwargs: Any) -> NetworkReport:
    """A draft with everything a leader must write before submitting."""
    return make_report(
        network,
        year,
        status=NetworkReport.Status.DRAFT,
        ranking=[task],
        registry=True,
        worked_well="Gode faglige diskusjoner.",
        improve="Flere saker fra alle HF.",
        priorities="Regionale prosedyrer.",
        **kwargs,
    )


# --- The region of seed 000 ---------------------------------------------------------------------------------------

NETWORKS = 33
#: the six networks below the minimum (indices into the sorted list) and the meetings each held in 2025
BELOW = {3: 0, 8: 1, 14: 2, 20: 3, 27: 3, 31: 3}
#: meetings held by each network that kept the minimum: 2023, 2024, 2025 …
HELD_OK = (3, 4, 5)
#: … except these two, which held exactly the minimum (four) in 2025
EXACTLY_MINIMUM = (1, 2)
#: … and by those below it (2025 as in ``BELOW``)
HELD_BELOW = (2, 3)
#: how many of the 30 counted 2025 reports rank each task highest / second / third
FIRST = {"T1": 10, "T2": 7, "T3": 5, "T4": 5, "T5": 3}
COUNTED_2025 = sum(FIRST.values())  # networks 0–29; 30 and 31 have drafts, 32 has written nothing
DRAFTS_2025 = (30, 31)
REGISTRY = {2024: 13, 2025: 19}
REPORTS_2024 = 20
WORKED_WELL = [("Gode samarbeidsforhold", 1, 20), ("Gode faglige diskusjoner", 2, 12)]
WORKED_WELL += [("Effektiv møteorganisering", 3, 12), ("Regelmessige møter, inkl. fysiske", 4, 0)]
IMPROVE = [("Bedre oppfølging av saker mellom møtene", 1, 15), ("Deltakelse og bidrag fra alle HF", 2, 9)]


@dataclass
class Known:
    region: Region
    networks: list[Network]
    tasks: dict[str, TaskListItem]
    points: dict[str, ReflectionPoint]
    people: dict[str, User] = field(default_factory=dict)
    extra: dict[str, Network] = field(default_factory=dict)

    @property
    def below_names(self) -> list[str]:
        return [self.networks[i].name for i in sorted(BELOW)]

    @property
    def counted_names(self) -> list[str]:
        return [n.name for n in self.networks[:COUNTED_2025]]


def _first_ranks() -> list[str]:
    return [code for code, n in FIRST.items() for _ in range(n)]


def _known_meetings(networks: list[Network]) -> list[Meeting]:
    rows: list[Meeting] = []
    forms_ok = [Meeting.Form.DIGITAL] * 3 + [Meeting.Form.PHYSICAL, Meeting.Form.HYBRID]
    for i, network in enumerate(networks):
        if i in BELOW:
            rows += meetings_in(network, 2023, HELD_BELOW[0]) + meetings_in(network, 2024, HELD_BELOW[1])
            rows += meetings_in(network, 2025, BELOW[i])
            # Neither counts as held: a naive count would lift every one of these to the minimum or above.
            rows.append(meeting(network, at(2025, 9, 3), status=Meeting.Status.CANCELLED))
            rows.append(meeting(network, at(2025, 11, 5), status=Meeting.Status.PLANNED))
        else:
            rows += meetings_in(network, 2023, HELD_OK[0]) + meetings_in(network, 2024, HELD_OK[1])
            held = 4 if i in EXACTLY_MINIMUM else HELD_OK[2]
            rows += meetings_in(network, 2025, held, forms=forms_ok)
    # Outside the three years of figure 1.
    rows.append(meeting(networks[0], at(2022, 6, 1)))
    rows.append(meeting(networks[0], at(2026, 3, 1)))
    return rows


def _known_procedures(networks: list[Network], other: Network) -> list[tuple[Procedure, list[StatusEvent]]]:
    def d(year: int, month: int) -> datetime.date:
        return datetime.date(year, month, 1)

    ip, pub, rev, prop, wd = (
        Status.IN_PROGRESS,
        Status.PUBLISHED,
        Status.UNDER_REVISION,
        Status.PROPOSED,
        Status.WITHDRAWN,
    )
    items = []
    net = itertools.cycle(networks)
    # 25 started in 2025 (proposed in 2024, which is not work on it)
    items += [procedure_rows(next(net), (prop, d(2024, 5)), (ip, d(2025, 3))) for _ in range(25)]
    # 20 started and completed in 2025, counted once; 6 of them are pathways in networks 0, 0, 1, 1, 2, 3
    pathway_networks = [0, 0, 1, 1, 2, 3]
    for i in range(20):
        if i < len(pathway_networks):
            network, kind = networks[pathway_networks[i]], Procedure.Kind.PATHWAY
        else:
            network, kind = next(net), Procedure.Kind.PROCEDURE
        items.append(procedure_rows(network, (ip, d(2025, 2)), (pub, d(2025, 9)), kind=kind))
    # 10 started in 2024 and completed in 2025 (worked on in both years)
    items += [procedure_rows(next(net), (ip, d(2024, 4)), (pub, d(2025, 5))) for _ in range(10)]
    # 10 published long ago and under revision in 2025
    items += [procedure_rows(next(net), (ip, d(2022, 1)), (pub, d(2023, 6)), (rev, d(2025, 4))) for _ in range(10)]
    # 30 started in 2024 and withdrawn in 2025 (withdrawing is not work on it)
    items += [procedure_rows(next(net), (ip, d(2024, 2)), (wd, d(2025, 2))) for _ in range(30)]
    # Another region's work does not count.
    items += [procedure_rows(other, (ip, d(2025, 3))) for _ in range(3)]
    return items


def build_known_region() -> Known:
    region = make_region(name="Helse Midt-Norge RHF", short_name="HMN")
    other_region = make_region(name="Helse Vest RHF", short_name="HV")
    tasks = make_tasks(region)
    make_tasks(other_region)

    networks = bulk_create_with_history(
        [
            Network(region=region, name=f"Nettverk {i:02d}", field=f"Fag {i:02d}", status=Network.Status.ACTIVE)
            for i in range(1, NETWORKS + 1)
        ],
        Network,
    )
    # Not among the 33: a council under a network, a closed network, one established after 2025, another region's.
    extra = {
        "council": make_network(
            region, name="Fagråd smerte", kind=Network.Kind.COUNCIL, parent=networks[0], status=Network.Status.ACTIVE
        ),
        "closed": make_network(region, name="Nedlagt nettverk", status=Network.Status.CLOSED),
        "future": make_network(region, name="Hudsykdommer", established_on=datetime.date(2026, 2, 1)),
        "other_region": make_network(other_region, name="Intensiv Vest"),
    }
    # The newest mandate counts: network 0 once had a minimum of six meetings (it held five in 2025).
    make_mandate(networks[0], min_meetings_per_year=6, period_start=datetime.date(2022, 1, 1))
    for network in networks:
        make_mandate(network, min_meetings_per_year=4, period_start=datetime.date(2023, 1, 1))
    make_mandate(extra["council"], min_meetings_per_year=4)

    Meeting.objects.bulk_create(
        _known_meetings(networks) + meetings_in(extra["council"], 2025, 1) + meetings_in(extra["other_region"], 2025, 1)
    )
    save_procedures(_known_procedures(networks, extra["other_region"]))

    people = {
        "coordinator": make_user(region_employer=region, language="en"),
        "director": make_user(region_employer=region, language="en"),
        "leader": make_user(language="en"),
        "member": make_user(language="en"),
        "outsider": make_user(region_employer=other_region, language="en"),
    }
    RegionRole.objects.create(user=people["coordinator"], region=region, role=RegionRole.Role.COORDINATOR)
    RegionRole.objects.create(user=people["director"], region=region, role=RegionRole.Role.MEDICAL_DIRECTOR)
    appoint(networks[0], people["leader"], AppointmentRole.LEADER, trust=None)
    appoint(networks[0], people["member"], AppointmentRole.MEMBER, trust=None)

    points = {
        title: make_point(region, title, ReflectionPoint.Kind.WORKED_WELL, order) for title, order, _n in WORKED_WELL
    }
    points |= {title: make_point(region, title, ReflectionPoint.Kind.IMPROVE, order) for title, order, _n in IMPROVE}
    _known_reports(networks, tasks, points, people["leader"])
    return Known(region, networks, tasks, points, people, extra)


def _known_reports(
    networks: list[Network], tasks: dict[str, TaskListItem], points: dict[str, ReflectionPoint], leader: User
) -> None:
    facts = {year: statistics.facts_for_networks(networks=networks, year=year) for year in (2024, 2025)}
    submitted_at = at(2026, 1, 20)
    counted = [NetworkReport.Status.SUBMITTED, NetworkReport.Status.ACCEPTED]
    reports: list[NetworkReport] = []
    for i in range(COUNTED_2025):
        reports.append(
            NetworkReport(
                network=networks[i],
                year=2025,
                status=counted[i % 2],
                registry_data_reviewed=i < REGISTRY[2025],
                facts=facts[2025][networks[i].pk],
                submitted_by=leader,
                submitted_at=submitted_at,
                priorities=f"Prioritet for {networks[i].name}",
            )
        )
    # Drafts count for nothing, however they are filled in.
    reports += [
        NetworkReport(network=networks[i], year=2025, status=NetworkReport.Status.DRAFT, registry_data_reviewed=True)
        for i in DRAFTS_2025
    ]
    for i in range(REPORTS_2024):
        reports.append(
            NetworkReport(
                network=networks[i],
                year=2024,
                status=counted[i % 2],
                registry_data_reviewed=i < REGISTRY[2024],
                facts=facts[2024][networks[i].pk],
                submitted_by=leader,
                submitted_at=at(2025, 1, 20),
            )
        )
    reports.append(
        NetworkReport(
            network=networks[REPORTS_2024], year=2024, status=NetworkReport.Status.DRAFT, registry_data_reviewed=True
        )
    )
    NetworkReport.objects.bulk_create(reports)
    by_key = {(r.network_id, r.year): r for r in reports}
    this_year = [by_key[(networks[i].pk, 2025)] for i in range(COUNTED_2025)]
    drafts = [by_key[(networks[i].pk, 2025)] for i in DRAFTS_2025]
    last_year = [r for r in reports if r.year == 2024]

    rankings: list[TaskRanking] = []
    for report, code in zip(this_year, _first_ranks(), strict=True):
        rankings.append(TaskRanking(report=report, rank=1, task=tasks[code]))
    # Second and third ranks break the tie between T3 and T4 (both first for five networks): T4 is ranked
    # second by six networks whose first is T1, T3 second by two whose first is T2; T5 third by four.
    for report in this_year[:6]:
        rankings.append(TaskRanking(report=report, rank=2, task=tasks["T4"]))
    for report in this_year[:4]:
        rankings.append(TaskRanking(report=report, rank=3, task=tasks["T5"]))
    for report in this_year[10:12]:
        rankings.append(TaskRanking(report=report, rank=2, task=tasks["T3"]))
    # Drafts and last year's reports all rank T5 highest: counted, they would move T5 up.
    rankings += [TaskRanking(report=report, rank=1, task=tasks["T5"]) for report in drafts + last_year]
    TaskRanking.objects.bulk_create(rankings)

    worked_well = NetworkReport.worked_well_points.through
    ticks = [
        worked_well(networkreport=r, reflectionpoint=points[title])
        for title, _o, n in WORKED_WELL
        for r in this_year[:n]
    ]
    # Ticked only in drafts and last year's reports: counted, it would top the list.
    ticks += [worked_well(networkreport=r, reflectionpoint=points[WORKED_WELL[3][0]]) for r in drafts + last_year]
    worked_well.objects.bulk_create(ticks)
    improve = NetworkReport.improve_points.through
    improve.objects.bulk_create(
        improve(networkreport=r, reflectionpoint=points[title]) for title, _o, n in IMPROVE for r in this_year[-n:]
    )


def grow_region(
    region: Region,
    count: int,
    *,
    tasks: Sequence[TaskListItem],
    points: Sequence[ReflectionPoint],
    submitted_by: User,
    prefix: str = "Vekst",
) -> list[Network]:
    """``count`` more networks, each with meetings, procedures and a submitted 2025 report that ranks tasks."""
    start = Network.objects.filter(region=region, name__startswith=prefix).count()
    networks = [make_network(region, name=f"{prefix} {start + i:02d}") for i in range(count)]
    rows: list[Meeting] = []
    procedures = []
    for i, network in enumerate(networks):
        make_mandate(network, min_meetings_per_year=4)
        rows += meetings_in(network, 2024, 4) + meetings_in(network, 2025, 3 + i % 3, forms=[Meeting.Form.HYBRID])
        procedures.append(procedure_rows(network, (Status.IN_PROGRESS, datetime.date(2025, 3, 1))))
        procedures.append(
            procedure_rows(
                network,
                (Status.IN_PROGRESS, datetime.date(2024, 3, 1)),
                (Status.PUBLISHED, datetime.date(2025, 3, 1)),
                kind=Procedure.Kind.PATHWAY,
            )
        )
    Meeting.objects.bulk_create(rows)
    save_procedures(procedures)
    for i, network in enumerate(networks):
        make_report(
            network,
            YEAR,
            ranking=[tasks[i % len(tasks)], tasks[(i + 1) % len(tasks)]],
            registry=i % 2 == 0,
            worked_well_points=[p for p in points if p.kind == ReflectionPoint.Kind.WORKED_WELL][:1],
            improve_points=[p for p in points if p.kind == ReflectionPoint.Kind.IMPROVE][:1],
            submitted_by=submitted_by,
            priorities="Prosedyrer.",
            worked_well="Samarbeid.",
        )
    return networks
