"""The world the permission crawler walks: two regions, three networks, a person in every role, and one object
of every kind, so that every URL pattern can be filled with a real object of region A / network A1.

Built on ``tests.factories.make_world`` (region A with networks A1 "Anestesi og intensiv" and A2 "Øye",
region B with "Intensiv Nord") and the apps' own services and test factories, so the objects are in the states
the product puts them in. Objects that only some people may see carry a sentinel word (``SENTINELS``) that the
crawler looks for in every answer a person gets.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.budget import services as budget_services
from fagnett.capacity import services as capacity_services
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases import services as case_services
from fagnett.cases.models import Case
from fagnett.core.models import Download
from fagnett.events.models import Event
from fagnett.events.tests.factories import make_event, register
from fagnett.funding.tests.factories import draft, make_call
from fagnett.meetings import services as meeting_services
from fagnett.meetings.models import Meeting, Minutes
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks import services as network_services
from fagnett.networks.models import Appointment, AppointmentRole
from fagnett.onboarding import services as onboarding_services
from fagnett.onboarding.tests.files import upload
from fagnett.opendata import services as opendata_services
from fagnett.procedures.tests.factories import make_procedure
from fagnett.progress import services as progress_services
from fagnett.progress.models import ReportingSchedule
from fagnett.provisioning import services as provisioning_services
from fagnett.provisioning.models import ScimGroup
from fagnett.reports import services as report_services
from fagnett.reports.models import NetworkReport
from fagnett.reports.tests.factories import make_report
from fagnett.topics import services as topic_services
from tests.factories import World, appoint, make_user, make_world

#: The columns of the expected table, in order: who asks. ``anon`` is a visitor who is not logged in.
ROLES: dict[str, str] = {
    "anon": "not logged in",
    "coordA": "regional coordinator of region A",
    "dirA": "medical director of region A",
    "coordB": "regional coordinator of region B",
    "dirB": "medical director of region B",
    "leader": "leader of network A1 (trust A1)",
    "secr": "secretary of network A1 (trust A1)",
    "memA1": "member of network A1 (trust A2)",
    "memA2": "member of network A2 (trust A1)",
    "fagsjef": "fagsjef of trust A3 (region A, no network)",
    "report": "ICU capacity reporter of trust A1 (no network)",
    "empl": "employee of trust A2 (no role at all)",
}
#: role column → the person of ``make_world`` (or added here)
_PEOPLE = {
    "coordA": "coordinator",
    "dirA": "director",
    "coordB": "coordinator_b",
    "dirB": "director_b",
    "leader": "leader",
    "secr": "secretary",
    "memA1": "member",
    "memA2": "other_member",
    "fagsjef": "fagsjef",
    "report": "reporter",
    "empl": "employee",
}

REGION_A = {"coordA", "dirA", "leader", "secr", "memA1", "memA2", "fagsjef", "report", "empl"}
REGION_B = {"coordB", "dirB"}
NETWORK_A1 = {"leader", "secr", "memA1"}

#: sentinel word → the roles that may see it. Every answer to anyone else is searched for the word (lower case).
SENTINELS: dict[str, frozenset[str]] = {
    # Region A's networks are not shown to region B, and region B's network not to region A.
    "anestesi og intensiv": frozenset(REGION_A),
    "intensiv nord": frozenset(REGION_B),
    # Everyday objects of region B (a case, a meeting's network, an event, a funding call, a procedure, a capacity
    # round, a topic) and of region A (the same kinds): lists must not mix the regions.
    "tundra": frozenset(REGION_B),
    "fjordlys": frozenset(REGION_A),
    # A case of network A1 (submitted by A1's member): the network's people and the region's overseers.
    "zirkonsak": frozenset({"coordA", "dirA"} | NETWORK_A1),
    # Its attachment (a text file) and an agenda document of A1's next meeting.
    "zirkonvedlegg": frozenset({"coordA", "dirA"} | NETWORK_A1),
    "meteordokument": frozenset({"coordA", "dirA"} | NETWORK_A1),
    # A case sent to "I don't know which network": the submitter (employee) and the region's overseers.
    "basaltsak": frozenset({"coordA", "dirA", "empl"}),
    # The draft correction of A1's approved minutes: the network's leader and secretary and the coordinator.
    "koboltutkast": frozenset({"coordA", "leader", "secr"}),
    # A1's draft annual report: its people, the coordinator and the medical director.
    "obsidianutkast": frozenset({"coordA", "dirA"} | NETWORK_A1),
    # The draft (version 2) of region A's annual report: coordinator and medical director only.
    "kvasarutkast": frozenset({"coordA", "dirA"}),
    # A planned event, not yet invited to: the coordinator's draft.
    "pulsarseminar": frozenset({"coordA"}),
    # A draft funding application by A1's leader for A1: applicant, A1's leader and secretary, overseers.
    "nebulasoknad": frozenset({"coordA", "dirA", "leader", "secr"}),
    # Network A2's answer to a common case: A2's people and the overseers, not A1's leader and secretary.
    "morildsvar": frozenset({"coordA", "dirA", "memA2"}),
    # Cases on agendas (issue 16). A case of A1 on the agenda of A1's coming meeting, which the whole region reads:
    # its title and what is wanted (copied into the agenda item), and an action item on it, are for the case's
    # readers only (the network's people and the overseers; the submitter is A1's leader).
    "safirsak": frozenset({"coordA", "dirA"} | NETWORK_A1),
    "safirbehov": frozenset({"coordA", "dirA"} | NETWORK_A1),
    "safiroppgave": frozenset({"coordA", "dirA"} | NETWORK_A1),
    # A case of A2 on the agenda of A2's held meeting, whose approved minutes the whole region reads (A2 allows it):
    # the case, what the minutes say about it and the action item it gave are for A2's people and the overseers.
    "granittsak": frozenset({"coordA", "dirA", "memA2"}),
    "granittbehov": frozenset({"coordA", "dirA", "memA2"}),
    "granittdrofting": frozenset({"coordA", "dirA", "memA2"}),
    "granittoppgave": frozenset({"coordA", "dirA", "memA2"}),
    # How region A's trust is recognised at sign-in, and a group its identity provider pushed: the coordinator's.
    "turmalin": frozenset({"coordA"}),
    # A person in an import's preview, not yet imported: the coordinator's.
    "ametyst": frozenset({"coordA"}),
    # A person of trust A3 with no appointment: the people pages are the coordinator's and, for their own trust's
    # people, the fagsjef's; the region's audit log (the overseers') names them too.
    "vulkansen": frozenset({"coordA", "dirA", "fagsjef"}),
    # A1's recommendation on the round's ICU capacity (issue 21): A1's people, the coordinator and the director.
    "kvartsanbefaling": frozenset({"coordA", "dirA"} | NETWORK_A1),
    # A file A1's member had made in the background (core.downloads): its title and content are the owner's only.
    "pyrittfil": frozenset({"memA1"}),
}


@dataclass
class CrawlWorld:
    base: World
    people: dict[str, User | None]
    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def _text_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def build_world() -> CrawlWorld:
    """Everything the URL patterns need, made through the services wherever the product has one."""
    w = make_world()
    a1, a2, b = w.network, w.other_network, w.network_b
    coordinator, director, leader, secretary = w["coordinator"], w["director"], w["leader"], w["secretary"]
    member, employee = w["member"], w["employee"]
    director_b = make_user("director_b", region_employer=w.region_b)
    RegionRole.objects.create(user=director_b, region=w.region_b, role=RegionRole.Role.MEDICAL_DIRECTOR)
    w.people["director_b"] = director_b
    people: dict[str, User | None] = {"anon": None} | {role: w[name] for role, name in _PEOPLE.items()}
    today = timezone.localdate()
    o: dict[str, Any] = {"region_a": w.region_a, "network_a1": a1, "network_a2": a2, "network_b": b}

    # --- Networks: a nomination waiting for the coordinator, and the member's appointment (to end).
    o["mandate"] = a1.mandates.get()
    o["nomination"] = appoint(a1, w["candidate"], status=Appointment.Status.NOMINATED, nominated_by=w["fagsjef"])
    o["appointment"] = a1.appointments.get(person=member)

    # --- A case on an agenda: A1's leader submits a case, A1 accepts it and its secretary puts the network's open
    # cases on the coming meeting's agenda (before the other cases below are open, so this is the only one), and
    # adds an action item on the case from the case's page.
    text = {"description": "Ulik praksis mellom sykehusene.", "wanted": "En regional anbefaling."}
    coming = make_meeting(a1, days=20)
    safir = case_services.case_submit(
        user=leader,
        data={"title": "Safirsak: sedasjon av barn", "description": text["description"], "wanted": "Safirbehov."},
        network=a1,
        trust=w.trusts_a[0],
    )
    safir = case_services.case_accept(user=leader, case=safir, lock_version=safir.lock_version)
    (o["agenda_case_item"],) = case_services.agenda_add_open_cases(user=secretary, meeting=coming)
    o["agenda_case"] = safir
    o["case_action_item"] = meeting_services.action_item_create(
        user=secretary, network=a1, title="Safiroppgave: innhente rutiner", owner=member,
        due_date=today + datetime.timedelta(10), case=safir,
    )  # fmt: skip

    # --- Cases
    case = case_services.case_submit(
        user=member, data={"title": "Zirkonsak: overflytting ved ECMO", **text}, network=a1, trust=w.trusts_a[1]
    )
    case = case_services.case_accept(user=leader, case=case, lock_version=case.lock_version)
    case = case_services.case_start(user=leader, case=case, lock_version=case.lock_version)
    o["case"] = case
    o["attachment"] = case_services.case_attach(
        user=member, case=case, upload=_text_file("notat.txt", "Zirkonvedlegg: tall fra tre sykehus.\n")
    )
    o["unrouted_case"] = case_services.case_submit(
        user=employee, data={"title": "Basaltsak: hvem tar denne?", **text}, region=w.region_a, trust=w.trusts_a[1]
    )
    o["case_b"] = case_services.case_submit(user=w["coordinator_b"], data={"title": "Tundrasak", **text}, network=b)
    (task,) = progress_services.task_assign(
        user=director,
        networks=[a1],
        data={"title": "Vurdere intensivkapasiteten", "due_date": today + datetime.timedelta(days=180), **text},
        schedule={"interval": 3, "unit": ReportingSchedule.Unit.MONTHS, "first_due": today + datetime.timedelta(30)},
    )
    o["task"] = task
    common = case_services.common_case_send(
        user=coordinator,
        region=w.region_a,
        networks=[a1, a2],
        data={"title": "Felles sak om sepsis", "due_date": today + datetime.timedelta(days=60), **text},
    )
    o["common_case"] = common
    Case.objects.filter(common_case=common, network=a2).update(recommendation="Morildsvar: vi følger retningslinjen.")

    # --- Meetings: one held, with approved minutes and a draft correction; one coming, with an agenda document.
    held = make_meeting(a1, days=-30, status=Meeting.Status.HELD)
    meeting_services.agenda_add_standard_items(user=secretary, meeting=held)
    minutes = meeting_services.minutes_start(user=secretary, meeting=held)
    minutes = meeting_services.minutes_approve(user=secretary, minutes=minutes, via=Minutes.ApprovedVia.MEETING)
    correction = meeting_services.minutes_correct(user=secretary, minutes=minutes, reason="Feil dato i sak 2")
    first_item = correction.items.order_by("pk").first()
    assert first_item is not None
    meeting_services.minutes_save(
        user=secretary,
        minutes=correction,
        texts={first_item.agenda_item_id: ("Koboltutkast: rettet referat", "")},
        lock_version=correction.lock_version,
    )
    o["held_meeting"], o["approved_minutes"], o["draft_minutes"] = held, minutes, correction
    items = meeting_services.agenda_add_standard_items(user=secretary, meeting=coming)
    o["meeting"], o["agenda_item"] = coming, items[0]
    o["document"] = meeting_services.document_attach(
        user=secretary, item=items[0], upload=_text_file("sakspapir.txt", "Meteordokument: forslag til vedtak.\n")
    )
    o["action_item"] = meeting_services.action_item_create(
        user=secretary, network=a1, title="Sende ut utkast", owner=member, due_date=today + datetime.timedelta(14)
    )
    o["calendar_feed"], o["calendar_feed_token"] = meeting_services.calendar_feed_create(user=member, network=None)
    make_meeting(b, days=25)

    # --- A case on the agenda of A2's held meeting, in minutes the whole region reads: A2 (which has a leader of
    # its own here) allows the region to read its approved minutes; the minutes discuss the case and give an
    # action item on it to A2's member.
    leader_a2 = make_user("leader_a2", trust=w.trusts_a[1])
    appoint(a2, leader_a2, AppointmentRole.LEADER)
    a2 = network_services.network_update(
        user=coordinator, network=a2, data={"minutes_visible_to_region": True}, lock_version=a2.lock_version
    )
    o["network_a2"] = a2
    granitt = case_services.case_submit(
        user=leader_a2,
        data={"title": "Granittsak: felles skjema", "description": text["description"], "wanted": "Granittbehov."},
        network=a2,
        trust=w.trusts_a[1],
    )
    granitt = case_services.case_accept(user=leader_a2, case=granitt, lock_version=granitt.lock_version)
    held_a2 = make_meeting(a2, days=-40, status=Meeting.Status.HELD)
    (granitt_item,) = case_services.agenda_add_open_cases(user=leader_a2, meeting=held_a2)
    open_minutes = meeting_services.minutes_start(user=leader_a2, meeting=held_a2)
    open_minutes = meeting_services.minutes_save(
        user=leader_a2,
        minutes=open_minutes,
        texts={granitt_item.pk: ("Granittdrofting: tre sykehus bruker eget skjema.", "Ett skjema.")},
        lock_version=open_minutes.lock_version,
        new_action_items=[
            meeting_services.NewActionItem(
                agenda_item_id=granitt_item.pk,
                title="Granittoppgave: lage utkast",
                owner_id=w["other_member"].pk,
                due_date=today + datetime.timedelta(21),
            )
        ],
    )
    o["open_minutes"] = meeting_services.minutes_approve(
        user=leader_a2, minutes=open_minutes, via=Minutes.ApprovedVia.MEETING
    )
    o["held_meeting_a2"] = held_a2

    # --- ICU capacity: a round of region A assessed by A1, with an entry of trust A1's unit.
    round_ = make_round(w.region_a, name="Fjordlysrunden", network=a1, period_start=today.replace(day=1))
    make_round(w.region_b, name="Tundrarunden", network=b, period_start=today.replace(day=1))
    unit, other_unit = units_of(w, 0)[0], units_of(w, 1)[0]
    o["entry"] = make_entry(round_, unit)
    o["round"], o["unit"], o["other_unit"] = round_, unit, other_unit
    # The network's recommendation for the round, a draft: A1's people and the region's overseers read it.
    o["recommendation"] = capacity_services.recommendation_save(
        user=leader,
        round_=round_,
        data={"summary": "Kvartsanbefaling: to bemannede K3-senger til.", "consensus": True},
        lock_version=0,
    )
    o["api_token"], _raw = capacity_services.api_token_issue(trust=w.trusts_a[0], name="EPJ-integrasjon")

    # --- Procedures, budget, topics, open data
    o["procedure"] = make_procedure(a1, title="Fjordlys: sentralt venekateter")
    make_procedure(b, title="Tundra: arteriekran")
    budget_services.grant_record(
        user=coordinator,
        network=a1,
        data={
            "amount": 100_000,
            "source": "Regionale fagmidler",
            "period_start": today.replace(month=1, day=1),
            "period_end": today.replace(month=12, day=31),
        },
    )
    o["topic"] = topic_services.topic_create(user=coordinator, region=w.region_a, data={"name": "Fjordlys-sepsis"})
    topic_services.topic_create(user=w["coordinator_b"], region=w.region_b, data={"name": "Tundra-sepsis"})
    o["open_data_key"], _raw = opendata_services.region_api_key_create(user=coordinator, region=w.region_a, name="SSB")
    o["trust_identity"] = provisioning_services.trust_identity_create(
        user=coordinator, region=w.region_a, trust=w.trusts_a[0], kind="email_domain", value="turmalin.example"
    )
    o["scim_key"], _raw = provisioning_services.scim_token_create(user=coordinator, region=w.region_a, name="Entra ID")
    o["scim_group"] = ScimGroup.objects.create(region=w.region_a, display_name="Turmalin-brukere")
    o["scim_group"].members.add(w["member"])
    # Onboarding: a people workbook waiting in preview (what it would import is the coordinator's alone), and an
    # import carried out (a task of the region's list, which region A reads anyway).
    o["import_preview"] = onboarding_services.region_import_preview(
        user=coordinator,
        region=w.region_a,
        uploads=[
            upload(
                "people",
                {
                    "people": [
                        {
                            "email": "ametyst@example.org",
                            "first_name": "Ametyst",
                            "last_name": "Ametystsen",
                            "employer": w.trusts_a[0].name,
                        }
                    ]
                },
            )
        ],
    )
    done = onboarding_services.region_import_preview(
        user=coordinator,
        region=w.region_a,
        uploads=[upload("networks", {"task_list": [{"code": "FJ9", "title": "Fjordlys: felles registerdata"}]})],
    )
    o["import_done"] = onboarding_services.region_import_confirm(user=coordinator, region_import=done)

    # --- People and roles: a person of trust A3 with a regional and a trust role, for the people pages.
    person = make_user("vulkan", trust=w.trusts_a[2], first_name="Vera", last_name="Vulkansen")
    o["person"] = person
    o["person_region_role"] = RegionRole.objects.create(
        user=person, region=w.region_a, role=RegionRole.Role.MEDICAL_DIRECTOR
    )
    o["person_trust_role"] = TrustRole.objects.create(
        user=person, trust=w.trusts_a[2], role=TrustRole.Role.CAPACITY_REPORTER
    )

    # --- Annual reports: A1's draft and A2's submitted report for last year; region A's approved version 1 and draft
    # version 2.
    year = today.year - 1
    o["year"] = year
    o["network_report"] = make_report(a1, year, status=NetworkReport.Status.DRAFT, worked_well="Obsidianutkast.")
    # A2's report is submitted, so the regional report has an appendix (its own page, read as the report is).
    make_report(a2, year, status=NetworkReport.Status.SUBMITTED, submitted_by=leader_a2, priorities="Prioritet A2.")
    regional = report_services.regional_report_start(user=coordinator, region=w.region_a, year=year)
    regional = report_services.regional_report_save(
        user=coordinator, report=regional, data={"introduction": "Innledning."}, lock_version=regional.lock_version
    )
    regional = report_services.regional_report_approve(
        user=director, report=regional, approved_on=today, approved_by_body="Fagdirektørmøtet"
    )
    draft_v2 = report_services.regional_report_new_version(user=coordinator, report=regional)
    o["regional_draft"] = report_services.regional_report_save(
        user=coordinator,
        report=draft_v2,
        data={"introduction": "Kvasarutkast: ny innledning."},
        lock_version=draft_v2.lock_version,
    )
    o["regional_report"] = regional

    # --- Events: one invited to (A1 and A2's leaders and secretaries), one still the coordinator's draft.
    event = make_event(w, title="Fjordlysseminaret")
    make_event(w, title="Tundraseminaret", region=w.region_b, networks=[b], created_by=w["coordinator_b"])
    o["event"] = event
    o["registration"] = register(event, leader)
    o["planned_event"] = make_event(w, title="Pulsarseminar", invited=False, status=Event.Status.PLANNED)

    # --- Regional funding: a call of region A and a draft application for A1 by its leader.
    call = make_call(w, title="Fjordlysmidlene")
    make_call(w, region=w.region_b, title="Tundramidlene")
    o["call"] = call
    o["application"] = draft(w, call, purpose="Nebulasoknad: samordne intensivtilbudet.")
    # --- A file made for A1's member by a background job: only its owner sees it, its page or its content.
    download = Download(owner=member, kind="tests.crawl", title="Pyrittfil: utdrag", filename="pyrittfil.txt")
    download.file.save("pyrittfil.txt", ContentFile(b"Pyrittfil: innhold"), save=False)
    download.state, download.content_type = Download.State.DONE, "text/plain"
    download.finished_at = timezone.now()
    download.expires_at = download.finished_at + datetime.timedelta(hours=1)
    download.save()
    o["download"] = download
    return CrawlWorld(base=w, people=people, objects=o)
