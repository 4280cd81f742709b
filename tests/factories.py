"""Factories for the tests: a small world of two regions with a person in every role.

Kept in one place so every app's tests speak about the same people ("the coordinator of region A",
"the member of another network") instead of building their own.
"""

import datetime
import itertools
import socket
from dataclasses import dataclass, field
from typing import Any

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network, TaskListItem
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit

_sequence = itertools.count(1)

PASSWORD = "correct-horse-battery"  # test logins only


def make_region(**kwargs: Any) -> Region:
    n = next(_sequence)
    return Region.objects.create(**{"name": f"Region {n}", "short_name": f"R{n}", **kwargs})


def make_trust(region: Region, **kwargs: Any) -> HealthTrust:
    n = next(_sequence)
    trust = HealthTrust.objects.create(
        **{"region": region, "name": f"Trust {n} HF", "short_name": f"T{n}", "population": 100_000, **kwargs}
    )
    hospital = Hospital.objects.create(trust=trust, name=f"Hospital {n}")
    Unit.objects.create(hospital=hospital, name=f"ICU {n}")
    return trust


def make_user(username: str | None = None, *, trust: HealthTrust | None = None, **kwargs: Any) -> User:
    n = next(_sequence)
    username = username or f"user{n}"
    user = User(
        username=username,
        first_name=kwargs.pop("first_name", username.capitalize()),
        last_name=kwargs.pop("last_name", "Testesen"),
        email=kwargs.pop("email", f"{username}@example.org"),
        trust=trust,
        **kwargs,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_network_history(network: Network, when: datetime.datetime, status: str, kind: str = "~") -> None:
    """A record of the network's history as simple_history writes it, made at ``when``."""
    Network.history.model.objects.create(
        id=network.pk,
        name=network.name,
        field=network.field,
        kind=network.kind,
        status=status,
        region_id=network.region_id,
        description="",
        lock_version=0,
        code=network.code,
        minutes_visible_to_region=False,
        history_date=when,
        history_type=kind,
    )


def make_network(region: Region, **kwargs: Any) -> Network:
    n = next(_sequence)
    return Network.objects.create(
        **{"region": region, "name": f"Network {n}", "field": f"Field {n}", "status": Network.Status.ACTIVE, **kwargs}
    )


def make_mandate(network: Network, **kwargs: Any) -> Mandate:
    version = (network.mandates.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    start = kwargs.pop("period_start", datetime.date(2025, 1, 1))
    return Mandate.objects.create(
        network=network,
        version=version,
        purpose=kwargs.pop("purpose", "Samling om beste praksis."),
        period_start=start,
        period_end=kwargs.pop("period_end", start.replace(year=start.year + 3) - datetime.timedelta(days=1)),
        **kwargs,
    )


def appoint(network: Network, person: User, role: str = AppointmentRole.MEMBER, **kwargs: Any) -> Appointment:
    return Appointment.objects.create(
        network=network,
        person=person,
        role=role,
        trust=kwargs.pop("trust", person.trust),
        status=kwargs.pop("status", Appointment.Status.APPOINTED),
        start_date=kwargs.pop("start_date", datetime.date(2025, 1, 1)),
        **kwargs,
    )


@dataclass
class World:
    region_a: Region
    region_b: Region
    trusts_a: list[HealthTrust]
    trust_b: HealthTrust
    network: Network
    other_network: Network
    network_b: Network
    tasks: list[TaskListItem]
    people: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, role: str) -> User:
        return self.people[role]


ROLES = [
    "coordinator",
    "director",
    "leader",
    "secretary",
    "member",
    "rhf_rep",
    "other_member",
    "fagsjef",
    "employee",
    "reporter",
    "coordinator_b",
    "fagsjef_b",
]


def make_world() -> World:
    """Region A with three trusts and two networks, region B with one trust and one network.

    ``network`` has a leader, a secretary, a member from trust A2 and the RHF's representative;
    nobody from trust A3 is appointed there, so the representation matrix shows one gap.
    """
    region_a = make_region(name="Region A RHF", short_name="RA")
    region_b = make_region(name="Region B RHF", short_name="RB")
    a1, a2, a3 = (make_trust(region_a, name=f"Trust A{i} HF", short_name=f"A{i}") for i in (1, 2, 3))
    b1 = make_trust(region_b, name="Trust B1 HF", short_name="B1")
    tasks = [TaskListItem.objects.create(region=region_a, code=f"T{i}", title=f"Task {i}", order=i) for i in (1, 2, 3)]
    TaskListItem.objects.create(region=region_b, code="T1", title="Task B1", order=1)
    network = make_network(region_a, name="Anestesi og intensiv", field="Anestesi")
    other = make_network(region_a, name="Øye", field="Øyesykdommer")
    network_b = make_network(region_b, name="Intensiv Nord", field="Intensivmedisin")
    mandate = make_mandate(network, secretariat_trust=a1, archive_trust=a1, approved_by="Fagdirektørene")
    mandate.tasks.set(tasks[:2])
    make_mandate(network_b)

    people = {
        "coordinator": make_user("coordinator", region_employer=region_a),
        "director": make_user("director", region_employer=region_a),
        "leader": make_user("leader", trust=a1),
        "secretary": make_user("secretary", trust=a1),
        "member": make_user("member", trust=a2),
        "rhf_rep": make_user("rhf_rep", region_employer=region_a),
        "other_member": make_user("other_member", trust=a1),
        "fagsjef": make_user("fagsjef", trust=a3),
        "employee": make_user("employee", trust=a2),
        "reporter": make_user("reporter", trust=a1),
        "coordinator_b": make_user("coordinator_b", region_employer=region_b),
        "fagsjef_b": make_user("fagsjef_b", trust=b1),
    }
    RegionRole.objects.create(user=people["coordinator"], region=region_a, role=RegionRole.Role.COORDINATOR)
    RegionRole.objects.create(user=people["director"], region=region_a, role=RegionRole.Role.MEDICAL_DIRECTOR)
    RegionRole.objects.create(user=people["coordinator_b"], region=region_b, role=RegionRole.Role.COORDINATOR)
    TrustRole.objects.create(user=people["fagsjef"], trust=a3, role=TrustRole.Role.FAGSJEF)
    TrustRole.objects.create(user=people["fagsjef_b"], trust=b1, role=TrustRole.Role.FAGSJEF)
    TrustRole.objects.create(user=people["reporter"], trust=a1, role=TrustRole.Role.CAPACITY_REPORTER)
    appoint(network, people["leader"], AppointmentRole.LEADER)
    appoint(network, people["secretary"], AppointmentRole.SECRETARY)
    appoint(network, people["member"], AppointmentRole.MEMBER)
    appoint(network, people["rhf_rep"], AppointmentRole.RHF_REPRESENTATIVE, trust=None)
    appoint(other, people["other_member"], AppointmentRole.MEMBER)
    # Colleagues of the fagsjef in trust A3 who can be nominated.
    people["candidate"] = make_user("candidate", trust=a3, first_name="Kari", last_name="Kandidat")
    return World(region_a, region_b, [a1, a2, a3], b1, network, other, network_b, tasks, people)


class Migrator:
    """Moves the test database to the state after some migrations, to make rows as an older release did.

    ``to(("app", "0002_x"))`` migrates there and returns the models as they were then; ``to_latest()`` applies
    everything again, so the test then reads the rows with today's models. The ``migrator`` fixture migrates to the
    end when the test is over, whatever happened.
    """

    def __init__(self) -> None:
        self.executor = MigrationExecutor(connection)

    def to(self, *targets: tuple[str, str]) -> Apps:
        self.executor.migrate(list(targets))
        self.executor.loader.build_graph()
        return self.executor.loader.project_state(list(targets)).apps

    def to_latest(self) -> None:
        self.executor.migrate(self.executor.loader.graph.leaf_nodes())
        self.executor.loader.build_graph()


class Inbox:
    """A real SMTP server's handler (aiosmtpd on 127.0.0.1) that keeps what it accepts.

    An address in ``refuse`` is refused at RCPT (550); one in ``defer`` is told to try again later (451, as a
    greylisting server or a full mailbox would); a message to an address in ``drop`` makes the server hang up instead
    of answering the message.
    """

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.defer: set[str] = set()
        self.drop: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        if address in self.defer:
            return "451 4.7.1 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop & set(envelope.rcpt_tos):
            server.transport.close()
            return "421 4.3.0 Closing the connection"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
