"""The region import as a service: what it creates, what it refuses (and where), that it is idempotent and that it
can be undone — and not undone while something else refers to what it made."""

import copy
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.cases.tests.factories import make_case
from fagnett.core.exceptions import ConflictError
from fagnett.core.locking import check_version
from fagnett.core.testing_files import NUMBER
from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network, TaskListItem
from fagnett.onboarding import services
from fagnett.onboarding.models import ImportedObject, RegionImport
from fagnett.onboarding.services import ImportRefused, UndoRefused, Upload
from fagnett.onboarding.tests.conftest import NETWORKS, ORGANISATION, PEOPLE, YEAR, region_uploads
from fagnett.onboarding.tests.files import Rows, filled, upload
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from fagnett.procedures.models import Procedure
from fagnett.reports.models import NetworkReport
from tests.factories import World

pytestmark = pytest.mark.django_db

COUNTED_MODELS = (
    HealthTrust,
    Hospital,
    Unit,
    User,
    TaskListItem,
    Network,
    Mandate,
    Appointment,
    Meeting,
    Procedure,
    NetworkReport,
)


def _snapshot() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


def _run(user: User, region: Region, uploads: list[Upload]) -> RegionImport:
    record = services.region_import_preview(user=user, region=region, uploads=uploads)
    return services.region_import_confirm(user=user, region_import=record)


def _totals(record: RegionImport) -> tuple[int, int]:
    return (
        sum(c["created"] for c in record.counts.values()),
        sum(c["changed"] for c in record.counts.values()),
    )


def test_a_new_region_comes_in_from_four_workbooks(new_region: Region, coordinator_new: User) -> None:
    record = _run(coordinator_new, new_region, region_uploads())

    assert record.status == RegionImport.Status.DONE
    assert record.counts["trusts"] == {"created": 2, "changed": 0, "unchanged": 0}
    assert record.counts["people"]["created"] == 4
    assert record.counts["meetings"]["created"] == 14
    nordfjord = HealthTrust.objects.get(org_number="912345602")
    sunnmore = HealthTrust.objects.get(org_number="912345610")  # written with spaces, stored as nine digits
    assert (nordfjord.region, nordfjord.name, nordfjord.population) == (new_region, "Nordfjord HF", 120000)
    assert Unit.objects.get(resh_id="4001").hospital.trust == nordfjord
    assert Unit.objects.get(name="Nyfødt intensiv").age_group == Unit.AgeGroup.NEONATAL

    ola = User.objects.get(email="ola@sunnmore.no")
    assert (ola.username, ola.trust, ola.title, ola.has_usable_password()) == (
        "ola@sunnmore.no",
        sunnmore,
        "Avdelingssjef",
        False,
    )
    assert User.objects.get(email="per@helse-test.no").region_employer == new_region

    intensive = Network.objects.get(region=new_region, name="Intensivnettverket")
    council = Network.objects.get(region=new_region, name="Fagråd for nyfødt")
    assert (council.kind, council.parent, council.status) == (Network.Kind.COUNCIL, intensive, Network.Status.ACTIVE)
    mandate = intensive.mandates.get()
    assert (mandate.version, mandate.secretariat_trust, mandate.budget_amount, mandate.period_end) == (
        1,
        nordfjord,
        750000,
        datetime.date(2026, 12, 31),
    )
    assert sorted(mandate.tasks.values_list("code", flat=True)) == ["T1", "T2"]
    roles = {(a.person.first_name, a.role): (a.trust, a.status) for a in intensive.appointments.all()}
    assert roles == {
        ("Kari", AppointmentRole.LEADER): (nordfjord, Appointment.Status.APPOINTED),  # her own trust
        ("Ola", AppointmentRole.MEMBER): (sunnmore, Appointment.Status.APPOINTED),
        ("Per", AppointmentRole.RHF_REPRESENTATIVE): (None, Appointment.Status.APPOINTED),
        ("Lise", AppointmentRole.SECRETARY): (nordfjord, Appointment.Status.ENDED),  # ended in 2023
    }
    fagdag = Meeting.objects.get(title="Fagdag")
    assert (fagdag.status, fagdag.form, fagdag.location) == (Meeting.Status.HELD, "hybrid", "Ålesund")
    assert timezone.localtime(fagdag.starts_at).time() == datetime.time(10, 0)
    assert timezone.localtime(fagdag.ends_at).time() == datetime.time(15, 30)
    report = NetworkReport.objects.get(network=intensive, year=YEAR - 1)
    assert (report.status, report.registry_data_reviewed) == (NetworkReport.Status.ACCEPTED, True)
    assert report.facts["meetings"]["held"] == 3  # frozen from the history imported with it


