"""The demo data follows the two source documents."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import translation

from fagnett.accounts.models import User
from fagnett.demo.builder import DEMO_LOGINS
from fagnett.demo.data import DEMO_PASSWORD
from fagnett.meetings.models import AgendaItem, MinutesItem
from fagnett.networks.models import Appointment, Network
from fagnett.networks.selectors import mandate_current, representation_matrix
from fagnett.organisations.models import HealthTrust, Region
from fagnett.reports import document, exports, statistics
from fagnett.reports.models import RegionalReport

pytestmark = pytest.mark.django_db


def test_helse_midt_norge_has_the_33_networks_of_the_annual_report(demo: None) -> None:
    hmn = Region.objects.get(short_name="HMN")
    top = Network.objects.filter(region=hmn, kind=Network.Kind.NETWORK)
    assert top.count() == 33
    # ... and the secretaries' forum, a network of its own with every network's secretary in it.
    forum = Network.objects.get(region=hmn, kind=Network.Kind.FORUM)
    assert forum.appointments.filter(role="member").count() == 32
    assert top.get(name="Hudsykdommer").status == Network.Status.NOT_STARTED
    council = Network.objects.get(name="Smerte og utmattelse")
    assert council.kind == Network.Kind.COUNCIL
    assert council.parent.name == "Anestesi og intensiv"
    # All but two are led from St. Olavs hospital (indremedisin and habilitering are not).
    led_elsewhere = (
        Appointment.objects.filter(network__in=top, role="leader", status="appointed")
        .exclude(trust__short_name="St. Olavs")
        .values_list("network__name", flat=True)
    )
    assert sorted(led_elsewhere) == ["Habilitering", "Indremedisin"]
    # Every network but one has a secretary.
    without_secretary = top.exclude(appointments__role="secretary").values_list("name", flat=True)
    assert list(without_secretary) == ["Habilitering"]


def test_the_icu_network_is_set_up_as_its_mandate_says(demo: None) -> None:
    icu = Network.objects.get(name="Fagnettverk for ledere på intensivavdelinger")
    assert icu.region.short_name == "Helse Nord"
    mandate = mandate_current(network=icu)
    assert mandate is not None
    assert mandate.budget_amount == 750_000
    assert mandate.secretariat_trust.short_name == "UNN"
    assert mandate.archive_trust.short_name == "UNN"
    assert mandate.meeting_form == "mainly_digital"
    assert (mandate.period_end - mandate.period_start).days in (1094, 1095)  # three years
    leader = icu.appointments.get(role="leader", status="appointed")
    assert leader.trust.short_name == "UNN"
    assert set(HealthTrust.objects.filter(region=icu.region).values_list("short_name", flat=True)) == {
        "UNN", "NLSH", "HSYK", "FIN"
    }  # fmt: skip
    assert [row.trust.short_name for row in representation_matrix(network=icu).gaps] == ["HSYK"]


def test_every_demo_login_works_with_the_printed_password(demo: None) -> None:
    request = RequestFactory().post("/accounts/login/")
    for login in DEMO_LOGINS:
        assert authenticate(request, username=login.username, password=DEMO_PASSWORD), login.username


def test_loading_twice_is_safe(demo: None, capsys: pytest.CaptureFixture[str]) -> None:
    people = User.objects.count()
    call_command("load_demo")
    assert User.objects.count() == people
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert "koordinator" in out


def test_the_2025_annual_report_has_the_structure_and_statements_of_seed_000(demo: None) -> None:
    """Seed 000, Helse Midt-Norge's report for 2025, generated from the demo records (in Norwegian, as published)."""
    hmn = Region.objects.get(short_name="HMN")
    report = RegionalReport.objects.get(region=hmn, year=2025)
    stats = statistics.region_statistics(region=hmn, year=2025)
    assert stats["networks"]["count"] == 33
    assert stats["networks"]["new"] == stats["networks"]["not_started"] == ["Hudsykdommer"]
    assert (stats["meetings"]["below_minimum"], stats["meetings"]["reporting"]) == (6, 32)
    assert stats["meetings"]["years"] == [2023, 2024, 2025]
    assert (stats["procedures"]["worked_on"], stats["procedures"]["change"]) == (65, 25)
    assert stats["procedures"]["pathway_networks"] == 6
    assert (stats["registry"]["last_year"], stats["registry"]["this_year"]) == (13, 19)
    assert [(r["code"], r["first"]) for r in stats["tasks"]["rows"][:3]] == [("T1", 10), ("T2", 7), ("T3", 5)]
    assert stats["reflections"]["worked_well"][0]["title"] == "Gode samarbeidsforhold"
    assert stats["reflections"]["improve"][0]["title"] == "Bedre oppfølging av saker mellom møtene"
    assert len(stats["appendices"]) == 32
    shift = {row["topic"]: (row["last_year"], row["this_year"]) for row in stats["topics"]["rows"]}
    assert shift["Helseplattformen"] == (26, 17)
    assert shift["Prioritering og utfasing av lavverditjenester (Kloke valg)"] == (6, 14)

    with translation.override("nb"):
        built = document.build(report, stats)
        text = " ".join(
            block.text
            for section in built.sections
            for part in [section, *section.subsections]
            for block in part.blocks
            if block.kind == "paragraph"
        )
        headings = [section.heading for section in built.sections]
        assert headings == [
            "Innledning",
            "Status 2025",
            "Aktiviteter",
            "Nettverkenes fungering",
            "Prioriteringer i 2026",
            "Støtte fra det regionale helseforetaket",
            "Bruk av midler",
            "Oppsummering",
        ]
        assert "Ved utgangen av 2025 har vi følgende 33 fagledernettverk i Helse Midt-Norge RHF:" in text
        assert "Det ble etablert ett nytt nettverk i 2025: Hudsykdommer." in text
        assert "6 av 32 nettverk i drift i 2025 holdt færre møter enn minstekravet i mandatet." in text
        assert "33 fagledernettverk i Helse Midt-Norge RHF: 32 i drift og 1 som ennå ikke har startet." in text
        assert "høyest rangert av 10 nettverk" in text
        assert "– 65 i alt, en økning på 25 fra året før" in text
        assert "6 nettverk rapporterer om arbeid med revisjon eller etablering av regionale standardiserte" in text
        assert "fra 13 i 2024 til 19 i 2025" in text
        assert "Størst nedgang har Helseplattformen, fra 26 nettverk i 2024 til 17 i 2025." in text
        assert [a.heading for a in built.appendices][:2] == [
            "Vedlegg 1: Akuttmedisin",
            "Vedlegg 2: Anestesi og intensiv",
        ]
        assert exports.report_docx(built)[:2] == b"PK"

    # The 2024 report is approved and locked; its frozen numbers are those of 2024.
    approved = RegionalReport.objects.get(region=hmn, year=2024)
    assert approved.is_locked and approved.statistics["procedures"]["worked_on"] == 40


def test_meetings_have_items_for_decision_with_resolutions_the_minutes_adopt(demo: None) -> None:
    types = set(AgendaItem.objects.values_list("item_type", flat=True))
    assert types == {"decision", "discussion", "orientation"}
    assert not AgendaItem.objects.filter(item_type="decision", proposed_resolution="").exists()
    adopted = MinutesItem.objects.filter(agenda_item__item_type="decision", minutes__status="approved")
    assert adopted.exists() and not adopted.filter(decision="").exists()
