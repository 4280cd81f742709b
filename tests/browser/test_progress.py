"""Progress on a task end to end: the coordinator assigns a task with a reporting schedule, the network's leader
accepts it, sees its consultations and reports progress, and the medical director sees the report on the overview.
axe-core runs on every page visited.

The Norwegian catalogue for these pages is compiled later, so after each login the test clicks "English" in the
header and reads the English texts.
"""

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from fagnett.cases.models import Case
from fagnett.progress.models import ProgressReport, ReportingSchedule
from tests.browser.conftest import assert_accessible
from tests.factories import World

TITLE = "Vurdere intensivkapasiteten i regionen"


def login_in_english(login: Callable[[str], Page], page: Page, username: str) -> None:
    page.context.clear_cookies()  # log out and forget the language, so the Norwegian login form is used
    login(username)
    english = page.get_by_role("button", name="English")
    if english.count():  # the person's language is remembered from their last visit
        english.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_task_with_a_schedule_is_reported_on_and_the_director_sees_it(
    browser_world: World, login: Callable[[str], Page], live_server: Any, page: Page
) -> None:
    today = timezone.localdate()

    # The coordinator assigns the task to the network, with a progress report every month.
    login_in_english(login, page, "coordinator")
    page.goto(f"{live_server.url}/cases/tasks/new/")
    expect(page.get_by_role("heading", name="Assign a task to networks", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Description").fill("Fagdirektørene ber nettverket vurdere kapasiteten for K1, K2 og K3.")
    page.get_by_label("What is wanted").fill("Vurdering per kategori med anbefaling.")
    page.get_by_role("checkbox", name="Anestesi og intensiv").check()
    page.get_by_label("Deadline").fill((today + datetime.timedelta(days=120)).isoformat())
    page.get_by_label("Report progress every").fill("1")
    page.get_by_role("radio", name="months").check()
    page.get_by_label("First progress report due").fill((today + datetime.timedelta(days=200)).isoformat())
    page.get_by_role("button", name="Send the task").click()  # the first report after the deadline
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    expect(page.locator("#id_first_report_due_error")).to_contain_text("must be due by the task's deadline")
    assert_accessible(page)
    page.get_by_label("First progress report due").fill((today + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Send the task").click()
    expect(page.get_by_text("The task was sent to Anestesi og intensiv")).to_be_visible()
    assert_accessible(page)
    case = Case.objects.get(title=TITLE)
    schedule = ReportingSchedule.objects.get(case=case)
    assert (schedule.interval, schedule.unit) == (1, "months")

    # The leader accepts the task, sees what the consultations ask for, and reports progress.
    login_in_english(login, page, "leader")
    page.goto(f"{live_server.url}{case.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_role("link", name="Accept or decline").click()
    page.get_by_role("radio", name="Accept the case").check()
    page.get_by_role("button", name="Record the answer").click()
    expect(page.get_by_text("The answer was recorded.")).to_be_visible()
    consultations = page.get_by_role("region", name="Consultations")
    expect(consultations.get_by_role("table", name="Consultations on the case").get_by_role("row")).to_have_count(4)
    expect(page.locator("#consultations-waiting")).to_be_visible()
    consultations.get_by_text("Record: Union representatives (tillitsvalgte)").click()
    union = consultations.locator("form[action$='/union_representatives/']")
    union.get_by_role("radio", name="Yes, required").check()
    union.get_by_label("Who was consulted").fill("Foretakstillitsvalgte i de tre HF-ene (invitert)")
    assert_accessible(page)
    union.get_by_role("button", name="Save the consultation").click()
    expect(page.get_by_text("Union representatives (tillitsvalgte) was recorded.")).to_be_visible()
    assert_accessible(page)

    progress = page.get_by_role("region", name="Progress reports")
    expect(progress.get_by_text("No progress reports yet.")).to_be_visible()
    progress.get_by_role("link", name="Report progress").click()
    expect(page.get_by_role("heading", name="Report progress to the medical director")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="At risk").check()
    page.get_by_label(re.compile(r"^Progress")).fill("Tall fra to av tre HF er inne.")
    page.get_by_role("button", name="Send the report").click()  # at risk without the risks
    expect(page.get_by_text("Nothing was saved")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Risks").fill("Tillitsvalgte er ikke konsultert ennå.")
    page.get_by_label("Next steps").fill("Møte med tillitsvalgte før neste nettverksmøte.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_text("The progress report was sent to the medical director.")).to_be_visible()
    expect(
        page.get_by_role("region", name="Progress reports").get_by_text("Tall fra to av tre HF er inne.")
    ).to_be_visible()
    assert_accessible(page)
    assert ProgressReport.objects.get(case=case).status == "at_risk"

    # The medical director sees the task with the latest report on the overview.
    login_in_english(login, page, "director")
    page.goto(f"{live_server.url}/progress/")
    expect(page.get_by_role("heading", name="Progress on tasks", level=1)).to_be_visible()
    table = page.get_by_role("table", name="Tasks with their latest progress report")
    row = table.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    expect(row.get_by_text("At risk")).to_be_visible()
    expect(row.get_by_text("Tall fra to av tre HF er inne.")).to_be_visible()
    expect(row.get_by_role("cell", name="Anestesi og intensiv")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("checkbox", name="Only overdue reports").check()
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No tasks match the filter.")).to_be_visible()
    assert_accessible(page)
