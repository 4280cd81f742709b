"""An imported history makes the region's first annual report right: figure 1 (meetings per network over three
years, against the minimum), the procedures sentence (worked on, against last year) and the registry sentence."""

import datetime

import pytest
from django.utils import translation

from fagnett.accounts.models import User
from fagnett.core.calendar import OSLO
from fagnett.meetings.models import Meeting
from fagnett.meetings.tests.factories import make_meeting
from fagnett.networks.models import Network
from fagnett.onboarding import services
from fagnett.onboarding.tests.conftest import HISTORY, YEAR, region_uploads
from fagnett.onboarding.tests.files import upload
from fagnett.organisations.models import Region
from fagnett.procedures.models import Procedure, Status
from fagnett.procedures.tests.factories import make_procedure
from fagnett.reports import document
from fagnett.reports.models import RegionalReport
from fagnett.reports.statistics import region_statistics
from fagnett.reports.tests.factories import make_report
from fagnett.reports.tests.test_statistics import all_text

pytestmark = pytest.mark.django_db


def _import(user: User, region: Region) -> None:
    record = services.region_import_preview(user=user, region=region, uploads=region_uploads())
    services.region_import_confirm(user=user, region_import=record)


def test_the_first_regional_report_reads_the_imported_history(new_region: Region, coordinator_new: User) -> None:
    _import(coordinator_new, new_region)

    statistics = region_statistics(region=new_region, year=YEAR)

    # Figure 1: the two top-level networks (the council is not one that reports), three years each.
    meetings = statistics["meetings"]
    assert meetings["years"] == [YEAR - 2, YEAR - 1, YEAR]
    assert meetings["rows"] == [
        {"network": "Intensivnettverket", "counts": [4, 3, 5], "minimum": 4, "below": False},
        {"network": "Smertenettverket", "counts": [0, 0, 2], "minimum": 4, "below": True},
    ]
    assert meetings["totals"] == [4, 3, 7]
    assert (meetings["reporting"], meetings["below_minimum"], meetings["below_names"]) == (2, 1, ["Smertenettverket"])
    assert meetings["by_form"] == {"physical": 4, "hybrid": 1, "digital": 2}

    # "About 6 procedures, 4 more than last year": Intensiv 1 started + 1 revised + 3 completed, Smerte 1 pathway.
    procedures = statistics["procedures"]
    assert {
        key: procedures[key] for key in ("worked_on", "last_year", "change", "started", "revised", "completed")
    } == {
        "worked_on": 6,
        "last_year": 2,
        "change": 4,
        "started": 1,
        "revised": 1,
        "completed": 4,
    }
    assert (procedures["pathways_worked_on"], procedures["pathway_networks"], procedures["procedures_only"]) == (
        1,
        1,
        5,
    )

    # "Registry data used: 1 → …": last year's reports come from the import; this year's are still to be written.
    assert statistics["registry"] == {"this_year": 0, "reports_this_year": 0, "last_year": 1, "reports_last_year": 2}


def test_history_imported_again_leaves_the_report_as_it_was(new_region: Region, coordinator_new: User) -> None:
    _import(coordinator_new, new_region)
    before = region_statistics(region=new_region, year=YEAR)
    record = services.region_import_preview(
        user=coordinator_new, region=new_region, uploads=[upload("history", HISTORY)]
    )
    services.region_import_confirm(user=coordinator_new, region_import=record)
    record.refresh_from_db()
    assert all(c["created"] == c["changed"] == 0 for c in record.counts.values())
    after = region_statistics(region=new_region, year=YEAR)
    assert (after["meetings"], after["procedures"], after["registry"]) == (
        before["meetings"],
        before["procedures"],
        before["registry"],
    )


def test_more_history_for_a_year_adds_only_the_difference(new_region: Region, coordinator_new: User) -> None:
    _import(coordinator_new, new_region)
    more = {"procedures": [{"network": "Intensivnettverket", "year": YEAR, "started": 1, "revised": 1, "completed": 5}]}
    record = services.region_import_preview(user=coordinator_new, region=new_region, uploads=[upload("history", more)])
    services.region_import_confirm(user=coordinator_new, region_import=record)
    record.refresh_from_db()
    assert record.counts["procedures"]["created"] == 2
    assert region_statistics(region=new_region, year=YEAR)["procedures"]["completed"] == 6

    fewer = {"procedures": [{"network": "Intensivnettverket", "year": YEAR, "completed": 1}]}
    with pytest.raises(services.ImportRefused) as refused:
        services.region_import_preview(user=coordinator_new, region=new_region, uploads=[upload("history", fewer)])
    [problem] = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Prosedyrer per år", 2, "Ferdigstilt")
    assert "5" in problem.message and "1" in problem.message


