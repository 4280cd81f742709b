"""National-scale data for the benchmarks (issue 9), reproducible from a seed.

At ``--scale 1``: 4 regions, 20 trusts, 150 networks with sub-groups, about 3 000 people and ten years of
history — about 6 000 meetings with agendas, attendance and minutes, 40 000 cases with timelines, 100 000 action
items, 2 000 procedures and pathways, an annual report for every network and year (and the region's report,
approved and frozen, for every year but the last, which is a draft), and 60 ICU units × 3 categories × 4
scenarios × 520 weekly report rounds. ``--scale 0.01`` gives a small world of the same shape for tests.

Rows go in with ``bulk_create`` in batches, past the services (which would check permissions, send mail and
write history one row at a time), but the data keeps the models' rules: statuses with their timelines, case
numbers per network and year with their counters, staffed ≤ physical beds, one current entry per cell,
frozen report figures computed by ``reports.statistics`` itself.

    .venv/bin/python bench/generate.py --scale 1 --seed 9 --reset

The database is the one ``DATABASE_URL`` names (SQLite in ``var/`` without it). The named logins
``bench-koordinator-1`` … ``bench-ansatt-4`` (password ``bench``) are printed at the end. The same seed and
the same ``--today`` give the same rows.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import datetime
import json
import math
import os
import random
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

if __name__ == "__main__":  # run as a script: make the project importable and set Django up
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.budget.models import Expense, Grant
from fagnett.capacity.models import Assessment, CapacityEntry, Category, ReportRound, Scenario, UnitProfile
from fagnett.capacity.situation_models import SituationLine, SituationReport
from fagnett.cases.models import (
    Case,
    CaseCounter,
    CaseEvent,
    CommonCase,
    Consultation,
    EscalationTarget,
    case_reference,
)
from fagnett.demo import data as demo_data
from fagnett.events.models import Audience, Event, Registration
from fagnett.funding.models import Application, ApplicationEvent, BudgetLine, FundingCall
from fagnett.meetings.models import ActionItem, AgendaItem, Attendance, Meeting, Minutes, MinutesItem
from fagnett.networks.codes import derive_code
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, MeetingForm, Network, TaskListItem
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from fagnett.procedures.models import Procedure, StatusEvent
from fagnett.procedures.models import Status as ProcedureStatus
from fagnett.progress.models import ProgressReport, ReportingSchedule
from fagnett.reports import statistics
from fagnett.reports.models import NetworkReport, ReflectionPoint, RegionalReport, TaskRanking
from fagnett.topics.models import Topic

OSLO = ZoneInfo("Europe/Oslo")
PASSWORD = "bench"  # noqa: S105 — the benchmark logins only, on a throwaway database
BATCH = 1000
YEARS = 10

# At scale 1. Everything that grows with a region's life is multiplied by the scale; the organisation is not.
NETWORKS_PER_REGION = 33  # 4 × 33 = 132 networks, plus 18 sub-groups = 150
SUBGROUPS = 18
PEOPLE = 3000
MEETINGS = 6000
CASES = 40_000
ACTION_ITEMS = 100_000
PROCEDURES = 2000
ROUNDS = 520  # weekly, per region: ten years
UNITS_PER_TRUST = 3  # 20 trusts × 3 = 60 ICU units

REGIONS = [
    (
        "Helse Midt-Norge RHF",
        "HMN",
        [
            ("St. Olavs hospital HF", "St. Olavs", 338_000, ["Trondheim", "Orkdal", "Røros"]),
            ("Helse Møre og Romsdal HF", "HMR", 268_000, ["Ålesund", "Molde", "Kristiansund"]),
            ("Helse Nord-Trøndelag HF", "HNT", 137_000, ["Levanger", "Namsos"]),
            ("Helse Fosen HF", "Fosen", 60_000, ["Brekstad", "Rissa"]),
            ("Helse Innherred HF", "Innherred", 55_000, ["Steinkjer", "Verdal"]),
        ],
    ),
    (
        "Helse Nord RHF",
        "Helse Nord",
        [
            ("Universitetssykehuset Nord-Norge HF", "UNN", 193_000, ["Tromsø", "Harstad", "Narvik"]),
            ("Nordlandssykehuset HF", "NLSH", 136_000, ["Bodø", "Vesterålen", "Lofoten"]),
            ("Helgelandssykehuset HF", "HSYK", 77_000, ["Mo i Rana", "Mosjøen", "Sandnessjøen"]),
            ("Finnmarkssykehuset HF", "FIN", 75_000, ["Hammerfest", "Kirkenes"]),
            ("Sykehuset Ofoten HF", "Ofoten", 40_000, ["Ballangen", "Evenes"]),
        ],
    ),
    (
        "Helse Vest RHF",
        "Helse Vest",
        [
            ("Helse Bergen HF", "Bergen", 460_000, ["Haukeland", "Voss", "Kysthospitalet"]),
            ("Helse Stavanger HF", "Stavanger", 370_000, ["Stavanger", "Egersund"]),
            ("Helse Fonna HF", "Fonna", 180_000, ["Haugesund", "Stord", "Odda"]),
            ("Helse Førde HF", "Førde", 108_000, ["Førde", "Lærdal", "Nordfjord"]),
            ("Haraldsplass HF", "Haraldsplass", 100_000, ["Haraldsplass", "Åsane"]),
        ],
    ),
    (
        "Helse Sør-Øst RHF",
        "HSØ",
        [
            ("Oslo universitetssykehus HF", "OUS", 650_000, ["Rikshospitalet", "Ullevål", "Aker"]),
            ("Akershus universitetssykehus HF", "Ahus", 600_000, ["Lørenskog", "Kongsvinger"]),
            ("Sykehuset Innlandet HF", "SI", 370_000, ["Hamar", "Lillehammer", "Gjøvik"]),
            ("Vestre Viken HF", "VV", 500_000, ["Drammen", "Bærum", "Ringerike"]),
            ("Sørlandet sykehus HF", "SSHF", 310_000, ["Kristiansand", "Arendal", "Flekkefjord"]),
        ],
    ),
]
SUBGROUP_NAMES = [
    ("council", "Fagråd for {field}"),
    ("working_group", "Arbeidsgruppe for regionale prosedyrer i {field}"),
    ("working_group", "Arbeidsgruppe for pasientforløp i {field}"),
]
WORKED_WELL = [
    "Gode samarbeidsforhold",
    "Effektiv møteorganisering",
    "Gode faglige diskusjoner",
    "Regelmessige møter, inkl. fysiske",
    "Deltakelse og engasjement fra medlemmene",
    "Godt samarbeid med RHF-representant",
    "Bistand fra analyseseksjonen i RHF-et",
]
IMPROVE = [
    "Bedre oppfølging av saker mellom møtene",
    "Mer strukturert møteplanlegging og -gjennomføring",
    "Deltakelse og bidrag fra alle HF",
    "Utarbeide flere regionale fagprosedyrer",
    "Større vekt på standardisert pasientinformasjon",
    "Mer tverrfaglig samarbeid",
]
TOPICS = [
    "Helseplattformen",
    "Prioritering og utfasing av lavverditjenester (Kloke valg)",
    "Bemanning, kompetanse og utdanning",
    "Beredskap",
    "Samhandling med primærhelsetjenesten",
    "Behovsstyrt oppfølging",
    "Digitalisering",
]
CASE_SUBJECTS = [
    "Felles prosedyre for {f}",
    "Henvisningskriterier i {f}",
    "Ventetider og fristbrudd i {f}",
    "Utfasing av lavverditjenester i {f}",
    "Kompetanseplan for {f}",
    "Overflytting mellom sykehus i {f}",
    "Bruk av registerdata i {f}",
    "Pasientinformasjon i {f}",
    "Oppgavedeling mellom HF-ene i {f}",
    "Beredskap i sommerperioden i {f}",
]
ACTIONS = [
    "Sende utkast på høring",
    "Innhente tall fra HF-ene",
    "Lage notat til RHF-et",
    "Oppdatere prosedyren",
    "Kontakte kvalitetsregisteret",
    "Forberede sak til neste møte",
]
PROCEDURE_TITLES = [
    "Henvisning og prioritering",
    "Smertebehandling",
    "Legemiddelhåndtering",
    "Pasientinformasjon ved utskrivning",
    "Infeksjonsforebygging",
    "Ernæring og væskebehandling",
    "Oppfølging etter behandling",
    "Overflytting mellom sykehus",
    "Samhandling med kommunene",
    "Vurdering av akutt syk pasient",
]
LENGTH_OF_STAY = {"K1": 1.5, "K2": 2.5, "K3": 4.5}
NURSES_PER_BED = {"K1": 2.0, "K2": 3.5, "K3": 5.5}


# --- helpers --------------------------------------------------------------------------------------------------


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=OSLO)


@contextlib.contextmanager
def explicit_timestamps(*model_classes: type[models.Model]) -> Iterator[None]:
    """Let the generator set ``auto_now``/``auto_now_add`` fields itself, so the history has its own dates."""
    changed: list[tuple[Any, bool, bool]] = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in changed:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Writer:
    """Writes rows fast: primary keys are given here, and rows go in with COPY (PostgreSQL) or ``executemany``.

    ``bulk_create`` spends most of its time compiling SQL for every value; with a million rows that is minutes.
    Values are still prepared by each field (``get_db_prep_save``) wherever a type needs it (dates, decimals, JSON,
    UUIDs), so they are stored exactly as the ORM would store them. ``add`` buffers, ``now`` writes at once.
    """

    def __init__(self) -> None:
        self.buffers: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.counts: dict[str, int] = defaultdict(int)
        self.next_pk: dict[type[models.Model], int] = {}

    def _give_pks(self, objs: Sequence[models.Model]) -> None:
        model = type(objs[0])
        if model not in self.next_pk:
            self.next_pk[model] = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1  # type: ignore[attr-defined]
        for obj in objs:
            if obj.pk is None:
                obj.pk = self.next_pk[model]
                self.next_pk[model] += 1

    def add(self, obj: models.Model) -> None:
        self._give_pks([obj])
        buffer = self.buffers[type(obj)]
        buffer.append(obj)
        if len(buffer) >= 10 * BATCH:
            self.flush(type(obj))

    def now(self, objs: Sequence[Any]) -> list[Any]:
        """Write ``objs`` at once; they have their primary keys."""
        objs = list(objs)
        if objs:
            self._give_pks(objs)
            self._insert(type(objs[0]), objs)
        return objs

    def flush(self, model: type[models.Model] | None = None) -> None:
        for m in [model] if model else list(self.buffers):
            rows = self.buffers.pop(m, [])
            if rows:
                self._insert(m, rows)

    def _insert(self, model: type[models.Model], objs: list[models.Model]) -> None:
        fields = list(model._meta.concrete_fields)
        plain = (models.IntegerField, models.BooleanField, models.ForeignKey)
        text = (models.CharField, models.TextField)

        db = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the per-thread proxy: once, not per value

        def prepare(f: Any) -> Any:
            if isinstance(f, plain) and not isinstance(f, models.DecimalField):
                return None
            if isinstance(f, text):
                return str
            return lambda value: f.get_db_prep_save(value, db)

        converters = [(f.attname, prepare(f)) for f in fields]
        rows = []
        for obj in objs:
            row = []
            for attname, convert in converters:
                value = getattr(obj, attname)
                row.append(value if convert is None or value is None else convert(value))
            rows.append(row)
            obj._state.adding = False
            obj._state.db = connection.alias
        quote = connection.ops.quote_name
        table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                # Table and column names come from the models, never from input.
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
        self.counts[model._meta.label] += len(rows)

    def finish(self) -> None:
        """Set PostgreSQL's sequences past the keys given here, so the application's own inserts carry on."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_pk))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def scaled(value: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, math.ceil(value * scale))


