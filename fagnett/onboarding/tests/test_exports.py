"""Leaving is possible too: the region's export is complete, documented and read back by the import."""

import csv
import datetime
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command

from fagnett.accounts.models import RegionRole, User
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases.models import CaseAttachment
from fagnett.cases.tests.factories import make_case
from fagnett.meetings.models import AgendaDocument
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.networks.models import Appointment, Mandate, Network
from fagnett.onboarding import exports, services
from fagnett.onboarding.services import Upload
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from tests.factories import World, make_mandate, make_network, make_region, make_user

pytestmark = pytest.mark.django_db


def _export(region: Region) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(exports.region_export(region).read()))


def _csv(package: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(package.read(name).decode("utf-8-sig")), delimiter=";"))


def _enrich(world: World, media: Path) -> None:
    """Region A as a real one looks: organisation numbers, a council, a RESH id, documents, capacity."""
    for trust, number in zip(world.trusts_a, ("912345602", "912345610", "912345629"), strict=True):
        trust.org_number = number
        trust.save()
    Unit.objects.filter(hospital__trust=world.trusts_a[0]).update(resh_id="7001")
    council = make_network(world.region_a, name="Fagråd for ECMO", kind=Network.Kind.COUNCIL, parent=world.network)
    make_mandate(council, purpose="Råd om ECMO.", min_meetings_per_year=2, budget_amount=100000)
    world.network.appointments.filter(person=world["member"]).update(
        status=Appointment.Status.ENDED, end_date=datetime.date(2025, 6, 30)
    )
    meeting = make_meeting(world.network, days=-30)
    [item] = add_items(meeting, "Orienteringssak")
    AgendaDocument.objects.create(
        item=item,
        file=ContentFile(b"Saksliste for mote\n", name="saksliste.txt"),
        original_name="Saksliste 1/2026.txt",
        content_type="text/plain",
        size=19,
        uploaded_by=world["secretary"],
    )
    case = make_case(world, title="Overflytting til intensiv")
    CaseAttachment.objects.create(
        case=case,
        file=ContentFile(b"Vedlegg\n", name="vedlegg.txt"),
        original_name="vedlegg.txt",
        content_type="text/plain",
        size=8,
        uploaded_by=world["employee"],
    )
    round_ = make_round(world.region_a)
    make_entry(round_, units_of(world)[0], "K3", "normal")


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_the_export_holds_every_file_its_readme_describes(world: World, media: Path) -> None:
    _enrich(world, media)
    package = _export(world.region_a)
    names = set(package.namelist())
    readme = package.read("README.txt").decode()

    for table in exports.TABLES:
        assert f"{table.name}.csv" in names
        assert f"{table.name}.csv (" in readme
        header = next(csv.reader(io.StringIO(package.read(f"{table.name}.csv").decode("utf-8-sig")), delimiter=";"))
        assert header == [column for column, _text in table.columns]
        for column, _text in table.columns:
            assert f"    {column}: " in readme, (table.name, column)
    for model, _path in exports.RECORDS:
        name = f"json/{model._meta.label_lower}.json"
        assert name in names and name in readme
        json.loads(package.read(name))  # well-formed
    people = json.loads(package.read("json/accounts.user.json"))
    assert {row["fields"]["email"] for row in people} >= {"coordinator@example.org", "member@example.org"}
    assert all("password" not in row["fields"] for row in people)
    assert "coordinator_b@example.org" not in {row["fields"]["email"] for row in people}

    # The uploaded files, with their checksums in files.csv.
    files = _csv(package, "files.csv")
    assert {row["kind"] for row in files} == {"agenda_document", "case_attachment"}
    for row in files:
        assert hashlib.sha256(package.read(row["path"])).hexdigest() == row["sha256"]
    assert any(row["name"] == "Saksliste 1/2026.txt" and "/" not in row["path"].rsplit("/", 1)[1] for row in files)

    # Nothing of region B.
    for name in names:
        text = package.read(name).decode("utf-8", "ignore").lower()
        assert "intensiv nord" not in text and "trust b1" not in text, name