def test_every_created_row_has_history_naming_the_person_and_the_import(
    new_region: Region, coordinator_new: User
) -> None:
    record = _run(coordinator_new, new_region, region_uploads())
    assert record.change_reason.startswith(f"Import {record.pk}")
    for model, expected in (
        (HealthTrust, 2),
        (Hospital, 2),
        (Unit, 2),
        (User, 4),
        (Network, 3),
        (Mandate, 2),
        (Appointment, 4),
        (Meeting, 14),
        (Procedure, 8),
        (NetworkReport, 2),
    ):
        created = set(
            ImportedObject.objects.filter(
                region_import=record, content_type=ContentType.objects.get_for_model(model), action="created"
            ).values_list("object_id", flat=True)
        )
        named = model.history.filter(  # type: ignore[attr-defined]
            history_type="+", history_change_reason=record.change_reason, history_user=coordinator_new
        )
        assert len(created) == expected, model
        assert set(named.values_list("id", flat=True)) == created, model
    # The import lists everything it created.
    assert ImportedObject.objects.filter(region_import=record, action="created").exclude(
        content_type__model="statusevent"
    ).count() == sum(c["created"] for c in record.counts.values())


def test_the_same_files_again_create_nothing_and_change_nothing(new_region: Region, coordinator_new: User) -> None:
    first = _run(coordinator_new, new_region, region_uploads())
    before = _snapshot()
    history_before = sum(m.history.count() for m in (HealthTrust, Network, Appointment, Meeting))  # type: ignore[attr-defined]

    second = _run(coordinator_new, new_region, region_uploads())

    assert _totals(first)[0] > 0
    assert _totals(second) == (0, 0)
    assert second.counts["people"] == {"created": 0, "changed": 0, "unchanged": 4}
    assert second.counts["procedures"] == {"created": 0, "changed": 0, "unchanged": 3}
    assert _snapshot() == before
    assert sum(m.history.count() for m in (HealthTrust, Network, Appointment, Meeting)) == history_before  # type: ignore[attr-defined]
    assert not ImportedObject.objects.filter(region_import=second).exists()


def test_a_changed_row_changes_that_record_and_nothing_else(new_region: Region, coordinator_new: User) -> None:
    _run(coordinator_new, new_region, region_uploads())
    people = copy.deepcopy(PEOPLE)
    people["people"][0]["title"] = "Klinikksjef"  # type: ignore[index]
    networks = copy.deepcopy(NETWORKS)
    networks["mandates"][0]["min_meetings"] = 6  # type: ignore[index]
    record = _run(coordinator_new, new_region, region_uploads(people=people, networks=networks))

    assert record.counts["people"] == {"created": 0, "changed": 1, "unchanged": 3}
    assert User.objects.get(email="kari@nordfjord.no").title == "Klinikksjef"
    # A mandate is never edited: a different one is a new version.
    assert record.counts["mandates"] == {"created": 1, "changed": 0, "unchanged": 1}
    intensive = Network.objects.get(name="Intensivnettverket")
    assert list(intensive.mandates.values_list("version", "min_meetings_per_year")) == [(2, 6), (1, 4)]


