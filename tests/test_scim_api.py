"""The SCIM endpoint as Entra ID uses it, through Django's test client, each answer checked against RFC 7643/7644."""

from typing import Any

import pytest
from django.test import Client

from fagnett.accounts.models import User
from fagnett.meetings.models import CalendarFeed
from fagnett.meetings.services import calendar_feed_create
from fagnett.provisioning.models import ProvisionedPerson, ScimGroup
from fagnett.provisioning.services import scim_token_create, scim_token_revoke
from fagnett.provisioning.tests.conftest import Call, scim_token
from fagnett.provisioning.tests.scim_schema import error_problems, list_problems, resource_problems
from tests.factories import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db

BASE = "https://fagnett.example.no/scim/v2/"  # FAGNETT_SITE_URL of the test settings
USERS = "/scim/v2/Users"
GROUPS = "/scim/v2/Groups"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def entra_user(user_name: str = "Kari.Nordmann@a1.example", **changes: Any) -> dict[str, Any]:
    """A user as Entra ID's default attribute mappings send it (phone and address included, which Fagnett ignores)."""
    body: dict[str, Any] = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "displayName": "Kari Nordmann",
        "title": "Overlege",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Kari Nordmann", "familyName": "Nordmann", "givenName": "Kari"},
        "phoneNumbers": [{"type": "work", "value": "+47 72 57 30 00"}],
        "addresses": [{"type": "work", "formatted": "Prinsesse Kristinas gate 3", "primary": False}],
        ENTERPRISE: {"department": "Intensivavdelingen", "manager": {"value": "42"}},
    }
    body.update(changes)
    return body


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def created(scim: Call, body: dict[str, Any] | None = None) -> dict[str, Any]:
    status, document = scim("POST", USERS, body or entra_user())
    assert status == 201, document
    return document  # type: ignore[no-any-return]


# --- Authentication and scope --------------------------------------------------------------------------------------


def test_without_a_working_key_every_endpoint_answers_401(world: World, scim: Call) -> None:
    for path in (USERS, f"{USERS}/1", GROUPS, "/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas"):
        for key in ("", "fnscim_not-a-key", "x" * 500):
            status, document = scim("GET", path, key=key)
            assert status == 401, (path, key)
            assert not error_problems(document, 401)
    status, _document = scim("POST", USERS, entra_user(), key="wrong")
    assert status == 401
    assert not User.objects.filter(username__iexact="kari.nordmann@a1.example").exists()


def test_a_revoked_key_stops_at_once(world: World, scim: Call, scim_key: str) -> None:
    assert scim("GET", USERS)[0] == 200
    scim_token_revoke(user=world["coordinator"], key=scim_token(world))
    assert scim("GET", USERS)[0] == 401


def test_a_key_reaches_only_its_region_s_people(world: World, scim: Call) -> None:
    status, listing = scim("GET", f"{USERS}?count=500")
    assert status == 200 and not list_problems(listing, "User", base_url=BASE)
    names = {r["userName"] for r in listing["Resources"]}
    assert {"leader", "member", "fagsjef", "coordinator", "director", "rhf_rep"} <= names
    assert not names & {"coordinator_b", "fagsjef_b"}
    assert listing["totalResults"] == User.objects.filter(username__in=names).count() == len(names)

    other = world["fagsjef_b"]
    for method, body in (("GET", None), ("PATCH", patch({"op": "replace", "path": "active", "value": False}))):
        status, document = scim(method, f"{USERS}/{other.pk}", body)
        assert status == 404 and not error_problems(document, 404)
    assert scim("DELETE", f"{USERS}/{other.pk}")[0] == 404
    other.refresh_from_db()
    assert other.is_active

    # Region B's key sees region B's people and nobody of region A.
    _key, raw_b = scim_token_create(user=world["coordinator_b"], region=world.region_b, name="Entra ID Nord")
    status, listing_b = scim("GET", USERS, key=raw_b)
    assert {r["userName"] for r in listing_b["Resources"]} == {"coordinator_b", "fagsjef_b"}
    assert scim("GET", f"{USERS}/{world['leader'].pk}", key=raw_b)[0] == 404


