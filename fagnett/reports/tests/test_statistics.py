import copy
import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from fagnett.accounts.models import User
from fagnett.budget.models import Expense, Grant
from fagnett.cases.models import Case, CaseEvent
from fagnett.meetings.models import ActionItem, Attendance, Meeting
from fagnett.networks.models import Network
from fagnett.procedures.models import Status
from fagnett.procedures.tests.factories import make_procedure
from fagnett.reports import document, statistics
from fagnett.reports.models import RegionalReport
from fagnett.reports.tests.factories import (
    BELOW,
    COUNTED_2025,
    Known,
    at,
    make_report,
    meeting,
)
from tests.factories import World, make_mandate, make_network, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(known_region: Known) -> Known:
    return known_region


@pytest.fixture
def stats(known: Known) -> dict[str, Any]:
    return statistics.region_statistics(region=known.region, year=2025)


def paragraphs(section: document.Section) -> list[str]:
    texts = [block.text for block in section.blocks if block.kind == "paragraph"]
    for sub in section.subsections:
        texts += paragraphs(sub)
    return texts


def all_text(doc: document.ReportDocument) -> str:
    return "\n".join(text for section in doc.sections + doc.appendices for text in paragraphs(section))


# --- The region of seed 000 ----------------------------------------------------------------------------------


def test_meetings_six_of_thirty_three_below_the_minimum(known: Known, stats: dict[str, Any]) -> None:
    meetings = stats["meetings"]
    assert meetings["years"] == [2023, 2024, 2025]
    assert (meetings["reporting"], meetings["below_minimum"]) == (33, 6)
    assert meetings["below_names"] == known.below_names
    # 27 networks held 3, 4 and 5 (two of them exactly the minimum, 4, in 2025: not below it); the six
    # below held 2, 3 and 0+1+2+3+3+3.
    assert meetings["totals"] == [27 * 3 + 6 * 2, 27 * 4 + 6 * 3, 25 * 5 + 2 * 4 + 12] == [93, 126, 145]
    assert meetings["rows"][1] == {"network": "Nettverk 02", "counts": [3, 4, 4], "minimum": 4, "below": False}
    first, below_with_none = meetings["rows"][0], meetings["rows"][3]
    assert first == {"network": "Nettverk 01", "counts": [3, 4, 5], "minimum": 4, "below": False}
    assert below_with_none == {"network": "Nettverk 04", "counts": [2, 3, 0], "minimum": 4, "below": True}
    assert [row["counts"][-1] for i, row in enumerate(meetings["rows"]) if i in BELOW] == [0, 1, 2, 3, 3, 3]
    assert meetings["by_form"] == {"digital": 27 * 3 + 12, "physical": 27, "hybrid": 25}


def test_the_networks_and_who_has_reported(known: Known, stats: dict[str, Any]) -> None:
    # The council, the closed network, the one established in 2026 and the other region's are not counted.
    assert stats["networks"]["count"] == 33
    assert stats["networks"]["subgroups"] == 1
    assert stats["networks"]["ended"] == []
    assert [n["name"] for n in stats["networks"]["list"]] == [n.name for n in known.networks]
    submissions = stats["submissions"]
    assert (submissions["expected"], submissions["submitted"]) == (33, 30)
    assert submissions["missing"] == ["Nettverk 31", "Nettverk 32", "Nettverk 33"]
    assert [r["status"] for r in submissions["rows"][29:]] == ["accepted", "draft", "draft", ""]


def test_procedures_sixty_five_worked_on_twenty_five_more(stats: dict[str, Any]) -> None:
    assert stats["procedures"] == {
        "worked_on": 65,
        "last_year": 40,
        "change": 25,
        "started": 45,
        "revised": 10,
        "completed": 30,
        "pathways_worked_on": 6,
        "pathway_networks": 4,
        "procedures_only": 59,
    }


def test_tasks_ranked_highest_and_the_tie_broken_by_all_ranks(stats: dict[str, Any]) -> None:
    rows = stats["tasks"]["rows"]
    assert [(r["code"], r["first"], r["second"], r["third"]) for r in rows] == [
        ("T1", 10, 0, 0),
        ("T2", 7, 0, 0),
        ("T4", 5, 6, 0),  # ranked by 11 networks in all
        ("T3", 5, 2, 0),  # by 7
        ("T5", 3, 0, 4),
    ]
    assert rows[0]["title"] == "Oppgave 1"
    assert stats["tasks"]["reports"] == COUNTED_2025 == 30


def test_registry_data_thirteen_then_nineteen(stats: dict[str, Any]) -> None:
    assert stats["registry"] == {"this_year": 19, "reports_this_year": 30, "last_year": 13, "reports_last_year": 20}


