"""The merge's walk of every relation to the person: nothing is left behind unless it is listed with its reason."""

import pytest
from django.apps import apps
from django.db import models

from fagnett.accounts.models import User
from fagnett.people import services
from fagnett.people.merge import NOT_MOVED, MergeResult, merge_plan, move_all, user_relations
from tests.factories import make_user
from tests.permissions.world import build_world


def _every_key_to_the_person() -> set[str]:
    """Found here independently of ``people.merge``: every model's foreign keys and many-to-many tables that point
    to the user model."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def test_every_relation_to_the_person_is_moved_or_listed_with_a_reason() -> None:
    """A model added later with a key to the person fails here until the merge moves it or ``NOT_MOVED`` says why
    it stays with the merged record."""
    plans = {plan.relation.key: plan for plan in merge_plan()}
    assert set(plans) == _every_key_to_the_person()
    unexplained = [key for key, plan in plans.items() if not plan.moved and not str(plan.reason).strip()]
    assert unexplained == []
    assert all(plan.moved == (key not in NOT_MOVED and not plan.relation.is_history) for key, plan in plans.items())


def test_the_list_of_what_stays_names_only_relations_that_exist() -> None:
    keys = {relation.key for relation in user_relations()}
    assert set(NOT_MOVED) <= keys, set(NOT_MOVED) - keys


def test_the_walk_sees_hidden_relations_and_many_to_many_tables() -> None:
    keys = {relation.key for relation in user_relations()}
    # Attendance.person has no reverse name ("+"), the groups of the identity provider are a many-to-many relation,
    # and the provisioning link a one-to-one: each must be among the relations the merge walks.
    assert {
        "meetings.Attendance.person",
        "provisioning.ScimGroup_members.user",
        "provisioning.ProvisionedPerson.person",
    } <= keys


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["member", "secretary", "leader"])
def test_after_a_merge_no_row_names_the_merged_record_except_what_stays(name: str) -> None:
    """In the permission crawler's world, where these people have submitted, owned, written and attended most
    things, every moved relation is empty for the merged record afterwards, and the rows went to the kept one."""
    world = build_world().base
    merged = world[name]
    kept = make_user(f"{name}-ny", trust=merged.trust)
    before = {
        plan.relation.key: plan.relation.model._base_manager.filter(**{plan.relation.field.name: merged}).count()
        for plan in merge_plan()
    }
    record = services.person_merge(user=world["coordinator"], kept=kept, merged=merged)

    for plan in merge_plan():
        relation = plan.relation
        left = relation.model._base_manager.filter(**{relation.field.name: merged}).count()
        if plan.moved:
            assert left == 0, f"{relation.key}: {left} rows still name the merged record"
            done = record.moved.get(relation.key, {"moved": 0, "dropped": 0})
            assert done["moved"] + done["dropped"] == before[relation.key], relation.key
        elif relation.key == "people.PersonMerge.merged":
            assert left == 1  # the record of this merge
        elif not relation.is_history:
            assert left == before[relation.key], f"{relation.key} is listed as not moved but changed"
    # The world is rich enough for the test to mean something: many kinds of rows moved.
    assert len(record.moved) >= 5, record.moved


@pytest.mark.django_db
def test_the_result_counts_what_moved_and_what_was_a_duplicate() -> None:
    first, second = make_user("first"), make_user("second")
    result = move_all(kept=first, merged=second, reason="test", actor=None)
    assert isinstance(result, MergeResult)
    assert (result.moved, result.dropped, result.as_json()) == (0, 0, {})