def test_a_record_the_import_changes_moves_to_its_next_version(new_region: Region, coordinator_new: User) -> None:
    """An edit form opened on a network before an import changed it is told (a conflict), not allowed to overwrite
    the import; undoing is a change too."""
    _run(coordinator_new, new_region, region_uploads())
    network = Network.objects.get(name="Smertenettverket")
    opened = network.lock_version
    record = _run(coordinator_new, new_region, [upload("networks", _with(NETWORKS, "networks", 2, field="Palliasjon"))])
    assert record.counts["networks"] == {"created": 0, "changed": 1, "unchanged": 2}
    network.refresh_from_db()
    assert (network.field, network.lock_version) == ("Palliasjon", opened + 1)
    with pytest.raises(ConflictError):
        check_version(network, opened)
    services.region_import_undo(user=coordinator_new, region_import=record)
    network.refresh_from_db()
    assert (network.field, network.lock_version) == ("Smerte", opened + 2)


def _refused(user: User, region: Region, uploads: list[Upload]) -> list[tuple[str, str, int, str, str]]:
    before = _snapshot()
    with pytest.raises(ImportRefused) as refused:
        services.region_import_preview(user=user, region=region, uploads=uploads)
    assert _snapshot() == before, "a refused import saved something"
    assert not RegionImport.objects.exists()
    return [(p.file, p.sheet, p.row, p.column, p.message) for p in refused.value.problems]


def _with(rows: Rows, sheet: str, index: int, **changes: Any) -> Rows:
    changed = copy.deepcopy(dict(rows))
    changed[sheet][index].update(changes)  # type: ignore[union-attr]
    return changed


def test_a_missing_column_is_named(new_region: Region, coordinator_new: User) -> None:
    book = load_workbook(io.BytesIO(filled("people", PEOPLE)))
    book["Personer"].delete_cols(2)  # first name
    buffer = io.BytesIO()
    book.save(buffer)
    problems = _refused(coordinator_new, new_region, [Upload("people", "personer.xlsx", buffer.getvalue())])
    assert len(problems) == 1
    file, sheet, row, column, message = problems[0]
    assert (file, sheet, row, column) == ("personer.xlsx", "Personer", 1, "Fornavn")
    assert "mangler" in message


@pytest.mark.parametrize(
    ("kind", "rows", "expected"),
    [
        ("people", _with(PEOPLE, "people", 1, email="ola.sunnmore.no"), ("Personer", 3, "E-post")),
        ("people", _with(PEOPLE, "people", 2, employer="Helse Ukjent HF"), ("Personer", 4, "Arbeidsgiver")),
        ("people", _with(PEOPLE, "people", 0, title=f"Overlege {NUMBER}"), ("Personer", 2, "Stilling")),
        (
            "organisation",
            _with(ORGANISATION, "trusts", 0, org_number="912345603"),
            ("Helseforetak", 2, "Organisasjonsnummer"),
        ),
        ("organisation", _with(ORGANISATION, "units", 1, kind="Kantine"), ("Enheter", 3, "Type")),
        ("networks", _with(NETWORKS, "mandates", 0, tasks="T1, T9"), ("Mandater", 2, "Oppgaver (koder)")),
        ("networks", _with(NETWORKS, "appointments", 1, email="ukjent@sunnmore.no"), ("Oppnevninger", 3, "E-post")),
        ("networks", _with(NETWORKS, "networks", 1, parent=None), ("Nettverk", 3, "Overordnet nettverk")),
    ],
    ids=[
        "bad e-mail",
        "unknown trust",
        "identity number",
        "org number checksum",
        "unknown choice",
        "unknown task",
        "unknown person",
        "council without parent",
    ],
)
def test_a_bad_cell_is_named_by_sheet_row_and_column(
    new_region: Region, coordinator_new: User, kind: str, rows: Rows, expected: tuple[str, int, str]
) -> None:
    # The files up to the one with the problem (a later file would refer to what the bad row was to make).
    files = {"organisation": ORGANISATION, "people": PEOPLE, "networks": NETWORKS}
    files[kind] = rows
    uploads = [upload(name, content) for name, content in files.items()]
    uploads = uploads[: list(files).index(kind) + 1]
    problems = _refused(coordinator_new, new_region, uploads)
    where = [(sheet, row, column) for _file, sheet, row, column, _message in problems]
    assert where == [expected], problems


