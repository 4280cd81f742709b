"""A new region brought in from spreadsheets, end to end: the coordinator downloads the templates, fills them in
(as in Excel), uploads the organisation, people and networks workbooks, reads the preview, confirms and finds the
networks; the same files again change nothing; a broken workbook is refused row by row and saves nothing."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from fagnett.accounts.models import RegionRole, User
from fagnett.networks.models import Appointment, Mandate, Network
from fagnett.onboarding.models import RegionImport
from fagnett.onboarding.tests.conftest import NETWORKS, ORGANISATION, PEOPLE
from fagnett.onboarding.tests.files import Rows, fill
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit
from tests.browser.conftest import assert_accessible
from tests.factories import World, make_region, make_user

#: the upload form's field for each template, and the link to the template on the onboarding page
FIELDS = {"organisation": "Organisasjon (.xlsx)", "people": "Personer (.xlsx)", "networks": "Nettverk (.xlsx)"}
TEMPLATE_LINKS = {"organisation": "Mal: Organisasjon", "people": "Mal: Personer", "networks": "Mal: Nettverk"}


def _snapshot(region: Region) -> dict[str, int]:
    return {
        "trusts": HealthTrust.objects.filter(region=region).count(),
        "hospitals": Hospital.objects.filter(trust__region=region).count(),
        "units": Unit.objects.filter(hospital__trust__region=region).count(),
        "people": User.objects.filter(trust__region=region).count()
        + User.objects.filter(region_employer=region).count(),
        "networks": Network.objects.filter(region=region).count(),
        "mandates": Mandate.objects.filter(network__region=region).count(),
        "appointments": Appointment.objects.filter(network__region=region).count(),
        "imports": RegionImport.objects.filter(region=region).count(),
    }


def _fill_template(page: Page, kind: str, rows: Rows, folder: Path) -> Path:
    """Download the template from the onboarding page, type the rows in, save it where the file chooser finds it."""
    with page.expect_download() as download:
        page.get_by_role("link", name=TEMPLATE_LINKS[kind]).click()
    path = folder / download.value.suggested_filename
    path.write_bytes(fill(Path(download.value.path()).read_bytes(), rows))
    return path


def _upload(page: Page, files: dict[str, Path]) -> None:
    page.get_by_role("link", name="Last opp filer").click()
    expect(page.get_by_role("heading", name="Last opp filer", level=1)).to_be_visible()
    assert_accessible(page)
    for kind, path in files.items():
        page.get_by_label(FIELDS[kind]).set_input_files(path)
    page.get_by_role("button", name="Kontroller filene").click()


def _counts(page: Page) -> dict[str, list[str]]:
    """The preview's or result's table: sheet → [new, changed, unchanged]."""
    table = page.locator("#import-counts tbody tr")
    return {
        row.locator("th").inner_text(): [cell.inner_text() for cell in row.locator("td").all()] for row in table.all()
    }


def test_a_coordinator_brings_a_new_region_in_from_its_workbooks(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    region = make_region(name="Helse Test RHF", short_name="HT")
    coordinator = make_user("coordinator_new", region_employer=region)
    RegionRole.objects.create(user=coordinator, region=region, role=RegionRole.Role.COORDINATOR)
    empty = _snapshot(region)

    login("coordinator_new")
    page.get_by_role("link", name="Region", exact=True).click()
    page.get_by_role("link", name="Innføring").click()
    expect(page.get_by_role("heading", name="Innføring av Helse Test RHF", level=1)).to_be_visible()
    assert_accessible(page)
    files = {
        "organisation": _fill_template(page, "organisation", ORGANISATION, tmp_path),
        "people": _fill_template(page, "people", PEOPLE, tmp_path),
        "networks": _fill_template(page, "networks", NETWORKS, tmp_path),
    }

    # The preview: what will be created, sheet by sheet, and the first rows as read; nothing saved yet.
    _upload(page, files)
    expect(page.get_by_role("heading", name="Kontroller forhåndsvisningen", level=1)).to_be_visible()
    assert_accessible(page)
    assert _counts(page) == {
        "Helseforetak": ["2", "0", "0"],
        "Sykehus": ["2", "0", "0"],
        "Enheter": ["2", "0", "0"],
        "Personer": ["4", "0", "0"],
        "Oppgaveliste": ["2", "0", "0"],
        "Nettverk": ["3", "0", "0"],
        "Mandater": ["2", "0", "0"],
        "Oppnevninger": ["4", "0", "0"],
    }
    people = page.get_by_role("region", name="Personer", exact=True)
    expect(people.get_by_role("cell", name="kari@nordfjord.no")).to_be_visible()
    assert {key: value for key, value in _snapshot(region).items() if key != "imports"} == {
        key: value for key, value in empty.items() if key != "imports"
    }

    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_text("Filene ble importert.")).to_be_visible()
    expect(page.get_by_role("heading", name="Importert", level=1)).to_be_visible()
    assert_accessible(page)
    imported = _snapshot(region)
    assert imported == {
        "trusts": 2,
        "hospitals": 2,
        "units": 2,
        "people": 5,  # the four of the workbook and the coordinator
        "networks": 3,
        "mandates": 2,
        "appointments": 4,
        "imports": 1,
    }

    page.get_by_role("link", name="Se nettverkene").click()
    expect(page.get_by_role("heading", name="Nettverk", level=1)).to_be_visible()
    for name in ("Intensivnettverket", "Smertenettverket"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Intensivnettverket", exact=True).click()
    expect(page.get_by_text("Likeverdig intensivbehandling i regionen.")).to_be_visible()
    expect(page.get_by_text("Kari Fjord").first).to_be_visible()
    assert_accessible(page)

    # The same files again: the preview says nothing will change, and importing them changes nothing.
    page.goto(f"{live_server.url}/region/onboarding/")
    _upload(page, files)
    expect(page.get_by_role("heading", name="Kontroller forhåndsvisningen", level=1)).to_be_visible()
    counts = _counts(page)
    assert {sheet: (new, changed) for sheet, (new, changed, _same) in counts.items()} == dict.fromkeys(
        counts, ("0", "0")
    )
    assert counts["Personer"] == ["0", "0", "4"]
    page.get_by_role("button", name="Importer", exact=True).click()
    expect(page.get_by_text("Importen opprettet og endret ingenting")).to_be_visible()
    assert_accessible(page)
    assert _snapshot(region) == {**imported, "imports": 2}

    # A broken workbook: every problem by sheet, row and column, and nothing saved.
    page.goto(f"{live_server.url}/region/onboarding/")
    broken = {
        "people": [
            {"email": "kari.nordfjord.no", "first_name": "Kari", "last_name": "Fjord", "employer": "Nordfjord HF"},
            {"email": "nils@nordfjord.no", "first_name": "Nils", "last_name": "Nord", "employer": "Vestfjord HF"},
            {"email": "eva@nordfjord.no", "first_name": "Eva", "employer": "Nordfjord HF"},
        ]
    }
    (tmp_path / "broken").mkdir()
    _upload(page, {"people": _fill_template(page, "people", broken, tmp_path / "broken")})
    expect(page.get_by_text("Ingenting ble lagret")).to_be_visible()
    expect(page.get_by_role("heading", name="3 problemer i filene")).to_be_visible()
    assert_accessible(page)
    problems = [
        [cell.inner_text() for cell in row.locator("td").all()] for row in page.locator("#problems tbody tr").all()
    ]
    assert [row[1:4] for row in problems] == [
        ["Personer", "2", "E-post"],
        ["Personer", "3", "Arbeidsgiver"],
        ["Personer", "4", "Etternavn"],
    ]
    assert "Vestfjord HF" in problems[1][4]
    assert _snapshot(region) == {**imported, "imports": 2}
