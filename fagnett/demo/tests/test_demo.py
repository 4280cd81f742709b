"""The demo data follows the two source documents."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from fagnett.accounts.models import User
from fagnett.demo.builder import DEMO_LOGINS
from fagnett.demo.data import DEMO_PASSWORD
from fagnett.networks.models import Appointment, Network
from fagnett.networks.selectors import mandate_current, representation_matrix
from fagnett.organisations.models import HealthTrust, Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> None:
    call_command("load_demo", quiet_logins=True)


def test_helse_midt_norge_has_the_33_networks_of_the_annual_report(demo: None) -> None:
    hmn = Region.objects.get(short_name="HMN")
    top = Network.objects.filter(region=hmn, parent__isnull=True)
    assert top.count() == 33
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