def test_an_identity_number_is_refused_with_the_guards_message(new_region: Region, coordinator_new: User) -> None:
    people = _with(PEOPLE, "people", 3, last_name=f"Pasient {NUMBER[:6]} {NUMBER[6:]}")
    [(file, sheet, row, column, message)] = _refused(
        coordinator_new, new_region, [upload("organisation", ORGANISATION), upload("people", people)]
    )
    assert (file, sheet, row, column) == ("personer.xlsx", "Personer", 5, "Etternavn")
    assert "fødselsnummer" in message
    assert NUMBER not in message


def test_duplicate_rows_in_a_file_name_the_first(new_region: Region, coordinator_new: User) -> None:
    people = copy.deepcopy(dict(PEOPLE))
    people["people"] = [*PEOPLE["people"], {**PEOPLE["people"][0], "email": "KARI@nordfjord.no"}]
    [(_file, sheet, row, column, message)] = _refused(
        coordinator_new, new_region, [upload("organisation", ORGANISATION), upload("people", people)]
    )
    assert (sheet, row, column) == ("Personer", 6, "E-post")
    assert "rad 2" in message


def test_a_person_of_another_region_is_refused(world: World, new_region: Region, coordinator_new: User) -> None:
    people = _with(PEOPLE, "people", 1, email=world["member"].email.upper())
    [(_file, sheet, row, column, message)] = _refused(
        coordinator_new, new_region, [upload("organisation", ORGANISATION), upload("people", people)]
    )
    assert (sheet, row, column) == ("Personer", 3, "E-post")
    assert "annen region" in message
    world["member"].refresh_from_db()
    assert world["member"].trust == world.trusts_a[1]


def test_every_problem_of_every_file_is_listed_at_once(new_region: Region, coordinator_new: User) -> None:
    people = _with(_with(PEOPLE, "people", 0, email="nope"), "people", 2, first_name=None)
    organisation = _with(ORGANISATION, "trusts", 0, org_number="123")
    problems = _refused(coordinator_new, new_region, region_uploads(organisation=organisation, people=people))
    where = {(sheet, row, column) for _file, sheet, row, column, _message in problems}
    assert {("Helseforetak", 2, "Organisasjonsnummer"), ("Personer", 2, "E-post"), ("Personer", 4, "Fornavn")} <= where


def test_not_a_workbook_is_refused_by_name(new_region: Region, coordinator_new: User) -> None:
    [(file, sheet, row, _column, message)] = _refused(
        coordinator_new, new_region, [Upload("people", "personer.xlsx", b"PK\x03\x04 not really a zip")]
    )
    assert (file, sheet, row) == ("personer.xlsx", "", 0)
    assert "Excel" in message


def test_only_the_regions_coordinator_imports(world: World, new_region: Region) -> None:
    for person in (world["coordinator"], world["director"], world["employee"]):
        with pytest.raises(PermissionDenied):
            services.region_import_preview(user=person, region=new_region, uploads=region_uploads())


# --- Undo ----------------------------------------------------------------------------------------------------------


def test_undo_deletes_what_the_import_created_with_history_naming_it(new_region: Region, coordinator_new: User) -> None:
    before = _snapshot()
    record = _run(coordinator_new, new_region, region_uploads())
    assert _snapshot() != before
    services.region_import_undo(user=coordinator_new, region_import=record)
    assert _snapshot() == before
    record.refresh_from_db()
    assert (record.status, record.undone_by) == (RegionImport.Status.UNDONE, coordinator_new)
    deleted = Network.history.filter(history_type="-")  # type: ignore[attr-defined]
    assert deleted.count() == 3
    assert all(
        row.history_change_reason.startswith("Angrer Import") or row.history_change_reason.startswith("Undoing Import")
        for row in deleted
    )
    assert {row.history_user for row in deleted} == {coordinator_new}
    # Imported again, it all comes back.
    again = _run(coordinator_new, new_region, region_uploads())
    assert _totals(again)[0] == _totals(record)[0]