@dataclass
class RegionWorld:
    region: Region
    index: int
    trusts: list[HealthTrust]
    staff: dict[int, list[User]] = field(default_factory=dict)  # trust id → employees
    pool: dict[int, list[User]] = field(default_factory=dict)  # trust id → employees free to appoint
    named: dict[str, User] = field(default_factory=dict)  # the benchmark logins
    rhf_staff: list[User] = field(default_factory=list)
    coordinator: User | None = None
    director: User | None = None
    fagsjefs: dict[int, User] = field(default_factory=dict)
    tasks: list[TaskListItem] = field(default_factory=list)
    networks: list[Network] = field(default_factory=list)  # top-level, in order
    subgroups: list[Network] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    points: dict[str, list[ReflectionPoint]] = field(default_factory=dict)

    @property
    def all_networks(self) -> list[Network]:
        return self.networks + self.subgroups

    def employees(self) -> list[User]:
        return [u for people in self.staff.values() for u in people]


@dataclass
class Result:
    seed: int
    scale: float
    today: datetime.date
    seconds: float
    counts: dict[str, int]
    steps: list[tuple[str, float]]
    logins: dict[str, str]


# --- the generator --------------------------------------------------------------------------------------------


class Generator:
    def __init__(self, *, seed: int, scale: float, today: datetime.date, out: TextIO | None = None) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.today = today
        self.now = at(today, 12)
        self.first_year = today.year - YEARS + 1
        self.out = out
        self.w = Writer()
        self.regions: list[RegionWorld] = []
        self.appointed: dict[int, list[Appointment]] = {}  # network id → appointed, open appointments
        self.leaders: dict[int, User] = {}
        self.secretaries: dict[int, User] = {}
        self.meetings: dict[int, list[Meeting]] = defaultdict(list)  # network id → meetings by start
        self.cases: dict[int, list[Case]] = defaultdict(list)  # network id → cases by submission
        self.steps: list[tuple[str, float]] = []
        self.password = make_password(PASSWORD)
        self.logins: dict[str, str] = {}
        self.person_counter = 0

    def log(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message + "\n")
            self.out.flush()

    def step(self, name: str, started: float) -> None:
        seconds = time.monotonic() - started
        self.steps.append((name, seconds))
        self.log(f"  {name:<38} {seconds:6.1f} s")

    def network_code(self, region_id: int, name: str) -> str:
        """The code the app would give the network (networks.codes), unique in its region: bulk creation skips
        ``Network.save``, which gives it otherwise."""
        taken: set[str] = self.__dict__.setdefault("_codes", {}).setdefault(region_id, set())
        code = derive_code(name, taken.__contains__)
        taken.add(code)
        return code

    def day_between(self, start: datetime.date, end: datetime.date) -> datetime.date:
        span = (end - start).days
        return start + datetime.timedelta(days=self.rng.randint(0, max(0, span)))

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def run(self) -> Result:
        started = time.monotonic()
        with transaction.atomic(), explicit_timestamps(*ALL_MODELS):
            for name, method in (
                ("organisation and people", self.organisation),
                ("networks, mandates, appointments", self.networks),
                ("meetings", self.meetings_plan),
                ("cases and timelines", self.cases_make),
                ("agendas, attendance, minutes", self.agendas),
                ("action items", self.action_items),
                ("consultations, task progress", self.consultations_and_progress),
                ("procedures and pathways", self.procedures),
                ("budget and funding", self.budget_and_funding),
                ("events", self.events),
                ("topics", self.topic_tags),
                ("annual reports", self.reports),
                ("ICU capacity", self.capacity),
            ):
                step_started = time.monotonic()
                method()
                self.w.flush()
                self.step(name, step_started)
            self.w.finish()
        step_started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.step("ANALYZE", step_started)
        counts = dict(sorted(self.w.counts.items()))
        return Result(
            seed=self.seed,
            scale=self.scale,
            today=self.today,
            seconds=time.monotonic() - started,
            counts=counts,
            steps=self.steps,
            logins=self.logins,
        )

    # --- organisation and people ----------------------------------------------------------------------------

    def person(self, *, trust: HealthTrust | None = None, region: Region | None = None, username: str = "") -> User:
        self.person_counter += 1
        first = self.rng.choice(demo_data.FIRST_NAMES)
        last = self.rng.choice(demo_data.LAST_NAMES)
        username = username or f"p{self.person_counter:05d}"
        domain = (trust.short_name if trust else region.short_name if region else "fagnett").lower().replace(" ", "")
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{domain}.example",
            title=self.rng.choice(["Overlege", "Avdelingssjef", "Seksjonsleder", "Klinikksjef", "Rådgiver"]),
            trust=trust,
            region_employer=region,
            password=self.password if username.startswith("bench-") else "!",
            date_joined=at(datetime.date(self.first_year - 1, 1, 1)),
        )

    def organisation(self) -> None:
        rng = self.rng
        people_per_trust = max(8, round(PEOPLE * self.scale * 0.95 / 20))
        rhf_people = max(4, round(PEOPLE * self.scale * 0.05 / 4))
        for index, (name, short, trusts) in enumerate(REGIONS, 1):
            region = self.w.now([Region(name=name, short_name=short)])[0]
            trust_rows = self.w.now(
                [
                    HealthTrust(region=region, name=t_name, short_name=t_short, population=population)
                    for t_name, t_short, population, _ in trusts
                ]
            )
            world = RegionWorld(region=region, index=index, trusts=trust_rows)
            hospitals: list[Hospital] = []
            for trust, (_, t_short, _, places) in zip(trust_rows, trusts, strict=True):
                hospitals += [Hospital(trust=trust, name=f"{t_short} {place}", municipality=place) for place in places]
            hospitals = self.w.now(hospitals)
            by_trust: dict[int, list[Hospital]] = defaultdict(list)
            for hospital in hospitals:
                by_trust[hospital.trust_id].append(hospital)
            units = []
            for trust in trust_rows:
                sites = by_trust[trust.pk]
                for u in range(UNITS_PER_TRUST):
                    hospital = sites[u % len(sites)]
                    age = Unit.AgeGroup.NEONATAL if u == 1 else Unit.AgeGroup.ADULT
                    label = {0: "Intensivavdelingen", 1: "Nyfødt intensiv", 2: "Intensiv/overvåkning"}[u]
                    units.append(Unit(hospital=hospital, name=f"{label}, {hospital.name}", age_group=age))
            world.units = self.w.now(units)
            self.w.now(
                [
                    UnitProfile(
                        unit=unit,
                        non_invasive_ventilation=True,
                        invasive_ventilation=unit.age_group != Unit.AgeGroup.NEONATAL or rng.random() < 0.5,
                        ecmo=rng.random() < 0.1,
                        renal_replacement=rng.random() < 0.5,
                        isolation_rooms=rng.randint(0, 4),
                    )
                    for unit in world.units
                ]
            )
            world.tasks = self.w.now(
                [
                    TaskListItem(region=region, code=code, title=title, order=i)
                    for i, (code, title) in enumerate(demo_data.HMN_TASKS, 1)
                ]
            )
            points = []
            for kind, titles in (
                (ReflectionPoint.Kind.WORKED_WELL, WORKED_WELL),
                (ReflectionPoint.Kind.IMPROVE, IMPROVE),
            ):
                points += [ReflectionPoint(region=region, kind=kind, title=t, order=i) for i, t in enumerate(titles, 1)]
            for point in self.w.now(points):
                world.points.setdefault(str(point.kind), []).append(point)
            world.topics = self.w.now([Topic(region=region, name=name, order=i) for i, name in enumerate(TOPICS, 1)])

            # People: the named logins first, then everyone else.
            t0, t1 = trust_rows[0], trust_rows[1]
            named = {
                "koordinator": self.person(region=region, username=f"bench-koordinator-{index}"),
                "fagdirektor": self.person(region=region, username=f"bench-fagdirektor-{index}"),
                "leder": self.person(trust=t0, username=f"bench-leder-{index}"),
                "sekretar": self.person(trust=t0, username=f"bench-sekretar-{index}"),
                "medlem": self.person(trust=t1, username=f"bench-medlem-{index}"),
                "fagsjef": self.person(trust=t0, username=f"bench-fagsjef-{index}"),
                "rapportor": self.person(trust=t0, username=f"bench-rapportor-{index}"),
                "ansatt": self.person(trust=t1, username=f"bench-ansatt-{index}"),
            }
            generic: dict[int, list[User]] = {
                trust.pk: [self.person(trust=trust) for _ in range(people_per_trust)] for trust in trust_rows
            }
            rhf = [self.person(region=region) for _ in range(rhf_people)]
            created = self.w.now([*named.values(), *rhf, *(u for users in generic.values() for u in users)])
            world.named = dict(zip(named, created, strict=False))
            named = world.named
            for role, user in named.items():
                self.logins[f"{role}-{index}"] = user.username
            for user in created:
                if user.trust_id:
                    world.staff.setdefault(user.trust_id, []).append(user)
                else:
                    world.rhf_staff.append(user)
            for trust in trust_rows:
                # The last two of each trust are its fagsjef and capacity reporter (the first trust's are named).
                world.pool[trust.pk] = [u for u in world.staff[trust.pk] if u not in named.values()][:-2]
            world.coordinator, world.director = named["koordinator"], named["fagdirektor"]
            self.w.now(
                [
                    RegionRole(user=world.coordinator, region=region, role=RegionRole.Role.COORDINATOR),
                    RegionRole(user=world.director, region=region, role=RegionRole.Role.MEDICAL_DIRECTOR),
                ]
            )
            trust_roles = [
                TrustRole(user=named["fagsjef"], trust=t0, role=TrustRole.Role.FAGSJEF),
                TrustRole(user=named["rapportor"], trust=t0, role=TrustRole.Role.CAPACITY_REPORTER),
            ]
            world.fagsjefs[t0.pk] = named["fagsjef"]
            for trust in trust_rows[1:]:
                fagsjef, reporter = world.staff[trust.pk][-1], world.staff[trust.pk][-2]
                world.fagsjefs[trust.pk] = fagsjef
                trust_roles += [
                    TrustRole(user=fagsjef, trust=trust, role=TrustRole.Role.FAGSJEF),
                    TrustRole(user=reporter, trust=trust, role=TrustRole.Role.CAPACITY_REPORTER),
                ]
            self.w.now(trust_roles)
            self.regions.append(world)

    # --- networks ---------------------------------------------------------------------------------------------

    def networks(self) -> None:
        rng = self.rng
        per_region = min(NETWORKS_PER_REGION, scaled(NETWORKS_PER_REGION, self.scale))
        subgroups_total = scaled(SUBGROUPS, self.scale, minimum=len(self.regions))
        history_start = datetime.date(self.first_year, 1, 1)
        for world in self.regions:
            rows = []
            for i, (name, field_name, _, _) in enumerate(demo_data.HMN_NETWORKS[:per_region]):
                late = i > 0 and rng.random() < 0.1  # a few networks were set up during the ten years
                established = (
                    self.day_between(
                        history_start + datetime.timedelta(days=365), datetime.date(self.today.year - 1, 6, 1)
                    )
                    if late
                    else self.day_between(datetime.date(self.first_year - 6, 1, 1), history_start)
                )
                rows.append(
                    Network(
                        region=world.region,
                        name=name,
                        code=self.network_code(world.region.pk, name),
                        field=field_name,
                        status=Network.Status.ACTIVE,
                        established_on=established,
                        description=f"Regionalt fagledernettverk for {field_name.lower()} i {world.region.name}.",
                        minutes_visible_to_region=rng.random() < 0.3,
                    )
                )
            world.networks = self.w.now(rows)
        # Sub-groups, round the regions.
        subgroups: list[Network] = []
        for n in range(subgroups_total):
            world = self.regions[n % len(self.regions)]
            parent = world.networks[(n // len(self.regions) * 3) % len(world.networks)]
            kind, pattern = SUBGROUP_NAMES[(n // len(self.regions)) % len(SUBGROUP_NAMES)]
            subgroups.append(
                Network(
                    region=world.region,
                    name=pattern.format(field=parent.field.lower()),
                    code=self.network_code(world.region.pk, pattern.format(field=parent.field.lower())),
                    field=parent.field,
                    kind=kind,
                    parent=parent,
                    status=Network.Status.ACTIVE,
                    established_on=max(parent.established_on or history_start, history_start)
                    + datetime.timedelta(days=rng.randint(0, 900)),
                )
            )
        for subgroup in self.w.now(subgroups):
            next(w for w in self.regions if w.region.pk == subgroup.region_id).subgroups.append(subgroup)

        mandates: list[Mandate] = []
        mandate_tasks: list[tuple[Mandate, list[TaskListItem]]] = []
        appointments: list[Appointment] = []
        for world in self.regions:
            named = world.named
            for i, network in enumerate(world.networks):
                lead = world.trusts[0] if i == 0 or rng.random() < 0.6 else rng.choice(world.trusts)
                # Mandates: three-year periods from the start, the last one running now (some end soon).
                start = max(network.established_on or history_start, datetime.date(self.first_year - 3, 1, 1))
                version = 0
                tasks = rng.sample(world.tasks, rng.randint(2, 4))
                while True:
                    version += 1
                    end = start.replace(year=start.year + 3) - datetime.timedelta(days=1)
                    mandate = Mandate(
                        network=network,
                        version=version,
                        purpose=f"Samling om beste praksis i {network.field.lower()}, for likeverdige tjenester.",
                        period_start=start,
                        period_end=end,
                        min_meetings_per_year=4,
                        meeting_form=MeetingForm.MAINLY_DIGITAL,
                        secretariat_trust=lead,
                        archive_trust=lead,
                        approved_by="Regionalt fagdirektørnettverk",
                        approved_on=start - datetime.timedelta(days=20),
                        change_reason="Ny mandatperiode." if version > 1 else "Nettverket ble opprettet.",
                        created_by=world.coordinator,
                        created_at=at(start - datetime.timedelta(days=20)),
                    )
                    mandates.append(mandate)
                    mandate_tasks.append((mandate, tasks))
                    if end >= self.today:
                        break
                    start = end + datetime.timedelta(days=1)
                appointments += self.staff_network(world, network, lead, named if i == 0 else None)
            for subgroup in world.subgroups:
                lead = world.trusts[0]
                leader = rng.choice(world.pool[lead.pk])
                appointments.append(self.appointment(subgroup, leader, AppointmentRole.LEADER, lead, subgroup))
                for trust in rng.sample(world.trusts, 2):
                    member = rng.choice(world.pool[trust.pk])
                    if member.pk != leader.pk:
                        appointments.append(self.appointment(subgroup, member, AppointmentRole.MEMBER, trust, subgroup))
            # Open nominations for the coordinator to decide, from the trusts' fagsjefs.
            for n in range(scaled(5, self.scale)):
                network = world.networks[(n * 7 + 1) % len(world.networks)]
                trust = world.trusts[n % len(world.trusts)]
                person = world.pool[trust.pk][n % len(world.pool[trust.pk])]
                if any(a.person_id == person.pk and a.network_id == network.pk for a in appointments):
                    continue
                appointments.append(
                    Appointment(
                        network=network,
                        person=person,
                        role=AppointmentRole.MEMBER,
                        trust=trust,
                        status=Appointment.Status.NOMINATED,
                        nominated_by=world.fagsjefs[trust.pk],
                        nominated_at=self.now - datetime.timedelta(days=n + 1),
                        nomination_note="Erfaren kliniker med lederansvar.",
                    )
                )
        mandates = self.w.now(mandates)
        through = Mandate.tasks.through
        self.w.now([through(mandate_id=m.pk, tasklistitem_id=t.pk) for m, tasks in mandate_tasks for t in tasks])
        for appointment in self.w.now(appointments):
            if appointment.status == Appointment.Status.APPOINTED:
                self.appointed.setdefault(appointment.network_id, []).append(appointment)
                if appointment.role == AppointmentRole.LEADER:
                    self.leaders.setdefault(appointment.network_id, appointment.person)
                elif appointment.role == AppointmentRole.SECRETARY:
                    self.secretaries.setdefault(appointment.network_id, appointment.person)

    def appointment(
        self, network: Network, person: User, role: str, trust: HealthTrust | None, _n: Network | None = None
    ) -> Appointment:
        start = max(
            network.established_on or datetime.date(self.first_year, 1, 1), datetime.date(self.first_year, 1, 1)
        )
        return Appointment(
            network=network,
            person=person,
            role=role,
            trust=trust,
            status=Appointment.Status.APPOINTED,
            nominated_at=at(start - datetime.timedelta(days=30)),
            start_date=start,
            decided_at=at(start - datetime.timedelta(days=7)),
        )

    def staff_network(
        self, world: RegionWorld, network: Network, lead: HealthTrust, named: dict[str, User] | None
    ) -> list[Appointment]:
        rng = self.rng
        pool = world.pool[lead.pk]
        leader, secretary = (named["leder"], named["sekretar"]) if named else tuple(rng.sample(pool, 2))
        rows = [
            self.appointment(network, leader, AppointmentRole.LEADER, lead),
            self.appointment(network, secretary, AppointmentRole.SECRETARY, lead),
        ]
        used = {leader.pk, secretary.pk}
        for trust in world.trusts:
            if named is None and trust.pk != lead.pk and rng.random() < 0.12:
                continue  # a gap in the representation matrix
            count = 2 if trust.pk == lead.pk else 1
            candidates = [p for p in world.pool[trust.pk] if p.pk not in used]
            chosen = rng.sample(candidates, min(len(candidates), count))
            if named and trust.pk == world.trusts[1].pk:
                chosen = [named["medlem"]]
            for person in chosen:
                rows.append(self.appointment(network, person, AppointmentRole.MEMBER, trust))
                used.add(person.pk)
        rep = rng.choice(world.rhf_staff[2:]) if len(world.rhf_staff) > 2 else world.coordinator
        assert rep is not None
        rows.append(self.appointment(network, rep, AppointmentRole.RHF_REPRESENTATIVE, None))
        if rng.random() < 0.3:
            person = rng.choice([p for p in world.pool[lead.pk] if p.pk not in used])
            rows.append(self.appointment(network, person, AppointmentRole.USER_REPRESENTATIVE, lead))
            used.add(person.pk)
        if rng.random() < 0.3:
            trust = rng.choice(world.trusts)
            person = rng.choice([p for p in world.pool[trust.pk] if p.pk not in used] or world.pool[trust.pk])
            if person.pk not in used:
                rows.append(self.appointment(network, person, AppointmentRole.DEPUTY, trust))
                used.add(person.pk)
        # Someone who left: an ended appointment stays in the history.
        trust = rng.choice(world.trusts)
        person = rng.choice(world.pool[trust.pk])
        ended = self.appointment(network, person, AppointmentRole.MEMBER, trust)
        ended.status = Appointment.Status.ENDED
        ended.end_date = self.day_between(ended.start_date or self.today, self.today - datetime.timedelta(days=30))
        rows.append(ended)
        return rows

    # --- meetings ---------------------------------------------------------------------------------------------

    def meetings_plan(self) -> None:
        rng = self.rng
        networks = [n for w in self.regions for n in w.all_networks]
        weights = [1.0 if n.parent_id is None else 0.4 for n in networks]
        total = scaled(MEETINGS, self.scale, minimum=len(networks) * 3)
        end_of_year = datetime.date(self.today.year, 12, 15)
        rows: list[Meeting] = []
        for network, weight in zip(networks, weights, strict=True):
            count = max(3, round(total * weight / sum(weights)))
            start = max(network.established_on or self.today, datetime.date(self.first_year, 1, 10))
            days = sorted(self.day_between(start, end_of_year) for _ in range(count))
            # The named leader's network always has a meeting soon, as a real one would.
            if network.pk == self.regions[0].networks[0].pk:
                days.append(self.today + datetime.timedelta(days=9))
            for day in days:
                form = rng.choices([Meeting.Form.DIGITAL, Meeting.Form.PHYSICAL, Meeting.Form.HYBRID], [75, 15, 10])[0]
                starts = at(day, rng.choice([9, 12, 13]))
                past = day < self.today
                cancelled = past and rng.random() < 0.04
                status = (
                    Meeting.Status.CANCELLED
                    if cancelled
                    else Meeting.Status.HELD
                    if past
                    else Meeting.Status.INVITED
                    if (day - self.today).days < 30
                    else Meeting.Status.PLANNED
                )
                invited = past or (day - self.today).days < 30
                rows.append(
                    Meeting(
                        network=network,
                        starts_at=starts,
                        ends_at=starts + datetime.timedelta(hours=2 if form == Meeting.Form.DIGITAL else 5),
                        form=form,
                        location="" if form == Meeting.Form.DIGITAL else f"{network.region.short_name}, møterom 1",
                        video_link="" if form == Meeting.Form.PHYSICAL else f"https://teams.example.org/m/{network.pk}",
                        status=status,
                        uid=self.uid(),
                        invitation_sent_at=starts - datetime.timedelta(days=21) if invited else None,
                        cancel_reason="For få deltakere kunne komme." if cancelled else "",
                        created_at=starts - datetime.timedelta(days=60),
                    )
                )
        for meeting in self.w.now(rows):
            self.meetings[meeting.network_id].append(meeting)
        for meetings in self.meetings.values():
            meetings.sort(key=lambda m: m.starts_at)

    # --- cases ------------------------------------------------------------------------------------------------

    def cases_make(self) -> None:
        rng = self.rng
        total = scaled(CASES, self.scale, minimum=20 * len(self.regions))
        start = at(datetime.date(self.first_year, 1, 2))
        span = (self.now - start).total_seconds()
        cases: list[Case] = []
        plans: list[list[tuple[str, Any]]] = []
        # Common cases: one or two a year per region, one case per network.
        commons: list[tuple[CommonCase, RegionWorld]] = []
        for world in self.regions:
            for year in range(self.first_year, self.today.year + 1):
                for _ in range(rng.choice([1, 1, 2])):
                    sent = at(self.day_between(datetime.date(year, 1, 10), min(datetime.date(year, 11, 1), self.today)))
                    if sent > self.now:
                        continue
                    commons.append(
                        (
                            CommonCase(
                                region=world.region,
                                title=f"Felles sak {year}: {rng.choice(TOPICS).lower()}",
                                description="Hvert nettverk vurderer saken innen eget fagområde.",
                                wanted="Nettverkets vurdering med forutsetninger.",
                                due_date=sent.date() + datetime.timedelta(days=60),
                                created_by=world.coordinator,
                                created_at=sent,
                            ),
                            world,
                        )
                    )
        common_rows = self.w.now([c for c, _ in commons])
        for common, (_, world) in zip(common_rows, commons, strict=True):
            for network in world.networks:
                if (network.established_on or self.today) > common.created_at.date():
                    continue
                submitted = common.created_at
                case, plan = self.case_for(world, network, submitted, Case.Source.COMMON, world.coordinator)
                case.common_case = common
                case.title = common.title
                case.due_date = common.due_date
                cases.append(case)
                plans.append(plan)
        remaining = max(0, total - len(cases))
        networks = [(w, n) for w in self.regions for n in w.all_networks]
        for _ in range(remaining):
            world, network = rng.choice(networks)
            submitted = start + datetime.timedelta(seconds=rng.uniform(0, span))
            if (network.established_on or self.today) > submitted.date():
                submitted = at(network.established_on or self.today) + datetime.timedelta(days=rng.randint(1, 300))
                submitted = min(submitted, self.now - datetime.timedelta(hours=1))
            source = rng.choices(
                [Case.Source.EMPLOYEE, Case.Source.TRUST, Case.Source.NETWORK, Case.Source.RHF_TASK], [45, 20, 22, 13]
            )[0]
            case, plan = self.case_for(world, network, submitted, source, None)
            cases.append(case)
            plans.append(plan)
        # The named employee's own cases, so "my cases" is not empty.
        for world in self.regions:
            for n in range(scaled(20, self.scale)):
                submitted = self.now - datetime.timedelta(days=3 + n * 17)
                network = world.networks[n % len(world.networks)]
                case, plan = self.case_for(world, network, submitted, Case.Source.EMPLOYEE, world.named["ansatt"])
                cases.append(case)
                plans.append(plan)

        # Numbers per network and year, in the order of submission; counters keep the last number.
        order = sorted(range(len(cases)), key=lambda i: cases[i].submitted_at)
        counters: dict[tuple[int, int], int] = defaultdict(int)
        for i in order:
            case = cases[i]
            if case.network_id is not None:
                counters[(case.network_id, case.year)] += 1
                case.number = counters[(case.network_id, case.year)]
                case.reference = case_reference(case.network.code, case.year, case.number)
        cases = [cases[i] for i in order]
        plans = [plans[i] for i in order]
        cases = self.w.now(cases)
        self.w.now([CaseCounter(network_id=n, year=y, last_number=last) for (n, y), last in counters.items()])
        for case, plan in zip(cases, plans, strict=True):
            for kind, actor, when, text in plan:
                self.w.add(CaseEvent(case=case, kind=kind, actor=actor, at=when, text=text))
            if case.network_id:
                self.cases[case.network_id].append(case)

    def case_for(
        self, world: RegionWorld, network: Network, submitted: datetime.datetime, source: str, by: User | None
    ) -> tuple[Case, list[tuple[str, Any]]]:
        """A case with a status that suits its age, and the timeline that led there."""
        rng = self.rng
        leader = self.leaders.get(network.pk) or world.coordinator
        secretary = self.secretaries.get(network.pk) or leader
        if by is None:
            if source == Case.Source.RHF_TASK:
                by = world.director
            elif source == Case.Source.NETWORK:
                by = leader
            else:
                by = rng.choice(world.pool[rng.choice(world.trusts).pk])
        assert by is not None and leader is not None and secretary is not None
        age = (self.now - submitted).days
        unrouted_start = source in (Case.Source.EMPLOYEE, Case.Source.TRUST) and rng.random() < 0.1
        plan: list[tuple[str, Any]] = [(CaseEvent.Kind.SUBMITTED, by, submitted, "")]
        when = submitted

        def later(days: int) -> datetime.datetime:
            nonlocal when
            when = min(when + datetime.timedelta(days=rng.randint(1, days), hours=rng.randint(0, 6)), self.now)
            return when

        case = Case(
            region=world.region,
            network=network,
            year=submitted.astimezone(OSLO).year,
            title=rng.choice(CASE_SUBJECTS).format(f=network.field.lower()),
            description="Beskrivelse av saken: dagens praksis varierer mellom helseforetakene.",
            wanted="En anbefaling fra nettverket.",
            due_date=submitted.date() + datetime.timedelta(days=rng.choice([30, 60, 90, 180]))
            if rng.random() < 0.5
            else None,
            trust=by.trust,
            source=source,
            submitted_by=by,
            submitted_at=submitted,
        )
        if unrouted_start:
            if age < 10 and rng.random() < 0.5:
                case.network = None  # waiting for the coordinator
                return case, plan
            plan.append((CaseEvent.Kind.ROUTED, world.coordinator, later(5), ""))
        # How far the case has come, by age.
        if age < 21:
            stage = rng.choices(["received", "accepted", "in_progress"], [40, 30, 30])[0]
        elif age < 150:
            stage = rng.choices(
                ["accepted", "in_progress", "on_agenda", "recommended", "escalated", "declined"],
                [10, 30, 20, 25, 5, 10],
            )[0]
        else:
            stage = rng.choices(["closed", "declined", "decided", "recommended"], [60, 10, 8, 22])[0]
        if stage == "received":
            return case, plan
        if stage == "declined":
            case.status = Case.Status.DECLINED
            case.decline_reason = "Saken hører hjemme i et annet nettverk eller i linjen."
            plan.append((CaseEvent.Kind.DECLINED, leader, later(20), case.decline_reason))
            return case, plan
        plan.append((CaseEvent.Kind.ACCEPTED, leader, later(20), ""))
        case.status = Case.Status.ACCEPTED
        case.responsible = rng.choice([leader, secretary])
        plan.append((CaseEvent.Kind.RESPONSIBLE, leader, later(3), ""))
        if stage == "accepted":
            return case, plan
        plan.append((CaseEvent.Kind.STARTED, leader, later(20), ""))
        case.status = Case.Status.IN_PROGRESS
        if rng.random() < 0.3:
            plan.append((CaseEvent.Kind.COMMENTED, secretary, later(10), "Arbeidsgruppe nedsatt."))
        if stage == "in_progress":
            return case, plan
        plan.append((CaseEvent.Kind.ON_AGENDA, secretary, later(30), "Nettverksmøte"))
        case.status = Case.Status.ON_AGENDA
        if stage == "on_agenda":
            return case, plan
        case.recommendation = "Nettverket anbefaler en felles regional praksis, innført i alle HF-ene innen ett år."
        if stage == "escalated" or stage == "decided":
            case.consensus = False
            case.other_view = "Ett HF mener tiltaket bør vente til bemanningen er på plass."
            case.escalated_to = rng.choice(EscalationTarget.values)
            case.status = Case.Status.ESCALATED
            plan.append((CaseEvent.Kind.ESCALATED, leader, later(30), case.recommendation))
            if stage == "decided":
                case.status = Case.Status.DECISION_RECORDED
                case.decision = "Fagdirektørene slutter seg til flertallets anbefaling."
                case.decided_by = world.director
                case.decided_at = later(30)
                plan.append((CaseEvent.Kind.DECIDED, world.director, case.decided_at, case.decision))
            return case, plan
        case.consensus = True
        case.status = Case.Status.RECOMMENDATION_GIVEN
        plan.append((CaseEvent.Kind.RECOMMENDED, leader, later(30), case.recommendation))
        if stage == "closed":
            case.status = Case.Status.CLOSED
            plan.append((CaseEvent.Kind.CLOSED, world.coordinator, later(20), "Anbefalingen er sendt HF-ene."))
        return case, plan

    # --- agendas, attendance and minutes -------------------------------------------------------------------------

    def agendas(self) -> None:
        rng = self.rng
        items: list[AgendaItem] = []
        for network_id, meetings in self.meetings.items():
            cases = self.cases.get(network_id, [])
            submitted = [c.submitted_at for c in cases]
            for meeting in meetings:
                # Cases of the last four months before the meeting can be on its agenda.
                hi = bisect.bisect_left(submitted, meeting.starts_at)
                lo = bisect.bisect_left(submitted, meeting.starts_at - datetime.timedelta(days=120))
                candidates = cases[lo:hi]
                chosen = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
                standard: list[tuple[str, str, Case | None]] = [
                    (AgendaItem.Kind.APPROVAL, "Godkjenning av referat fra forrige møte", None),
                    (AgendaItem.Kind.ORIENTATION, "Orienteringer fra RHF og HF-ene", None),
                    *((AgendaItem.Kind.CASE, f"{c.reference} {c.title}".strip(), c) for c in chosen),
                    (AgendaItem.Kind.DISCUSSION, rng.choice(TOPICS), None),
                    (AgendaItem.Kind.FOLLOW_UP, "Oppfølgingspunkter", None),
                    (AgendaItem.Kind.AOB, "Eventuelt", None),
                ]
                items += [
                    AgendaItem(meeting=meeting, order=i, kind=kind, title=title[:300], case=case)
                    for i, (kind, title, case) in enumerate(standard, 1)
                ]
        items = self.w.now(items)
        self.agenda_items: dict[int, list[AgendaItem]] = defaultdict(list)
        for item in items:
            self.agenda_items[item.meeting_id].append(item)

        minutes_rows: list[Minutes] = []
        for network_id, meetings in self.meetings.items():
            people = self.appointed.get(network_id, [])
            leader = self.leaders.get(network_id)
            for meeting in meetings:
                if meeting.status != Meeting.Status.HELD:
                    continue
                for appointment in people:
                    status = rng.choices(["present", "excused", "absent"], [82, 13, 5])[0]
                    self.w.add(
                        Attendance(meeting=meeting, person_id=appointment.person_id, trust_id=appointment.trust_id,
                                   status=status)
                    )  # fmt: skip
                recent = (self.now - meeting.starts_at).days < 25
                circulated = meeting.starts_at + datetime.timedelta(days=3)
                approved = meeting.starts_at + datetime.timedelta(days=12)
                minutes_rows.append(
                    Minutes(
                        meeting=meeting,
                        status=(Minutes.Status.CIRCULATED if circulated < self.now else Minutes.Status.DRAFT)
                        if recent
                        else Minutes.Status.APPROVED,
                        circulated_at=circulated if circulated < self.now else None,
                        comments_due=(circulated + datetime.timedelta(days=7)).date(),
                        approved_by=None if recent else leader,
                        approved_at=None if recent else approved,
                        approved_via="" if recent else Minutes.ApprovedVia.LEADER,
                        created_by=self.secretaries.get(network_id, leader),
                        created_at=meeting.ends_at,
                    )
                )
        for minutes in self.w.now(minutes_rows):
            for item in self.agenda_items[minutes.meeting_id]:
                self.w.add(
                    MinutesItem(
                        minutes=minutes,
                        agenda_item=item,
                        summary="Saken ble drøftet." if item.kind == AgendaItem.Kind.CASE else "",
                        conclusion="Godkjent." if item.kind == AgendaItem.Kind.APPROVAL else "Tas til orientering.",
                    )
                )

    # --- action items -----------------------------------------------------------------------------------------

    def action_items(self) -> None:
        rng = self.rng
        held = [m for meetings in self.meetings.values() for m in meetings if m.status == Meeting.Status.HELD]
        total = scaled(ACTION_ITEMS, self.scale, minimum=len(held))
        per_meeting = total / len(held)
        carry = 0.0
        for meeting in held:
            carry += per_meeting
            count, carry = int(carry), carry - int(carry)
            owners = [a.person_id for a in self.appointed.get(meeting.network_id, []) if a.role != "rhf_representative"]
            items = [
                i for i in self.agenda_items[meeting.pk] if i.kind in (AgendaItem.Kind.CASE, AgendaItem.Kind.DISCUSSION)
            ]
            for _ in range(count):
                item = rng.choice(items)
                due = meeting.starts_at.date() + datetime.timedelta(days=rng.choice([14, 30, 45, 60, 90]))
                done = due < self.today - datetime.timedelta(days=20) and rng.random() < 0.93
                self.w.add(
                    ActionItem(
                        network_id=meeting.network_id,
                        title=rng.choice(ACTIONS),
                        owner_id=rng.choice(owners),
                        due_date=due,
                        status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN,
                        done_at=at(due - datetime.timedelta(days=rng.randint(-10, 10))) if done else None,
                        meeting=meeting,
                        agenda_item=item,
                        case=item.case,
                        created_by=self.secretaries.get(meeting.network_id),
                        created_at=meeting.starts_at + datetime.timedelta(hours=1),
                    )
                )

    # --- consultations and progress on tasks ------------------------------------------------------------------

    def consultations_and_progress(self) -> None:
        rng = self.rng
        answered = {Case.Status.RECOMMENDATION_GIVEN, Case.Status.ESCALATED, Case.Status.DECISION_RECORDED}
        for network_id, cases in self.cases.items():
            leader = self.leaders.get(network_id)
            for case in cases:
                if leader is None:
                    continue
                if case.status in answered or (case.status == Case.Status.CLOSED and case.recommendation):
                    recorded = case.submitted_at + datetime.timedelta(days=20)
                    for kind in Consultation.Kind.values:
                        required = rng.random() < 0.3
                        self.w.add(
                            Consultation(
                                case=case,
                                kind=kind,
                                required=required,
                                not_required_reason="" if required else "Endrer ikke arbeidsmiljø eller pasienttilbud.",
                                status=Consultation.Status.DONE,
                                consulted_on=recorded.date() if required else None,
                                consulted="Hovedverneombud og tillitsvalgte i HF-ene" if required else "",
                                outcome="Ingen innvendinger." if required else "",
                                recorded_by=leader,
                                recorded_at=recorded,
                            )
                        )
                if case.source != Case.Source.RHF_TASK or case.status in (Case.Status.DECLINED, Case.Status.RECEIVED):
                    continue
                if rng.random() < 0.5:
                    continue
                director = next(w.director for w in self.regions if w.region.pk == case.region_id)
                assert director is not None
                self.w.add(
                    ReportingSchedule(
                        case=case,
                        interval=rng.choice([1, 2, 3]),
                        unit=ReportingSchedule.Unit.MONTHS,
                        first_due=case.submitted_at.date() + datetime.timedelta(days=30),
                        set_by=director,
                        set_at=case.submitted_at,
                    )
                )
                reported = case.submitted_at
                for _ in range(rng.randint(0, 6)):
                    reported += datetime.timedelta(days=rng.randint(25, 70))
                    if reported >= self.now:
                        break
                    self.w.add(
                        ProgressReport(
                            case=case,
                            status=rng.choices(list(ProgressReport.Status.values), [60, 20, 15, 5])[0],
                            progress="Arbeidet går etter planen; utkast er på høring.",
                            risks=rng.choice(["", "Bemanning i arbeidsgruppen."]),
                            next_steps="Behandles på neste nettverksmøte.",
                            reported_by=leader,
                            reported_at=reported,
                        )
                    )

    # --- procedures -------------------------------------------------------------------------------------------

    def procedures(self) -> None:
        rng = self.rng
        total = scaled(PROCEDURES, self.scale, minimum=2 * len(self.regions))
        networks = [n for w in self.regions for n in w.networks]
        P, IP, PUB, REV, W = (
            ProcedureStatus.PROPOSED,
            ProcedureStatus.IN_PROGRESS,
            ProcedureStatus.PUBLISHED,
            ProcedureStatus.UNDER_REVISION,
            ProcedureStatus.WITHDRAWN,
        )
        paths = [[P], [P, IP], [P, IP, PUB], [P, IP, PUB, REV], [P, IP, PUB, REV, PUB], [P, W], [P, IP, PUB, W]]
        weights = [6, 18, 40, 10, 18, 3, 5]
        procedures: list[Procedure] = []
        steps: list[list[tuple[str, datetime.date]]] = []
        for n in range(total):
            network = networks[n % len(networks)] if n < len(networks) else rng.choice(networks)
            path = rng.choices(paths, weights)[0]
            day = self.day_between(
                max(network.established_on or self.today, datetime.date(self.first_year, 1, 5)),
                self.today - datetime.timedelta(days=30),
            )
            dated = []
            for status in path:
                dated.append((status, day))
                day = min(day + datetime.timedelta(days=rng.randint(30, 400)), self.today - datetime.timedelta(days=1))
            published = [d for s, d in dated if s == PUB]
            leader = self.leaders.get(network.pk)
            procedures.append(
                Procedure(
                    network=network,
                    kind=Procedure.Kind.PATHWAY if rng.random() < 0.1 else Procedure.Kind.PROCEDURE,
                    title=f"{rng.choice(PROCEDURE_TITLES)} i {network.field.lower()} ({n + 1})",
                    status=dated[-1][0],
                    url=f"https://dokumenter.example.no/{network.region_id}/{n + 1}",
                    responsible=leader,
                    review_date=published[-1].replace(year=published[-1].year + 3) if published else None,
                    created_at=at(dated[0][1]),
                )
            )
            steps.append(dated)
        for procedure, dated in zip(self.w.now(procedures), steps, strict=True):
            previous = ""
            for status, day in dated:
                self.w.add(
                    StatusEvent(
                        procedure=procedure,
                        from_status=previous,
                        status=status,
                        happened_on=day,
                        recorded_by_id=procedure.responsible_id,
                        recorded_at=at(day, 15),
                    )
                )
                previous = status

    # --- budget and funding -----------------------------------------------------------------------------------

    def budget_and_funding(self) -> None:
        rng = self.rng
        kinds = list(Expense.Kind.values)
        for world in self.regions:
            calls = self.w.now(
                [
                    FundingCall(
                        region=world.region,
                        year=year,
                        title=f"Regionale fagmidler {year}",
                        deadline=datetime.date(year, 2, 1),
                        amount_available=2_000_000,
                        status=FundingCall.Status.CLOSED
                        if datetime.date(year, 2, 1) < self.today
                        else FundingCall.Status.OPEN,
                        created_by=world.coordinator,
                        created_at=at(datetime.date(year - 1, 9, 1)),
                    )
                    for year in range(self.first_year, self.today.year + 2)
                ]
            )
            for call in calls:
                applicants = rng.sample(world.networks, min(len(world.networks), max(2, len(world.networks) // 4)))
                for network in applicants:
                    leader = self.leaders.get(network.pk)
                    if leader is None or leader.trust is None:
                        continue
                    is_open = call.status == FundingCall.Status.OPEN
                    status = (
                        rng.choice(
                            [Application.Status.DRAFT, Application.Status.SUBMITTED, Application.Status.ENDORSED]
                        )
                        if is_open
                        else rng.choices([Application.Status.GRANTED, Application.Status.DECLINED], [65, 35])[0]
                    )
                    amounts = [rng.randint(2, 20) * 5000 for _ in range(3)]
                    grant = None
                    submitted = at(call.deadline - datetime.timedelta(days=10))
                    if status == Application.Status.GRANTED:
                        grant = self.w.now(
                            [
                                Grant(
                                    network=network,
                                    amount=sum(amounts),
                                    period_start=datetime.date(call.year, 1, 1),
                                    period_end=datetime.date(call.year, 12, 31),
                                    source=call.title,
                                    decision_reference=f"Tildeling {call.year}",
                                    recorded_by=world.coordinator,
                                    created_at=at(call.deadline + datetime.timedelta(days=30)),
                                )
                            ]
                        )[0]
                        for kind in rng.sample(kinds, 3):
                            spent_on = self.day_between(grant.period_start, min(grant.period_end, self.today))
                            self.w.add(
                                Expense(
                                    network=network,
                                    grant=grant,
                                    kind=kind,
                                    spent_on=spent_on,
                                    amount=rng.randint(1, 8) * 4000,
                                    description="Utgift til nettverkets arbeid",
                                    recorded_by=self.secretaries.get(network.pk),
                                    created_at=at(spent_on),
                                )
                            )
                    application = self.w.now(
                        [
                            Application(
                                call=call,
                                network=network,
                                applicant=leader,
                                trust=leader.trust,
                                purpose="Regional samordning og fagutvikling.",
                                activities="To fysiske samlinger og arbeid med regionale prosedyrer.",
                                period_start=datetime.date(call.year, 1, 1),
                                period_end=datetime.date(call.year, 12, 31),
                                status=status,
                                submitted_at=None if status == Application.Status.DRAFT else submitted,
                                endorsed_by=world.fagsjefs.get(leader.trust_id or 0)
                                if status not in (Application.Status.DRAFT, Application.Status.SUBMITTED)
                                else None,
                                endorsed_at=submitted + datetime.timedelta(days=5)
                                if status not in (Application.Status.DRAFT, Application.Status.SUBMITTED)
                                else None,
                                decided_by=world.coordinator
                                if grant or status == Application.Status.DECLINED
                                else None,
                                decided_at=submitted + datetime.timedelta(days=30)
                                if grant or status == Application.Status.DECLINED
                                else None,
                                amount_granted=sum(amounts) if grant else None,
                                decision_reason="Andre søknader ble prioritert."
                                if status == Application.Status.DECLINED
                                else "",
                                grant=grant,
                                created_at=submitted - datetime.timedelta(days=20),
                            )
                        ]
                    )[0]
                    for order, amount in enumerate(amounts):
                        self.w.add(
                            BudgetLine(
                                application=application,
                                order=order,
                                kind=kinds[order],
                                description="Budsjettpost",
                                amount=amount,
                            )
                        )
                    self.w.add(
                        ApplicationEvent(
                            application=application, kind="created", actor=leader, at=application.created_at
                        )
                    )
                    if application.submitted_at:
                        self.w.add(
                            ApplicationEvent(application=application, kind="submitted", actor=leader, at=submitted)
                        )
            # The region's own yearly grant for the secretaries, for a third of the networks.
            for network in world.networks[::3]:
                for year in range(self.first_year, self.today.year + 1):
                    grant = self.w.now(
                        [
                            Grant(
                                network=network,
                                amount=32_000,
                                period_start=datetime.date(year, 1, 1),
                                period_end=datetime.date(year, 12, 31),
                                source="Regionens fagmidler: 5 % sekretærstilling",
                                recorded_by=world.coordinator,
                                created_at=at(datetime.date(year, 1, 5)),
                            )
                        ]
                    )[0]
                    for half in (6, 12):
                        spent_on = datetime.date(year, half, 28)
                        if spent_on < self.today:
                            self.w.add(
                                Expense(
                                    network=network,
                                    grant=grant,
                                    kind=Expense.Kind.SECRETARIAT,
                                    spent_on=spent_on,
                                    amount=16_000,
                                    description="Sekretær, 5 % stilling",
                                    recorded_by=self.secretaries.get(network.pk),
                                    created_at=at(spent_on),
                                )
                            )

    # --- events -----------------------------------------------------------------------------------------------

    def events(self) -> None:
        rng = self.rng
        through = Event.networks.through
        for world in self.regions:
            invited = [
                a
                for n in world.all_networks
                for a in self.appointed.get(n.pk, [])
                if a.role in (AppointmentRole.LEADER, AppointmentRole.SECRETARY)
            ]
            # A seminar each autumn and a dialogue meeting each spring, and the next dialogue meeting three weeks
            # from today, so the start page has an invitation to show.
            dates = [
                (kind, datetime.date(year, month, 15))
                for year in range(self.first_year, self.today.year + 1)
                for kind, month in ((Event.Kind.SEMINAR, 9), (Event.Kind.DIALOGUE_MEETING, 3))
                if datetime.date(year, month, 15) <= self.today
            ]
            for kind, day in [*dates, (Event.Kind.DIALOGUE_MEETING, self.today + datetime.timedelta(days=21))]:
                year = day.year
                event = self.w.now(
                    [
                        Event(
                            region=world.region,
                            kind=kind,
                            title=f"{'Seminar for nettverkene' if kind == 'seminar' else 'Dialogmøte'} {year}",
                            description="Program og praktisk informasjon.",
                            starts_at=at(day, 9),
                            ends_at=at(day, 15),
                            place="Regionens konferansesenter",
                            registration_deadline=day - datetime.timedelta(days=14),
                            capacity=120,
                            audience=Audience.LEADERS_AND_SECRETARIES,
                            status=Event.Status.INVITED,
                            uid=self.uid(),
                            invitation_sent_at=at(day - datetime.timedelta(days=60)),
                            created_by=world.coordinator,
                            created_at=at(day - datetime.timedelta(days=70)),
                        )
                    ]
                )[0]
                self.w.now([through(event_id=event.pk, network_id=n.pk) for n in world.all_networks])
                seen: set[int] = set()
                for appointment in invited:
                    if appointment.person_id in seen or rng.random() > 0.6:
                        continue
                    seen.add(appointment.person_id)
                    registered = min(at(day - datetime.timedelta(days=rng.randint(15, 55))), self.now)
                    self.w.add(
                        Registration(
                            event=event,
                            person_id=appointment.person_id,
                            network_id=appointment.network_id,
                            trust_id=appointment.trust_id,
                            status=Registration.Status.CANCELLED
                            if rng.random() < 0.05
                            else Registration.Status.REGISTERED,
                            registered_at=registered,
                            created_at=registered,
                            updated_at=registered,
                        )
                    )

    # --- topics -----------------------------------------------------------------------------------------------

    def topic_tags(self) -> None:
        rng = self.rng
        by_region = {w.region.pk: w.topics for w in self.regions}
        case_through = Case.topics.through
        item_through = AgendaItem.topics.through
        for cases in self.cases.values():
            for case in cases:
                if rng.random() < 0.3:
                    topic = rng.choice(by_region[case.region_id])
                    self.w.add(case_through(topic_id=topic.pk, case_id=case.pk))
        network_region = {n.pk: w.region.pk for w in self.regions for n in w.all_networks}
        for network_id, meetings in self.meetings.items():
            topics = by_region[network_region[network_id]]
            for meeting in meetings:
                for item in self.agenda_items.get(meeting.pk, []):
                    if item.kind == AgendaItem.Kind.DISCUSSION:
                        self.w.add(item_through(topic_id=rng.choice(topics).pk, agendaitem_id=item.pk))

    # --- annual reports ---------------------------------------------------------------------------------------

    def reports(self) -> None:
        rng = self.rng
        last_year = self.today.year - 1
        topic_through = NetworkReport.topics.through
        well_through = NetworkReport.worked_well_points.through
        improve_through = NetworkReport.improve_points.through
        for world in self.regions:
            named = world.named
            for year in range(self.first_year, self.today.year + 1):
                networks = statistics.reporting_networks(region=world.region, year=year)
                facts = statistics.facts_for_networks(networks=networks, year=year) if year < self.today.year else {}
                reports: list[NetworkReport] = []
                for network in networks:
                    leader = self.leaders.get(network.pk)
                    if year == self.today.year:
                        if rng.random() < 0.2 or network.pk == world.networks[0].pk:
                            reports.append(NetworkReport(network=network, year=year, central_work="Under arbeid."))
                        continue
                    if year == last_year and rng.random() < 0.15 and network.pk != world.networks[0].pk:
                        continue  # not reported yet
                    submitted = at(datetime.date(year + 1, 2, 1)) + datetime.timedelta(days=rng.randint(0, 40))
                    waiting = year == last_year and rng.random() < 0.3
                    reports.append(
                        NetworkReport(
                            network=network,
                            year=year,
                            status=NetworkReport.Status.SUBMITTED if waiting else NetworkReport.Status.ACCEPTED,
                            registry_data_reviewed=rng.random() < 0.5,
                            registry_data_note="Kvalitetsregisterdata ble gjennomgått.",
                            central_work=f"Nettverket har i {year} arbeidet med regionale prosedyrer.",
                            worked_well=rng.choice(["", "Godt oppmøte på de digitale møtene."]),
                            improve=rng.choice(["", "Sakene bør meldes inn tidligere."]),
                            priorities=f"Videre standardisering i {year + 1}.",
                            facts=facts[network.pk],
                            submitted_by=leader,
                            submitted_at=submitted,
                            accepted_by=None if waiting else world.coordinator,
                            accepted_at=None if waiting else submitted + datetime.timedelta(days=30),
                        )
                    )
                for report in self.w.now(reports):
                    for rank, task in enumerate(rng.sample(world.tasks, 3), 1):
                        self.w.add(TaskRanking(report=report, rank=rank, task=task))
                    if report.status == NetworkReport.Status.DRAFT:
                        continue
                    for point in world.points["worked_well"]:
                        if rng.random() < 0.4:
                            self.w.add(well_through(networkreport_id=report.pk, reflectionpoint_id=point.pk))
                    for point in world.points["improve"]:
                        if rng.random() < 0.3:
                            self.w.add(improve_through(networkreport_id=report.pk, reflectionpoint_id=point.pk))
                    for topic in rng.sample(world.topics, 2):
                        self.w.add(topic_through(topic_id=topic.pk, networkreport_id=report.pk))
                self.w.flush()
            # The region's reports: approved and frozen for every year but the last, which waits for approval.
            for year in range(self.first_year, last_year + 1):
                report = RegionalReport(
                    region=world.region,
                    year=year,
                    introduction=f"Årsrapport for fagledernettverkene i {world.region.name} {year}.",
                    activities="Nettverkene har hatt jevnlige, for det meste digitale møter.",
                    central_work="Standardisering, prioritering og bemanning.",
                    priorities="Flere regionale fagprosedyrer.",
                    support="RHF-et har en regional koordinator og en representant i hvert nettverk.",
                    summary="Nettverkene er aktive og engasjerte.",
                    created_by=world.coordinator,
                    created_at=at(datetime.date(year + 1, 2, 20)),
                )
                if year < last_year:
                    report.status = RegionalReport.Status.APPROVED
                    report.statistics = statistics.region_statistics(region=world.region, year=year)
                    report.approved_on = datetime.date(year + 1, 3, 20)
                    report.approved_by_body = "Regionalt fagdirektørnettverk"
                    report.approval_recorded_by = named["fagdirektor"]
                self.w.now([report])

    # --- ICU capacity -----------------------------------------------------------------------------------------

    def capacity(self) -> None:
        rng = self.rng
        rounds_per_region = min(ROUNDS, scaled(ROUNDS, self.scale, minimum=2))
        # Monday of this week; the newest round is this week's, still open.
        monday = self.today - datetime.timedelta(days=self.today.weekday())
        starts = [monday - datetime.timedelta(weeks=k) for k in range(rounds_per_region - 1, -1, -1)]
        categories = list(Category.values)
        scenarios = list(Scenario.values)
        for world in self.regions:
            network = world.networks[0]
            beds = {
                unit.pk: {"K1": rng.randint(0, 3), "K2": rng.randint(2, 8), "K3": rng.randint(2, 14)}
                for unit in world.units
            }
            rounds = []
            for k, start in enumerate(starts):
                end = start + datetime.timedelta(days=6)
                iso_year, week, _ = start.isocalendar()
                is_open = k == len(starts) - 1
                summer = 28 <= week <= 31
                rounds.append(
                    ReportRound(
                        region=world.region,
                        network=network,
                        name=f"Uke {week:02d} {iso_year}",
                        period_start=start,
                        period_end=end,
                        deadline=end + datetime.timedelta(days=3),
                        status=ReportRound.Status.OPEN if is_open else ReportRound.Status.CLOSED,
                        low_activity_name="Sommerukene 28–31" if summer else "",
                        low_activity_start=start if summer else None,
                        low_activity_end=end if summer else None,
                        opened_by=world.coordinator,
                        opened_at=at(start - datetime.timedelta(days=3)),
                        closed_at=None if is_open else at(end + datetime.timedelta(days=4)),
                    )
                )
            rounds = self.w.now(rounds)
            reporter = world.named["rapportor"]
            for k, round_ in enumerate(rounds):
                reported_at = at(round_.period_end + datetime.timedelta(days=1), 14)
                for unit in world.units:
                    if round_.is_open and rng.random() < 0.4:
                        continue  # not reported yet this week
                    for category in categories:
                        base = beds[unit.pk][category]
                        for scenario in scenarios:
                            self.w.add(self.entry(round_, unit, category, scenario, base, reporter, reported_at))
                if not round_.is_open and (k % 13 == 0 or k == len(rounds) - 2):  # quarterly, and the last
                    for scenario, verdict in (
                        (Scenario.NORMAL, Assessment.Verdict.MARGINAL),
                        (Scenario.LOW_ACTIVITY, Assessment.Verdict.INADEQUATE),
                    ):
                        self.w.add(
                            Assessment(
                                round=round_,
                                category="K3",
                                scenario=scenario,
                                verdict=verdict,
                                reasons="Høyt belegg ved de store enhetene.",
                                actions="Flere bemannede K3-senger.",
                                assessed_by=self.leaders.get(network.pk),
                                assessed_at=reported_at + datetime.timedelta(days=5),
                            )
                        )
            self.situation_reports(world.units, beds, reporter)

    def situation_reports(self, units: list[Unit], beds: dict[int, dict[str, int]], reporter: User) -> None:
        """Each unit's morning situation report for the last days (a week at scale 0.01, four at 0.04), and this
        morning's from most units. A generator of its own, so the data drawn after this step stays as it was."""
        rng = random.Random(f"situation-{len(units)}-{self.scale}")
        days = scaled(700, self.scale, minimum=3)
        for unit in units:
            for days_ago in range(days, -1, -1):
                if days_ago == 0 and rng.random() < 0.3:
                    continue  # not reported yet this morning
                report = SituationReport(
                    unit=unit,
                    filed_at=at(self.today - datetime.timedelta(days=days_ago), 8),
                    filed_by=reporter,
                    source="bench",
                )
                self.w.add(report)
                for category, staffed in beds[unit.pk].items():
                    if staffed:
                        occupied = rng.randint(0, staffed)
                        self.w.add(
                            SituationLine(
                                report=report, category=category, staffed_beds=staffed, occupied_beds=occupied
                            )
                        )

    def entry(
        self,
        round_: ReportRound,
        unit: Unit,
        category: str,
        scenario: str,
        physical: int,
        reporter: User,
        reported_at: datetime.datetime,
    ) -> CapacityEntry:
        rng = self.rng
        if scenario == Scenario.NORMAL:
            staffed = physical - (1 if physical > 2 and rng.random() < 0.3 else 0)
            hours = 0
        elif scenario == Scenario.LOW_ACTIVITY:
            staffed = round(physical * rng.uniform(0.55, 0.7))
            hours = 0
        elif scenario == Scenario.SURGE_7_DAYS:
            physical += 1 if category == "K3" and physical >= 3 else 0
            staffed, hours = physical, rng.choice((24, 48, 72))
        else:
            physical += max(1, physical // 2) if category == "K3" and physical >= 2 else 0
            staffed, hours = physical, rng.choice((120, 168))
        entry = CapacityEntry(
            round=round_,
            unit=unit,
            category=category,
            scenario=scenario,
            physical_beds=physical,
            staffed_beds=staffed,
            hours_to_activate=hours,
            nurses_fte=Decimal(f"{staffed * NURSES_PER_BED[category] * rng.uniform(0.9, 1.05):.1f}"),
            nurses_day=round(staffed * (1.0 if category == "K3" else 0.5)),
            nurses_night=round(staffed * (0.9 if category == "K3" else 0.4)),
            status="available",
            source="bench",
            reported_by=reporter,
            reported_at=reported_at,
        )
        if category == "K3":
            entry.ventilated_beds = staffed
            entry.ventilators = physical + 1
            entry.ecmo_devices = 2 if physical >= 10 else 0
        if scenario in (Scenario.NORMAL, Scenario.LOW_ACTIVITY) and staffed:
            utilisation = rng.uniform(0.65, 0.95) if staffed >= 8 else rng.uniform(0.3, 0.7)
            los = LENGTH_OF_STAY[category]
            admissions = round(staffed * utilisation / los * round_.period_days)
            occupancy = round(100 * utilisation, 1)
            entry.mean_length_of_stay = Decimal(str(los))
            entry.admissions = admissions
            entry.occupancy_mean = Decimal(f"{occupancy:.1f}")
            entry.occupancy_p90 = Decimal(f"{min(100.0, occupancy + rng.randint(5, 15)):.1f}")
            entry.refused = round(admissions * 0.02) if utilisation > 0.85 else 0
            entry.transferred_out = round(admissions * 0.01) if utilisation > 0.85 else 0
            if utilisation > 0.9 and category == "K3":
                entry.status = "full"
                entry.restrictions = ["staff"]
            elif scenario == Scenario.LOW_ACTIVITY:
                entry.status = "limited"
                entry.restrictions = ["staff"]
        return entry


#: every model the generator writes, whose automatic timestamps it sets itself
ALL_MODELS: list[type[models.Model]] = [
    Mandate,
    Meeting,
    Minutes,
    ActionItem,
    CommonCase,
    Procedure,
    StatusEvent,
    Grant,
    Expense,
    FundingCall,
    Application,
    Event,
    Registration,
    RegionalReport,
    ReportRound,
    CapacityEntry,
    Assessment,
]


def generate(
    *, seed: int = 9, scale: float = 1.0, today: datetime.date | None = None, out: TextIO | None = None
) -> Result:
    """Fill an empty database with a national-scale world (see the module's docstring)."""
    if Region.objects.exists():
        raise SystemExit("The database already holds data: use --reset to empty it first.")
    if not 0 < scale <= 1:
        raise SystemExit("--scale must be above 0 and at most 1.")
    today = today or datetime.datetime.now(OSLO).date()
    return Generator(seed=seed, scale=scale, today=today, out=out).run()


def targets(*, today: datetime.date | None = None) -> dict[str, Any]:
    """Where the benchmarked pages are in a generated world: region 1's busiest network, meeting and rounds."""
    today = today or datetime.datetime.now(OSLO).date()
    region = Region.objects.get(short_name=REGIONS[0][1])
    leader = User.objects.get(username="bench-leder-1")
    network = (
        Network.objects.filter(appointments__person=leader, appointments__role=AppointmentRole.LEADER, parent=None)
        .order_by("pk")
        .first()
    )
    assert network is not None, "bench-leder-1 leads no network: was the database generated?"
    meeting = network.meetings.filter(status=Meeting.Status.HELD).order_by("-starts_at").first()
    current = ReportRound.objects.filter(region=region).order_by("-period_start").first()
    assessed = ReportRound.objects.filter(region=region, assessments__isnull=False).order_by("-period_start").first()
    assert meeting is not None and current is not None and assessed is not None
    return {
        "region": region.pk,
        "region_networks": statistics.reporting_networks(region=region, year=today.year - 1).__len__(),
        "network": network.pk,
        "meeting": meeting.pk,
        "round": current.pk,
        "assessed_round": assessed.pk,
        "last_year": today.year - 1,
        "this_year": today.year,
    }


IMPORT_UNITS = 417  # × 3 categories × 4 scenarios = 5 004 rows


def import_fixture(path: Path) -> dict[str, Any]:
    """A region whose one trust runs 417 ICU units, an open round, its coordinator ``bench-import-N``, and a filled-in
    workbook of 5 004 rows (every unit × category × scenario) in the format ``capacity.excel`` reads, at ``path``."""
    from openpyxl import Workbook

    from fagnett.capacity.excel import COLUMNS, SHEET
    from fagnett.capacity.models import NUMBER_FIELDS

    rng = random.Random(5000)
    with transaction.atomic():
        n = Region.objects.filter(short_name__startswith="Importtest").count() + 1  # one region per import timed
        region = Region.objects.create(name=f"Importtest {n} RHF", short_name=f"Importtest {n}")
        trust = HealthTrust.objects.create(
            region=region, name=f"Importtest {n} HF", short_name=f"Imp{n}", population=500_000
        )
        hospitals = Hospital.objects.bulk_create(
            [Hospital(trust=trust, name=f"Importsykehus {h:02d}") for h in range(1, 43)]
        )
        units = Unit.objects.bulk_create(
            [Unit(hospital=hospitals[u % len(hospitals)], name=f"Intensiv {u + 1:03d}") for u in range(IMPORT_UNITS)]
        )
        user = User.objects.create(
            username=f"bench-import-{n}", first_name="Import", last_name="Koordinator", region_employer=region,
            password=make_password(PASSWORD),
        )  # fmt: skip
        RegionRole.objects.create(user=user, region=region, role=RegionRole.Role.COORDINATOR)
        monday = datetime.datetime.now(OSLO).date()
        round_ = ReportRound.objects.create(
            region=region, name="Importtest", period_start=monday, period_end=monday + datetime.timedelta(days=6),
            deadline=monday + datetime.timedelta(days=10), opened_by=user,
        )  # fmt: skip
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append(list(COLUMNS))
    generator = Generator(seed=5000, scale=1, today=monday)
    for unit in units:
        for category in Category.values:
            physical = {"K1": rng.randint(0, 3), "K2": rng.randint(2, 8), "K3": rng.randint(2, 14)}[category]
            for scenario in Scenario.values:
                entry = generator.entry(round_, unit, category, scenario, physical, user, generator.now)
                numbers = [getattr(entry, name) for name in NUMBER_FIELDS]
                sheet.append(
                    [unit.pk, unit.name, unit.hospital.name, category, scenario,
                     *(float(v) if isinstance(v, Decimal) else v for v in numbers),
                     # a cell without staffed beds has no status (capacity.validation refuses one)
                     entry.status if entry.staffed_beds else "", ",".join(entry.restrictions or []), "", ""]
                )  # fmt: skip
    book.save(path)
    return {"round": round_.pk, "username": user.username, "rows": IMPORT_UNITS * 12, "path": str(path)}


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from None


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=9, help="random seed (default 9)")
    parser.add_argument("--scale", type=float, default=1.0, help="1 is the national scale; 0.01 a small world")
    parser.add_argument("--reset", action="store_true", help="empty the database first (flush)")
    parser.add_argument("--today", type=_date, default=None, help="the day the history ends (default: today)")
    parser.add_argument("--targets", action="store_true", help="print the benchmarked pages' ids as JSON and stop")
    parser.add_argument("--import-fixture", type=Path, help="add the 5 000-row import region, write its workbook here")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.targets:
        print(json.dumps(targets(today=args.today)))
        return
    if args.import_fixture:
        print(json.dumps(import_fixture(args.import_fixture)))
        return
    if args.reset:
        call_command("flush", interactive=False, verbosity=0)
    vendor = connection.vendor
    print(f"Generating at scale {args.scale} with seed {args.seed} into {vendor} ({connection.settings_dict['NAME']})")
    result = generate(seed=args.seed, scale=args.scale, today=args.today, out=sys.stdout)
    print(f"Done in {result.seconds:.1f} s. Rows:")
    for label, n in result.counts.items():
        print(f"  {label:<32} {n:>9,}".replace(",", " "))
    print(f"  {'total':<32} {sum(result.counts.values()):>9,}".replace(",", " "))
    print(f"Logins (password '{PASSWORD}'): " + ", ".join(sorted(result.logins.values())[:8]) + ", …")


if __name__ == "__main__":
    main()
