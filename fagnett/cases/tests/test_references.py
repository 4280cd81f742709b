"""Case numbers a person can say aloud: the network's code, the year and the number (``ANI-2026/014``), unique in
the region; a common case once in the lists across networks; the coordinator's note to the network a case is
routed to."""

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from fagnett.cases import services
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.networks.codes import base_code, derive_code
from fagnett.networks.models import Network
from fagnett.networks.services import network_update
from tests.factories import World, make_network

NOTE = "Se saken sammen med ANI-2025/004."
LoginAs = Callable[[str], Client]

COMMON = {"title": "Felles", "description": "D"}
DATA = {"title": "Sedasjon av barn ved MR", "description": "Ulik praksis.", "wanted": "En anbefaling."}


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Anestesi og intensiv", "ANI"),
        ("Fagnettverk for ledere på intensivavdelinger", "INT"),
        ("Psykisk helsevern for barn og unge", "PHBU"),
        ("Øre-nese-hals", "ONH"),
        ("Øye", "OYE"),
        ("Fødselshjelp og kvinnesykdommer", "FOK"),
        ("!!", "NT"),
    ],
)
def test_a_code_is_made_from_the_name(name: str, code: str) -> None:
    assert base_code(name) == code


def test_a_taken_code_gets_a_number() -> None:
    assert derive_code("Anestesi og intensiv", {"ANI", "ANI2"}.__contains__) == "ANI3"
    assert derive_code("Psykisk helsevern for barn og unge i Midt", {"PHBUM"}.__contains__) == "PHBUM2"
    assert derive_code("Akutt Barn Celle Diabetes Endo Fys", {"ABCDEF"}.__contains__) == "ABCDE2"


@pytest.mark.django_db
class TestReferences:
    def test_networks_get_codes_unique_in_their_region(self, world: World) -> None:
        assert (world.network.code, world.other_network.code) == ("ANI", "OYE")
        twin = make_network(world.region_a, name="Anestesi og intensivmedisin")  # the same initials
        elsewhere = make_network(world.region_b, name="Anestesi og intensiv")
        assert (twin.code, elsewhere.code) == ("ANI2", "ANI")

    def test_the_reference_starts_with_the_code_and_is_unique_in_the_region(self, world: World) -> None:
        case = services.case_submit(user=world["employee"], data=DATA, network=world.network)
        assert case.reference == f"ANI-{case.year}/001"
        other = services.case_submit(user=world["employee"], data=DATA, network=world.other_network)
        assert other.reference == f"OYE-{other.year}/001"
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=other.pk).update(reference=case.reference)
        # Another region may have the same reference: it is unique in the region.
        b = make_case(world, network=world.network_b)
        Network.objects.filter(pk=world.network_b.pk).update(code="ANI")
        Case.objects.filter(pk=b.pk).update(reference=case.reference)

    def test_the_database_refuses_a_number_without_a_reference(self, world: World) -> None:
        case = make_case(world)
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(reference="")

    def test_a_changed_code_keeps_given_numbers_and_is_not_given_to_another_network(self, world: World) -> None:
        first = services.case_submit(user=world["employee"], data=DATA, network=world.network)
        network_update(
            user=world["coordinator"],
            network=world.network,
            data={"code": "AIN"},
            lock_version=world.network.lock_version,
        )
        first.refresh_from_db()
        assert first.reference == f"ANI-{first.year}/001"  # said aloud and sent by mail: it stays
        network = Network.objects.get(pk=world.network.pk)
        second = services.case_submit(user=world["employee"], data=DATA, network=network)
        assert second.reference == f"AIN-{second.year}/002"
        other = Network.objects.get(pk=world.other_network.pk)
        with pytest.raises(ValidationError) as error:
            network_update(
                user=world["coordinator"], network=other, data={"code": "ANI"}, lock_version=other.lock_version
            )
        assert "code" in error.value.message_dict

    @pytest.mark.parametrize("code", ["A", "ani", "ABCDEFG", "AN-1", "AIN"])
    def test_the_coordinator_sets_a_code_on_the_network_form(self, world: World, login_as: LoginAs, code: str) -> None:
        Network.objects.filter(pk=world.other_network.pk).update(code="AIN")
        network = Network.objects.get(pk=world.network.pk)
        data = {
            "name": network.name,
            "code": code,
            "field": network.field,
            "kind": network.kind,
            "status": network.status,
            "lock_version": network.lock_version,
        }
        response = login_as("coordinator").post(reverse("networks:update", args=[network.pk]), data)
        network.refresh_from_db()
        if code == "ani":  # written in small letters, saved in capitals
            assert response.status_code == 302 and network.code == "ANI"
        else:
            assert response.status_code == 200 and network.code == "ANI"
            assert response.context["form"].errors["code"]

    @pytest.mark.parametrize("typed", ["ANI-{year}/001", "ani-{year}/1", "ANI {year}/001", "{year}/001"])
    def test_search_by_the_number_with_or_without_the_code(self, world: World, login_as: LoginAs, typed: str) -> None:
        case = make_case(world, title="Sedasjon")
        make_case(world, network=world.other_network, title="Øyedråper")  # OYE-…/001
        found = login_as("leader").get(reverse("cases:list"), {"q": typed.format(year=case.year)})
        assert [c.pk for c in found.context["page"].object_list] == [case.pk]

    def test_the_search_with_a_code_names_one_case_in_the_region(self, world: World, login_as: LoginAs) -> None:
        case = make_case(world)
        other = make_case(world, network=world.other_network)
        found = login_as("coordinator").get(reverse("cases:list"), {"q": f"{case.year}/001"})
        assert {c.pk for c in found.context["page"].object_list} == {case.pk, other.pk}
        found = login_as("coordinator").get(reverse("cases:list"), {"q": other.reference})
        assert [c.pk for c in found.context["page"].object_list] == [other.pk]

    def test_the_migration_gives_existing_networks_codes(self, world: World) -> None:
        Network.objects.update(code="")
        migration = importlib.import_module("fagnett.networks.migrations.0005_network_code")
        migration.give_codes(apps, None)
        codes = dict(Network.objects.values_list("name", "code"))
        assert codes == {"Anestesi og intensiv": "ANI", "Øye": "OYE", "Intensiv Nord": "INN"}