def test_reflections_most_often_named_first(stats: dict[str, Any]) -> None:
    assert stats["reflections"] == {
        "worked_well": [
            {"title": "Gode samarbeidsforhold", "count": 20},
            {"title": "Gode faglige diskusjoner", "count": 12},  # a tie: the list's order decides
            {"title": "Effektiv møteorganisering", "count": 12},
        ],
        "improve": [
            {"title": "Bedre oppfølging av saker mellom møtene", "count": 15},
            {"title": "Deltakelse og bidrag fra alle HF", "count": 9},
        ],
    }


def test_appendices_are_the_counted_reports_with_their_frozen_facts(known: Known, stats: dict[str, Any]) -> None:
    appendices = stats["appendices"]
    assert [a["network"] for a in appendices] == known.counted_names
    first = appendices[0]
    assert first["facts"]["meetings"]["held"] == 5
    assert first["facts"]["meetings"]["minimum"] == 4
    assert [(r["rank"], r["code"]) for r in first["rankings"]] == [(1, "T1"), (2, "T4"), (3, "T5")]
    assert first["registry_data_reviewed"] is True
    assert first["worked_well_points"] == [
        "Gode samarbeidsforhold",
        "Gode faglige diskusjoner",
        "Effektiv møteorganisering",
    ]
    assert first["improve_points"] == []  # the last 15 reports ticked improvement points
    assert first["priorities"] == "Prioritet for Nettverk 01"
    assert first["submitted_on"] == "2026-01-20"
    assert appendices[3]["facts"]["meetings"]["below_minimum"] is True


def test_the_statistics_are_plain_json(stats: dict[str, Any]) -> None:
    import json

    assert json.loads(json.dumps(stats)) == stats


def test_the_document_says_the_seeds_numbers(known: Known, stats: dict[str, Any]) -> None:
    report = RegionalReport(region=known.region, year=2025)
    with translation.override("en"):
        doc = document.build(report, stats)
        text = all_text(doc)
        assert doc.title == "Annual report 2025"
        assert doc.approval == "Draft – not approved"
        assert [s.heading for s in doc.sections] == [
            "Introduction",
            "Status 2025",
            "Activities",
            "How the networks work",
            "Priorities in 2026",
            "Support from the regional health authority",
            "Use of funds",
            "Summary",
        ]
        assert [s.heading for s in doc.sections[2].subsections] == ["Meetings", "Central cases and tasks"]
        assert "6 of the 33 networks in operation in 2025 held fewer meetings than their mandate's minimum." in text
        assert "In all they held 145 meetings in 2025, against 93 in 2023 and 126 in 2024." in text
        assert (
            "In 2025 the networks started, revised or completed 59 regional procedures and 6 standardised patient "
            "pathways – 65 in all, 25 more than the year before (40)." in text
        )
        assert "Of these, 45 were started, 10 revised and 30 completed." in text
        assert "4 networks report work on new or revised regional standardised patient pathways (6 pathways)." in text
        assert "from 13 in 2024 to 19 in 2025" in text
        assert (
            "The most central tasks are Oppgave 1 (ranked highest by 10 networks) and Oppgave 2 "
            "(ranked highest by 7 networks)." in text
        )
        assert "30 of 33 networks have reported" in text
        assert "Not reported: Nettverk 31, Nettverk 32 and Nettverk 33." in text
        assert "At the end of 2025 there are 33 networks in Helse Midt-Norge RHF:" in text
        functioning = doc.sections[3]
        assert functioning.subsections[0].blocks[0].items == [
            "Gode samarbeidsforhold (20 networks)",
            "Gode faglige diskusjoner (12 networks)",
            "Effektiv møteorganisering (12 networks)",
        ]
        figures = [b for s in doc.sections[2].subsections for b in s.blocks if b.kind == "figure"]
        assert [f.number for f in figures] == [1, 2]
        assert "6 of 33 networks held fewer meetings than the minimum in 2025" in figures[0].alt
        assert "2023: 93, 2024: 126, 2025: 145" in figures[0].alt
        assert "Oppgave 1: ranked highest by 10 networks; Oppgave 2: ranked highest by 7 networks" in figures[1].alt
        assert figures[0].table is not None
        assert figures[0].table.rows[-1] == ["All networks", "93", "126", "145", ""]
        assert [a.heading for a in doc.appendices][:2] == ["Appendix 1: Nettverk 01", "Appendix 2: Nettverk 02"]
        assert len(doc.appendices) == 30