@pytest.fixture
def emptied() -> Iterator[None]:
    """The test empties the database (``flush``), which makes the content types anew under other ids; the content-type
    cache must forget them afterwards, or later tests would record objects under another model's type."""
    yield
    ContentType.objects.clear_cache()


# Outside a transaction: PostgreSQL refuses to empty tables (TRUNCATE) while a transaction has checks pending.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("emptied")
def test_the_import_reads_the_export_back_into_an_empty_database(world: World, media: Path) -> None:
    """Export region A, empty the database, import the ZIP into a new region: the same organisation, people,
    networks, current mandates and appointments."""
    _enrich(world, media)
    before = _snapshot(world.region_a)
    data = exports.region_export(world.region_a).read()

    call_command("flush", interactive=False, verbosity=0)
    region = make_region(name="Helse Ny RHF", short_name="HN")
    coordinator = make_user("ny_koordinator", email="koordinator@helse-ny.no", region_employer=region)
    RegionRole.objects.create(user=coordinator, region=region, role=RegionRole.Role.COORDINATOR)

    record = services.region_import_preview(
        user=coordinator, region=region, uploads=[Upload("export", "fagnett-ra.zip", data)]
    )
    services.region_import_confirm(user=coordinator, region_import=record)

    after = _snapshot(region)
    after["people"] = [p for p in after["people"] if p[0] != "koordinator@helse-ny.no"]
    assert {key: len(value) for key, value in before.items()} == {
        "trusts": 3,
        "hospitals": 3,
        "units": 3,
        "people": 11,
        "tasks": 3,
        "networks": 3,
        "mandates": 2,
        "appointments": 5,
    }
    for key in before:
        assert after[key] == before[key], key
    # And the same ZIP again changes nothing.
    again = services.region_import_preview(
        user=coordinator, region=region, uploads=[Upload("export", "fagnett-ra.zip", data)]
    )
    assert all(s["counts"]["created"] == s["counts"]["changed"] == 0 for s in again.preview["sheets"])


def _snapshot(region: Region) -> dict[str, list[Any]]:
    """The region's organisation, people and networks, by what they are called (ids differ between databases)."""
    mandates = {}
    for mandate in Mandate.objects.filter(network__region=region).order_by("version"):
        mandates[mandate.network.name] = (
            mandate.purpose,
            sorted(t.code for t in mandate.tasks.all()),
            mandate.specific_tasks,
            mandate.period_start,
            mandate.period_end,
            mandate.min_meetings_per_year,
            mandate.meeting_form,
            mandate.secretariat_trust.name if mandate.secretariat_trust else "",
            mandate.archive_trust.name if mandate.archive_trust else "",
            mandate.budget_amount,
            mandate.approved_by,
            mandate.approved_on,
        )
    return {
        "trusts": sorted(
            HealthTrust.objects.filter(region=region).values_list("org_number", "name", "short_name", "population")
        ),
        "hospitals": sorted(
            Hospital.objects.filter(trust__region=region).values_list("trust__name", "name", "municipality")
        ),
        "units": sorted(
            Unit.objects.filter(hospital__trust__region=region).values_list(
                "hospital__name", "name", "kind", "age_group", "resh_id"
            )
        ),
        "people": sorted(
            (u.email, u.first_name, u.last_name, u.title, u.trust.name if u.trust else "RHF")
            for u in User.objects.filter(trust__region=region) | User.objects.filter(region_employer=region)
        ),
        "tasks": sorted(region.task_list.values_list("code", "title", "order")),
        "networks": sorted(
            (n.name, n.field, n.kind, n.status, n.parent.name if n.parent else "", n.established_on, n.description)
            for n in Network.objects.filter(region=region)
        ),
        "mandates": sorted(mandates.items()),
        "appointments": sorted(
            (
                a.person.email,
                a.network.name,
                a.role,
                a.trust.name if a.trust else "",
                a.status,
                a.start_date,
                a.end_date,
            )
            for a in Appointment.objects.filter(network__region=region, status__in=["appointed", "ended"])
        ),
    }
