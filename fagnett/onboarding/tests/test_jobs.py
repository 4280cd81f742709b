"""A large import confirmed as a background job (``core.downloads``; the tests' backend runs it at once, inside the
request): it imports everything, a second confirmation starts nothing, a failure puts everything back and the job's
page says why, and a person who lost the right before the job ran imports nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fagnett.accounts.models import RegionRole, User
from fagnett.core import downloads
from fagnett.core.models import Download
from fagnett.networks.models import Network
from fagnett.onboarding import services
from fagnett.onboarding.models import ImportedObject, RegionImport, StagedFile
from fagnett.onboarding.tests.conftest import NETWORKS, ORGANISATION, PEOPLE
from fagnett.onboarding.tests.files import filled
from fagnett.organisations.models import HealthTrust, Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings: object, tmp_path: object) -> None:
    settings.MEDIA_ROOT = tmp_path  # type: ignore[attr-defined]
    # The three files have 21 rows: over this, the confirmation is a job.
    settings.FAGNETT_IMPORT_JOB_ROWS = 5  # type: ignore[attr-defined]


def _preview(client: Client, region: Region, existing: int = 0) -> RegionImport:
    files = {
        "organisation": SimpleUploadedFile("organisasjon.xlsx", filled("organisation", ORGANISATION)),
        "people": SimpleUploadedFile("personer.xlsx", filled("people", PEOPLE)),
        "networks": SimpleUploadedFile("nettverk.xlsx", filled("networks", NETWORKS)),
    }
    assert client.post(f"/regions/{region.pk}/onboarding/upload/", files).status_code == 302
    record = RegionImport.objects.order_by("pk")[existing]
    assert services.region_import_rows(record) == 21
    return record


def _confirm_url(record: RegionImport) -> str:
    return f"/regions/{record.region_id}/onboarding/imports/{record.pk}/confirm/"


def test_a_large_import_runs_as_a_job_and_imports_everything(
    new_region: Region, coordinator_new: User, client: Client
) -> None:
    client.force_login(coordinator_new)
    record = _preview(client, new_region)

    response = client.post(_confirm_url(record))
    job = Download.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/downloads/{job.pk}/"
    assert job.kind == services.JOB_KIND and job.owner == coordinator_new and job.state == Download.State.DONE
    record.refresh_from_db()
    assert record.status == RegionImport.Status.DONE
    assert Network.objects.filter(region=new_region).count() == 3
    assert HealthTrust.objects.filter(region=new_region).count() == 2
    assert not StagedFile.objects.exists()
    assert ImportedObject.objects.filter(region_import=record).count() == record.imported_objects.count() > 0

    page = client.get(f"/downloads/{job.pk}/").content.decode()
    assert "Se hva importen gjorde" in page and record.get_absolute_url() in page
    receipt = b"".join(client.get(f"/downloads/{job.pk}/file").streaming_content).decode()  # type: ignore[attr-defined]
    assert "Helseforetak: 2 opprettet, 0 endret, 0 uendret" in receipt
    assert "Intensivnettverket" in client.get(record.get_absolute_url()).content.decode()


def test_a_second_confirmation_starts_no_second_job(new_region: Region, coordinator_new: User, client: Client) -> None:
    client.force_login(coordinator_new)
    record = _preview(client, new_region)
    client.post(_confirm_url(record))
    assert Download.objects.count() == 1

    response = client.post(_confirm_url(record))
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert Download.objects.count() == 1 and Network.objects.filter(region=new_region).count() == 3

    # While a job waits for a worker (the import queued), a second confirmation starts nothing and says why.
    other = _preview(client, new_region, existing=1)
    RegionImport.objects.filter(pk=other.pk).update(status=RegionImport.Status.QUEUED)
    Download.objects.create(owner=coordinator_new, kind=services.JOB_KIND, params={"region_import": other.pk})
    other.refresh_from_db()
    with pytest.raises(ValidationError, match="Denne importen er allerede i gang"):
        services.region_import_enqueue(user=coordinator_new, region_import=other)
    response = client.post(_confirm_url(other), follow=True)
    assert "Denne importen er allerede i gang." in response.content.decode()
    assert "Følg importen" in response.content.decode()
    other.refresh_from_db()
    assert Download.objects.count() == 2 and other.status == RegionImport.Status.QUEUED


def test_of_two_jobs_for_one_import_one_imports_and_the_other_is_refused(
    new_region: Region, coordinator_new: User, client: Client
) -> None:
    """Two jobs given the same queued import (a retry racing the original): the status, read under the row's lock,
    lets one import and refuses the other, which puts nothing back."""
    client.force_login(coordinator_new)
    record = _preview(client, new_region)
    RegionImport.objects.filter(pk=record.pk).update(status=RegionImport.Status.QUEUED)
    first, second = (
        Download.objects.create(owner=coordinator_new, kind=services.JOB_KIND, params={"region_import": record.pk})
        for _ in range(2)
    )
    downloads.run(first.pk)
    downloads.run(second.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    record.refresh_from_db()
    assert (first.state, second.state) == (Download.State.DONE, Download.State.FAILED)
    assert second.message == "Denne importen er allerede bekreftet."
    assert record.status == RegionImport.Status.DONE
    assert Network.objects.filter(region=new_region).count() == 3


def test_a_failing_import_puts_everything_back_and_the_page_says_why(
    new_region: Region, coordinator_new: User, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    client.force_login(coordinator_new)
    record = _preview(client, new_region)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")  # after every row was written, before the import is recorded

    monkeypatch.setattr(services, "_record_objects", broken)
    response = client.post(_confirm_url(record))
    job = Download.objects.get()
    assert response["Location"] == f"/downloads/{job.pk}/"
    assert job.state == Download.State.FAILED
    page = client.get(response["Location"]).content.decode()
    assert "Importen mislyktes, og ingenting ble importert." in page
    assert "Se hva importen gjorde" in page  # the way back to the import, which waits again

    assert not HealthTrust.objects.filter(region=new_region).exists()
    assert not Network.objects.filter(region=new_region).exists()
    assert not User.objects.filter(email="kari@nordfjord.no").exists()
    record.refresh_from_db()
    assert record.status == RegionImport.Status.PREVIEW and StagedFile.objects.filter(region_import=record).count() == 3

    # In English when the person chose it; and once the fault is gone, the same import can be confirmed again.
    User.objects.filter(pk=coordinator_new.pk).update(language="en")
    client.post(_confirm_url(record))
    job = Download.objects.latest("pk")
    assert job.message == (
        "The import failed and nothing was imported. Try again; if it fails again, tell the person who runs Fagnett."
    )
    monkeypatch.undo()
    client.post(_confirm_url(record))
    record.refresh_from_db()
    assert record.status == RegionImport.Status.DONE and Network.objects.filter(region=new_region).count() == 3


def test_a_person_who_lost_the_right_before_the_job_ran_imports_nothing(
    new_region: Region, coordinator_new: User, client: Client
) -> None:
    client.force_login(coordinator_new)
    record = _preview(client, new_region)
    # The job as the database backend leaves it for a worker: queued, not run yet.
    RegionImport.objects.filter(pk=record.pk).update(status=RegionImport.Status.QUEUED)
    job = Download.objects.create(owner=coordinator_new, kind=services.JOB_KIND, params={"region_import": record.pk})
    assert "Følg importen" in client.get(record.get_absolute_url()).content.decode()

    RegionRole.objects.filter(user=coordinator_new, region=new_region).delete()
    downloads.run(job.pk)
    job.refresh_from_db()
    assert job.state == Download.State.FAILED
    assert job.message == "Du har ikke lenger rett til å importere til denne regionen, så ingenting ble importert."
    assert not Network.objects.filter(region=new_region).exists()
    record.refresh_from_db()
    assert record.status == RegionImport.Status.PREVIEW


def test_an_import_whose_job_was_lost_waits_for_confirmation_again(
    new_region: Region, coordinator_new: User, client: Client
) -> None:
    client.force_login(coordinator_new)
    record = _preview(client, new_region)
    RegionImport.objects.filter(pk=record.pk).update(status=RegionImport.Status.QUEUED)
    Download.objects.create(
        owner=coordinator_new,
        kind=services.JOB_KIND,
        params={"region_import": record.pk},
        state=Download.State.FAILED,
        message=str(downloads.LOST),
    )
    page = client.get(record.get_absolute_url()).content.decode()
    assert "Kontroller forhåndsvisningen" in page
    record.refresh_from_db()
    assert record.status == RegionImport.Status.PREVIEW


def test_a_small_import_is_carried_out_in_the_request(
    new_region: Region, coordinator_new: User, client: Client, settings: object
) -> None:
    settings.FAGNETT_IMPORT_JOB_ROWS = 21  # type: ignore[attr-defined]
    client.force_login(coordinator_new)
    record = _preview(client, new_region)
    response = client.post(_confirm_url(record))
    assert response["Location"] == record.get_absolute_url()
    assert not Download.objects.exists() and Network.objects.filter(region=new_region).count() == 3
