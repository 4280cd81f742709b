"""A person's history in the audit trail: their record and roles, and the records merged into theirs."""

import html
import re
from typing import Any

import pytest

from fagnett.accounts.models import RegionRole
from fagnett.audit.tests.factories import forget_history
from fagnett.cases.tests.factories import make_case
from fagnett.core.history import acting_as
from fagnett.people import services
from tests.factories import World, make_user


def _text(response: Any) -> str:
    """The page's text as a reader meets it (tags and screen-reader-only words dropped, spaces collapsed)."""
    content = re.sub(r'<span class="ds-sr-only">[^<]*</span>', "", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content)))


def _history(world: World, person: Any) -> str:
    return f"/history/person/{person.pk}/"


def test_roles_given_and_removed_are_in_the_persons_history(world: World, login_as: Any) -> None:
    with acting_as(world["coordinator"]):
        role = services.region_role_give(
            user=world["coordinator"], region=world.region_a, person=world["employee"], role="medical_director"
        )
        services.region_role_remove(user=world["coordinator"], role=role)
    text = login_as("coordinator").get(_history(world, world["employee"])).content.decode()
    assert "Added – Regional role: Medical director" in text and "Removed – Regional role: Medical director" in text
    assert "Reason: Given on the region&#x27;s people page" in text


@pytest.mark.parametrize(
    ("role", "person", "status"),
    [
        ("coordinator", "member", 200),
        ("fagsjef", "candidate", 200),
        ("fagsjef", "member", 404),
        ("director", "member", 404),
        ("coordinator_b", "member", 404),
        ("member", "member", 404),
    ],
)
def test_who_reads_a_persons_history(world: World, login_as: Any, role: str, person: str, status: int) -> None:
    assert login_as(role).get(_history(world, world[person])).status_code == status


def test_the_history_of_a_merged_record_is_shown_with_the_kept_one(world: World, login_as: Any) -> None:
    twin = make_user("tvilling", trust=world.trusts_a[1], first_name="Tor", last_name="Tvilling", title="Lege")
    with acting_as(world["coordinator"]):
        twin.title = "Overlege"
        twin.save()
        services.person_merge(user=world["coordinator"], kept=world["member"], merged=twin)
    text = _text(login_as("coordinator").get(_history(world, world["member"])))
    merged = text.index("changed the person Tor Tvilling (a record merged into this one) Reason: Merged: Tor Tvilling")
    assert text.index("Job title : Lege → Overlege") > merged


def test_the_audit_log_filtered_by_a_person_includes_what_their_merged_records_did(world: World, login_as: Any) -> None:
    forget_history()
    twin = make_user("tvilling", trust=world.trusts_a[1], first_name="Tor", last_name="Tvilling")
    with acting_as(twin):
        make_case(world, title="Skrevet av tvillingen")
    services.person_merge(user=world["coordinator"], kept=world["member"], merged=twin)
    url = f"/regions/{world.region_a.pk}/audit/?person={world['member'].pk}"
    assert "Skrevet av tvillingen" in login_as("coordinator").get(url).content.decode()


def test_the_region_log_lists_changes_of_people_of_the_region_only(world: World, login_as: Any) -> None:
    forget_history()
    with acting_as(world["coordinator_b"]):
        RegionRole.objects.create(user=world["fagsjef_b"], region=world.region_b, role="medical_director")
    with acting_as(world["coordinator"]):
        RegionRole.objects.create(user=world["employee"], region=world.region_a, role="medical_director")
        world["rhf_rep"].title = "Rådgiver"
        world["rhf_rep"].save()
    text = login_as("coordinator").get(f"/regions/{world.region_a.pk}/audit/").content.decode()
    assert "Employee Testesen" in text and "Rhf_rep Testesen" in text  # a trust's and the RHF's people
    assert "Fagsjef_b" not in text
