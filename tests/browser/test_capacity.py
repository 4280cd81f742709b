"""ICU capacity end to end: a reporter reports by form and by Excel; the network leader assesses and exports.

The capacity texts are not yet in the compiled catalogue, so the test finds fields by their ids and
buttons by their place rather than by words that change with the translation.
"""

from collections.abc import Callable
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from fagnett.capacity.excel import COLUMNS
from fagnett.capacity.models import Assessment, CapacityEntry
from fagnett.capacity.tests.factories import make_round, units_of
from tests.browser.conftest import assert_accessible
from tests.factories import World


def _submit(page: Page) -> None:
    page.locator("main form.stack button[type=submit]").first.click()


def test_reporter_reports_and_the_leader_assesses(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page, tmp_path: Any
) -> None:
    round_ = make_round(browser_world.region_a, network=browser_world.network)
    unit = units_of(browser_world)[0]
    base = live_server.url

    # The reporter fills one cell by the web form.
    login("reporter")
    page.goto(f"{base}/capacity/")
    assert_accessible(page)
    page.locator(f"a[href='/capacity/rounds/{round_.pk}/']").click()
    assert_accessible(page)
    page.locator(f"a[href='/capacity/rounds/{round_.pk}/units/{unit.pk}/']").first.click()
    assert_accessible(page)
    page.locator(f"a[href='/capacity/rounds/{round_.pk}/units/{unit.pk}/K3/normal/']").click()
    assert_accessible(page)
    page.locator("#id_physical_beds").fill("10")
    page.locator("#id_staffed_beds").fill("12")  # more staffed than physical: refused
    _submit(page)
    expect(page.locator("#error-summary")).to_be_visible()
    assert_accessible(page)
    assert not CapacityEntry.objects.exists()
    page.locator("#id_staffed_beds").fill("8")
    page.locator("#id_ventilated_beds").fill("6")
    page.locator("#id_nurses_fte").fill("44.5")
    page.locator("#id_status").select_option("limited")
    page.locator("input[name=restrictions][value=staff]").check()
    _submit(page)
    page.wait_for_url(f"{base}/capacity/rounds/{round_.pk}/units/{unit.pk}/")
    expect(page.locator("main table").first).to_contain_text("8 / 10")
    assert_accessible(page)
    entry = CapacityEntry.objects.get()
    assert (entry.staffed_beds, entry.ventilated_beds, str(entry.nurses_fte), entry.restrictions) == (
        8,
        6,
        "44.5",
        ["staff"],
    )

    # ... then two more cells in the grid form on the unit's page ...
    page.locator("#id_K1__normal__physical_beds").fill("2")
    page.locator("#id_K1__normal__staffed_beds").fill("2")
    page.locator("#id_K2__normal__physical_beds").fill("6")
    page.locator("#id_K2__normal__staffed_beds").fill("5")
    page.locator("#id_K2__normal__status").select_option("available")
    page.locator("#grid-form button[type=submit]").click()
    page.wait_for_url(f"{base}/capacity/rounds/{round_.pk}/units/{unit.pk}/")
    assert_accessible(page)
    assert CapacityEntry.objects.get(category="K2", scenario="normal").staffed_beds == 5

    # ... and the rest by Excel: download the template, fill it, upload it.
    page.goto(f"{base}/capacity/rounds/{round_.pk}/")
    with page.expect_download() as download:
        page.locator(f"a[href='/capacity/rounds/{round_.pk}/template.xlsx']").click()
    path = tmp_path / "mal.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    sheet = book["Kapasitet"]  # the template in the reporter's language; the codes in the hidden first row
    assert [cell.value for cell in sheet[1]] == list(COLUMNS) and sheet.row_dimensions[1].hidden
    for row in range(3, sheet.max_row + 1):  # under the codes and the column titles
        if sheet.cell(row=row, column=COLUMNS.index("staffed_beds") + 1).value is None:
            # The scenarios in order: low activity ≤ normal operation (filled above) ≤ the surges.
            low = sheet.cell(row=row, column=COLUMNS.index("scenario") + 1).value == "Lavdrift"
            sheet.cell(row=row, column=COLUMNS.index("physical_beds") + 1, value=2 if low else 12)
            sheet.cell(row=row, column=COLUMNS.index("staffed_beds") + 1, value=1 if low else 10)
    book.save(path)
    page.locator(f"a[href='/capacity/rounds/{round_.pk}/upload/']").first.click()
    assert_accessible(page)
    page.locator("#id_file").set_input_files(str(path))
    _submit(page)
    page.wait_for_url(f"{base}/capacity/rounds/{round_.pk}/")
    assert_accessible(page)
    assert CapacityEntry.objects.filter(round=round_, staffed_beds__isnull=False).count() == 12
    assert CapacityEntry.objects.get(category="K3", scenario="normal").staffed_beds == 8

    # The network leader opens the dashboard and the dimensioning, records a verdict and exports.
    page.locator("form[action='/oidc/logout/'] button").click()
    login("leader")
    page.goto(f"{base}/capacity/rounds/{round_.pk}/dashboard/")
    expect(page.locator("#region-totals")).to_contain_text("8 / 10")
    assert_accessible(page)
    page.locator(f"a[href='/capacity/rounds/{round_.pk}/dimensioning/']").first.click()
    expect(page.locator("#dimensioning-table")).to_be_visible()
    assert_accessible(page)
    # Adult units by default, saying why; on a 1366 px screen the table needs no sideways scrolling.
    expect(page.locator("#patient-group")).to_contain_text("definert for voksne")
    page.set_viewport_size({"width": 1366, "height": 768})
    scroll = "() => { const s = document.querySelector('#dimensioning-table').parentElement; "
    scroll += "return [s.scrollWidth, s.clientWidth]; }"
    scroll_width, client_width = page.evaluate(scroll)
    assert scroll_width <= client_width
    page.locator("#id_group").select_option("all")
    page.locator(".filter-form__actions button").click()
    expect(page.locator("#patient-group")).to_contain_text("Alle pasientgrupper er summert")
    assert_accessible(page)
    page.locator(f"a[href='/capacity/rounds/{round_.pk}/assessment/']").first.click()
    assert_accessible(page)
    page.locator("#id_trust").select_option(label="Trust A1 HF")
    page.locator("#id_category").select_option("K3")
    page.locator("#id_scenario").select_option("normal")
    page.locator("input[name=verdict][value=marginal]").check()
    page.locator("#id_reasons").fill("Høyt belegg og avvisninger i normal drift.")
    page.locator("#id_actions").fill("To bemannede K3-senger til.")
    _submit(page)
    expect(page.locator("#assessment-table")).to_contain_text("Høyt belegg")
    assert_accessible(page)
    assert Assessment.objects.get().verdict == "marginal"
    # The button starts a background job (run at once by the tests' backend); its page offers the file.
    page.locator(f"form[action^='/capacity/rounds/{round_.pk}/recommendation.docx'] button").click()
    expect(page.locator("a[href$='/file']")).to_be_visible()  # "Last ned recommendation-….docx"
    assert_accessible(page)
    with page.expect_download() as docx:
        page.locator("a[href$='/file']").click()
    from docx import Document

    text = "\n".join(c.text for t in Document(docx.value.path()).tables for r in t.rows for c in r.cells)
    assert "Høyt belegg" in text


def test_coordinator_opens_a_round_and_issues_an_api_key(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    base = live_server.url
    login("coordinator")
    page.goto(f"{base}/capacity/rounds/new/")
    assert_accessible(page)
    page.locator("#id_name").fill("Q3 2026")
    page.locator("#id_period_start").fill("2026-07-01")
    page.locator("#id_period_end").fill("2026-09-30")
    page.locator("#id_deadline").fill("2026-10-15")
    page.locator("#id_low_activity_name").fill("Sommerukene 28–31")
    page.locator("#id_low_activity_start").fill("2026-07-06")
    page.locator("#id_low_activity_end").fill("2026-08-02")
    _submit(page)
    expect(page.locator("main h1")).to_contain_text("Q3 2026")
    assert_accessible(page)
    page.goto(f"{base}/capacity/api-keys/")
    assert_accessible(page)
    page.locator("#id_trust").select_option(label="Trust A2 HF")
    page.locator("#id_name").fill("Kapasitetssystem")
    _submit(page)
    expect(page.locator("#new-key")).not_to_be_empty()
    assert_accessible(page)
