"""The draft's page flags sentences of the coordinator's text that contradict the figures (issue 22.2).

In the region of seed 000 every figure rose from 2024 to 2025: 126 → 145 meetings, 40 → 65 procedures and
pathways, 13 → 19 networks reviewing registry data."""

import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fagnett.reports import consistency, statistics
from fagnett.reports.models import RegionalReport
from fagnett.reports.tests.factories import Known

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(known_region: Known) -> Known:
    return known_region


@pytest.fixture
def stats(known: Known) -> dict[str, Any]:
    return statistics.region_statistics(region=known.region, year=2025)


def found(known: Known, stats: dict[str, Any], **texts: str) -> list[tuple[str, str, str]]:
    report = RegionalReport(region=known.region, year=2025, **texts)
    with translation.override("en"):
        return [(c.field, c.sentence, c.figure) for c in consistency.contradictions(report, stats)]


def test_a_sentence_saying_the_meetings_fell_when_they_rose_is_flagged(known: Known, stats: dict[str, Any]) -> None:
    text = "Møtefrekvensen er synkende. Det gjennomføres stort sett kortere digitale møter."
    assert found(known, stats, activities=text) == [
        ("activities", "Møtefrekvensen er synkende.", "The networks held 145 meetings in 2025 against 126 in 2024.")
    ]


def test_each_subject_is_compared_with_its_own_figure(known: Known, stats: dict[str, Any]) -> None:
    text = (
        "Antallet regionale prosedyrer er økende. Færre nettverk har gjennomgått data fra kvalitetsregistre. "
        "Fewer procedures were revised."
    )
    assert [(field, sentence) for field, sentence, _figure in found(known, stats, central_work=text)] == [
        ("central_work", "Færre nettverk har gjennomgått data fra kvalitetsregistre."),
        ("central_work", "Fewer procedures were revised."),
    ]


def test_sentences_that_agree_or_name_no_direction_pass(known: Known, stats: dict[str, Any]) -> None:
    assert found(known, stats, activities="Møtefrekvensen er økende, men relativt stabil fra 2024.") == []
    assert found(known, stats, summary="Nettverkene holdt flere møter enn før.") == []
    assert found(known, stats, summary="Risikoen for færre deltakere er liten.") == []  # no subject named
    assert found(known, stats, summary="Møtene er økende, men redusert i sommer.") == []  # both directions


def test_a_fall_in_the_figures_turns_the_rising_sentence_into_the_flagged_one(
    known: Known, stats: dict[str, Any]
) -> None:
    fell = {**stats, "meetings": {**stats["meetings"], "totals": [93, 126, 100]}}
    assert [f for f, *_ in found(known, fell, activities="Møtefrekvensen er økende.")] == ["activities"]
    assert found(known, fell, activities="Møtefrekvensen er synkende.") == []


def test_the_coordinator_sees_the_flags_on_the_draft_and_the_director_does_not(known: Known, client: Client) -> None:
    report = RegionalReport.objects.create(
        region=known.region,
        year=2025,
        activities="Møtefrekvensen er synkende, og det holdes flere digitale møter.",
        created_by=known.people["coordinator"],
    )
    url = reverse("reports:regional_report", args=[known.region.pk, 2025])
    client.force_login(known.people["coordinator"])
    content = html.unescape(client.get(url).content.decode())
    assert "The text may contradict the figures" in content
    assert "«Møtefrekvensen er synkende, og det holdes flere digitale møter.»" in content
    assert "The networks held 145 meetings in 2025 against 126 in 2024." in content

    client.force_login(known.people["director"])
    assert "The text may contradict the figures" not in client.get(url).content.decode()

    frozen = statistics.region_statistics(region=known.region, year=2025)
    RegionalReport.objects.filter(pk=report.pk).update(
        approved_on=timezone.localdate(), status=RegionalReport.Status.APPROVED, statistics=frozen
    )
    client.force_login(known.people["coordinator"])
    assert "The text may contradict the figures" not in client.get(url).content.decode()
