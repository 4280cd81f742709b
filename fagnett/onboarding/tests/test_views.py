"""The coordinator's onboarding pages: who may open them, and the steps upload → preview → confirm → result."""

import io
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from fagnett.accounts.models import User
from fagnett.networks.models import Network
from fagnett.onboarding import services
from fagnett.onboarding.models import RegionImport, StagedFile
from fagnett.onboarding.tests.conftest import NETWORKS, ORGANISATION, PEOPLE
from fagnett.onboarding.tests.files import filled, upload
from fagnett.organisations.models import HealthTrust, Region
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("director", 403), ("fagsjef", 403), ("employee", 403), ("coordinator_b", 404)],
)
def test_only_the_regions_coordinator_opens_its_onboarding(
    world: World, login_as: Callable[[str], Client], role: str, status: int
) -> None:
    client = login_as(role)
    region = world.region_a.pk
    for url in (
        f"/regions/{region}/onboarding/",
        f"/regions/{region}/onboarding/upload/",
        f"/regions/{region}/onboarding/templates/people.xlsx",
        f"/regions/{region}/onboarding/export.zip",
    ):
        assert client.get(url).status_code == status, url


def test_the_way_in_goes_to_the_coordinators_region(world: World, login_as: Callable[[str], Client]) -> None:
    response = login_as("coordinator").get("/region/onboarding/")
    assert response.status_code == 302 and response["Location"] == f"/regions/{world.region_a.pk}/onboarding/"
    assert login_as("employee").get("/region/onboarding/").status_code == 403


def _files() -> dict[str, SimpleUploadedFile]:
    return {
        "organisation": SimpleUploadedFile("organisasjon.xlsx", filled("organisation", ORGANISATION)),
        "people": SimpleUploadedFile("personer.xlsx", filled("people", PEOPLE)),
        "networks": SimpleUploadedFile("nettverk.xlsx", filled("networks", NETWORKS)),
    }


def test_upload_preview_confirm_and_result(
    new_region: Region, coordinator_new: User, client: Client, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    client.force_login(coordinator_new)
    base = f"/regions/{new_region.pk}/onboarding/"

    response = client.post(base + "upload/", _files())
    record = RegionImport.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert not Network.objects.filter(region=new_region).exists()  # a preview saves nothing of the region

    preview = client.get(record.get_absolute_url()).content.decode()
    assert "Kontroller forhåndsvisningen" in preview
    assert "Nordfjord HF" in preview and "kari@nordfjord.no" in preview  # the first rows of each sheet
    assert StagedFile.objects.filter(region_import=record).count() == 3

    response = client.post(base + f"imports/{record.pk}/confirm/")
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == RegionImport.Status.DONE
    assert not StagedFile.objects.exists()
    assert Network.objects.filter(region=new_region).count() == 3
    result = client.get(record.get_absolute_url()).content.decode()
    assert "Intensivnettverket" in result and "Angre denne importen" in result

    # Confirming twice imports nothing twice.
    client.post(base + f"imports/{record.pk}/confirm/")
    assert Network.objects.filter(region=new_region).count() == 3

    assert client.get(base + f"imports/{record.pk}/undo/").status_code == 200
    assert client.post(base + f"imports/{record.pk}/undo/").status_code == 302
    assert not Network.objects.filter(region=new_region).exists()


def test_a_broken_workbook_lists_its_problems_and_saves_nothing(
    new_region: Region, coordinator_new: User, client: Client
) -> None:
    client.force_login(coordinator_new)
    book = load_workbook(io.BytesIO(filled("organisation", ORGANISATION)))
    book["Helseforetak"]["A3"] = "912345611"  # a check digit that is wrong
    book["Enheter"]["F2"] = "40O1"  # a letter O for a zero in the RESH id
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        f"/regions/{new_region.pk}/onboarding/upload/",
        {"organisation": SimpleUploadedFile("organisasjon.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 problemer i filene" in page
    assert "912345611 er ikke et organisasjonsnummer" in page and "40O1 er ikke en RESH-id" in page
    # The hospital names the trust by the number the trust's row should have had; the unit in that hospital is
    # not reported as well, as it would be right once the hospital's row is.
    assert "Ukjent helseforetak 912345610" in page and "Ukjent sykehus" not in page
    assert not RegionImport.objects.exists() and not HealthTrust.objects.filter(region=new_region).exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_its_field(
    new_region: Region, coordinator_new: User, client: Client
) -> None:
    client.force_login(coordinator_new)
    response = client.post(
        f"/regions/{new_region.pk}/onboarding/upload/",
        {"people": SimpleUploadedFile("personer.xlsx", b"Navn;E-post\n")},
    )
    assert response.status_code == 200
    assert 'id="id_people"' in response.content.decode() and response.context["form"].errors["people"]
    empty = client.post(f"/regions/{new_region.pk}/onboarding/upload/", {})
    assert "Velg minst én fil." in empty.content.decode()


def test_the_template_and_the_export_download(world: World, login_as: Callable[[str], Client]) -> None:
    client = login_as("coordinator")
    template = client.get(f"/regions/{world.region_a.pk}/onboarding/templates/networks.xlsx")
    assert template["Content-Disposition"] == 'attachment; filename="nettverk-ra.xlsx"'
    assert load_workbook(io.BytesIO(template.content)).sheetnames[:4] == [
        "Oppgaveliste",
        "Nettverk",
        "Mandater",
        "Oppnevninger",
    ]
    assert client.get(f"/regions/{world.region_a.pk}/onboarding/templates/secrets.xlsx").status_code == 404
    export = client.get(f"/regions/{world.region_a.pk}/onboarding/export.zip")
    assert export["Content-Type"] == "application/zip"
    package = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content)))  # type: ignore[attr-defined]
    assert "README.txt" in package.namelist() and "people.csv" in package.namelist()


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_run_as_many_queries_for_a_large_import_as_for_a_small_one(
    new_region: Region, coordinator_new: User, client: Client
) -> None:
    """The region's list of imports and an import's result (created and changed objects, 100 a page) do not query
    per row: the same count for one import of four people and for two imports, the second of 150."""
    client.force_login(coordinator_new)
    base = f"/regions/{new_region.pk}/onboarding/"
    organisation = services.region_import_preview(
        user=coordinator_new, region=new_region, uploads=[upload("organisation", ORGANISATION)]
    )
    services.region_import_confirm(user=coordinator_new, region_import=organisation)
    small = services.region_import_preview(user=coordinator_new, region=new_region, uploads=[upload("people", PEOPLE)])
    services.region_import_confirm(user=coordinator_new, region_import=small)
    client.get(base)  # the session, warmed
    counted_small = (_queries(client, base), _queries(client, small.get_absolute_url()))

    many = {
        "people": [
            {
                "email": f"person{n}@nordfjord.no",
                "first_name": f"Person{n}",
                "last_name": "Fjord",
                "employer": "Nordfjord",
            }
            for n in range(150)
        ]
    }
    large = services.region_import_preview(user=coordinator_new, region=new_region, uploads=[upload("people", many)])
    services.region_import_confirm(user=coordinator_new, region_import=large)
    counted_large = (_queries(client, base), _queries(client, large.get_absolute_url()))
    assert large.imported_objects.count() == 150
    assert counted_large == counted_small