def test_the_document_of_a_saved_draft_has_the_narrative(known: Known, stats: dict[str, Any]) -> None:
    report = RegionalReport.objects.create(
        region=known.region,
        year=2025,
        created_by=known.people["coordinator"],
        introduction="Første avsnitt.\r\n\r\nAndre avsnitt.",
    )
    with translation.override("en"):
        doc = document.build(report, stats)
    intro = paragraphs(doc.sections[0])
    assert intro[:2] == ["Første avsnitt.", "Andre avsnitt."]
    # An unwritten section of a draft says so; a summary of an approved version would be left out.
    assert paragraphs(doc.sections[-1]) == ["Not written yet."]


# --- The sentences' other branches ---------------------------------------------------------------------------


def _text(known: Known, stats: dict[str, Any]) -> str:
    with translation.override("en"):
        return all_text(document.build(RegionalReport(region=known.region, year=2025), stats))


def test_wording_when_fewer_procedures_and_fewer_registry_reviews(known: Known, stats: dict[str, Any]) -> None:
    changed = copy.deepcopy(stats)
    changed["procedures"].update(worked_on=30, last_year=40, change=-10, procedures_only=24)
    changed["registry"].update(this_year=10, last_year=13)
    changed["meetings"].update(below_minimum=0, below_names=[])
    text = _text(known, changed)
    assert (
        "24 regional procedures and 6 standardised patient pathways – 30 in all, 10 fewer than the year before (40)"
        in text
    )
    assert "Fewer networks report" in text and "from 13 in 2024 to 10 in 2025" in text
    assert "Every network held at least the minimum number of meetings in 2025." in text
    assert "/33" not in text


def test_wording_when_nothing_changed(known: Known, stats: dict[str, Any]) -> None:
    changed = copy.deepcopy(stats)
    changed["procedures"].update(worked_on=40, last_year=40, change=0)
    changed["registry"].update(this_year=13, last_year=13)
    text = _text(known, changed)
    assert "as many as the year before (40)" in text
    assert "13 networks report that results from medical quality registries" in text and "as in 2024" in text


# --- Counting rules ------------------------------------------------------------------------------------------


def test_meetings_are_counted_in_norwegian_time(world: World) -> None:
    Meeting.objects.bulk_create(
        [
            meeting(world.network, at(2025, 1, 1, 0, 30)),  # 31 December 2024 in UTC
            meeting(world.network, at(2026, 1, 1, 0, 30)),  # 31 December 2025 in UTC
            meeting(world.network, at(2025, 12, 31, 23, 30)),
        ]
    )
    assert statistics.network_facts(network=world.network, year=2025)["meetings"]["held"] == 2
    assert statistics.network_facts(network=world.network, year=2026)["meetings"]["held"] == 1


def test_a_network_merged_in_an_earlier_year_is_not_reported_as_ended_again(world: World) -> None:
    merged = make_network(world.region_a, name="Smerte og utmattelse")
    merged.status, merged.merged_into = Network.Status.MERGED, world.network
    merged.save()
    merged.description = "Nå et fagråd."  # edited after the merger: a second history record with status merged
    merged.save()
    created, merged_record, edited = merged.history.order_by("history_id")
    type(created).objects.filter(pk=created.pk).update(history_date=at(2023, 3, 1))
    type(merged_record).objects.filter(pk=merged_record.pk).update(history_date=at(2024, 5, 1))
    type(edited).objects.filter(pk=edited.pk).update(history_date=at(2025, 5, 1))

    ended_2024 = statistics.region_statistics(region=world.region_a, year=2024)["networks"]["ended"]
    ended_2025 = statistics.region_statistics(region=world.region_a, year=2025)["networks"]["ended"]
    assert ended_2024 == [{"name": "Smerte og utmattelse", "merged_into": "Anestesi og intensiv", "status": "merged"}]
    assert ended_2025 == []


def test_the_appendix_date_is_the_norwegian_date(world: World) -> None:
    report = make_report(world.network, 2025, ranking=[world.tasks[0]], submitted_by=world["leader"])
    report.submitted_at = at(2026, 2, 1, 0, 30)  # 31 January in UTC
    report.save()
    appendix = statistics.region_statistics(region=world.region_a, year=2025)["appendices"][0]
    assert appendix["submitted_on"] == "2026-02-01"


# --- One network's facts -------------------------------------------------------------------------------------


