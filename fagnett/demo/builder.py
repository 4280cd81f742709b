"""Builds the demo world. Deterministic: the same data on every run."""

import datetime
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.budget import demo as budget_demo
from fagnett.capacity import demo as capacity_demo
from fagnett.cases import demo as cases_demo
from fagnett.demo import data
from fagnett.events import demo as events_demo
from fagnett.funding import demo as funding_demo
from fagnett.meetings import demo as meetings_demo
from fagnett.networks.models import (
    Appointment,
    AppointmentRole,
    Mandate,
    MeetingForm,
    Network,
    TaskListItem,
    default_period_end,
)
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from fagnett.procedures import demo as procedures_demo
from fagnett.progress import demo as progress_demo
from fagnett.reports import demo as reports_demo


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    description: str


DEMO_LOGINS = [
    DemoLogin("koordinator", "Regional koordinator", "Helse Midt-Norge RHF – alle nettverkene i regionen"),
    DemoLogin("fagdirektor", "Fagdirektør", "Helse Midt-Norge RHF – leser alt, godkjenner årsrapporten"),
    DemoLogin("leder", "Nettverksleder", "Anestesi og intensiv, St. Olavs hospital"),
    DemoLogin("sekretar", "Sekretær", "Anestesi og intensiv, St. Olavs hospital"),
    DemoLogin("medlem", "Medlem", "Anestesi og intensiv, Helse Møre og Romsdal"),
    DemoLogin("rhf-representant", "RHF-representant", "Anestesi og intensiv, Helse Midt-Norge RHF"),
    DemoLogin("brukerrepresentant", "Brukerrepresentant", "Anestesi og intensiv"),
    DemoLogin("fagsjef", "Fagsjef", "Helse Møre og Romsdal – nominerer medlemmer"),
    DemoLogin("ansatt", "Ansatt", "Helse Nord-Trøndelag – melder saker"),
    DemoLogin("koordinator-nord", "Regional koordinator", "Helse Nord RHF"),
    DemoLogin("fagdirektor-nord", "Fagdirektør", "Helse Nord RHF"),
    DemoLogin("leder-intensiv", "Nettverksleder", "Fagnettverk for ledere på intensivavdelinger, UNN"),
    DemoLogin("sekretar-intensiv", "Sekretær", "Fagnettverk for ledere på intensivavdelinger, UNN"),
    DemoLogin("fagsjef-unn", "Fagsjef", "Universitetssykehuset Nord-Norge"),
    DemoLogin("rapportor", "Rapportør intensivkapasitet", "Universitetssykehuset Nord-Norge"),
]