def test_undo_puts_back_what_the_import_changed(new_region: Region, coordinator_new: User) -> None:
    _run(coordinator_new, new_region, region_uploads())
    people = _with(PEOPLE, "people", 0, title="Klinikksjef", employer="Sunnmøre HF")
    record = _run(coordinator_new, new_region, [upload("people", people)])
    kari = User.objects.get(email="kari@nordfjord.no")
    assert (kari.title, kari.trust.short_name) == ("Klinikksjef", "Sunnmøre")  # type: ignore[union-attr]
    services.region_import_undo(user=coordinator_new, region_import=record)
    kari.refresh_from_db()
    assert (kari.title, kari.trust.short_name) == ("Overlege", "Nordfjord")  # type: ignore[union-attr]


def _undo_refused(user: User, record: RegionImport) -> list[str]:
    before = _snapshot()
    with pytest.raises(UndoRefused) as refused:
        services.region_import_undo(user=user, region_import=record)
    assert _snapshot() == before
    record.refresh_from_db()
    assert record.status == RegionImport.Status.DONE
    assert services.region_import_undo_blockers(record) == refused.value.reasons
    return refused.value.reasons


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda region, world: make_meeting(Network.objects.get(name="Smertenettverket"), days=10), "Smertenettverket"),
        (
            lambda region, world: RegionRole.objects.create(
                user=User.objects.get(email="kari@nordfjord.no"), region=region, role=RegionRole.Role.MEDICAL_DIRECTOR
            ),
            "Kari Fjord",
        ),
        (
            lambda region, world: TrustRole.objects.create(
                user=world["coordinator"], trust=HealthTrust.objects.get(name="Sunnmøre HF"), role="fagsjef"
            ),
            "Sunnmøre HF",
        ),
        (
            lambda region, world: make_case(
                world,
                network=None,
                region=region,
                submitted_by=User.objects.get(email="ola@sunnmore.no"),
                title="Ny sak fra Ola",
            ),
            "Ny sak fra Ola",
        ),
    ],
    ids=["meeting planned", "role given", "trust role", "case submitted"],
)
def test_undo_is_refused_while_something_else_refers_to_the_import(
    world: World,
    new_region: Region,
    coordinator_new: User,
    make: Callable[[Region, World], Any],
    expected: str,
) -> None:
    record = _run(coordinator_new, new_region, region_uploads())
    make(new_region, world)
    reasons = _undo_refused(coordinator_new, record)
    assert any(expected in reason for reason in reasons), reasons


def test_undo_is_refused_when_a_person_has_logged_in_or_a_record_was_changed(
    new_region: Region, coordinator_new: User
) -> None:
    record = _run(coordinator_new, new_region, region_uploads())
    User.objects.filter(email="ola@sunnmore.no").update(last_login=timezone.now())
    network = Network.objects.get(name="Smertenettverket")
    network.field = "Smerte og palliasjon"
    network.save()
    reasons = _undo_refused(coordinator_new, record)
    assert any("Ola Berg" in r for r in reasons), reasons
    assert any("Smertenettverket" in r for r in reasons), reasons


def test_a_later_import_that_changed_the_records_stops_undoing_the_first(
    new_region: Region, coordinator_new: User
) -> None:
    first = _run(coordinator_new, new_region, region_uploads())
    people = _with(PEOPLE, "people", 1, title="Klinikksjef")
    second = _run(coordinator_new, new_region, [upload("people", people)])
    assert any("Ola Berg" in reason for reason in _undo_refused(coordinator_new, first))
    services.region_import_undo(user=coordinator_new, region_import=second)
    services.region_import_undo(user=coordinator_new, region_import=first)
    assert not User.objects.filter(email="ola@sunnmore.no").exists()


def test_an_import_into_a_region_with_people_already_matches_them(world: World) -> None:
    """Region A's own people are matched by e-mail (any case), not made again; their trust by name."""
    people = {
        "people": [
            {
                "email": "MEMBER@example.org",
                "first_name": "Member",
                "last_name": "Testesen",
                "employer": "Trust A2 HF",
                "title": "Overlege",
            }
        ]
    }
    record = _run(world["coordinator"], world.region_a, [upload("people", people)])
    assert record.counts["people"] == {"created": 0, "changed": 1, "unchanged": 0}
    world["member"].refresh_from_db()
    assert world["member"].title == "Overlege"
    assert User.objects.filter(email__iexact="member@example.org").count() == 1