def _held(network: Network, day: datetime.date, form: str = Meeting.Form.DIGITAL) -> Meeting:
    start = datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=OSLO)
    return make_meeting(
        network, starts_at=start, ends_at=start + datetime.timedelta(hours=2), form=form, status=Meeting.Status.HELD
    )


def _sentences(region: Region) -> str:
    statistics = region_statistics(region=region, year=YEAR)
    with translation.override("en"):
        return all_text(document.build(RegionalReport(region=region, year=YEAR), statistics))


def test_the_first_years_report_compares_its_own_records_with_the_imported_years(
    new_region: Region, coordinator_new: User
) -> None:
    """The year Fagnett is first used, its meetings, procedures and reports are recorded in Fagnett; the years
    before come from the history import. Figure 1 and the year-on-year sentences need both."""
    first = services.region_import_preview(user=coordinator_new, region=new_region, uploads=region_uploads()[:3])
    services.region_import_confirm(user=coordinator_new, region_import=first)
    intensive = Network.objects.get(region=new_region, name="Intensivnettverket")
    pain = Network.objects.get(region=new_region, name="Smertenettverket")
    # The year itself, as recorded in Fagnett: five and two meetings held, two procedures completed and one
    # pathway started, and both networks' reports, each saying registry data were reviewed.
    for month in (1, 3, 5, 9):
        _held(intensive, datetime.date(YEAR, month, 15), Meeting.Form.PHYSICAL)
    _held(intensive, datetime.date(YEAR, 11, 20), Meeting.Form.HYBRID)
    for month in (4, 10):
        _held(pain, datetime.date(YEAR, month, 15))
    for title in ("Sedasjon", "Delirium"):
        make_procedure(
            intensive,
            (Status.IN_PROGRESS, datetime.date(YEAR - 1, 6, 1)),
            (Status.PUBLISHED, datetime.date(YEAR, 6, 1)),
            title=title,
        )
    make_procedure(pain, (Status.IN_PROGRESS, datetime.date(YEAR, 2, 1)), kind=Procedure.Kind.PATHWAY)
    for network in (intensive, pain):
        make_report(network, YEAR, registry=True)

    # Without the years before, the report would say the networks held nothing and did nothing then.
    alone = _sentences(new_region)
    assert f"In all they held 7 meetings in {YEAR}, against 0 in {YEAR - 2} and 0 in {YEAR - 1}." in alone
    assert "– 3 in all, 1 more than the year before (2)." in alone  # the two started last year, in Fagnett
    assert f"from 0 in {YEAR - 1} to 2 in {YEAR}" in alone

    history = {
        "meetings": [row for row in HISTORY["meetings"] if row["date"].year < YEAR],
        "procedures": [row for row in HISTORY["procedures"] if row["year"] < YEAR],
        "registry": HISTORY["registry"],
    }
    record = services.region_import_preview(
        user=coordinator_new, region=new_region, uploads=[upload("history", history)]
    )
    services.region_import_confirm(user=coordinator_new, region_import=record)

    statistics = region_statistics(region=new_region, year=YEAR)
    assert [(row["network"], row["counts"]) for row in statistics["meetings"]["rows"]] == [
        ("Intensivnettverket", [4, 3, 5]),
        ("Smertenettverket", [0, 0, 2]),
    ]
    assert statistics["meetings"]["totals"] == [4, 3, 7]
    # Last year: two started in Fagnett's own records, two completed from the import — four procedures.
    assert (statistics["procedures"]["worked_on"], statistics["procedures"]["last_year"]) == (3, 4)
    text = _sentences(new_region)
    assert f"In all they held 7 meetings in {YEAR}, against 4 in {YEAR - 2} and 3 in {YEAR - 1}." in text
    assert f"1 of the 2 networks in operation in {YEAR} held fewer meetings than their mandate's minimum." in text
    assert "– 3 in all, 1 fewer than the year before (4)." in text
    assert f"from 1 in {YEAR - 1} to 2 in {YEAR}" in text