# --- Create ----------------------------------------------------------------------------------------------------------


def test_create_makes_an_employee_of_the_trust_the_e_mail_domain_names(world: World, scim: Call) -> None:
    document = created(scim)

    assert not resource_problems(document, "User", base_url=BASE)
    person = User.objects.get(pk=int(document["id"]))
    assert (person.username, person.email) == ("Kari.Nordmann@a1.example", "Kari.Nordmann@a1.example")
    assert (person.first_name, person.last_name, person.title) == ("Kari", "Nordmann", "Overlege")
    assert person.trust == world.trusts_a[0] and person.is_active and not person.has_usable_password()
    assert not person.region_roles.exists() and not person.trust_roles.exists()
    assert ProvisionedPerson.objects.get(person=person).external_id == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert document["meta"]["location"] == f"{BASE}Users/{person.pk}"
    assert document[ENTERPRISE] == {"organization": "Trust A1 HF", "department": "Intensivavdelingen"}
    assert document["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    assert person.history.get().history_change_reason.startswith(  # type: ignore[union-attr]
        "Provisioned by SCIM key “Entra ID” (fnscim_"
    )
    assert person.history.get().history_user is None

    # The same person again: 409, not a second account.
    status, conflict = scim("POST", USERS, entra_user())
    assert status == 409 and not error_problems(conflict, 409, "uniqueness")
    status, conflict = scim(
        "POST",
        USERS,
        entra_user(user_name="kari.n@a1.example", emails=[{"primary": True, "value": "KARI.NORDMANN@a1.example"}]),
    )
    assert status == 409 and "e-mail address" in conflict["detail"]
    assert User.objects.filter(email__iexact="kari.nordmann@a1.example").count() == 1


def test_the_organisation_or_department_names_the_trust_or_the_rhf(world: World, scim: Call) -> None:
    by_name = created(scim, entra_user("ola@elsewhere.example", **{ENTERPRISE: {"organization": "sykehus a2"}}))
    by_trust_name = created(scim, entra_user("per@elsewhere.example", **{ENTERPRISE: {"department": "Trust A3 HF"}}))
    rhf = created(scim, entra_user("rhf@elsewhere.example", **{ENTERPRISE: {"organization": "Region A RHF"}}))

    assert User.objects.get(pk=by_name["id"]).trust == world.trusts_a[1]
    assert User.objects.get(pk=by_trust_name["id"]).trust == world.trusts_a[2]
    employed = User.objects.get(pk=rhf["id"])
    assert employed.trust is None and employed.region_employer == world.region_a
    assert rhf[ENTERPRISE] == {"organization": "Region A RHF"}


def test_a_person_no_trust_of_the_region_recognises_is_refused(world: World, scim: Call) -> None:
    # Trust B1 is another region's: its name is not recognised with region A's key.
    body = entra_user("eva@elsewhere.example", **{ENTERPRISE: {"organization": "Trust B1 HF"}})
    status, document = scim("POST", USERS, body)

    assert status == 400 and not error_problems(document, 400, "invalidValue")
    assert "No health trust of Region A RHF is recognised" in document["detail"]
    assert not User.objects.filter(username="eva@elsewhere.example").exists()


def test_create_refuses_what_is_not_a_user(world: World, scim: Call) -> None:
    cases = [
        ({**entra_user(), "userName": ""}, "invalidValue"),
        ({**entra_user(), "active": "maybe"}, "invalidValue"),
        ({**entra_user(), "emails": "kari"}, "invalidValue"),
        ({**entra_user(), "title": "Lege 13097248022"}, "invalidValue"),  # a national identity number
        ({**entra_user(), "userName": "kari nordmann"}, "invalidValue"),  # not a valid username
    ]
    for body, scim_type in cases:
        status, document = scim("POST", USERS, body)
        assert status == 400, body
        assert not error_problems(document, 400, scim_type), document
    assert not User.objects.filter(email__iexact="kari.nordmann@a1.example").exists()
    assert not ProvisionedPerson.objects.exists()


