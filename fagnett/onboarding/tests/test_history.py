"""An imported history makes the region's first annual report right: figure 1 (meetings per network over three
years, against the minimum), the procedures sentence (worked on, against last year) and the registry sentence."""

import pytest

from fagnett.accounts.models import User
from fagnett.onboarding import services
from fagnett.onboarding.tests.conftest import HISTORY, YEAR, region_uploads
from fagnett.onboarding.tests.files import upload
from fagnett.organisations.models import Region
from fagnett.reports.statistics import region_statistics

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