class _People:
    """Hands out fictional people with unique names, employed where asked."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.used: set[tuple[str, str]] = set()
        self.counter = 0

    def make(
        self,
        *,
        trust: HealthTrust | None = None,
        region: Region | None = None,
        title: str = "",
        username: str = "",
        password: str | None = None,
    ) -> User:
        while True:
            name = (self.random.choice(data.FIRST_NAMES), self.random.choice(data.LAST_NAMES))
            if name not in self.used:
                self.used.add(name)
                break
        self.counter += 1
        first, last = name
        username = username or f"{first}.{last}".lower().replace("ø", "o").replace("å", "a").replace("æ", "ae")
        email_name = username.replace("-", ".")
        domain = (
            (trust.short_name if trust else region.short_name if region else "fagnett")
            .lower()
            .replace(" ", "")
            .replace(".", "")
        )
        user = User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{email_name}@{domain}.example",
            title=title,
            trust=trust,
            region_employer=region,
        )
        user.password = make_password(password) if password else make_password(None)
        user.save()
        return user


def _appoint(
    network: Network, person: User, role: str, trust: HealthTrust | None, start: datetime.date, by: User | None
) -> Appointment:
    return Appointment.objects.create(
        network=network,
        person=person,
        role=role,
        trust=trust,
        status=Appointment.Status.APPOINTED,
        nominated_by=by,
        nominated_at=timezone.make_aware(
            datetime.datetime.combine(start - datetime.timedelta(days=30), datetime.time(10))
        ),
        start_date=start,
        decided_by=by,
        decided_at=timezone.make_aware(
            datetime.datetime.combine(start - datetime.timedelta(days=7), datetime.time(10))
        ),
    )


def _organisation(region: Region, trusts: list[tuple[str, str, int, list[tuple[str, str]]]]) -> dict[str, HealthTrust]:
    result = {}
    for name, short, population, hospitals in trusts:
        trust = HealthTrust.objects.create(region=region, name=name, short_name=short, population=population)
        for hospital_name, municipality in hospitals:
            Hospital.objects.create(trust=trust, name=hospital_name, municipality=municipality)
        result[short] = trust
    return result


@transaction.atomic
def build() -> dict[str, Any]:
    people = _People(seed=2026)
    pw = data.DEMO_PASSWORD

    hmn = Region.objects.create(name="Helse Midt-Norge RHF", short_name="HMN")
    hn = Region.objects.create(name="Helse Nord RHF", short_name="Helse Nord")
    hmn_trusts = _organisation(hmn, data.HMN_TRUSTS)
    hn_trusts = _organisation(hn, data.HN_TRUSTS)
    hospitals = {h.name: h for h in Hospital.objects.all()}
    for hospital_name, unit_name, age_group in data.ICU_UNITS:
        Unit.objects.create(hospital=hospitals[hospital_name], name=unit_name, kind=Unit.Kind.ICU, age_group=age_group)

    hmn_tasks = {
        code: TaskListItem.objects.create(region=hmn, code=code, title=title, order=i)
        for i, (code, title) in enumerate(data.HMN_TASKS, 1)
    }
    hn_tasks = {
        code: TaskListItem.objects.create(region=hn, code=code, title=title, order=i)
        for i, (code, title) in enumerate(data.HN_TASKS, 1)
    }

    # --- Demo logins -------------------------------------------------------------------------------------------
    st_olavs, hmr, hnt = hmn_trusts["St. Olavs"], hmn_trusts["HMR"], hmn_trusts["HNT"]
    unn = hn_trusts["UNN"]
    koordinator = people.make(
        region=hmn, title="Regional koordinator for fagledernettverkene", username="koordinator", password=pw
    )
    fagdirektor = people.make(region=hmn, title="Fagdirektør", username="fagdirektor", password=pw)
    RegionRole.objects.create(user=koordinator, region=hmn, role=RegionRole.Role.COORDINATOR)
    RegionRole.objects.create(user=fagdirektor, region=hmn, role=RegionRole.Role.MEDICAL_DIRECTOR)
    koordinator_nord = people.make(
        region=hn, title="Spesialrådgiver, Helsefagavdelingen", username="koordinator-nord", password=pw
    )
    fagdirektor_nord = people.make(region=hn, title="Fagdirektør", username="fagdirektor-nord", password=pw)
    RegionRole.objects.create(user=koordinator_nord, region=hn, role=RegionRole.Role.COORDINATOR)
    RegionRole.objects.create(user=fagdirektor_nord, region=hn, role=RegionRole.Role.MEDICAL_DIRECTOR)
    fagsjef = people.make(trust=hmr, title="Fagsjef", username="fagsjef", password=pw)
    TrustRole.objects.create(user=fagsjef, trust=hmr, role=TrustRole.Role.FAGSJEF)
    fagsjef_unn = people.make(trust=unn, title="Fagsjef", username="fagsjef-unn", password=pw)
    TrustRole.objects.create(user=fagsjef_unn, trust=unn, role=TrustRole.Role.FAGSJEF)
    rapportor = people.make(trust=unn, title="Seksjonsleder, intensivavdelingen", username="rapportor", password=pw)
    TrustRole.objects.create(user=rapportor, trust=unn, role=TrustRole.Role.CAPACITY_REPORTER)
    people.make(trust=hnt, title="Overlege, medisinsk avdeling", username="ansatt", password=pw)
    for short, trust in hmn_trusts.items():
        if short != "HMR":
            TrustRole.objects.create(
                user=people.make(trust=trust, title="Fagsjef"), trust=trust, role=TrustRole.Role.FAGSJEF
            )
    for short, trust in hn_trusts.items():
        if short != "UNN":
            TrustRole.objects.create(
                user=people.make(trust=trust, title="Fagsjef"), trust=trust, role=TrustRole.Role.FAGSJEF
            )
            TrustRole.objects.create(
                user=people.make(trust=trust, title="Avdelingsleder, intensiv"),
                trust=trust,
                role=TrustRole.Role.CAPACITY_REPORTER,
            )

    # --- Helse Midt-Norge: 33 networks ---------------------------------------------------------------------------
    rng = random.Random(33)
    v1_start = data.HMN_MANDATE_V1["period_start"]
    v2_start = data.HMN_MANDATE_V2["period_start"]
    networks: dict[str, Network] = {}
    for name, field, lead_short, task_codes in data.HMN_NETWORKS:
        not_started = name == "Hudsykdommer"
        network = Network.objects.create(
            region=hmn,
            name=name,
            field=field,
            status=Network.Status.NOT_STARTED if not_started else Network.Status.ACTIVE,
            established_on=datetime.date(2025, 9, 1) if not_started else datetime.date(2019, 1, 1),
            description=f"Regionalt fagledernettverk for {field.lower()} i Helse Midt-Norge.",
        )
        networks[name] = network
        lead_trust = hmn_trusts[lead_short]
        tasks = [hmn_tasks[c] for c in task_codes]
        if not not_started:
            v1 = Mandate.objects.create(
                network=network,
                version=1,
                purpose=data.HMN_PURPOSE,
                period_start=v1_start,
                period_end=default_period_end(v1_start),
                min_meetings_per_year=4,
                meeting_form=MeetingForm.MAINLY_DIGITAL,
                secretariat_trust=lead_trust,
                archive_trust=lead_trust,
                approved_by=data.HMN_APPROVER,
                approved_on=data.HMN_MANDATE_V1["approved_on"],
                change_reason="Revidert felles mandat for fagledernettverkene 2023.",
                created_by=koordinator,
            )
            v1.tasks.set(tasks)
        v2 = Mandate.objects.create(
            network=network,
            version=1 if not_started else 2,
            purpose=data.HMN_PURPOSE,
            period_start=v2_start if not not_started else datetime.date(2025, 9, 1),
            period_end=default_period_end(v2_start if not not_started else datetime.date(2025, 9, 1)),
            min_meetings_per_year=4,
            meeting_form=MeetingForm.MAINLY_DIGITAL,
            secretariat_trust=lead_trust,
            archive_trust=lead_trust,
            approved_by=data.HMN_APPROVER,
            approved_on=data.HMN_MANDATE_V2["approved_on"] if not not_started else datetime.date(2025, 8, 20),
            change_reason="Fornyet mandatperiode 2026–2029." if not not_started else "Nytt nettverk etablert 2025.",
            created_by=koordinator,
        )
        v2.tasks.set(tasks)

        # People: the leader (klinikksjef/avdelingssjef) and secretary from the leading trust, members from every
        # trust, the RHF's representative. Some networks lack a member from a trust: the matrix shows the gap.
        if name == "Anestesi og intensiv":
            leader = people.make(
                trust=lead_trust,
                title="Klinikksjef, Klinikk for anestesi og intensivmedisin",
                username="leder",
                password=pw,
            )
            secretary = people.make(
                trust=lead_trust,
                title="Sekretær, Klinikk for anestesi og intensivmedisin",
                username="sekretar",
                password=pw,
            )
        else:
            leader = people.make(trust=lead_trust, title=f"Klinikksjef, {field.lower()}")
            secretary = people.make(trust=lead_trust, title="Klinikksekretær")
        start = datetime.date(2023, 9, 1)
        _appoint(network, leader, AppointmentRole.LEADER, lead_trust, start, koordinator)
        if name != "Habilitering":  # the report: every network but one has a secretary
            _appoint(network, secretary, AppointmentRole.SECRETARY, lead_trust, start, koordinator)
        if not_started:
            continue
        for short, trust in hmn_trusts.items():
            if short == "HNT" and rng.random() < 0.2:
                continue  # a gap: nobody from Helse Nord-Trøndelag
            count = 2 if short == "St. Olavs" else 1
            for _ in range(count):
                if (
                    name == "Anestesi og intensiv"
                    and short == "HMR"
                    and not Appointment.objects.filter(person__username="medlem").exists()
                ):
                    member = people.make(trust=trust, title="Avdelingssjef, anestesi", username="medlem", password=pw)
                else:
                    member = people.make(trust=trust, title=f"Avdelingssjef, {field.lower()}")
                _appoint(network, member, AppointmentRole.MEMBER, trust, start, koordinator)
        rhf_rep = people.make(
            region=hmn,
            title="Spesialrådgiver",
            username="rhf-representant" if name == "Anestesi og intensiv" else "",
            password=pw if name == "Anestesi og intensiv" else None,
        )
        _appoint(network, rhf_rep, AppointmentRole.RHF_REPRESENTATIVE, None, start, koordinator)
        if name in {"Anestesi og intensiv", "Psykisk helsevern for voksne", "Habilitering", "Kreft"}:
            user_rep = people.make(
                trust=st_olavs,
                title="Brukerrepresentant, brukerutvalget",
                username="brukerrepresentant" if name == "Anestesi og intensiv" else "",
                password=pw if name == "Anestesi og intensiv" else None,
            )
            _appoint(network, user_rep, AppointmentRole.USER_REPRESENTATIVE, st_olavs, start, koordinator)

    for name, kind, parent_name, field in data.HMN_SUBGROUPS:
        parent = networks[parent_name]
        group = Network.objects.create(
            region=hmn,
            name=name,
            field=field,
            kind=kind,
            parent=parent,
            status=Network.Status.ACTIVE,
            established_on=datetime.date(2024, 1, 15),
            description=(
                "Tidligere eget fagledernettverk for smerte og utmattelse, lagt inn under Anestesi og intensiv som fagråd."
                if name == "Smerte og utmattelse"
                else "Vurderer hvilke prosedyrer som skal gjøres regionale."
            ),
        )
        _appoint(
            group,
            people.make(trust=st_olavs, title=f"Overlege, {field.lower()}"),
            AppointmentRole.LEADER,
            st_olavs,
            datetime.date(2024, 1, 15),
            koordinator,
        )

    # The secretaries' forum (seed 000: a Teams channel for the networks' secretaries to share experience),
    # a network of its own led by the coordinator, with every network's secretary as a member.
    forum = Network.objects.create(
        region=hmn,
        name="Sekretærforum for fagledernettverkene",
        field="Sekretariatsarbeid",
        kind=Network.Kind.FORUM,
        status=Network.Status.ACTIVE,
        established_on=datetime.date(2024, 2, 1),
        description="Erfaringsdeling og læring for sekretærene i fagledernettverkene i Helse Midt-Norge.",
    )
    _appoint(forum, koordinator, AppointmentRole.LEADER, None, datetime.date(2024, 2, 1), koordinator)
    for secretariat in (
        Appointment.objects.filter(network__region=hmn, network__kind=Network.Kind.NETWORK, role="secretary")
        .select_related("person", "trust")
        .order_by("network__name")
    ):
        _appoint(
            forum, secretariat.person, AppointmentRole.MEMBER, secretariat.trust, datetime.date(2024, 2, 1), koordinator
        )

    # Open nominations for the coordinator to decide, from the demo fagsjef in Helse Møre og Romsdal.
    for network_name in ("Hudsykdommer", "Geriatri"):
        candidate = people.make(trust=hmr, title="Overlege")
        Appointment.objects.create(
            network=networks[network_name],
            person=candidate,
            role=AppointmentRole.MEMBER,
            trust=hmr,
            nominated_by=fagsjef,
            nominated_at=timezone.now() - datetime.timedelta(days=3),
            nomination_note="Erfaren overlege med lederansvar og forankring i klinikkledelsen.",
        )
    # Colleagues the demo fagsjef can nominate.
    for title in ("Overlege, hudavdelingen", "Seksjonsleder, anestesi", "Overlege, geriatrisk seksjon"):
        people.make(trust=hmr, title=title)

    # --- Helse Nord: the ICU leaders' network, as its mandate says -------------------------------------------------
    icu = Network.objects.create(
        region=hn,
        name=data.ICU_NETWORK,
        field="Intensivmedisin",
        status=Network.Status.ACTIVE,
        established_on=data.ICU_PERIOD_START,
        description="Regionalt fagnettverk for ledere på intensivavdelingene i Helse Nord. Rådgivende struktur; "
        "saker tildeles av Helse Nord RHF. Ved manglende konsensus løftes saker til fagdirektør/fagsjefmøtet.",
    )
    mandate = Mandate.objects.create(
        network=icu,
        version=1,
        purpose=data.ICU_PURPOSE,
        specific_tasks=data.ICU_SPECIFIC_TASKS,
        period_start=data.ICU_PERIOD_START,
        period_end=default_period_end(data.ICU_PERIOD_START),
        min_meetings_per_year=4,
        meeting_form=MeetingForm.MAINLY_DIGITAL,
        secretariat_trust=unn,
        archive_trust=unn,
        budget_amount=750_000,
        budget_note=data.ICU_BUDGET_NOTE,
        approved_by="Helse Nord RHF ved fagdirektør",
        approved_on=datetime.date(2024, 2, 14),
        change_reason="Oppnevning av fagnettverket.",
        created_by=koordinator_nord,
    )
    mandate.tasks.set(hn_tasks.values())
    icu_start = data.ICU_PERIOD_START
    leder_intensiv = people.make(
        trust=unn, title="Avdelingsleder, intensivavdelingen UNN Tromsø", username="leder-intensiv", password=pw
    )
    sekretar_intensiv = people.make(
        trust=unn, title="Konsulent, Akuttmedisinsk klinikk", username="sekretar-intensiv", password=pw
    )
    _appoint(icu, leder_intensiv, AppointmentRole.LEADER, unn, icu_start, koordinator_nord)
    _appoint(icu, sekretar_intensiv, AppointmentRole.SECRETARY, unn, icu_start, koordinator_nord)
    _appoint(icu, rapportor, AppointmentRole.MEMBER, unn, icu_start, koordinator_nord)
    for short in ("NLSH", "FIN"):
        _appoint(
            icu,
            people.make(trust=hn_trusts[short], title="Avdelingsleder, intensiv"),
            AppointmentRole.MEMBER,
            hn_trusts[short],
            icu_start,
            koordinator_nord,
        )
    _appoint(
        icu,
        people.make(trust=hn_trusts["NLSH"], title="Seksjonsleder, intensiv Vesterålen"),
        AppointmentRole.DEPUTY,
        hn_trusts["NLSH"],
        icu_start,
        koordinator_nord,
    )
    _appoint(
        icu,
        people.make(region=hn, title="Rådgiver, Helsefagavdelingen"),
        AppointmentRole.RHF_REPRESENTATIVE,
        None,
        icu_start,
        koordinator_nord,
    )
    # Helgelandssykehuset's member is nominated but not yet appointed: a gap in the matrix and a decision waiting.
    hsyk = hn_trusts["HSYK"]
    hsyk_fagsjef = User.objects.get(trust=hsyk, trust_roles__role=TrustRole.Role.FAGSJEF)
    Appointment.objects.create(
        network=icu,
        person=people.make(trust=hsyk, title="Avdelingsleder, intensivenheten Mo i Rana"),
        role=AppointmentRole.MEMBER,
        trust=hsyk,
        nominated_by=hsyk_fagsjef,
        nominated_at=timezone.now() - datetime.timedelta(days=5),
        nomination_note="Leder intensivenheten i Mo i Rana, erfaring med arbeidstidsplanlegging og omstilling.",
    )
    for name, field in data.HN_OTHER_NETWORKS:
        other = Network.objects.create(
            region=hn, name=name, field=field, status=Network.Status.ACTIVE, established_on=datetime.date(2023, 1, 1)
        )
        m = Mandate.objects.create(
            network=other,
            version=1,
            purpose=f"Regionalt fagnettverk for {field.lower()} i Helse Nord.",
            period_start=datetime.date(2023, 1, 1),
            period_end=default_period_end(datetime.date(2023, 1, 1)),
            meeting_form=MeetingForm.DIGITAL,
            secretariat_trust=unn,
            archive_trust=unn,
            approved_by="Helse Nord RHF ved fagdirektør",
            approved_on=datetime.date(2022, 12, 1),
            created_by=koordinator_nord,
        )
        m.tasks.set([hn_tasks["N1"], hn_tasks["N4"]])
        _appoint(
            other,
            people.make(trust=unn, title=f"Klinikkleder, {field.lower()}"),
            AppointmentRole.LEADER,
            unn,
            datetime.date(2023, 1, 1),
            koordinator_nord,
        )

    # Colleagues of the UNN fagsjef who can be nominated.
    for title in ("Overlege, intensivavdelingen", "Intensivsykepleier, fagutvikler"):
        people.make(trust=unn, title=title)

    meetings_demo.build()
    cases_demo.build()
    progress_demo.build()
    capacity_demo.build()
    procedures_demo.build()
    budget_demo.build()
    funding_demo.build()
    events_demo.build()
    reports_demo.build()  # last: it freezes figures from all the records above
    return {"regions": 2, "networks": Network.objects.count(), "people": User.objects.count()}