def _busy_network(world: World, reporter: User, index: int) -> Network:
    """A network with one of everything in 2025, and a few things that must not count."""
    network = make_network(world.region_a, name=f"Travelt nettverk {index:02d}")
    make_mandate(network, min_meetings_per_year=2)
    held = Meeting.objects.create(
        network=network,
        starts_at=at(2025, 3, 4),
        ends_at=at(2025, 3, 4, 14),
        status=Meeting.Status.HELD,
        form=Meeting.Form.PHYSICAL,
    )
    Meeting.objects.create(
        network=network, starts_at=at(2025, 4, 4), ends_at=at(2025, 4, 4, 14), status=Meeting.Status.CANCELLED
    )
    Attendance.objects.create(meeting=held, person=reporter, trust=world.trusts_a[0], status=Attendance.Status.PRESENT)
    Attendance.objects.create(meeting=held, person=world["member"], trust=world.trusts_a[1], status="absent")
    case = Case.objects.create(
        region=world.region_a,
        network=network,
        year=2025,
        title="Sak",
        description="Beskrivelse",
        wanted="Svar",
        submitted_by=reporter,
        submitted_at=at(2025, 2, 1),
    )
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.RECOMMENDED, actor=reporter, at=at(2025, 5, 1))
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.CLOSED, actor=reporter, at=at(2025, 6, 1))
    make_procedure(network, (Status.IN_PROGRESS, datetime.date(2025, 3, 1)))
    make_procedure(
        network, (Status.IN_PROGRESS, datetime.date(2024, 3, 1)), (Status.PUBLISHED, datetime.date(2025, 9, 1))
    )
    ActionItem.objects.create(
        network=network,
        title="Følg opp",
        owner=reporter,
        due_date=datetime.date(2025, 6, 1),
        status=ActionItem.Status.DONE,
        done_at=at(2025, 5, 30),
    )
    ActionItem.objects.create(network=network, title="Åpen", owner=reporter, due_date=datetime.date(2025, 9, 1))
    grant = Grant.objects.create(
        network=network,
        amount=100_000,
        period_start=datetime.date(2024, 3, 1),
        period_end=datetime.date(2026, 2, 28),
        source="Fagmidler",
    )
    Expense.objects.create(
        network=network, grant=grant, kind=Expense.Kind.CATERING, spent_on=datetime.date(2025, 3, 4), amount=4_500
    )
    Expense.objects.create(
        network=network, grant=grant, kind=Expense.Kind.CATERING, spent_on=datetime.date(2024, 3, 4), amount=999
    )
    return network


def test_a_networks_facts(world: World) -> None:
    reporter = make_user(trust=world.trusts_a[0])
    network = _busy_network(world, reporter, 1)
    facts = statistics.network_facts(network=network, year=2025)
    assert facts["meetings"] == {
        "held": 1,
        "cancelled": 1,
        "minimum": 2,
        "below_minimum": True,
        "by_form": {"physical": 1},
    }
    assert facts["attendance"] == [
        {"trust": "A1", "meetings": 1},
        {"trust": "A2", "meetings": 0},
        {"trust": "A3", "meetings": 0},
    ]
    assert facts["cases"] == {"received": 1, "answered": 1, "closed": 1, "common_received": 0, "common_answered": 0}
    assert facts["procedures"] == {"started": 1, "revised": 0, "completed": 1, "worked_on": 2, "pathways_worked_on": 0}
    assert facts["action_items"] == {"due": 2, "done_on_time": 1, "done_late": 0, "open": 1}
    assert facts["funds"]["spent"] == 4_500
    assert facts["funds"]["granted"] == 100_000
    assert {"kind": "catering", "amount": 4_500} in facts["funds"]["rows"]


def test_facts_for_networks_costs_the_same_queries_for_two_or_ten_networks(world: World) -> None:
    reporter = make_user(trust=world.trusts_a[0])
    networks = [_busy_network(world, reporter, i) for i in range(10)]

    def count(some: list[Network]) -> int:
        with CaptureQueriesContext(connection) as queries:
            facts = statistics.facts_for_networks(networks=some, year=2025)
        assert all(f["meetings"]["held"] == 1 and f["cases"]["received"] == 1 for f in facts.values())
        return len(queries.captured_queries)

    assert count(networks[:2]) == count(networks) == 10


def test_region_statistics_cost_the_same_queries_as_the_region_grows(world: World) -> None:
    reporter = make_user(trust=world.trusts_a[0])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            statistics.region_statistics(region=world.region_a, year=2025)
        return len(queries.captured_queries)

    for i in range(2):
        network = _busy_network(world, reporter, i)
        make_report(network, ranking=[world.tasks[i]], registry=True, submitted_by=world["leader"])
    small = count()
    for i in range(2, 8):
        network = _busy_network(world, reporter, i)
        make_report(network, ranking=[world.tasks[i % 3]], registry=True, submitted_by=world["leader"])
    assert count() == small