@pytest.mark.django_db
class TestCommonCaseOnce:
    def test_a_common_case_is_one_row_in_the_regional_list_leading_to_its_matrix(
        self, world: World, login_as: LoginAs
    ) -> None:
        common = services.common_case_send(
            user=world["coordinator"],
            region=world.region_a,
            networks=None,
            data={"title": "Felles", "description": "D"},
        )
        own = make_case(world, title="Egen sak")
        client = login_as("coordinator")
        rows = list(client.get(reverse("cases:list")).context["page"].object_list)
        assert len(rows) == 2 and {r.pk for r in rows} >= {own.pk}
        row = next(r for r in rows if r.common_case_id == common.pk)
        assert (row.common_row, row.common_sent, row.common_answered) == (True, 2, 0)
        html = client.get(reverse("cases:list")).content.decode()
        assert html.count(common.get_absolute_url()) == 1 and "Sendt til 2 nettverk" in html
        assert "0 av 2 har svart" in html
        # The coordinator submitted it: "my cases" shows it once too.
        assert [r.common_case_id for r in client.get(reverse("cases:mine")).context["page"].object_list] == [common.pk]
        # A network's own list shows the network's case of it, with its number.
        network_rows = client.get(reverse("cases:network", args=[world.network.pk])).context["page"].object_list
        assert [r.common_case_id for r in network_rows if r.common_case_id] == [common.pk]
        assert not any(getattr(r, "common_row", False) for r in network_rows)

    def test_a_member_who_cannot_open_the_matrix_sees_the_networks_case(self, world: World, login_as: LoginAs) -> None:
        common = services.common_case_send(
            user=world["coordinator"],
            region=world.region_a,
            networks=None,
            data={"title": "Felles", "description": "D"},
        )
        html = login_as("member").get(reverse("cases:list")).content.decode()
        case = common.cases.get(network=world.network)
        assert case.get_absolute_url() in html and common.get_absolute_url() not in html


@pytest.mark.django_db
class TestRoutingNote:
    def test_the_note_is_stored_and_shown_to_the_network_not_the_submitter(
        self, world: World, login_as: LoginAs
    ) -> None:
        case = make_case(world, network=None)
        response = login_as("coordinator").post(
            reverse("cases:route", args=[case.pk]),
            {
                "network": world.network.pk,
                "note": "Se saken sammen med ANI-2025/004.",
                "lock_version": case.lock_version,
            },
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.routing_note == NOTE and case.reference.startswith("ANI-")
        assert "Se saken sammen med" in login_as("leader").get(case.get_absolute_url()).content.decode()
        assert "Se saken sammen med" not in login_as("employee").get(case.get_absolute_url()).content.decode()
        assert all("Se saken sammen med" not in m.body for m in mail.outbox)  # the submitter's mail leaves it out

    def test_the_mails_to_the_network_can_carry_the_note(self, world: World) -> None:
        case = make_case(world, routing_note="Haster før styremøtet.")
        text = render_to_string("mail/_routing_note.txt", {"case": case})
        assert "Merknad til nettverket fra den regionale koordinatoren:\nHaster før styremøtet." in text
        assert render_to_string("mail/_routing_note.txt", {"case": make_case(world)}).strip() == ""

    def test_the_route_form_prompts_for_a_network(self, world: World, login_as: LoginAs) -> None:
        case = make_case(world, network=None)
        html = login_as("coordinator").get(reverse("cases:route", args=[case.pk])).content.decode()
        assert "Velg nettverk" in html and "---------" not in html and 'name="note"' in html