# --- Read and filter --------------------------------------------------------------------------------------------


def test_filters_as_entra_id_sends_them(world: World, scim: Call) -> None:
    kari = created(scim)

    # Entra ID's "test connection" asks for a userName nobody has.
    status, empty = scim("GET", f'{USERS}?filter=userName eq "Test_User_0b6b7c1f-7d0b"')
    assert status == 200 and empty["totalResults"] == 0 and empty["Resources"] == []
    assert not list_problems(empty, "User", base_url=BASE)

    for query in (
        'userName eq "kari.nordmann@A1.example"',  # userName ignores case (RFC 7643 §4.1.1)
        'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
        'emails.value eq "KARI.NORDMANN@a1.example" and active eq true',
        'name.familyName sw "nord" and not (title eq "Sykepleier")',
    ):
        status, found = scim("GET", f"{USERS}?filter={query}")
        assert status == 200, (query, found)
        assert [r["id"] for r in found["Resources"]] == [kari["id"]], query
        assert not list_problems(found, "User", base_url=BASE)

    # A person who was in Fagnett before provisioning is found by their address as userName, and so linked.
    status, leader = scim("GET", f'{USERS}?filter=userName eq "{world["leader"].email}"')
    assert [r["userName"] for r in leader["Resources"]] == ["leader"]
    # Another region's person is not found, whatever the filter.
    status, nobody = scim("GET", f'{USERS}?filter=userName eq "fagsjef_b"')
    assert nobody["totalResults"] == 0


def test_a_filter_that_cannot_be_read_or_searched_is_refused(world: World, scim: Call) -> None:
    for query in (
        "userName eq",
        'nickName eq "x"',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "x"',
        "active gt true",
        'emails[type eq "work"].value eq "x"',
    ):
        status, document = scim("GET", f"{USERS}?filter={query}")
        assert status == 400, query
        assert not error_problems(document, 400, "invalidFilter"), (query, document)


def test_paging_and_attributes(world: World, scim: Call) -> None:
    status, page = scim("GET", f"{USERS}?startIndex=2&count=3&attributes=userName")
    assert status == 200 and not list_problems(page, "User", base_url=BASE)
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 3 and page["totalResults"] > 3
    assert set(page["Resources"][0]) == {"schemas", "id", "meta", "userName"}
    status, counted = scim("GET", f"{USERS}?count=0")
    assert counted["Resources"] == [] and counted["totalResults"] == page["totalResults"]
    status, document = scim("GET", f"{USERS}?count=many")
    assert status == 400 and not error_problems(document, 400)


# --- Update, deactivate ---------------------------------------------------------------------------------------------


def test_entra_id_s_patch_operations(world: World, scim: Call) -> None:
    kari = created(scim)
    url = f"{USERS}/{kari['id']}"

    status, document = scim(
        "PATCH",
        url,
        patch(
            {"op": "Replace", "path": "name.givenName", "value": "Kari Anne"},
            {"op": "Replace", "path": "title", "value": "Seksjonsoverlege"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "kari.anne@a1.example"},
            {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Sykehus A2"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "7"},
            {"op": "Replace", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+47 900 00 000"},
        ),
    )

    assert status == 200, document
    assert not resource_problems(document, "User", base_url=BASE)
    person = User.objects.get(pk=kari["id"])
    assert (person.first_name, person.title, person.email) == ("Kari Anne", "Seksjonsoverlege", "kari.anne@a1.example")
    assert person.trust == world.trusts_a[1]  # the department names trust A2: she moved
    assert document["name"]["givenName"] == "Kari Anne"
    assert document[ENTERPRISE] == {"organization": "Trust A2 HF", "department": "Sykehus A2"}
    change = person.history.first()
    assert change is not None and change.history_change_reason.startswith("Provisioned by SCIM key")
    assert set(change.diff_against(change.prev_record).changed_fields) == {"first_name", "title", "email", "trust"}

    # A department that names no trust (a clinical department) leaves the employer alone.
    status, document = scim(
        "PATCH", url, patch({"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "Akutt"})
    )
    assert status == 200 and User.objects.get(pk=kari["id"]).trust == world.trusts_a[1]

    # No path: the value's keys are the paths.
    status, document = scim(
        "PATCH", url, patch({"op": "replace", "value": {"name.familyName": "Berg", "displayName": "Kari Berg"}})
    )
    assert status == 200 and User.objects.get(pk=kari["id"]).last_name == "Berg"


def test_patch_refuses_what_it_cannot_do(world: World, scim: Call) -> None:
    kari = created(scim)
    url = f"{USERS}/{kari['id']}"
    cases = [
        (patch({"op": "replace", "path": "favouriteColour", "value": "blue"}), "invalidPath"),
        (patch({"op": "remove", "path": "active"}), "mutability"),
        (patch({"op": "remove"}), "noTarget"),
        (patch({"op": "move", "path": "title", "value": "x"}), "invalidSyntax"),
        (patch({"op": "replace", "path": "active", "value": "soon"}), "invalidValue"),
        (patch({"op": "replace", "path": "userName", "value": world["leader"].username}), "uniqueness"),
    ]
    for body, scim_type in cases:
        status, document = scim("PATCH", url, body)
        assert status in (400, 409), body
        assert not error_problems(document, status, scim_type), (body, document)
    person = User.objects.get(pk=kari["id"])
    assert person.is_active and person.username == "Kari.Nordmann@a1.example"


def test_deactivation_closes_access_the_same_moment_and_keeps_the_records(world: World, scim: Call) -> None:
    leader = world["leader"]  # in Fagnett before provisioning; appointed leader of a network
    browser = Client()
    assert browser.post("/accounts/login/", {"username": "leader", "password": PASSWORD}).status_code == 302
    _feed, feed_token = calendar_feed_create(user=leader, network=None)
    assert browser.get(f"/calendar/{feed_token}.ics").status_code == 200
    colleague = Client()
    colleague.force_login(world["member"])
    appointments = leader.appointments.count()

    # Entra ID has sent the value as the string "False".
    status, document = scim(
        "PATCH", f"{USERS}/{leader.pk}", patch({"op": "Replace", "path": "active", "value": "False"})
    )

    assert status == 200 and document["active"] is False
    assert not resource_problems(document, "User", base_url=BASE)
    leader.refresh_from_db()
    assert not leader.is_active
    assert browser.get("/").status_code == 302  # sent to log in
    assert browser.get(f"/calendar/{feed_token}.ics").status_code == 404
    assert not CalendarFeed.objects.filter(user=leader, revoked_at=None).exists()
    assert Client().post("/accounts/login/", {"username": "leader", "password": PASSWORD}).status_code == 200
    assert colleague.get("/").status_code == 200  # nobody else is logged out
    assert leader.appointments.count() == appointments
    assert leader.history.first().history_change_reason.startswith("Provisioned by SCIM key")  # type: ignore[union-attr]

    # Listed as deactivated, and reactivated by the provider (the revoked calendar address stays revoked).
    status, found = scim("GET", f'{USERS}?filter=userName eq "leader" and active eq false')
    assert [r["id"] for r in found["Resources"]] == [str(leader.pk)]
    status, document = scim("PATCH", f"{USERS}/{leader.pk}", patch({"op": "replace", "value": {"active": True}}))
    assert status == 200 and document["active"] is True
    assert Client().post("/accounts/login/", {"username": "leader", "password": PASSWORD}).status_code == 302
    assert Client().get(f"/calendar/{feed_token}.ics").status_code == 404


def test_delete_deactivates_and_keeps_the_person(world: World, scim: Call) -> None:
    member = world["member"]
    assert scim("DELETE", f"{USERS}/{member.pk}") == (204, None)
    member.refresh_from_db()
    assert not member.is_active
    assert member.history.first().history_change_reason.endswith("deleted at the identity provider")  # type: ignore[union-attr]
    assert member.appointments.exists()


def test_put_replaces_the_person(world: World, scim: Call) -> None:
    kari = created(scim)
    body = entra_user(title="", name={"givenName": "Kari", "familyName": "Berg"})
    status, document = scim("PUT", f"{USERS}/{kari['id']}", body)
    assert status == 200 and not resource_problems(document, "User", base_url=BASE)
    person = User.objects.get(pk=kari["id"])
    assert (person.last_name, person.title) == ("Berg", "")


# --- Groups -----------------------------------------------------------------------------------------------------------


def test_groups_are_kept_with_their_members_and_give_no_role(world: World, scim: Call) -> None:
    leader, member = world["leader"], world["member"]
    status, group = scim(
        "POST",
        GROUPS,
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "Fagnett-koordinatorer",
            "members": [{"value": str(leader.pk)}],
        },
    )
    assert status == 201 and not resource_problems(group, "Group", base_url=BASE), group
    url = f"{GROUPS}/{group['id']}"

    status, group = scim("PATCH", url, patch({"op": "Add", "path": "members", "value": [{"value": str(member.pk)}]}))
    assert status == 200 and {m["value"] for m in group["members"]} == {str(leader.pk), str(member.pk)}
    # Entra ID asks whether someone is a member like this.
    query = f'id eq "{group["id"]}" and members[value eq "{member.pk}"]'
    status, found = scim("GET", f"{GROUPS}?excludedAttributes=members&filter={query}")
    assert status == 200 and not list_problems(found, "Group", base_url=BASE)
    assert found["totalResults"] == 1 and "members" not in found["Resources"][0]
    status, group = scim(
        "PATCH",
        url,
        patch(
            {"op": "Remove", "path": f'members[value eq "{leader.pk}"]'},
            {"op": "Replace", "path": "displayName", "value": "Koordinatorer"},
        ),
    )
    assert status == 200 and [m["value"] for m in group["members"]] == [str(member.pk)]
    status, found = scim("GET", f'{GROUPS}?filter=displayName eq "koordinatorer"')
    assert found["totalResults"] == 1

    status, person = scim("GET", f"{USERS}/{member.pk}")
    assert person["groups"][0]["display"] == "Koordinatorer"
    assert not resource_problems(person, "User", base_url=BASE)
    assert not member.region_roles.exists() and not member.trust_roles.exists()

    # Another region's person cannot be put in the group.
    status, document = scim(
        "PATCH", url, patch({"op": "add", "path": "members", "value": [{"value": str(world["fagsjef_b"].pk)}]})
    )
    assert status == 400 and not error_problems(document, 400, "invalidValue")

    assert scim("DELETE", url) == (204, None)
    assert not ScimGroup.objects.exists()
    member.refresh_from_db()
    assert member.is_active


def test_discovery_endpoints(world: World, scim: Call) -> None:
    status, config = scim("GET", "/scim/v2/ServiceProviderConfig")
    assert status == 200
    assert config["patch"] == {"supported": True} and config["filter"]["supported"] is True
    assert config["bulk"]["supported"] is False and config["changePassword"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    status, types = scim("GET", "/scim/v2/ResourceTypes")
    user_type = next(t for t in types["Resources"] if t["id"] == "User")
    assert user_type["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    status, schemas = scim("GET", "/scim/v2/Schemas")
    assert {s["id"] for s in schemas["Resources"]} >= {"urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE}


def test_externalid_as_the_sso_identifier_when_configured(world: World, scim: Call, settings: Any) -> None:
    settings.SCIM_EXTERNAL_ID_IS_SSO_IDENTIFIER = True
    document = created(scim)
    person = User.objects.get(pk=document["id"])
    assert person.sso_identifier == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
    make_user("holder", sso_identifier="taken-oid")
    status, error = scim(
        "PATCH", f"{USERS}/{person.pk}", patch({"op": "replace", "path": "externalId", "value": "taken-oid"})
    )
    assert status == 409 and not error_problems(error, 409, "uniqueness")
